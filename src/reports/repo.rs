//! The reports' SQL. Amounts are formed as everywhere else: a time entry's billed minutes (up
//! to the firm's increment) at its rate, rounded half-up to the cent per entry (PostgreSQL's
//! `round` on numeric rounds half away from zero, as `rust_decimal`'s MidpointAwayFromZero).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::*;
use crate::error::AppError;
use crate::server::db::Tx;

#[derive(sqlx::FromRow)]
struct AgingSql {
    client_id: Uuid,
    client_name: String,
    current: Decimal,
    d1: Decimal,
    d31: Decimal,
    d61: Decimal,
    d91: Decimal,
}

/// Receivables on `as_of`: invoices issued by then, less the payments received by then.
pub async fn aging(tx: &mut Tx, as_of: NaiveDate) -> Result<Vec<AgingRow>, AppError> {
    let rows: Vec<AgingSql> = sqlx::query_as(
        "WITH open AS (
             SELECT i.client_id, $1::date - i.due_date AS late,
                    i.total - coalesce((SELECT sum(p.amount) FROM payments p
                                         WHERE p.invoice_id = i.id AND p.paid_on <= $1), 0) AS balance
               FROM invoices i
              WHERE i.issue_date <= $1
                AND (i.status IN ('sent', 'partially_paid', 'paid')
                     OR i.status = 'void' AND (i.voided_at AT TIME ZONE
                         (SELECT timezone FROM organizations WHERE id = app_current_org()))::date > $1))
         SELECT c.id AS client_id, c.name AS client_name,
                coalesce(sum(balance) FILTER (WHERE late <= 0), 0) AS current,
                coalesce(sum(balance) FILTER (WHERE late BETWEEN 1 AND 30), 0) AS d1,
                coalesce(sum(balance) FILTER (WHERE late BETWEEN 31 AND 60), 0) AS d31,
                coalesce(sum(balance) FILTER (WHERE late BETWEEN 61 AND 90), 0) AS d61,
                coalesce(sum(balance) FILTER (WHERE late > 90), 0) AS d91
           FROM open JOIN clients c ON c.id = open.client_id
          WHERE balance > 0
          GROUP BY c.id, c.name
          ORDER BY sum(balance) DESC, c.name",
    )
    .bind(as_of)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AgingRow {
            client_id: Some(r.client_id),
            client_name: r.client_name,
            total: r.current + r.d1 + r.d31 + r.d61 + r.d91,
            current: r.current,
            days_1_30: r.d1,
            days_31_60: r.d31,
            days_61_90: r.d61,
            over_90: r.d91,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct WipSql {
    id: Uuid,
    name: String,
    client_name: String,
    minutes: i64,
    time_amount: Decimal,
    expense_amount: Decimal,
}

impl From<WipSql> for WipRow {
    fn from(r: WipSql) -> Self {
        WipRow {
            id: r.id,
            name: r.name,
            client_name: r.client_name,
            minutes: u32::try_from(r.minutes).unwrap_or(u32::MAX),
            time_amount: r.time_amount,
            expense_amount: r.expense_amount,
        }
    }
}

/// How many issued invoices are unpaid past their due date on `today`.
pub async fn overdue_count(tx: &mut Tx, today: NaiveDate) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM invoices WHERE status IN ('sent', 'partially_paid') AND due_date < $1",
    )
    .bind(today)
    .fetch_one(&mut **tx)
    .await?)
}

