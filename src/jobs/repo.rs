use uuid::Uuid;

use super::{JobKind, JobRow, JobStatus};
use crate::error::AppError;
use crate::kernel::Choice;
use crate::server::db::Tx;

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    kind: String,
    subject: String,
    status: String,
    attempts: i32,
    max_attempts: i32,
    created: String,
    when_at: String,
    last_error: String,
    outcome: String,
}

/// The firm's jobs, newest first (ids are time-ordered): `limit` of them before `before`.
pub async fn list(
    tx: &mut Tx,
    failed_only: bool,
    before: Option<Uuid>,
    limit: i64,
) -> Result<Vec<JobRow>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT j.id, j.kind, coalesce(j.payload->>'subject', j.payload->>'period', j.payload->>'day', '') AS subject,
                j.status, j.attempts, j.max_attempts,
                to_char(j.created_at AT TIME ZONE o.timezone, 'YYYY-MM-DD HH24:MI') AS created,
                to_char(CASE WHEN j.status IN ('done', 'dead') THEN j.finished_at ELSE j.run_at END
                        AT TIME ZONE o.timezone, 'YYYY-MM-DD HH24:MI') AS when_at,
                coalesce(j.last_error, '') AS last_error, coalesce(j.outcome, '') AS outcome
           FROM jobs j JOIN organizations o ON o.id = j.organization_id
          WHERE j.organization_id = app_current_org()
            AND (NOT $1 OR j.status = 'dead' OR (j.status = 'queued' AND j.attempts > 0))
            AND ($2::uuid IS NULL OR j.id < $2)
          ORDER BY j.id DESC
          LIMIT $3",
    )
    .bind(failed_only)
    .bind(before)
    .bind(limit)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| JobRow {
            id: r.id,
            kind: JobKind::parse(&r.kind)
                .map(|k| k.label().to_string())
                .unwrap_or(r.kind),
            subject: r.subject,
            status: JobStatus::parse(&r.status).unwrap_or(JobStatus::Queued),
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            created: r.created,
            when: r.when_at,
            last_error: r.last_error,
            outcome: r.outcome,
        })
        .collect())
}

/// Run a failed job again (an administrator's; the database checks it). False: no such job.
pub async fn retry(tx: &mut Tx, id: Uuid) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar("SELECT job_retry($1)")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?)
}

/// What a job is about, for its activity row, and its matter. Not found: not the firm's (or
/// walled off).
pub async fn subject(tx: &mut Tx, id: Uuid) -> Result<(String, Option<Uuid>), AppError> {
    sqlx::query_as(
        "SELECT kind || coalesce(': ' || coalesce(payload->>'subject', payload->>'period', payload->>'day'), ''), matter_id
           FROM jobs WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)
}
