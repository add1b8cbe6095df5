//! The Jobs page's server functions: an administrator's.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::JobRow;
use crate::error::AppError;

/// How many jobs a page shows.
pub const PAGE: usize = 50;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobsQuery {
    /// "failed": only the jobs that failed (for good, or waiting to be retried).
    #[serde(default)]
    pub show: String,
    /// The page after this job (the last of the previous page).
    #[serde(default)]
    pub before: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobsPage {
    pub jobs: Vec<JobRow>,
    /// The `before` of the next page, when there is one.
    pub next: Option<Uuid>,
}

#[server(endpoint = "jobs/list")]
pub async fn list_jobs(query: JobsQuery) -> Result<JobsPage, AppError> {
    crate::server::endpoint("jobs.list", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        if !super::may_manage(caller.role) {
            return Err(AppError::Forbidden);
        }
        let before = Uuid::parse_str(query.before.trim()).ok();
        let mut jobs =
            super::repo::list(&mut tx, query.show == "failed", before, PAGE as i64 + 1).await?;
        tx.commit().await?;
        let next = (jobs.len() > PAGE).then(|| {
            jobs.truncate(PAGE);
            jobs.last().map(|j| j.id)
        });
        Ok(JobsPage {
            jobs,
            next: next.flatten(),
        })
    })
    .await
}

/// Run a failed job again now, with its attempts counted afresh.
#[server(endpoint = "jobs/retry")]
pub async fn retry_job(org: Uuid, job: Uuid) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("jobs.retry", async move {
        let (caller, mut tx) =
            crate::auth::caller::Caller::begin_write_if(org, super::may_manage).await?;
        let (subject, matter) = super::repo::subject(&mut tx, job).await?;
        if !super::repo::retry(&mut tx, job).await? {
            return Err(AppError::Conflict(
                "This job is not waiting to be retried: it may have run meanwhile. The list now shows where it is.".into(),
            ));
        }
        record(
            &mut tx,
            &caller,
            Entry::new("job.retry", "job", job)
                .on_matter(matter)
                .summary(format!("Retried {subject}")),
        )
        .await?;
        tx.commit().await?;
        super::queue::wake();
        tracing::info!(%job, "job retried");
        Ok(())
    })
    .await
}
