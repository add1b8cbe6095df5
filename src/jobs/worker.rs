//! The workers of one process. Each claims one due job at a time under a lease it renews while
//! the job runs, runs it, and records the outcome. On shutdown they stop claiming and the jobs
//! running are given a grace period to finish; one that does not is abandoned (its lease runs
//! out and another process runs it again).

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;

use super::run::{handle, Claimed, Failure};
use crate::kernel::Choice;
use crate::server::AppState;

/// How often an idle worker looks for due jobs (of other replicas, retries, expired leases).
const POLL: Duration = Duration::from_secs(2);
/// A claim lasts this long unless renewed…
pub const LEASE_SECS: i32 = 60;
/// …and is renewed this often while the job runs.
const RENEW: Duration = Duration::from_secs(20);
/// The longest a handler may run: one that hangs fails (and is retried) instead of holding its
/// worker for good.
const TIME_LIMIT: Duration = Duration::from_secs(15 * 60);

/// This process's workers.
pub struct Workers {
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

/// Start `count` workers.
pub fn spawn(state: AppState, count: usize) -> Workers {
    let (stop, stopped) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let process = process_name();
    for n in 0..count {
        let name = format!("{process}/{n}");
        tasks.spawn(work(state.clone(), name, stopped.clone()));
    }
    tracing::info!(workers = count, "background jobs started");
    Workers { stop, tasks }
}

impl Workers {
    /// Stop claiming, and wait up to `grace` for the jobs running to finish.
    pub async fn shutdown(mut self, grace: Duration) {
        let _ = self.stop.send(true);
        let drained = tokio::time::timeout(grace, async {
            while self.tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::warn!(
                grace_secs = grace.as_secs(),
                "jobs still running after the grace period were abandoned: they run again when their lease runs out"
            );
            self.tasks.abort_all();
        } else {
            tracing::info!("background jobs stopped");
        }
    }
}

/// `host:pid`, so the Jobs page and the logs tell replicas apart.
fn process_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "docket".into());
    format!("{host}:{}", std::process::id())
}

async fn work(state: AppState, name: String, mut stop: watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            return;
        }
        match run_due(&state, &name).await {
            // More may be due at once. (What a job freed goes back to the system by the
            // allocator's own purging: mimalloc, src/main.rs.)
            Ok(Some(_)) => continue,
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "jobs not reachable"),
        }
        tokio::select! {
            _ = super::queue::woken() => {}
            _ = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => {}
        }
    }
}

/// What became of a job one worker ran.
#[derive(Debug, Clone, PartialEq)]
pub struct Ran {
    pub id: uuid::Uuid,
    pub result: Result<String, Failure>,
    /// The outcome was recorded (false: the claim had run out, and it may be running elsewhere).
    pub recorded: bool,
}

/// Claim one due job as worker `name` and run it; `None` when none is due.
pub async fn run_due(state: &AppState, name: &str) -> Result<Option<Ran>, sqlx::Error> {
    let claimed: Option<Claimed> = sqlx::query_as(
        "SELECT id, organization_id, kind, payload, run_as, attempts, max_attempts FROM job_claim($1, 1, $2, $3)",
    )
    .bind(name)
    .bind(LEASE_SECS)
    .bind(super::JobKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>())
    .fetch_optional(&state.db)
    .await?;
    let Some(job) = claimed else { return Ok(None) };
    // Renew the claim while the handler runs.
    let renewing = {
        let (db, id, name) = (state.db.clone(), job.id, name.to_string());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(RENEW).await;
                let held: Result<bool, _> = sqlx::query_scalar("SELECT job_extend($1, $2, $3)")
                    .bind(id)
                    .bind(&name)
                    .bind(LEASE_SECS)
                    .fetch_one(&db)
                    .await;
                if let Ok(false) = held {
                    tracing::warn!(job = %id, "the job's claim ran out while it ran");
                    return;
                }
            }
        })
    };
    // In a task of its own, so a handler that panics fails its job instead of the worker.
    let result = {
        let (state, job) = (state.clone(), job.clone());
        let run = tokio::spawn(async move { handle(&state, &job).await });
        let abort = run.abort_handle();
        match tokio::time::timeout(TIME_LIMIT, run).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => Err(Failure::Retry(format!("the handler stopped: {e}"))),
            Err(_) => {
                abort.abort();
                Err(Failure::Retry(format!(
                    "it took longer than {} minutes and was stopped",
                    TIME_LIMIT.as_secs() / 60
                )))
            }
        }
    };
    renewing.abort();

    let (error, give_up) = match &result {
        Ok(_) => (None, false),
        Err(f) => (
            Some(f.message().to_string()),
            matches!(f, Failure::GiveUp(_)),
        ),
    };
    let outcome = result.as_ref().ok().cloned();
    let recorded: bool = sqlx::query_scalar("SELECT job_settle($1, $2, $3, $4, $5)")
        .bind(job.id)
        .bind(name)
        .bind(&error)
        .bind(&outcome)
        .bind(give_up)
        .fetch_one(&state.db)
        .await?;
    match &result {
        Ok(o) => {
            tracing::info!(job = %job.id, kind = %job.kind, attempt = job.attempts, outcome = %o, "job done")
        }
        Err(f) if give_up || job.attempts >= job.max_attempts => tracing::error!(
            job = %job.id, kind = %job.kind, attempt = job.attempts, error = %f.message(), "job failed for good"
        ),
        Err(f) => tracing::warn!(
            job = %job.id, kind = %job.kind, attempt = job.attempts, error = %f.message(), "job failed; it will be retried"
        ),
    }
    if !recorded {
        tracing::warn!(job = %job.id, "the job's outcome came after its claim ran out: not recorded");
    }
    Ok(Some(Ran {
        id: job.id,
        result,
        recorded,
    }))
}
