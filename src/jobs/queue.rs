//! Asking for a job: a row added in the caller's transaction, so a rolled-back operation asks
//! for nothing. Call `wake` once it has committed.

use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

use super::JobKind;
use crate::error::AppError;
use crate::kernel::Choice;

/// A job to add.
pub struct NewJob {
    pub kind: JobKind,
    /// At most one job per key, ever (a repeated request adds nothing).
    pub unique_key: Option<String>,
    pub payload: Value,
    /// Whose rights it runs with (the caller's, for a request's).
    pub run_as: Option<Uuid>,
    /// The matter it is about: it is walled off with the matter.
    pub matter: Option<Uuid>,
    pub max_attempts: i32,
}

impl NewJob {
    pub fn new(kind: JobKind, payload: Value) -> NewJob {
        NewJob {
            kind,
            unique_key: None,
            payload,
            run_as: None,
            matter: None,
            max_attempts: 5,
        }
    }
}

/// Add the job to the firm of the transaction; its id, or `None` when its key was taken.
pub async fn enqueue(
    conn: &mut PgConnection,
    org: Uuid,
    job: NewJob,
) -> Result<Option<Uuid>, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO jobs (organization_id, kind, unique_key, payload, run_as, matter_id, max_attempts)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL DO NOTHING
         RETURNING id",
    )
    .bind(org)
    .bind(job.kind.as_str())
    .bind(job.unique_key)
    .bind(job.payload)
    .bind(job.run_as)
    .bind(job.matter)
    .bind(job.max_attempts)
    .fetch_optional(conn)
    .await?)
}

static WAKE: std::sync::LazyLock<tokio::sync::Notify> =
    std::sync::LazyLock::new(tokio::sync::Notify::new);

/// Tell this process's workers that a job was committed (other replicas find it on their next
/// poll).
pub fn wake() {
    WAKE.notify_waiters();
}

pub(super) async fn woken() {
    WAKE.notified().await
}
