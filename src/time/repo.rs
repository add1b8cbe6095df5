//! SQL for time entries. Row-level security limits every statement to the caller's firm.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use super::rates::{RateCandidates, RateSource};
use super::*;
use crate::auth::caller::Caller;
use crate::error::AppError;
use crate::kernel::{parse_date, Choice, Page, PAGE_SIZE};
use crate::matters::repo::MatterRef;
use crate::server::db::Tx;
use crate::server::list::{keyset_page, List, Sort};

#[derive(sqlx::FromRow)]
struct ListRow {
    id: Uuid,
    matter_id: Uuid,
    matter_number: String,
    matter_title: String,
    user_id: Uuid,
    user_name: String,
    work_date: NaiveDate,
    minutes: i32,
    description: String,
    activity_code: Option<String>,
    billable: bool,
    hourly_rate: Decimal,
    status: String,
    increment: i32,
    currency: String,
    sort_key: String,
    total_capped: i64,
}

crate::keyed!(ListRow);

fn minutes(m: i32) -> u32 {
    u32::try_from(m).unwrap_or(0)
}

impl From<ListRow> for TimeRow {
    fn from(r: ListRow) -> Self {
        let worked = minutes(r.minutes);
        let (billed_minutes, amount) = TimeRow::priced(
            worked,
            r.hourly_rate,
            r.billable,
            minutes(r.increment),
            crate::kernel::minor_digits(&r.currency),
        );
        TimeRow {
            id: r.id,
            matter_id: r.matter_id,
            matter_number: r.matter_number,
            matter_title: r.matter_title,
            user_id: r.user_id,
            user_name: r.user_name,
            work_date: r.work_date,
            minutes: worked,
            billed_minutes,
            description: r.description,
            activity_code: r.activity_code,
            billable: r.billable,
            rate: Some(r.hourly_rate),
            amount: Some(amount),
            status: TimeStatus::parse(&r.status).unwrap_or(TimeStatus::Unbilled),
        }
    }
}

/// The filters of a time list, each value bound. `own` is the caller, whose time `/time` shows
/// when no matter is named.
fn push_filters(b: &mut QueryBuilder<Postgres>, q: &TimeQuery, own: Uuid) {
    b.push(" WHERE true");
    let matter = Uuid::parse_str(&q.matter).ok();
    if let Some(m) = matter {
        b.push(" AND t.matter_id = ").push_bind(m);
    }
    match Uuid::parse_str(&q.person).ok() {
        Some(p) => {
            b.push(" AND t.user_id = ").push_bind(p);
        }
        None if matter.is_none() => {
            b.push(" AND t.user_id = ").push_bind(own);
        }
        None => {}
    }
    if let Ok(d) = parse_date(&q.from) {
        b.push(" AND t.work_date >= ").push_bind(d);
    }
    if let Ok(d) = parse_date(&q.to) {
        b.push(" AND t.work_date <= ").push_bind(d);
    }
}

pub async fn list(tx: &mut Tx, q: &TimeQuery, own: Uuid) -> Result<Page<TimeRow>, AppError> {
    let filters = |b: &mut QueryBuilder<Postgres>| push_filters(b, q, own);
    let list = List {
        columns: "t.id, t.matter_id, m.matter_number, m.title AS matter_title, t.user_id, u.full_name AS user_name,
                  t.work_date, t.minutes, t.description, t.activity_code, t.billable, t.hourly_rate, t.status,
                  f.billing_increment_minutes AS increment, f.currency, (t.work_date)::text AS sort_key",
        from: "FROM time_entries t
               JOIN matters m ON m.id = t.matter_id
               JOIN users u ON u.id = t.user_id
               JOIN organizations f ON f.id = t.organization_id",
        count_from: "FROM time_entries t",
        filters: &filters,
        id_col: "t.id",
        sort: Sort {
            expr: "t.work_date",
            cast: "date",
            desc: true,
        },
        persistent: true,
    };
    let page: Page<ListRow> = keyset_page(tx, &list, &q.paging, PAGE_SIZE).await?;
    Ok(page.map(TimeRow::from))
}

