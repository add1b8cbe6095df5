//! SQL for trust accounting. Row-level security limits every statement to the caller's firm
//! and hides walled matters; the balances and the rules on entries are PostgreSQL's (migration
//! 21).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::*;
use crate::auth::caller::Caller;
use crate::error::AppError;
use crate::kernel::Choice;
use crate::server::db::Tx;

pub async fn accounts(tx: &mut Tx) -> Result<Vec<TrustAccount>, AppError> {
    type Row = (
        Uuid,
        String,
        String,
        String,
        Decimal,
        Decimal,
        Option<NaiveDate>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.id, a.name, a.bank_name, a.last4, coalesce(t.balance, 0), coalesce(t.uncleared, 0),
                (SELECT max(r.statement_date) FROM trust_reconciliations r WHERE r.account_id = a.id)
           FROM trust_accounts a LEFT JOIN app_trust_account_totals() t ON t.account_id = a.id
          ORDER BY a.name, a.id",
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, name, bank_name, last4, balance, uncleared, reconciled_through)| TrustAccount {
                id,
                name,
                bank_name,
                last4,
                balance,
                uncleared,
                reconciled_through,
            },
        )
        .collect())
}

pub async fn account_names(tx: &mut Tx) -> Result<Vec<(Uuid, String)>, AppError> {
    Ok(
        sqlx::query_as("SELECT id, name FROM trust_accounts ORDER BY name, id")
            .fetch_all(&mut **tx)
            .await?,
    )
}

/// The name of one of the firm's accounts.
pub async fn account_name(tx: &mut Tx, account: Uuid) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT name FROM trust_accounts WHERE id = $1")
            .bind(account)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// The client's issued invoices with money due that a matter's trust money may pay: the
/// matter's own and the client's invoices not tied to one matter.
pub async fn open_invoices(
    tx: &mut Tx,
    client: Uuid,
    matter: Uuid,
) -> Result<Vec<OpenInvoice>, AppError> {
    let rows: Vec<(Uuid, String, Decimal)> = sqlx::query_as(
        "SELECT id, coalesce(invoice_number, ''), total - amount_paid FROM invoices
          WHERE client_id = $1 AND (matter_id IS NULL OR matter_id = $2)
            AND status IN ('sent', 'partially_paid')
          ORDER BY issue_date, invoice_number LIMIT 200",
    )
    .bind(client)
    .bind(matter)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, number, balance)| OpenInvoice {
            id,
            number,
            balance,
        })
        .collect())
}

/// A new account; `None` when the firm already has one of that name.
pub async fn insert_account(
    tx: &mut Tx,
    caller: &Caller,
    a: &ValidAccount,
) -> Result<Option<Uuid>, AppError> {
    let inserted = sqlx::query_scalar(
        "INSERT INTO trust_accounts (organization_id, name, bank_name, last4, created_by)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (organization_id, name) DO NOTHING RETURNING id",
    )
    .bind(caller.org_id)
    .bind(&a.name)
    .bind(&a.bank_name)
    .bind(&a.last4)
    .bind(caller.user_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(inserted)
}

/// Trust writes on these matters take turns, in one order (ids ascending), so two transfers in
/// opposite directions wait for each other instead of deadlocking; the balance row's own lock
/// and constraints still decide every write.
pub async fn take_turns(tx: &mut Tx, matters: &[Uuid]) -> Result<(), AppError> {
    let mut ids = matters.to_vec();
    ids.sort();
    ids.dedup();
    for id in ids {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('trust:' || $1::text, 0))")
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// A matter's balance in an account: (balance, uncleared), zero when it never held any.
pub async fn balance(tx: &mut Tx, account: Uuid, matter: Uuid) -> Result<MatterBalance, AppError> {
    let row: Option<(Decimal, Decimal)> = sqlx::query_as(
        "SELECT balance, uncleared FROM trust_balances WHERE account_id = $1 AND matter_id = $2",
    )
    .bind(account)
    .bind(matter)
    .fetch_optional(&mut **tx)
    .await?;
    let (balance, uncleared) = row.unwrap_or_default();
    Ok(MatterBalance {
        account_id: account,
        account_name: String::new(),
        balance,
        uncleared,
    })
}

pub async fn matter_balances(tx: &mut Tx, matter: Uuid) -> Result<Vec<MatterBalance>, AppError> {
    let rows: Vec<(Uuid, String, Decimal, Decimal)> = sqlx::query_as(
        "SELECT b.account_id, a.name, b.balance, b.uncleared
           FROM trust_balances b JOIN trust_accounts a ON a.id = b.account_id
          WHERE b.matter_id = $1 ORDER BY a.name, a.id",
    )
    .bind(matter)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(account_id, account_name, balance, uncleared)| MatterBalance {
                account_id,
                account_name,
                balance,
                uncleared,
            },
        )
        .collect())
}

