//! The calendar's SQL. Days and times are the firm's: a timed event is stored as instants and
//! read back in the firm's time zone; an all-day one is its day.

use chrono::{NaiveDate, NaiveTime};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::deadline::{Counting, Direction, Rule};
use super::{Computation, Event, EventKind, RuleRow, Task, TaskPriority, TaskStatus, ValidEvent};
use crate::error::AppError;
use crate::kernel::Choice;
use crate::server::db::Tx;

#[derive(sqlx::FromRow)]
struct EventRow {
    id: Uuid,
    matter_id: Uuid,
    matter_number: String,
    matter_title: String,
    kind: String,
    title: String,
    location: String,
    all_day: bool,
    day: NaiveDate,
    start_at: Option<String>,
    end_at: Option<String>,
    attendees: Vec<String>,
    attendee_ids: Vec<Uuid>,
    trigger_date: Option<NaiveDate>,
    rule_name: Option<String>,
    computation: Vec<String>,
    version: i32,
}

impl From<EventRow> for Event {
    fn from(r: EventRow) -> Event {
        Event {
            id: r.id,
            matter_id: r.matter_id,
            matter_number: r.matter_number,
            matter_title: r.matter_title,
            kind: EventKind::parse(&r.kind).unwrap_or(EventKind::Other),
            title: r.title,
            location: r.location,
            all_day: r.all_day,
            date: r.day,
            start: r.start_at,
            end: r.end_at,
            attendees: r.attendees,
            attendee_ids: r.attendee_ids,
            computation: r.trigger_date.map(|trigger_date| Computation {
                trigger_date,
                rule_name: r.rule_name.unwrap_or_default(),
                explanation: r.computation,
            }),
            version: r.version,
        }
    }
}

const EVENT_COLUMNS: &str = "SELECT e.id, e.matter_id, m.matter_number, m.title AS matter_title, e.kind, e.title,
        e.location, e.all_day, coalesce(e.on_date, (e.starts_at AT TIME ZONE o.timezone)::date) AS day,
        to_char(e.starts_at AT TIME ZONE o.timezone, 'HH24:MI') AS start_at,
        to_char(e.ends_at AT TIME ZONE o.timezone, 'HH24:MI') AS end_at,
        coalesce((SELECT array_agg(u.full_name ORDER BY u.full_name) FROM event_attendees a
                   JOIN users u ON u.id = a.user_id WHERE a.event_id = e.id), '{}') AS attendees,
        coalesce((SELECT array_agg(a.user_id ORDER BY a.user_id) FROM event_attendees a
                   WHERE a.event_id = e.id), '{}') AS attendee_ids,
        e.trigger_date, e.rule_name, e.computation, e.version
   FROM events e JOIN matters m ON m.id = e.matter_id JOIN organizations o ON o.id = e.organization_id
  WHERE e.organization_id = app_current_org()";

const EVENT_ORDER: &str = " ORDER BY day, e.all_day DESC, e.starts_at, e.title, e.id";

/// Whose events a list shows.
pub enum Whose {
    Firm,
    /// The events this person attends.
    Person(Uuid),
}

/// The events on days `from..=to`, of `whose`, at most `limit`.
pub async fn events_between(
    tx: &mut Tx,
    from: NaiveDate,
    to: NaiveDate,
    whose: Whose,
    matter: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Event>, AppError> {
    let mut q = QueryBuilder::new(EVENT_COLUMNS);
    q.push(" AND ((e.all_day AND e.on_date BETWEEN ");
    q.push_bind(from);
    q.push(" AND ");
    q.push_bind(to);
    q.push(") OR (NOT e.all_day AND e.starts_at >= (");
    q.push_bind(from);
    q.push("::timestamp AT TIME ZONE o.timezone) AND e.starts_at < ((");
    q.push_bind(to);
    q.push(" + 1)::timestamp AT TIME ZONE o.timezone)))");
    if let Whose::Person(p) = whose {
        q.push(
            " AND EXISTS (SELECT 1 FROM event_attendees a WHERE a.event_id = e.id AND a.user_id = ",
        );
        q.push_bind(p);
        q.push(")");
    }
    if let Some(m) = matter {
        q.push(" AND e.matter_id = ");
        q.push_bind(m);
    }
    q.push(EVENT_ORDER);
    q.push(" LIMIT ");
    q.push(limit.to_string());
    let rows: Vec<EventRow> = q.build_query_as().fetch_all(&mut **tx).await?;
    Ok(rows.into_iter().map(Event::from).collect())
}

/// One event, locked for a change.
pub async fn lock_event(tx: &mut Tx, id: Uuid) -> Result<(Event, Option<Rule>), AppError> {
    let row: EventRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{EVENT_COLUMNS} AND e.id = $1 FOR UPDATE OF e"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let rule: Option<(String, i32, String, String)> = sqlx::query_as(
        "SELECT rule_name, rule_days, rule_counting, rule_direction FROM events
          WHERE id = $1 AND rule_name IS NOT NULL",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    let rule = rule.map(|(name, days, counting, direction)| Rule {
        name,
        days: days.max(1) as u32,
        counting: Counting::parse(&counting).unwrap_or(Counting::Calendar),
        direction: Direction::parse(&direction).unwrap_or(Direction::After),
    });
    Ok((Event::from(row), rule))
}