/// Today in the firm's time zone, its currency and billing increment.
pub async fn firm(tx: &mut Tx) -> Result<(NaiveDate, String, u32), AppError> {
    let (today, currency, increment): (NaiveDate, String, i32) = sqlx::query_as(
        "SELECT (now() AT TIME ZONE timezone)::date, currency, billing_increment_minutes
           FROM organizations WHERE id = app_current_org()",
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok((today, currency, minutes(increment)))
}

/// Every rate that could apply to `user`'s time on `matter`, in one statement.
pub async fn rates(tx: &mut Tx, matter: Uuid, user: Uuid) -> Result<RateCandidates, AppError> {
    let row: Option<(
        Option<Decimal>,
        Option<Decimal>,
        Option<Decimal>,
        Option<Decimal>,
        Option<Decimal>,
    )> = sqlx::query_as(
        "SELECT (SELECT r.hourly_rate FROM matter_rates r WHERE r.matter_id = m.id AND r.user_id = $2),
                m.hourly_rate, c.hourly_rate,
                (SELECT uo.hourly_rate FROM user_organizations uo
                  WHERE uo.organization_id = m.organization_id AND uo.user_id = $2),
                f.default_hourly_rate
           FROM matters m JOIN clients c ON c.id = m.client_id
           JOIN organizations f ON f.id = m.organization_id
          WHERE m.id = $1",
    )
    .bind(matter)
    .bind(user)
    .fetch_optional(&mut **tx)
    .await?;
    let (matter_person, matter, client, person, firm) = row.ok_or(AppError::NotFound)?;
    Ok(RateCandidates {
        matter_person,
        matter,
        client,
        person,
        firm,
    })
}

/// What the form starts from for `caller` on `matter` (if named).
pub async fn defaults(
    tx: &mut Tx,
    caller: &Caller,
    matter: Option<MatterRef>,
) -> Result<TimeDefaults, AppError> {
    let (today, currency, increment) = firm(tx).await?;
    let (rate, rate_source) = match &matter {
        Some(m) => rates(tx, m.id, caller.user_id).await?.resolve(),
        None => (Decimal::ZERO, RateSource::Unset),
    };
    Ok(TimeDefaults {
        matter_id: matter.as_ref().map(|m| m.id),
        matter_number: matter
            .as_ref()
            .map(|m| m.number.clone())
            .unwrap_or_default(),
        matter_title: matter.as_ref().map(|m| m.title.clone()).unwrap_or_default(),
        matter_closed: matter.as_ref().is_some_and(|m| m.closed),
        today,
        rate,
        rate_source,
        can_set_rate: super::may_set_rates(caller.role),
        increment,
        currency,
    })
}

pub async fn insert(
    tx: &mut Tx,
    caller: &Caller,
    matter: Uuid,
    t: &ValidTime,
    rate: Decimal,
) -> Result<Uuid, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO time_entries (organization_id, matter_id, user_id, work_date, minutes, description,
                                   activity_code, task_code, billable, hourly_rate, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $3) RETURNING id",
    )
    .bind(caller.org_id)
    .bind(matter)
    .bind(caller.user_id)
    .bind(t.work_date)
    .bind(t.minutes as i32)
    .bind(&t.description)
    .bind(&t.activity_code)
    .bind(&t.task_code)
    .bind(t.billable)
    .bind(rate)
    .fetch_one(&mut **tx)
    .await?)
}

/// An entry as stored, locked for the rest of the transaction.
pub struct Locked {
    pub user_id: Uuid,
    pub matter_id: Uuid,
    pub status: TimeStatus,
    pub fields: ValidTime,
    pub rate: Decimal,
    pub version: i32,
}

type Row = (
    Uuid,
    Uuid,
    String,
    NaiveDate,
    i32,
    String,
    Option<String>,
    Option<String>,
    bool,
    Decimal,
    i32,
);

const COLUMNS: &str = "t.user_id, t.matter_id, t.status, t.work_date, t.minutes, t.description,
    t.activity_code, t.task_code, t.billable, t.hourly_rate, t.version";

fn locked(r: Row) -> Locked {
    Locked {
        user_id: r.0,
        matter_id: r.1,
        // A status this code does not know is not editable.
        status: TimeStatus::parse(&r.2).unwrap_or(TimeStatus::Billed),
        fields: ValidTime {
            work_date: r.3,
            minutes: minutes(r.4),
            description: r.5,
            activity_code: r.6,
            task_code: r.7,
            billable: r.8,
            rate: Some(r.9),
        },
        rate: r.9,
        version: r.10,
    }
}

pub async fn lock(tx: &mut Tx, id: Uuid) -> Result<Locked, AppError> {
    let row: Row = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM time_entries t WHERE t.id = $1 FOR UPDATE"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(locked(row))
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<TimeEntry, AppError> {
    use sqlx::{FromRow, Row as _};
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS}, m.matter_number, m.title, u.full_name FROM time_entries t
           JOIN matters m ON m.id = t.matter_id JOIN users u ON u.id = t.user_id
          WHERE t.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let l = locked(Row::from_row(&row)?);
    Ok(TimeEntry {
        id,
        matter_id: l.matter_id,
        matter_number: row.try_get("matter_number")?,
        matter_title: row.try_get("title")?,
        user_id: l.user_id,
        user_name: row.try_get("full_name")?,
        fields: l.fields,
        rate: l.rate,
        status: l.status,
        version: l.version,
    })
}

