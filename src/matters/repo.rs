//! SQL for matters. Row-level security limits every statement to the caller's firm.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use super::*;
use crate::error::AppError;
use crate::kernel::{clean, prefix_tsquery, Choice, FieldErrors, Page, PAGE_SIZE};
use crate::server::db::Tx;
use crate::server::list::{keyset_page, List, Sort};

/// The fields of a matter that point at other rows, named in its history.
pub const REFERENCES: &[&str] = &[
    "client_id",
    "responsible_attorney_id",
    "originating_attorney_id",
];

fn parse<C: Choice>(s: &str, default: C) -> C {
    C::parse(s).unwrap_or(default)
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: Uuid,
    matter_number: String,
    title: String,
    client_id: Uuid,
    client_name: String,
    status: String,
    priority: String,
    stage: String,
    practice_area: String,
    responsible_name: Option<String>,
    date_opened: NaiveDate,
    restricted: bool,
    sort_key: String,
    total_capped: i64,
}

crate::keyed!(ListRow);

impl From<ListRow> for MatterRow {
    fn from(r: ListRow) -> Self {
        MatterRow {
            id: r.id,
            matter_number: r.matter_number,
            title: r.title,
            client_id: r.client_id,
            client_name: r.client_name,
            status: parse(&r.status, MatterStatus::Open),
            priority: parse(&r.priority, Priority::Normal),
            stage: parse(&r.stage, Stage::Intake),
            practice_area: parse(&r.practice_area, PracticeArea::Other),
            responsible_name: r.responsible_name,
            date_opened: r.date_opened,
            restricted: r.restricted,
        }
    }
}

/// The order of a sort key: fixed fragments only, never user text. Each has an index
/// `(organization_id, <value>, id)` (migrations), read forwards or backwards.
fn sort(q: &MatterQuery) -> Sort {
    let (expr, cast) = match q.sort() {
        MatterSort::Opened => ("m.date_opened", "date"),
        MatterSort::Title => ("lower(m.title)", "text"),
        MatterSort::Client => ("lower(c.name)", "text"),
        MatterSort::Status => ("matter_status_rank(m.status)", "int"),
        MatterSort::Priority => ("matter_priority_rank(m.priority)", "int"),
        MatterSort::Updated => ("m.updated_at", "timestamptz"),
    };
    Sort {
        expr,
        cast,
        desc: q.descending(),
    }
}

/// Append the WHERE clause of the active filters only (each value bound, never spliced), so the
/// planner sees a plain predicate it can match to an index.
fn push_filters(b: &mut QueryBuilder<Postgres>, q: &MatterQuery) {
    b.push(" WHERE true");
    let search = prefix_tsquery(&q.q);
    if !search.is_empty() {
        b.push(" AND (m.search @@ to_tsquery('english', ")
            .push_bind(search)
            .push(") OR m.matter_number = ")
            .push_bind(clean(&q.q))
            .push(")");
    }
    if let Some(s) = MatterStatus::parse(&q.status) {
        b.push(" AND m.status = ").push_bind(s.as_str());
    }
    if let Some(a) = PracticeArea::parse(&q.practice_area) {
        b.push(" AND m.practice_area = ").push_bind(a.as_str());
    }
    if let Ok(r) = Uuid::parse_str(&q.responsible) {
        b.push(" AND m.responsible_attorney_id = ").push_bind(r);
    }
    if let Ok(c) = Uuid::parse_str(&q.client) {
        b.push(" AND m.client_id = ").push_bind(c);
    }
}

pub async fn list(tx: &mut Tx, q: &MatterQuery) -> Result<Page<MatterRow>, AppError> {
    let sort = sort(q);
    let columns = format!(
        "m.id, m.matter_number, m.title, m.client_id, c.name AS client_name, m.status, m.priority,
         m.stage, m.practice_area, u.full_name AS responsible_name, m.date_opened, m.restricted,
         ({})::text AS sort_key",
        sort.expr
    );
    let filters = |b: &mut QueryBuilder<Postgres>| push_filters(b, q);
    let list = List {
        columns: &columns,
        from: "FROM matters m
               JOIN clients c ON c.id = m.client_id
               LEFT JOIN users u ON u.id = m.responsible_attorney_id",
        count_from: "FROM matters m",
        filters: &filters,
        id_col: "m.id",
        sort,
        persistent: prefix_tsquery(&q.q).is_empty(),
    };
    let page: Page<ListRow> = keyset_page(tx, &list, &q.paging, PAGE_SIZE).await?;
    Ok(page.map(MatterRow::from))
}

type MatterFields = (
    Uuid,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<Uuid>,
    Option<Uuid>,
    String,
    Option<Decimal>,
    NaiveDate,
    Option<NaiveDate>,
);