/// The matter's number, if the caller sees it (another firm's, or a walled one, is not found).
pub async fn matter_number(tx: &mut Tx, matter: Uuid) -> Result<String, AppError> {
    sqlx::query_scalar("SELECT matter_number FROM matters WHERE id = $1")
        .bind(matter)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)
}

/// An event's start and end (none: all day).
fn times(e: &ValidEvent) -> (Option<NaiveTime>, Option<NaiveTime>) {
    match e.times {
        Some((s, t)) => (Some(s), t),
        None => (None, None),
    }
}

/// Add an event (a computed deadline with its computation); its id.
pub async fn insert_event(
    tx: &mut Tx,
    matter: Uuid,
    e: &ValidEvent,
    computed: Option<(&Rule, Option<Uuid>, NaiveDate, &[String])>,
) -> Result<Uuid, AppError> {
    let (start, end) = times(e);
    Ok(sqlx::query_scalar(
        "INSERT INTO events (organization_id, matter_id, kind, title, location, all_day, on_date, starts_at, ends_at,
                             trigger_date, rule_id, rule_name, rule_days, rule_counting, rule_direction, computation, created_by)
         SELECT app_current_org(), $1, $2, $3, $4, $5::time IS NULL,
                CASE WHEN $5::time IS NULL THEN $6::date END,
                ($6::date + $5::time) AT TIME ZONE o.timezone,
                ($6::date + $7::time) AT TIME ZONE o.timezone,
                $8, $9, $10, $11, $12, $13, coalesce($14, '{}'::text[]), app_current_user()
           FROM organizations o WHERE o.id = app_current_org()
         RETURNING id",
    )
    .bind(matter)
    .bind(e.kind.as_str())
    .bind(&e.title)
    .bind(&e.location)
    .bind(start)
    .bind(e.date)
    .bind(end)
    .bind(computed.map(|c| c.2))
    .bind(computed.and_then(|c| c.1))
    .bind(computed.map(|c| c.0.name.clone()))
    .bind(computed.map(|c| c.0.days as i32))
    .bind(computed.map(|c| c.0.counting.as_str()))
    .bind(computed.map(|c| c.0.direction.as_str()))
    .bind(computed.map(|c| c.3.to_vec()))
    .fetch_one(&mut **tx)
    .await?)
}

/// Make `people` attendees of the event: how many of them are active members of the firm.
pub async fn add_attendees(
    tx: &mut Tx,
    event: Uuid,
    matter: Uuid,
    people: &[Uuid],
) -> Result<usize, AppError> {
    Ok(sqlx::query(
        "INSERT INTO event_attendees (organization_id, event_id, matter_id, user_id)
         SELECT app_current_org(), $1, $2, uo.user_id FROM user_organizations uo JOIN users u ON u.id = uo.user_id
          WHERE uo.organization_id = app_current_org() AND uo.user_id = ANY($3) AND uo.status = 'active' AND u.is_active
         ON CONFLICT DO NOTHING",
    )
    .bind(event)
    .bind(matter)
    .bind(people)
    .execute(&mut **tx)
    .await?
    .rows_affected() as usize)
}