/// Work is in progress on a day until an invoice for it is issued: unbilled, on a draft, or on
/// an invoice issued after that day. `$1`: the day; `$2`: only the matters of this person;
/// `$3`: the decimals of the firm's currency (amounts are formed as an invoice would form them).
const WIP_SOURCES: &str = "
    later AS (SELECT id FROM invoices WHERE status = 'draft' OR issue_date > $1),
    inc AS (SELECT billing_increment_minutes AS step FROM organizations WHERE id = app_current_org()),
    t AS (SELECT t.matter_id, t.user_id, t.minutes,
                 round(ceil(t.minutes::numeric / inc.step) * inc.step * t.hourly_rate / 60, $3::int) AS amount
            FROM time_entries t, inc
           WHERE t.billable AND t.work_date <= $1 AND t.status <> 'written_off'
             AND (t.invoice_id IS NULL OR t.invoice_id IN (SELECT id FROM later))
             AND ($2::uuid IS NULL OR t.matter_id IN (SELECT id FROM mine))),
    e AS (SELECT e.matter_id, e.user_id, round(e.amount * e.quantity, $3::int) AS amount
            FROM expenses e
           WHERE e.billable AND e.incurred_on <= $1 AND e.status <> 'written_off'
             AND (e.invoice_id IS NULL OR e.invoice_id IN (SELECT id FROM later))
             AND ($2::uuid IS NULL OR e.matter_id IN (SELECT id FROM mine)))";

const MINE: &str = "mine AS (SELECT id FROM matters WHERE responsible_attorney_id = $2 OR originating_attorney_id = $2)";

#[derive(sqlx::FromRow)]
struct WipGroup {
    grouping: i32,
    id: Option<Uuid>,
    name: Option<String>,
    client_name: Option<String>,
    minutes: i64,
    time_amount: Decimal,
    expense_amount: Decimal,
}

/// Work in progress by matter and by person, and its total, in one pass over the unbilled work
/// (`GROUPING SETS`); each list largest first.
pub async fn wip(
    tx: &mut Tx,
    as_of: NaiveDate,
    currency: &str,
) -> Result<(Vec<WipRow>, Vec<WipRow>, Decimal), AppError> {
    let sql = format!(
        "WITH {MINE}, {WIP_SOURCES},
         w AS (SELECT matter_id, user_id, minutes, amount AS time_amount, 0::numeric AS expense_amount FROM t
               UNION ALL SELECT matter_id, user_id, 0, 0, amount FROM e),
         g AS (SELECT GROUPING(matter_id, user_id) AS grouping, matter_id, user_id,
                      coalesce(sum(minutes), 0)::bigint AS minutes, coalesce(sum(time_amount), 0) AS time_amount,
                      coalesce(sum(expense_amount), 0) AS expense_amount
                 FROM w GROUP BY GROUPING SETS ((matter_id), (user_id), ()))
         SELECT g.grouping, coalesce(g.matter_id, g.user_id) AS id,
                CASE WHEN g.matter_id IS NOT NULL THEN m.matter_number || ' ' || m.title ELSE u.full_name END AS name,
                c.name AS client_name, g.minutes, g.time_amount, g.expense_amount
           FROM g LEFT JOIN matters m ON m.id = g.matter_id LEFT JOIN clients c ON c.id = m.client_id
           LEFT JOIN users u ON u.id = g.user_id"
    );
    let rows: Vec<WipGroup> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(as_of)
        .bind(None::<Uuid>)
        .bind(crate::kernel::minor_digits(currency) as i32)
        .fetch_all(&mut **tx)
        .await?;
    let (mut matters, mut people, mut total) = (vec![], vec![], Decimal::ZERO);
    for r in rows {
        let row = WipRow {
            id: r.id.unwrap_or_default(),
            name: r.name.unwrap_or_default(),
            client_name: r.client_name.unwrap_or_default(),
            minutes: u32::try_from(r.minutes).unwrap_or(u32::MAX),
            time_amount: r.time_amount,
            expense_amount: r.expense_amount,
        };
        // GROUPING bits: 2 = the matter is summed over (a person's row), 1 = the person is.
        match r.grouping {
            1 => matters.push(row),
            2 => people.push(row),
            _ => total = row.total(),
        }
    }
    let order =
        |a: &WipRow, b: &WipRow| b.total().cmp(&a.total()).then_with(|| a.name.cmp(&b.name));
    matters.sort_by(order);
    people.sort_by(order);
    Ok((matters, people, total))
}