pub async fn update(tx: &mut Tx, id: Uuid, t: &ValidTime, rate: Decimal) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE time_entries SET work_date = $2, minutes = $3, description = $4, activity_code = $5,
                task_code = $6, billable = $7, hourly_rate = $8
          WHERE id = $1",
    )
    .bind(id)
    .bind(t.work_date)
    .bind(t.minutes as i32)
    .bind(&t.description)
    .bind(&t.activity_code)
    .bind(&t.task_code)
    .bind(t.billable)
    .bind(rate)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The caller's timer (the policy shows a person only their own), with its seconds so far.
pub async fn timer(tx: &mut Tx, lock: bool) -> Result<Option<super::Timer>, AppError> {
    let lock = if lock { " FOR UPDATE OF t" } else { "" };
    type Row = (
        Uuid,
        Uuid,
        String,
        String,
        String,
        bool,
        i32,
        NaiveDate,
        i32,
    );
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT t.id, t.matter_id, m.matter_number, m.title, t.description, t.started_at IS NOT NULL,
                (t.elapsed_seconds + coalesce(floor(extract(epoch FROM now() - t.started_at)), 0))::int,
                (t.created_at AT TIME ZONE f.timezone)::date, t.version
           FROM timers t JOIN matters m ON m.id = t.matter_id
           JOIN organizations f ON f.id = t.organization_id
          WHERE t.user_id = app_current_user(){lock}"
    )))
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(
        |(
            id,
            matter_id,
            matter_number,
            matter_title,
            description,
            running,
            elapsed,
            started_on,
            version,
        )| {
            super::Timer {
                id,
                matter_id,
                matter_number,
                matter_title,
                description,
                running,
                elapsed_seconds: u32::try_from(elapsed).unwrap_or(0),
                started_on,
                version,
            }
        },
    ))
}

/// Start the caller's timer; `false` when one is already there (two starts at once).
pub async fn start_timer(
    tx: &mut Tx,
    caller: &Caller,
    matter: Uuid,
    description: &str,
) -> Result<bool, AppError> {
    let done = sqlx::query(
        "INSERT INTO timers (organization_id, user_id, matter_id, description, started_at)
         VALUES ($1, $2, $3, $4, now()) ON CONFLICT (organization_id, user_id) DO NOTHING",
    )
    .bind(caller.org_id)
    .bind(caller.user_id)
    .bind(matter)
    .bind(description)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Pause (bank the running seconds) or resume (start counting again) the caller's timer;
/// `false` when it already was so.
pub async fn set_timer_running(tx: &mut Tx, running: bool) -> Result<bool, AppError> {
    let sql = if running {
        "UPDATE timers SET started_at = now() WHERE user_id = app_current_user() AND started_at IS NULL"
    } else {
        "UPDATE timers SET elapsed_seconds = elapsed_seconds + floor(extract(epoch FROM now() - started_at))::int,
                started_at = NULL
          WHERE user_id = app_current_user() AND started_at IS NOT NULL"
    };
    Ok(sqlx::query(sql).execute(&mut **tx).await?.rows_affected() == 1)
}

pub async fn delete_timer(tx: &mut Tx) -> Result<(), AppError> {
    sqlx::query("DELETE FROM timers WHERE user_id = app_current_user()")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// `person`'s minutes per day, billable and not, over the seven days from `start`.
pub async fn week(
    tx: &mut Tx,
    person: Uuid,
    start: NaiveDate,
    today: NaiveDate,
) -> Result<Week, AppError> {
    let name: String = sqlx::query_scalar("SELECT full_name FROM users WHERE id = $1")
        .bind(person)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows: Vec<(NaiveDate, i64, i64)> = sqlx::query_as(
        "SELECT work_date, coalesce(sum(minutes) FILTER (WHERE billable), 0),
                coalesce(sum(minutes) FILTER (WHERE NOT billable), 0)
           FROM time_entries
          WHERE user_id = $1 AND work_date BETWEEN $2 AND $2 + 6
          GROUP BY work_date",
    )
    .bind(person)
    .bind(start)
    .fetch_all(&mut **tx)
    .await?;
    let found: Vec<(NaiveDate, u32, u32)> = rows
        .into_iter()
        .map(|(d, b, n)| {
            (
                d,
                u32::try_from(b).unwrap_or(0),
                u32::try_from(n).unwrap_or(0),
            )
        })
        .collect();
    Ok(Week {
        start,
        today,
        person_id: person,
        person_name: name,
        days: Week::days_from(start, &found),
    })
}