/// An event's new kind, title, day and times, place (its matter and computation stay).
pub async fn update_event(tx: &mut Tx, id: Uuid, e: &ValidEvent) -> Result<(), AppError> {
    let (start, end) = times(e);
    sqlx::query(
        "UPDATE events SET kind = $2, title = $3, location = $4, all_day = $5::time IS NULL,
                on_date = CASE WHEN $5::time IS NULL THEN $6::date END,
                starts_at = ($6::date + $5::time) AT TIME ZONE o.timezone,
                ends_at = ($6::date + $7::time) AT TIME ZONE o.timezone
           FROM organizations o
          WHERE events.id = $1 AND o.id = events.organization_id",
    )
    .bind(id)
    .bind(e.kind.as_str())
    .bind(&e.title)
    .bind(&e.location)
    .bind(start)
    .bind(e.date)
    .bind(end)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The event's attendees become `people`: how many of them are active members of the firm.
pub async fn set_attendees(
    tx: &mut Tx,
    event: Uuid,
    matter: Uuid,
    people: &[Uuid],
) -> Result<usize, AppError> {
    sqlx::query("DELETE FROM event_attendees WHERE event_id = $1")
        .bind(event)
        .execute(&mut **tx)
        .await?;
    add_attendees(tx, event, matter, people).await
}

pub async fn delete_event(tx: &mut Tx, id: Uuid) -> Result<(), AppError> {
    sqlx::query("DELETE FROM events WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The matter's responsible attorney, when an active member.
pub async fn responsible(tx: &mut Tx, matter: Uuid) -> Result<Option<Uuid>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT m.responsible_attorney_id FROM matters m
           JOIN user_organizations uo ON uo.organization_id = m.organization_id AND uo.user_id = m.responsible_attorney_id
          WHERE m.id = $1 AND uo.status = 'active'",
    )
    .bind(matter)
    .fetch_optional(&mut **tx)
    .await?
    .flatten())
}

/// A deadline's new trigger date, due date and computation.
pub async fn recompute(
    tx: &mut Tx,
    event: Uuid,
    trigger: NaiveDate,
    due: NaiveDate,
    explanation: &[String],
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE events SET trigger_date = $2, on_date = $3, computation = $4 WHERE id = $1",
    )
    .bind(event)
    .bind(trigger)
    .bind(due)
    .bind(explanation)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct RuleSql {
    id: Uuid,
    name: String,
    days: i32,
    counting: String,
    direction: String,
    active: bool,
    version: i32,
}

/// The firm's deadline rules (`active_only`: those offered for new deadlines).
pub async fn rules(tx: &mut Tx, active_only: bool) -> Result<Vec<RuleRow>, AppError> {
    let rows: Vec<RuleSql> = sqlx::query_as(
        "SELECT id, name, days, counting, direction, active, version FROM deadline_rules
          WHERE organization_id = app_current_org() AND (active OR NOT $1) ORDER BY lower(name)",
    )
    .bind(active_only)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| RuleRow {
            id: r.id,
            name: r.name,
            days: r.days.max(1) as u32,
            counting: Counting::parse(&r.counting).unwrap_or(Counting::Calendar),
            direction: Direction::parse(&r.direction).unwrap_or(Direction::After),
            active: r.active,
            version: r.version,
        })
        .collect())
}

/// Whether the firm has a rule of this name (in any case), other than `except`.
pub async fn rule_named(tx: &mut Tx, name: &str, except: Option<Uuid>) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM deadline_rules WHERE organization_id = app_current_org()
                          AND lower(name) = lower($1) AND id IS DISTINCT FROM $2)",
    )
    .bind(name)
    .bind(except)
    .fetch_one(&mut **tx)
    .await?)
}

/// One rule of the firm, locked for a change: its version and name.
pub async fn lock_rule(tx: &mut Tx, id: Uuid) -> Result<(i32, String), AppError> {
    sqlx::query_as(
        "SELECT version, name FROM deadline_rules WHERE id = $1 AND organization_id = app_current_org() FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)
}

pub async fn update_rule(tx: &mut Tx, id: Uuid, rule: &Rule, active: bool) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE deadline_rules SET name = $2, days = $3, counting = $4, direction = $5, active = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(&rule.name)
    .bind(rule.days as i32)
    .bind(rule.counting.as_str())
    .bind(rule.direction.as_str())
    .bind(active)
    .execute(&mut **tx)
    .await
    .map_err(name_taken)?;
    Ok(())
}

/// A rule's name taken by a concurrent save (the firm's unique index on lower(name)): the same
/// refusal beside the field as the check before it.
fn name_taken(e: sqlx::Error) -> AppError {
    match &e {
        sqlx::Error::Database(d) if d.code().as_deref() == Some("23505") => AppError::Invalid(
            crate::kernel::FieldErrors::one("name", "The firm has a rule of that name."),
        ),
        _ => AppError::from(e),
    }
}

pub async fn insert_rule(tx: &mut Tx, rule: &Rule) -> Result<Uuid, AppError> {
    sqlx::query_scalar(
        "INSERT INTO deadline_rules (organization_id, name, days, counting, direction)
         VALUES (app_current_org(), $1, $2, $3, $4) RETURNING id",
    )
    .bind(&rule.name)
    .bind(rule.days as i32)
    .bind(rule.counting.as_str())
    .bind(rule.direction.as_str())
    .fetch_one(&mut **tx)
    .await
    .map_err(name_taken)
}