/// The total of all work in progress.
pub async fn wip_total(
    tx: &mut Tx,
    as_of: NaiveDate,
    only_for: Option<Uuid>,
    currency: &str,
) -> Result<Decimal, AppError> {
    let sql = format!(
        "WITH {MINE}, {WIP_SOURCES}
         SELECT coalesce((SELECT sum(amount) FROM t), 0) + coalesce((SELECT sum(amount) FROM e), 0)"
    );
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(as_of)
        .bind(only_for)
        .bind(crate::kernel::minor_digits(currency) as i32)
        .fetch_one(&mut **tx)
        .await?)
}

#[derive(sqlx::FromRow)]
struct BilledSql {
    month: String,
    user_id: Uuid,
    name: String,
    minutes: i64,
    billed: Decimal,
    collected: Decimal,
}

/// Billed and collected per person per month, months `[from, to)`. Billed: a person's time on
/// invoices issued in the month (voided ones excluded), net of the invoice's discount. Collected:
/// payments received in the month, each shared by that net amount's share of the invoice's total,
/// to the cent (the expenses' and the tax's shares are nobody's).
pub async fn billed_collected(
    tx: &mut Tx,
    from: NaiveDate,
    to: NaiveDate,
    currency: &str,
) -> Result<Vec<BilledRow>, AppError> {
    let rows: Vec<BilledSql> = sqlx::query_as(
        "WITH shares AS (
             SELECT l.invoice_id, l.user_id, max(l.person_name) AS name, sum(l.amount) AS amount,
                    sum(l.minutes) AS minutes
               FROM invoice_lines l WHERE l.line_type = 'time' AND l.user_id IS NOT NULL GROUP BY 1, 2),
         net AS (
             SELECT s.invoice_id, s.user_id, s.name, s.minutes, i.issue_date, i.status, i.total,
                    s.amount * (i.subtotal - i.discount_total) / nullif(i.subtotal, 0) AS amount
               FROM shares s JOIN invoices i ON i.id = s.invoice_id WHERE i.status <> 'draft'),
         billed AS (
             SELECT to_char(issue_date, 'YYYY-MM') AS month, user_id, max(name) AS name,
                    sum(minutes) AS minutes, sum(round(coalesce(amount, 0), $3::int)) AS amount
               FROM net WHERE status <> 'void' AND issue_date >= $1 AND issue_date < $2
              GROUP BY 1, 2),
         collected AS (
             SELECT to_char(p.paid_on, 'YYYY-MM') AS month, n.user_id, max(n.name) AS name,
                    sum(round(p.amount * coalesce(n.amount, 0) / nullif(n.total, 0), $3::int)) AS amount
               FROM payments p JOIN net n ON n.invoice_id = p.invoice_id
              WHERE p.paid_on >= $1 AND p.paid_on < $2
              GROUP BY 1, 2)
         SELECT coalesce(b.month, c.month) AS month, coalesce(b.user_id, c.user_id) AS user_id,
                coalesce(u.full_name, b.name, c.name) AS name,
                coalesce(b.minutes, 0)::bigint AS minutes, coalesce(b.amount, 0) AS billed,
                coalesce(c.amount, 0) AS collected
           FROM billed b FULL JOIN collected c ON c.month = b.month AND c.user_id = b.user_id
           LEFT JOIN users u ON u.id = coalesce(b.user_id, c.user_id)
          ORDER BY 1 DESC, 3",
    )
    .bind(from)
    .bind(to)
    .bind(crate::kernel::minor_digits(currency) as i32)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| BilledRow {
            month: r.month,
            user_id: r.user_id,
            name: r.name,
            billed_minutes: u32::try_from(r.minutes).unwrap_or(u32::MAX),
            billed: r.billed,
            collected: r.collected,
        })
        .collect())
}
