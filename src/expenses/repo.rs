//! SQL for expenses. Row-level security limits every statement to the caller's firm.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use super::*;
use crate::auth::caller::Caller;
use crate::error::AppError;
use crate::kernel::{Choice, Page, PAGE_SIZE};
use crate::server::db::Tx;
use crate::server::list::{keyset_page, List, Sort};
use crate::time::TimeStatus;

#[derive(sqlx::FromRow)]
struct ListRow {
    id: Uuid,
    matter_id: Uuid,
    matter_number: String,
    user_name: String,
    incurred_on: NaiveDate,
    description: String,
    amount: Decimal,
    quantity: Decimal,
    billable: bool,
    status: String,
    currency: String,
    sort_key: String,
    total_capped: i64,
}

crate::keyed!(ListRow);

impl From<ListRow> for ExpenseRow {
    fn from(r: ListRow) -> Self {
        ExpenseRow {
            id: r.id,
            matter_id: r.matter_id,
            matter_number: r.matter_number,
            user_name: r.user_name,
            incurred_on: r.incurred_on,
            description: r.description,
            amount: r.amount,
            quantity: r.quantity,
            total: expense_total(
                r.amount,
                r.quantity,
                crate::kernel::minor_digits(&r.currency),
            ),
            billable: r.billable,
            status: TimeStatus::parse(&r.status).unwrap_or(TimeStatus::Billed),
        }
    }
}

pub async fn list(tx: &mut Tx, q: &ExpenseQuery) -> Result<Page<ExpenseRow>, AppError> {
    let matter = Uuid::parse_str(&q.matter).ok();
    let filters = |b: &mut QueryBuilder<Postgres>| {
        b.push(" WHERE true");
        if let Some(m) = matter {
            b.push(" AND e.matter_id = ").push_bind(m);
        }
    };
    let list = List {
        columns: "e.id, e.matter_id, m.matter_number, u.full_name AS user_name, e.incurred_on, e.description,
                  e.amount, e.quantity, e.billable, e.status, f.currency, (e.incurred_on)::text AS sort_key",
        from: "FROM expenses e JOIN matters m ON m.id = e.matter_id JOIN users u ON u.id = e.user_id
               JOIN organizations f ON f.id = e.organization_id",
        count_from: "FROM expenses e",
        filters: &filters,
        id_col: "e.id",
        sort: Sort {
            expr: "e.incurred_on",
            cast: "date",
            desc: true,
        },
        persistent: true,
    };
    let page: Page<ListRow> = keyset_page(tx, &list, &q.paging, PAGE_SIZE).await?;
    Ok(page.map(ExpenseRow::from))
}

pub async fn insert(
    tx: &mut Tx,
    caller: &Caller,
    matter: Uuid,
    e: &ValidExpense,
) -> Result<Uuid, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO expenses (organization_id, matter_id, user_id, incurred_on, description, amount,
                               quantity, billable, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $3) RETURNING id",
    )
    .bind(caller.org_id)
    .bind(matter)
    .bind(caller.user_id)
    .bind(e.incurred_on)
    .bind(&e.description)
    .bind(e.amount)
    .bind(e.quantity)
    .bind(e.billable)
    .fetch_one(&mut **tx)
    .await?)
}