/// A new entry. `amount` is signed (money in positive); for a reversal the database copies the
/// original's account, matter and negated amount. Errors are PostgreSQL's, for the caller to
/// name (`trust::api::refusal`).
pub struct NewEntry<'a> {
    pub account: Uuid,
    pub matter: Uuid,
    pub kind: EntryKind,
    pub amount: Decimal,
    pub occurred_on: NaiveDate,
    pub cleared_on: Option<NaiveDate>,
    pub counterparty: &'a str,
    pub purpose: &'a str,
    pub method: Option<TrustMethod>,
    pub reference: &'a str,
    pub transfer_id: Option<Uuid>,
    pub reverses: Option<Uuid>,
    /// Invoice payments: the invoice's payment this entry made.
    pub payment_id: Option<Uuid>,
}

pub async fn insert_entry(
    tx: &mut Tx,
    caller: &Caller,
    e: &NewEntry<'_>,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO trust_entries (organization_id, account_id, client_id, matter_id, kind, amount,
                                    occurred_on, cleared_on, counterparty, purpose, method, reference,
                                    transfer_id, reverses, created_by, payment_id)
         SELECT $1, $2, m.client_id, m.id, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15
           FROM matters m WHERE m.id = $3
         RETURNING id",
    )
    .bind(caller.org_id)
    .bind(e.account)
    .bind(e.matter)
    .bind(e.kind.as_str())
    .bind(e.amount)
    .bind(e.occurred_on)
    .bind(e.cleared_on)
    .bind(e.counterparty)
    .bind(e.purpose)
    .bind(e.method.map(|m| m.as_str()).unwrap_or(""))
    .bind(e.reference)
    .bind(e.transfer_id)
    .bind(e.reverses)
    .bind(caller.user_id)
    .bind(e.payment_id)
    .fetch_one(&mut **tx)
    .await
}

/// An entry, as a reversal or clearing needs it.
#[derive(sqlx::FromRow)]
pub struct EntryRef {
    pub id: Uuid,
    pub account_id: Uuid,
    pub matter_id: Uuid,
    pub kind: String,
    pub amount: Decimal,
    pub occurred_on: NaiveDate,
    pub cleared_on: Option<NaiveDate>,
    pub transfer_id: Option<Uuid>,
    pub reversed: bool,
    /// The statement date of the reconciliation that covers it.
    pub locked: Option<NaiveDate>,
}

pub async fn entry(tx: &mut Tx, id: Uuid) -> Result<Option<EntryRef>, AppError> {
    Ok(sqlx::query_as(
        "SELECT e.id, e.account_id, e.matter_id, e.kind, e.amount, e.occurred_on, e.cleared_on, e.transfer_id,
                EXISTS (SELECT 1 FROM trust_entries r WHERE r.reverses = e.id) AS reversed,
                trust_entry_reconciled(e.account_id, e.id, e.occurred_on) AS locked
           FROM trust_entries e WHERE e.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// The entries of a transfer (both halves), oldest first.
pub async fn transfer_halves(tx: &mut Tx, transfer: Uuid) -> Result<Vec<EntryRef>, AppError> {
    Ok(sqlx::query_as(
        "SELECT e.id, e.account_id, e.matter_id, e.kind, e.amount, e.occurred_on, e.cleared_on, e.transfer_id,
                EXISTS (SELECT 1 FROM trust_entries r WHERE r.reverses = e.id) AS reversed,
                trust_entry_reconciled(e.account_id, e.id, e.occurred_on) AS locked
           FROM trust_entries e WHERE e.transfer_id = $1 AND e.kind <> 'reversal' ORDER BY e.id",
    )
    .bind(transfer)
    .fetch_all(&mut **tx)
    .await?)
}

/// An administrator's permission, with the reason, to reverse an entry a reconciliation covers.
pub async fn unlock(tx: &mut Tx, entry: Uuid, reason: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO trust_entry_unlocks (entry_id, organization_id, reason)
         VALUES ($1, app_current_org(), $2) ON CONFLICT (entry_id) DO NOTHING",
    )
    .bind(entry)
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn clear(tx: &mut Tx, id: Uuid, on: NaiveDate) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE trust_entries SET cleared_on = $2 WHERE id = $1")
        .bind(id)
        .bind(on)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A matter as its trust page names it: (number, title, client, closed, client id, whether the
/// caller is its responsible or originating attorney).
pub struct MatterHead {
    pub number: String,
    pub title: String,
    pub client_id: Uuid,
    pub client_name: String,
    pub closed: bool,
    pub own: bool,
}

pub async fn matter_head(tx: &mut Tx, matter: Uuid) -> Result<Option<MatterHead>, AppError> {
    let row: Option<(String, String, Uuid, String, String, bool)> = sqlx::query_as(
        "SELECT m.matter_number, m.title, m.client_id, c.name, m.status,
                coalesce(app_current_user() IN (m.responsible_attorney_id, m.originating_attorney_id), false)
           FROM matters m JOIN clients c ON c.id = m.client_id WHERE m.id = $1",
    )
    .bind(matter)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(
        |(number, title, client_id, client_name, status, own)| MatterHead {
            number,
            title,
            client_id,
            client_name,
            closed: status == "closed",
            own,
        },
    ))
}

/// Whether the caller is the matter's responsible or originating attorney.
pub async fn own_matter(tx: &mut Tx, matter: Uuid) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT coalesce(app_current_user() IN (m.responsible_attorney_id, m.originating_attorney_id), false)
           FROM matters m WHERE m.id = $1",
    )
    .bind(matter)
    .fetch_optional(&mut **tx)
    .await?
    .unwrap_or(false))
}

