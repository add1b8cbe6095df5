//! The schedules. Every process's clock (tokio-cron-scheduler) fires every five minutes, and
//! each firing asks the database for every firm's jobs of the periods that have begun in the
//! firm's own time zone (`job_schedule`, migration 23): the monthly billing report from 06:00
//! on the 1st, the daily digest from 07:00. A period's job has a unique key (`monthly_report:{firm}:2026-10`), so however
//! many replicas fire, and however often, each period has exactly one job; a firing missed
//! while every replica was down is made up by the next one (within the period's window).

use sqlx::PgPool;
use tokio_cron_scheduler::{Job, JobScheduler};

/// At second 0 of every fifth minute.
const EVERY_FIVE_MINUTES: &str = "0 */5 * * * *";

/// One firing, now: how many jobs it added.
pub async fn fire(db: &PgPool) -> Result<i32, sqlx::Error> {
    let added: i32 = sqlx::query_scalar("SELECT job_schedule()")
        .fetch_one(db)
        .await?;
    if added > 0 {
        tracing::info!(added, "scheduled jobs added");
        super::queue::wake();
    }
    Ok(added)
}

/// At minute 17 of every hour.
const HOURLY: &str = "0 17 * * * *";

/// Stored document bytes no version names are removed after this long (see `documents::sweep`).
const ORPHAN_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Start the clock (and fire once now, for what came due while this process was not running).
/// It also sweeps the document storage every hour.
pub async fn start(
    db: PgPool,
    storage: crate::documents::storage::Storage,
) -> Result<JobScheduler, String> {
    if let Err(e) = fire(&db).await {
        tracing::warn!(error = %e, "schedules not reachable");
    }
    let clock = JobScheduler::new()
        .await
        .map_err(|e| format!("scheduler: {e}"))?;
    let firing_db = db.clone();
    let job = Job::new_async(EVERY_FIVE_MINUTES, move |_, _| {
        let db = firing_db.clone();
        Box::pin(async move {
            if let Err(e) = fire(&db).await {
                tracing::warn!(error = %e, "schedules not reachable");
            }
        })
    })
    .map_err(|e| format!("schedule: {e}"))?;
    clock.add(job).await.map_err(|e| format!("schedule: {e}"))?;
    let sweep = Job::new_async(HOURLY, move |_, _| {
        let (db, storage) = (db.clone(), storage.clone());
        Box::pin(async move {
            if let Err(e) = crate::documents::sweep::sweep(&db, &storage, ORPHAN_AGE).await {
                tracing::warn!(error = %e, "the document storage sweep failed");
            }
        })
    })
    .map_err(|e| format!("schedule: {e}"))?;
    clock
        .add(sweep)
        .await
        .map_err(|e| format!("schedule: {e}"))?;
    clock.start().await.map_err(|e| format!("scheduler: {e}"))?;
    Ok(clock)
}
