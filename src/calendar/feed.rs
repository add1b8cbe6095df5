//! `GET /calendar/feed/{token}.ics`: a person's calendar for Google Calendar or Outlook to
//! subscribe to. The secret token in the URL is the credential (a calendar application has no
//! session); it opens only its owner's events and tasks, read with their rights (their walls),
//! while they are an active member; a new token replaces the old one.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

use super::ics::{calendar, Item, When};
use crate::error::AppError;
use crate::server::db::{enter, Tx};
use crate::server::AppState;

pub async fn ics(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let token = token.strip_suffix(".ics").unwrap_or(&token).to_string();
    match build(&state, &token).await {
        Ok(Some((name, body))) => (
            [
                (
                    header::CONTENT_TYPE,
                    "text/calendar; charset=utf-8".to_string(),
                ),
                (header::CACHE_CONTROL, "private, max-age=300".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"{}.ics\"", name.replace(['"', '\\'], "")),
                ),
            ],
            body,
        )
            .into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "No such calendar feed.").into_response(),
        Err(e) => e.into_plain_response(),
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    prefix: String,
    summary: String,
    description: String,
    location: String,
    on_date: Option<NaiveDate>,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    sequence: i32,
    stamp: DateTime<Utc>,
}

async fn build(state: &AppState, token: &str) -> Result<Option<(String, String)>, AppError> {
    if token.len() < 32 || token.len() > 64 {
        return Ok(None);
    }
    let owner: Option<(Uuid, Uuid)> =
        sqlx::query_as("SELECT organization_id, user_id FROM calendar_feed_owner($1)")
            .bind(token)
            .fetch_optional(&state.db)
            .await?;
    let Some((org, user)) = owner else {
        return Ok(None);
    };
    let mut tx = Tx::own(enter(&state.db, user, Some(org), true).await?);
    let (name, today): (String, NaiveDate) = sqlx::query_as(
        "SELECT u.full_name || ' · ' || o.name, (now() AT TIME ZONE o.timezone)::date
           FROM users u, organizations o WHERE u.id = app_current_user() AND o.id = app_current_org()",
    )
    .fetch_one(&mut *tx)
    .await?;
    // What they attend from 90 days back to two years ahead, and their open tasks with a date.
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT e.id, '' AS prefix,
                initcap(e.kind) || ': ' || e.title || ' (' || m.matter_number || ')' AS summary,
                concat_ws(E'\\n', 'Matter ' || m.matter_number || ': ' || m.title,
                          CASE WHEN e.rule_name IS NOT NULL THEN 'Rule: ' || e.rule_name || ', triggered ' || e.trigger_date END,
                          array_to_string(e.computation, E'\\n')) AS description,
                e.location, e.on_date, e.starts_at, e.ends_at, e.version AS sequence, e.updated_at AS stamp
           FROM events e JOIN matters m ON m.id = e.matter_id JOIN organizations o ON o.id = e.organization_id
          WHERE e.organization_id = app_current_org()
            AND EXISTS (SELECT 1 FROM event_attendees a WHERE a.event_id = e.id AND a.user_id = app_current_user())
            AND coalesce(e.on_date, (e.starts_at AT TIME ZONE o.timezone)::date) BETWEEN $1 AND $2
         UNION ALL
         SELECT t.id, 'task-', 'Task: ' || t.title || ' (' || m.matter_number || ')',
                'Matter ' || m.matter_number || ': ' || m.title || E'\\nPriority: ' || t.priority,
                '', t.due_on, NULL, NULL, t.version, t.updated_at
           FROM tasks t JOIN matters m ON m.id = t.matter_id
          WHERE t.organization_id = app_current_org() AND t.assignee_id = app_current_user()
            AND t.status = 'open' AND t.due_on IS NOT NULL
          ORDER BY 1
          LIMIT 5000",
    )
    .bind(today - Duration::days(90))
    .bind(today + Duration::days(731))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let items: Vec<Item> = rows
        .into_iter()
        .filter_map(|r| {
            let when = match (r.on_date, r.starts_at) {
                (Some(d), _) => When::Day(d),
                (None, Some(s)) => When::Timed(s, r.ends_at),
                (None, None) => return None,
            };
            Some(Item {
                uid: r.id,
                prefix: if r.prefix.is_empty() { "" } else { "task-" },
                summary: r.summary,
                description: r.description,
                location: r.location,
                when,
                sequence: r.sequence,
                stamp: r.stamp,
            })
        })
        .collect();
    let body = calendar(&name, &items);
    Ok(Some((name, body)))
}