pub async fn staff_see_trust(tx: &mut Tx) -> Result<bool, AppError> {
    Ok(
        sqlx::query_scalar(
            "SELECT staff_see_trust FROM organizations WHERE id = app_current_org()",
        )
        .fetch_one(&mut **tx)
        .await?,
    )
}

/// The client's other matters that are open, to transfer to.
pub async fn sibling_matters(
    tx: &mut Tx,
    client: Uuid,
    matter: Uuid,
) -> Result<Vec<(Uuid, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, matter_number || ' ' || title FROM matters
          WHERE client_id = $1 AND id <> $2 AND status <> 'closed' ORDER BY matter_number LIMIT 500",
    )
    .bind(client)
    .bind(matter)
    .fetch_all(&mut **tx)
    .await?)
}

/// The matter's client, if the firm has (and the caller sees) such a matter.
pub async fn client_of(tx: &mut Tx, matter: Uuid) -> Result<Option<(Uuid, String)>, AppError> {
    Ok(
        sqlx::query_as("SELECT client_id, matter_number FROM matters WHERE id = $1")
            .bind(matter)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// The newest `limit` entries of a matter (all its accounts), in the order they were recorded
/// (ids are time-ordered), each with its account ledger's balance after it: so the balance shown
/// is the one the entry met, never negative, even for a payment dated before an earlier
/// deposit. And whether there are older ones.
pub async fn matter_ledger(
    tx: &mut Tx,
    matter: Uuid,
    limit: i64,
) -> Result<(Vec<LedgerRow>, bool), AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: Uuid,
        account_name: String,
        occurred_on: NaiveDate,
        kind: String,
        counterparty: String,
        purpose: String,
        reference: String,
        amount: Decimal,
        balance: Decimal,
        cleared_on: Option<NaiveDate>,
        reverses: Option<Uuid>,
        reversed: bool,
        locked: Option<NaiveDate>,
    }
    let mut rows: Vec<Row> = sqlx::query_as(
        "SELECT e.id, a.name AS account_name, e.occurred_on, e.kind, e.counterparty, e.purpose, e.reference,
                e.amount, e.balance, e.cleared_on, e.reverses,
                EXISTS (SELECT 1 FROM trust_entries r WHERE r.reverses = e.id) AS reversed,
                trust_entry_reconciled(e.account_id, e.id, e.occurred_on) AS locked
           FROM (SELECT e.*, sum(e.amount) OVER (PARTITION BY e.account_id ORDER BY e.id) AS balance
                   FROM trust_entries e WHERE e.matter_id = $1) e
           JOIN trust_accounts a ON a.id = e.account_id
          ORDER BY e.id DESC LIMIT $2",
    )
    .bind(matter)
    .bind(limit + 1)
    .fetch_all(&mut **tx)
    .await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    Ok((
        rows.into_iter()
            .map(|r| LedgerRow {
                id: r.id,
                account_name: r.account_name,
                occurred_on: r.occurred_on,
                kind: EntryKind::parse(&r.kind).unwrap_or(EntryKind::Reversal),
                counterparty: r.counterparty,
                purpose: r.purpose,
                reference: r.reference,
                amount: r.amount,
                balance: r.balance,
                cleared_on: r.cleared_on,
                reverses: r.reverses,
                reversed: r.reversed,
                locked: r.locked,
            })
            .collect(),
        more,
    ))
}