const FIELDS: &str = "m.client_id, m.title, m.description, m.status, m.priority, m.stage, m.practice_area,
    m.responsible_attorney_id, m.originating_attorney_id, m.billing_type, m.hourly_rate, m.date_opened, m.date_closed";

fn fields(r: MatterFields) -> ValidMatter {
    ValidMatter {
        client_id: r.0,
        title: r.1,
        description: r.2,
        status: parse(&r.3, MatterStatus::Open),
        priority: parse(&r.4, Priority::Normal),
        stage: parse(&r.5, Stage::Intake),
        practice_area: parse(&r.6, PracticeArea::Other),
        responsible_attorney_id: r.7,
        originating_attorney_id: r.8,
        billing_type: parse(&r.9, BillingType::Hourly),
        hourly_rate: r.10,
        date_opened: r.11,
        date_closed: r.12,
    }
}

pub async fn get(tx: &mut Tx, id: Uuid) -> Result<Matter, AppError> {
    let row: Option<MatterFields> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {FIELDS} FROM matters m WHERE m.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let fields = fields(row.ok_or(AppError::NotFound)?);
    let (matter_number, client_name, responsible_name, originating_name, version, currency, trust): (
        String,
        String,
        Option<String>,
        Option<String>,
        i32,
        String,
        Decimal,
    ) = sqlx::query_as(
        "SELECT m.matter_number, c.name, r.full_name, o.full_name, m.version, f.currency,
                (SELECT coalesce(sum(b.balance), 0) FROM trust_balances b WHERE b.matter_id = m.id)
           FROM matters m
               JOIN clients c ON c.id = m.client_id
               JOIN organizations f ON f.id = m.organization_id
               LEFT JOIN users r ON r.id = m.responsible_attorney_id
               LEFT JOIN users o ON o.id = m.originating_attorney_id
              WHERE m.id = $1",
    )
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Matter {
        id,
        matter_number,
        client_id: fields.client_id,
        client_name,
        fields,
        responsible_name,
        originating_name,
        version,
        currency,
        trust_balance: Some(trust),
    })
}

/// The stored fields of a matter and their version, locked for the rest of the transaction.
pub async fn lock(tx: &mut Tx, id: Uuid) -> Result<(ValidMatter, i32), AppError> {
    use sqlx::{FromRow, Row};
    // The fields first (read by position), the version after them.
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {FIELDS}, m.version FROM matters m WHERE m.id = $1 FOR UPDATE"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let version: i32 = row.try_get("version")?;
    Ok((fields(MatterFields::from_row(&row)?), version))
}

/// The names of the firm's members by id, for messages about a matter's people (a removed
/// member's name is not visible to the firm any more).
pub async fn people_names(tx: &mut Tx, ids: &[Uuid]) -> Result<Vec<(Uuid, String)>, AppError> {
    Ok(
        sqlx::query_as("SELECT id, full_name FROM users WHERE id = ANY($1)")
            .bind(ids)
            .fetch_all(&mut **tx)
            .await?,
    )
}

