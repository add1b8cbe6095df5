//! Background jobs: work that runs after the request that asked for it, or on a schedule, in
//! every replica, surviving restarts.
//!
//! A job is a row of `jobs` first, added in the transaction of the operation that asks for it
//! (`queue::enqueue`) or by a schedule's firing (`schedule`). Workers in every process (`worker`)
//! claim due rows with `FOR UPDATE SKIP LOCKED` under a lease they renew while running, run the
//! handler of the job's kind (`run`), and record the outcome: done, retried with exponential
//! backoff, or dead after its attempts with the last error kept. A process that dies mid-job
//! (kill -9) gives its claim up when the lease runs out, and the job runs again elsewhere, so
//! every handler is idempotent. Administrators see the firm's jobs at `/admin/jobs` and retry
//! dead ones.

pub mod api;
mod model;
pub mod views;

#[cfg(feature = "ssr")]
pub mod queue;
#[cfg(feature = "ssr")]
mod repo;
#[cfg(feature = "ssr")]
pub mod run;
#[cfg(feature = "ssr")]
pub mod schedule;
#[cfg(feature = "ssr")]
pub mod worker;

pub use model::{JobKind, JobRow, JobStatus};

use crate::auth::Role;

/// Who sees the firm's jobs and retries them.
pub fn may_manage(role: Role) -> bool {
    role == Role::Admin
}
