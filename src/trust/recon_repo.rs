//! SQL for reconciliations. The figures are worked out under row-level security as the caller
//! (who must see every matter in the account, see `walled`); PostgreSQL works them out again
//! when one is saved and refuses a record that does not match (migration 22).

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{
    AccountHead, ClientLedger, EntryKind, ReconcileItem, Reconciliation, ReconciliationLine,
    ThreeWay,
};
use crate::auth::caller::Caller;
use crate::error::AppError;
use crate::kernel::Choice;
use crate::server::db::Tx;

pub async fn account(tx: &mut Tx, id: Uuid) -> Result<Option<AccountHead>, AppError> {
    let row: Option<(Uuid, String, String, String)> =
        sqlx::query_as("SELECT id, name, bank_name, last4 FROM trust_accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(row.map(|(id, name, bank_name, last4)| AccountHead {
        id,
        name,
        bank_name,
        last4,
    }))
}

/// Some of the account's money is on matters walled off from the caller.
pub async fn walled(tx: &mut Tx, account: Uuid) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar("SELECT app_trust_account_walled($1)")
        .bind(account)
        .fetch_one(&mut **tx)
        .await?)
}

/// The account's last reconciliation: (id, statement date).
pub async fn last(tx: &mut Tx, account: Uuid) -> Result<Option<(Uuid, NaiveDate)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, statement_date FROM trust_reconciliations
          WHERE account_id = $1 ORDER BY statement_date DESC LIMIT 1",
    )
    .bind(account)
    .fetch_optional(&mut **tx)
    .await?)
}

/// The entries a reconciliation through `date` looks at: those after the last reconciliation,
/// and those the last one left outstanding. `outstanding` says whether each was outstanding last
/// time, and whether it had cleared by `date` (deposits).
pub async fn period_items(
    tx: &mut Tx,
    account: Uuid,
    date: NaiveDate,
    last: Option<(Uuid, NaiveDate)>,
) -> Result<Vec<(ReconcileItem, bool, bool)>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: Uuid,
        occurred_on: NaiveDate,
        kind: String,
        description: String,
        reference: String,
        amount: Decimal,
        was_outstanding: bool,
        cleared: bool,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT e.id, e.occurred_on, e.kind,
                concat_ws(' · ', nullif(m.matter_number, ''), nullif(e.counterparty, ''), nullif(e.purpose, '')) AS description,
                e.reference, e.amount, i.entry_id IS NOT NULL AS was_outstanding,
                coalesce(e.kind <> 'deposit' OR e.cleared_on <= $2, false) AS cleared
           FROM trust_entries e JOIN matters m ON m.id = e.matter_id
           LEFT JOIN trust_reconciliation_items i ON i.entry_id = e.id AND i.reconciliation_id = $3
          WHERE e.account_id = $1 AND e.occurred_on <= $2
            AND ($4::date IS NULL OR e.occurred_on > $4 OR i.entry_id IS NOT NULL)
          ORDER BY e.occurred_on, e.id",
    )
    .bind(account)
    .bind(date)
    .bind(last.map(|l| l.0))
    .bind(last.map(|l| l.1))
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                ReconcileItem {
                    id: r.id,
                    occurred_on: r.occurred_on,
                    kind: EntryKind::parse(&r.kind).unwrap_or(EntryKind::Reversal),
                    description: r.description,
                    reference: r.reference,
                    amount: r.amount,
                    outstanding: false,
                },
                r.was_outstanding,
                r.cleared,
            )
        })
        .collect())
}

/// The account's journal balance at the end of `date`.
pub async fn journal(tx: &mut Tx, account: Uuid, date: NaiveDate) -> Result<Decimal, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT coalesce(sum(amount), 0) FROM trust_entries WHERE account_id = $1 AND occurred_on <= $2",
    )
    .bind(account)
    .bind(date)
    .fetch_one(&mut **tx)
    .await?)
}

/// Each client's ledger in the account at the end of `date`: the balances the entries' trigger
/// keeps, less what was recorded for later dates (so a second, independent sum of the journal).
pub async fn client_ledgers(
    tx: &mut Tx,
    account: Uuid,
    date: NaiveDate,
) -> Result<Vec<ClientLedger>, AppError> {
    let rows: Vec<(Uuid, String, Decimal)> = sqlx::query_as(
        "SELECT c.id, c.name, sum(x.amount)
           FROM (SELECT client_id, balance AS amount FROM trust_balances WHERE account_id = $1
                 UNION ALL
                 SELECT client_id, -amount FROM trust_entries WHERE account_id = $1 AND occurred_on > $2) x
           JOIN clients c ON c.id = x.client_id
          GROUP BY c.id, c.name HAVING sum(x.amount) <> 0 ORDER BY c.name, c.id",
    )
    .bind(account)
    .bind(date)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(client_id, client_name, balance)| ClientLedger {
            client_id,
            client_name,
            balance,
        })
        .collect())
}