/// Today in the firm's time zone, and its currency.
pub async fn firm(tx: &mut Tx) -> Result<Firm, AppError> {
    let (today, currency): (NaiveDate, String) = sqlx::query_as(
        "SELECT (now() AT TIME ZONE timezone)::date, currency FROM organizations WHERE id = app_current_org()",
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(Firm { today, currency })
}

/// References that the form cannot check by itself: the client and the attorneys must belong
/// to this firm (an id from another firm reads exactly like one that does not exist). A newly
/// assigned attorney must be an active lawyer of the firm; an assignment the edit leaves as it
/// was is kept even if that person has since been demoted or deactivated.
pub async fn check_references(
    tx: &mut Tx,
    m: &ValidMatter,
    before: Option<&ValidMatter>,
) -> Result<Result<(), FieldErrors>, AppError> {
    let mut e = FieldErrors::default();
    let client: Option<bool> = sqlx::query_scalar("SELECT true FROM clients WHERE id = $1")
        .bind(m.client_id)
        .fetch_optional(&mut **tx)
        .await?;
    if client.is_none() {
        e.add("client_id", "Choose a client.");
    }
    for (field, id, was) in [
        (
            "responsible_attorney_id",
            m.responsible_attorney_id,
            before.and_then(|b| b.responsible_attorney_id),
        ),
        (
            "originating_attorney_id",
            m.originating_attorney_id,
            before.and_then(|b| b.originating_attorney_id),
        ),
    ] {
        let Some(id) = id.filter(|id| Some(*id) != was) else {
            continue;
        };
        let row: Option<(String, bool)> = sqlx::query_as(
            "SELECT uo.role, u.is_active AND uo.status = 'active' FROM user_organizations uo JOIN users u ON u.id = uo.user_id
              WHERE uo.organization_id = app_current_org() AND uo.user_id = $1",
        )
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        match row {
            Some((role, true))
                if crate::auth::Role::parse(&role).is_some_and(crate::auth::Role::is_lawyer) => {}
            Some((_, true)) => e.add(field, "Choose an attorney."),
            Some((_, false)) => e.add(
                field,
                "That person's account is deactivated: choose another attorney.",
            ),
            None => e.add(field, "Choose a member of this firm."),
        }
    }
    Ok(e.into_result(|| ()))
}

/// The next matter number of the firm: "2026-0042". Serialised per firm by an advisory lock.
async fn next_number(tx: &mut Tx, year: i32) -> Result<String, AppError> {
    sqlx::query(
        "SELECT pg_advisory_xact_lock(hashtext('matter_number:' || app_current_org()::text))",
    )
    .execute(&mut **tx)
    .await?;
    let last: Option<i32> = sqlx::query_scalar(
        // Every matter of the firm counts, walled-off ones too (migration 16).
        "SELECT app_last_matter_number($1)",
    )
    .bind(year.to_string())
    .fetch_one(&mut **tx)
    .await?;
    Ok(format!("{year}-{:04}", last.unwrap_or(0) + 1))
}

pub async fn insert(
    tx: &mut Tx,
    org_id: Uuid,
    user_id: Uuid,
    m: &ValidMatter,
    today: NaiveDate,
) -> Result<(Uuid, String), AppError> {
    use chrono::Datelike;
    let number = next_number(tx, today.year()).await?;
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO matters (organization_id, client_id, matter_number, title, description, status, priority, stage,
                              practice_area, responsible_attorney_id, originating_attorney_id, billing_type, hourly_rate,
                              date_opened, date_closed, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
    )
    .bind(org_id)
    .bind(m.client_id)
    .bind(&number)
    .bind(&m.title)
    .bind(&m.description)
    .bind(m.status.as_str())
    .bind(m.priority.as_str())
    .bind(m.stage.as_str())
    .bind(m.practice_area.as_str())
    .bind(m.responsible_attorney_id)
    .bind(m.originating_attorney_id)
    .bind(m.billing_type.as_str())
    .bind(m.hourly_rate)
    .bind(m.date_opened)
    .bind(m.date_closed)
    .bind(user_id)
    .fetch_one(&mut **tx)
    .await?;
    Ok((id, number))
}

pub async fn update(tx: &mut Tx, id: Uuid, m: &ValidMatter) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE matters SET client_id = $2, title = $3, description = $4, status = $5, priority = $6, stage = $7,
                practice_area = $8, responsible_attorney_id = $9, originating_attorney_id = $10, billing_type = $11,
                hourly_rate = $12, date_opened = $13, date_closed = $14
          WHERE id = $1",
    )
    .bind(id)
    .bind(m.client_id)
    .bind(&m.title)
    .bind(&m.description)
    .bind(m.status.as_str())
    .bind(m.priority.as_str())
    .bind(m.stage.as_str())
    .bind(m.practice_area.as_str())
    .bind(m.responsible_attorney_id)
    .bind(m.originating_attorney_id)
    .bind(m.billing_type.as_str())
    .bind(m.hourly_rate)
    .bind(m.date_opened)
    .bind(m.date_closed)
    .execute(&mut **tx)
    .await
    .map_err(|e| match crate::server::db::violated_constraint(&e) {
        Some("matters_trust_empty") => AppError::Invalid(FieldErrors::one(
            "status",
            "This matter holds trust money: pay it out or transfer it before closing the matter.",
        )),
        Some("matters_trust_client") => AppError::Invalid(FieldErrors::one(
            "client_id",
            "This matter has trust entries under its client: it stays that client's matter.",
        )),
        _ => e.into(),
    })?;
    Ok(())
}

/// A matter that time or an expense is recorded on (see `find`).
pub struct MatterRef {
    pub id: Uuid,
    pub number: String,
    pub title: String,
    pub closed: bool,
}

/// The matter a form names, by id or by number (as typed); `None` when the firm has no such
/// matter (another firm's id reads exactly the same). For a write it is locked against being
/// closed until what is recorded on it is written.
pub async fn find(
    tx: &mut Tx,
    named: &str,
    for_write: bool,
) -> Result<Option<MatterRef>, AppError> {
    let named = named.trim();
    let by = match Uuid::parse_str(named) {
        Ok(_) => "id = $1::uuid",
        Err(_) => "matter_number = $1",
    };
    let lock = if for_write { " FOR SHARE" } else { "" };
    let row: Option<(Uuid, String, String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id, matter_number, title, status FROM matters WHERE {by}{lock}"
    )))
    .bind(named)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(id, number, title, status)| MatterRef {
        id,
        number,
        title,
        closed: status == "closed",
    }))
}