#[derive(sqlx::FromRow)]
struct TaskRow {
    id: Uuid,
    matter_id: Uuid,
    matter_number: String,
    title: String,
    assignee: Option<String>,
    due_on: Option<NaiveDate>,
    priority: String,
    status: String,
    overdue: bool,
    version: i32,
}

const TASK_COLUMNS: &str = "SELECT t.id, t.matter_id, m.matter_number, t.title, u.full_name AS assignee, t.due_on,
        t.priority, t.status, (t.status = 'open' AND t.due_on < (now() AT TIME ZONE o.timezone)::date) AS overdue, t.version
   FROM tasks t JOIN matters m ON m.id = t.matter_id JOIN organizations o ON o.id = t.organization_id
   LEFT JOIN users u ON u.id = t.assignee_id
  WHERE t.organization_id = app_current_org()";

fn task(r: TaskRow) -> Task {
    Task {
        id: r.id,
        matter_id: r.matter_id,
        matter_number: r.matter_number,
        title: r.title,
        assignee: r.assignee,
        due_on: r.due_on,
        priority: TaskPriority::parse(&r.priority).unwrap_or(TaskPriority::Normal),
        status: TaskStatus::parse(&r.status).unwrap_or(TaskStatus::Open),
        overdue: r.overdue,
        version: r.version,
    }
}

/// Open tasks first (by due date), then those done in the last two weeks.
const TASK_ORDER: &str = " AND (t.status = 'open' OR t.completed_at > now() - interval '14 days')
  ORDER BY t.status DESC, t.due_on NULLS LAST, t.id LIMIT 200";

pub async fn matter_tasks(tx: &mut Tx, matter: Uuid) -> Result<Vec<Task>, AppError> {
    let rows: Vec<TaskRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{TASK_COLUMNS} AND t.matter_id = $1{TASK_ORDER}"
    )))
    .bind(matter)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(task).collect())
}

pub async fn tasks_of(tx: &mut Tx, person: Uuid) -> Result<Vec<Task>, AppError> {
    let rows: Vec<TaskRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{TASK_COLUMNS} AND t.assignee_id = $1{TASK_ORDER}"
    )))
    .bind(person)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(task).collect())
}

/// Whether `person` is an active member of the firm.
pub async fn is_member(tx: &mut Tx, person: Uuid) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM user_organizations uo JOIN users u ON u.id = uo.user_id
                         WHERE uo.organization_id = app_current_org() AND uo.user_id = $1
                           AND uo.status = 'active' AND u.is_active)",
    )
    .bind(person)
    .fetch_one(&mut **tx)
    .await?)
}

pub async fn insert_task(
    tx: &mut Tx,
    matter: Uuid,
    title: &str,
    assignee: Option<Uuid>,
    due_on: Option<NaiveDate>,
    priority: TaskPriority,
) -> Result<Uuid, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO tasks (organization_id, matter_id, title, assignee_id, due_on, priority, created_by)
         VALUES (app_current_org(), $1, $2, $3, $4, $5, app_current_user()) RETURNING id",
    )
    .bind(matter)
    .bind(title)
    .bind(assignee)
    .bind(due_on)
    .bind(priority.as_str())
    .fetch_one(&mut **tx)
    .await?)
}

/// A task locked for a change: its title, matter, assignee, status and version.
pub async fn lock_task(
    tx: &mut Tx,
    id: Uuid,
) -> Result<(String, Uuid, Option<Uuid>, String, i32), AppError> {
    sqlx::query_as(
        "SELECT title, matter_id, assignee_id, status, version FROM tasks WHERE id = $1 FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)
}

pub async fn complete_task(tx: &mut Tx, id: Uuid) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE tasks SET status = 'done', completed_at = now(), completed_by = app_current_user() WHERE id = $1",
    )
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The caller's feed token, if they made one.
pub async fn feed_token(tx: &mut Tx) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT token FROM calendar_feeds WHERE organization_id = app_current_org() AND user_id = app_current_user()",
    )
    .fetch_optional(&mut **tx)
    .await?)
}

/// A new feed token for the caller (the old one stops working).
pub async fn reset_feed(tx: &mut Tx, token: &str) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO calendar_feeds (organization_id, user_id, token) VALUES (app_current_org(), app_current_user(), $1)
         ON CONFLICT (organization_id, user_id) DO UPDATE SET token = EXCLUDED.token, created_at = now()",
    )
    .bind(token)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The firm's today.
pub async fn today(tx: &mut Tx) -> Result<NaiveDate, AppError> {
    Ok(crate::matters::repo::firm(tx).await?.today)
}