/// Save a reconciliation with its outstanding items and client ledgers. PostgreSQL checks the
/// order, the journal and ledger figures, and (at commit) that the items add up.
pub async fn insert(
    tx: &mut Tx,
    caller: &Caller,
    account: Uuid,
    date: NaiveDate,
    figures: &ThreeWay,
    items: &[ReconcileItem],
    clients: &[ClientLedger],
) -> Result<Uuid, sqlx::Error> {
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO trust_reconciliations
                (organization_id, account_id, statement_date, statement_balance, deposits_in_transit,
                 outstanding_payments, adjusted_bank, journal, client_ledgers, reconciled_by, reconciled_by_name)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, u.id, u.full_name FROM users u WHERE u.id = $10
         RETURNING id",
    )
    .bind(caller.org_id)
    .bind(account)
    .bind(date)
    .bind(figures.statement)
    .bind(figures.deposits_in_transit)
    .bind(figures.outstanding_payments)
    .bind(figures.adjusted_bank)
    .bind(figures.journal)
    .bind(figures.client_ledgers)
    .bind(caller.user_id)
    .fetch_one(&mut **tx)
    .await?;
    for i in items.iter().filter(|i| i.outstanding) {
        sqlx::query(
            "INSERT INTO trust_reconciliation_items
                    (organization_id, reconciliation_id, entry_id, occurred_on, kind, description, reference, amount)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(caller.org_id)
        .bind(id)
        .bind(i.id)
        .bind(i.occurred_on)
        .bind(i.kind.as_str())
        .bind(&i.description)
        .bind(&i.reference)
        .bind(i.amount)
        .execute(&mut **tx)
        .await?;
    }
    for c in clients {
        sqlx::query(
            "INSERT INTO trust_reconciliation_clients
                    (organization_id, reconciliation_id, client_id, client_name, balance)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(caller.org_id)
        .bind(id)
        .bind(c.client_id)
        .bind(&c.client_name)
        .bind(c.balance)
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}

/// A saved reconciliation, from what was saved (never recomputed).
pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Option<Reconciliation>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Head {
        account_id: Uuid,
        statement_date: NaiveDate,
        statement_balance: Decimal,
        deposits_in_transit: Decimal,
        outstanding_payments: Decimal,
        adjusted_bank: Decimal,
        journal: Decimal,
        client_ledgers: Decimal,
        reconciled_by_name: String,
        created_at: DateTime<Utc>,
        currency: String,
    }
    let Some(h): Option<Head> = sqlx::query_as(
        "SELECT r.account_id, r.statement_date, r.statement_balance, r.deposits_in_transit,
                r.outstanding_payments, r.adjusted_bank, r.journal, r.client_ledgers,
                r.reconciled_by_name, r.created_at, o.currency
           FROM trust_reconciliations r JOIN organizations o ON o.id = r.organization_id
          WHERE r.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    let account = account(tx, h.account_id).await?.ok_or(AppError::NotFound)?;
    let items: Vec<(Uuid, NaiveDate, String, String, String, Decimal)> = sqlx::query_as(
        "SELECT entry_id, occurred_on, kind, description, reference, amount
           FROM trust_reconciliation_items WHERE reconciliation_id = $1 ORDER BY occurred_on, entry_id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let clients: Vec<(Uuid, String, Decimal)> = sqlx::query_as(
        "SELECT client_id, client_name, balance FROM trust_reconciliation_clients
          WHERE reconciliation_id = $1 ORDER BY client_name, client_id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(Some(Reconciliation {
        id,
        account,
        currency: h.currency,
        statement_date: h.statement_date,
        figures: ThreeWay {
            statement: h.statement_balance,
            deposits_in_transit: h.deposits_in_transit,
            outstanding_payments: h.outstanding_payments,
            adjusted_bank: h.adjusted_bank,
            journal: h.journal,
            client_ledgers: h.client_ledgers,
            bank_vs_journal: h.adjusted_bank - h.journal,
            journal_vs_ledgers: h.journal - h.client_ledgers,
        },
        reconciled_by: h.reconciled_by_name,
        reconciled_at: h.created_at,
        items: items
            .into_iter()
            .map(
                |(id, occurred_on, kind, description, reference, amount)| ReconcileItem {
                    id,
                    occurred_on,
                    kind: EntryKind::parse(&kind).unwrap_or(EntryKind::Reversal),
                    description,
                    reference,
                    amount,
                    outstanding: true,
                },
            )
            .collect(),
        clients: clients
            .into_iter()
            .map(|(client_id, client_name, balance)| ClientLedger {
                client_id,
                client_name,
                balance,
            })
            .collect(),
    }))
}

/// The account's reconciliations, newest first.
pub async fn history(tx: &mut Tx, account: Uuid) -> Result<Vec<ReconciliationLine>, AppError> {
    let rows: Vec<(Uuid, NaiveDate, Decimal, String)> = sqlx::query_as(
        "SELECT id, statement_date, statement_balance, reconciled_by_name FROM trust_reconciliations
          WHERE account_id = $1 ORDER BY statement_date DESC LIMIT 120",
    )
    .bind(account)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, statement_date, statement_balance, reconciled_by)| ReconciliationLine {
                id,
                statement_date,
                statement_balance,
                reconciled_by,
            },
        )
        .collect())
}
