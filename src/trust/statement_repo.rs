//! SQL for ledgers over a period: a client's (all its matters and accounts) or an account's
//! journal. Running balances are in date order, from the balance before the period.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{EntryKind, StatementLine};
use crate::error::AppError;
use crate::kernel::Choice;
use crate::server::db::Tx;

/// Whose ledger.
#[derive(Clone, Copy)]
pub enum Scope {
    Client(Uuid),
    Account(Uuid),
}

impl Scope {
    fn column(self) -> (&'static str, Uuid) {
        match self {
            Scope::Client(id) => ("client_id", id),
            Scope::Account(id) => ("account_id", id),
        }
    }
}

/// (opening balance, closing balance) of the period.
pub async fn totals(
    tx: &mut Tx,
    scope: Scope,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(Decimal, Decimal), AppError> {
    let (column, id) = scope.column();
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT coalesce(sum(amount) FILTER (WHERE occurred_on < $2), 0),
                coalesce(sum(amount) FILTER (WHERE $3::date IS NULL OR occurred_on <= $3), 0)
           FROM trust_entries WHERE {column} = $1"
    )))
    .bind(id)
    .bind(from)
    .bind(to)
    .fetch_one(&mut **tx)
    .await?)
}

/// The period's entries in date order with the balance after each, `limit` of them after
/// `offset` (`None`: all).
pub async fn lines(
    tx: &mut Tx,
    scope: Scope,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    opening: Decimal,
    offset: i64,
    limit: Option<i64>,
) -> Result<Vec<StatementLine>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: Uuid,
        occurred_on: NaiveDate,
        matter_number: String,
        client_name: String,
        account_name: String,
        kind: String,
        counterparty: String,
        purpose: String,
        reference: String,
        amount: Decimal,
        balance: Decimal,
    }
    let (column, id) = scope.column();
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT e.id, e.occurred_on, m.matter_number, c.name AS client_name, a.name AS account_name,
                e.kind, e.counterparty, e.purpose, e.reference, e.amount,
                $4 + sum(e.amount) OVER (ORDER BY e.occurred_on, e.id) AS balance
           FROM trust_entries e JOIN matters m ON m.id = e.matter_id
           JOIN clients c ON c.id = e.client_id JOIN trust_accounts a ON a.id = e.account_id
          WHERE e.{column} = $1 AND ($2::date IS NULL OR e.occurred_on >= $2)
            AND ($3::date IS NULL OR e.occurred_on <= $3)
          ORDER BY e.occurred_on, e.id OFFSET $5 LIMIT $6"
    )))
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(opening)
    .bind(offset)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| StatementLine {
            id: r.id,
            occurred_on: r.occurred_on,
            matter_number: r.matter_number,
            client_name: r.client_name,
            account_name: r.account_name,
            kind: EntryKind::parse(&r.kind).unwrap_or(EntryKind::Reversal),
            counterparty: r.counterparty,
            purpose: r.purpose,
            reference: r.reference,
            amount: r.amount,
            balance: r.balance,
        })
        .collect())
}

/// The client's name, if the firm has such a client.
pub async fn client_name(tx: &mut Tx, client: Uuid) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar("SELECT name FROM clients WHERE id = $1")
        .bind(client)
        .fetch_optional(&mut **tx)
        .await?)
}

pub async fn firm_name(tx: &mut Tx) -> Result<String, AppError> {
    Ok(
        sqlx::query_scalar("SELECT name FROM organizations WHERE id = app_current_org()")
            .fetch_one(&mut **tx)
            .await?,
    )
}
