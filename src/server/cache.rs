//! Figures that cost more than a few milliseconds at a large firm's size (the reports, the
//! dashboard's money), kept in Redis so every replica shares them, and dropped by any write to
//! the firm.
//!
//! Invalidation is by generation. Each firm has a counter in Redis; every committed write
//! transaction of the firm increments it after its commit (`Tx::commit`, armed by
//! `Caller::begin_write_if`), and a cached value is stored under the generation read *before*
//! any of the statements it was computed from ran. Statements run READ COMMITTED, so each sees
//! everything committed before it started: a value is stored either under a generation whose
//! every write it already sees, or under an older one nobody asks for any more. Redis is a
//! cache here, never the truth: when it cannot be reached the figures are computed as if
//! nothing were cached, and a bump lost to an outage leaves values stale for at most `TTL`.

use std::future::Future;
use std::time::Duration;

use serde::{de::DeserializeOwned, Serialize};
use tower_sessions_redis_store::fred::prelude::{Expiration, KeysInterface, Pool};
use tower_sessions_redis_store::fred::types::SetOptions;
use uuid::Uuid;

use crate::error::AppError;

/// Values are kept per build: during a rolling deploy, old and new code never read each other's
/// (the figures' shape or arithmetic may differ).
const BUILD: &str = env!("CARGO_PKG_VERSION");

/// How long a value is kept at most.
pub const TTL_SECS: i64 = 10 * 60;
/// A slow Redis must not make a page slower than computing its figures.
const WAIT: Duration = Duration::from_millis(250);

/// Where a firm's counter starts when it has none (a new firm, or Redis lost it): a random
/// point, so values kept under an earlier counter's numbers are never read as this one's.
fn random_start() -> u64 {
    rand::random::<u32>() as u64 * 1_000_000
}

fn generation_key(org: Uuid) -> String {
    format!("docket:cache:{org}:generation")
}

/// One firm's cache as of one moment: open it before the first statement whose result it keeps.
pub struct FirmCache {
    redis: Pool,
    /// `None` when Redis could not be read: nothing is cached then.
    prefix: Option<String>,
}

impl FirmCache {
    pub async fn open(redis: &Pool, org: Uuid) -> FirmCache {
        let key = generation_key(org);
        let mut generation: Option<Option<u64>> = within(redis.get(&key)).await;
        if let Some(None) = generation {
            // No counter yet: start it (see `random_start`).
            let set =
                redis.set::<(), _, _>(&key, random_start(), None, Some(SetOptions::NX), false);
            within(set).await;
            generation = within(redis.get(&key)).await;
        }
        FirmCache {
            redis: redis.clone(),
            prefix: generation
                .flatten()
                .map(|g| format!("docket:cache:{BUILD}:{org}:{g}:")),
        }
    }

    /// Values as seen by someone from whom these matters are walled off (`hidden`, read in the
    /// transaction the values are computed in, after `open`): figures that leave out a walled
    /// matter are kept apart from those that include it, so no one reads a total that counts
    /// work they may not see.
    pub fn seen_without(mut self, hidden: &[Uuid]) -> FirmCache {
        if let (Some(prefix), false) = (&mut self.prefix, hidden.is_empty()) {
            use std::hash::{Hash, Hasher};
            let mut h = std::hash::DefaultHasher::new();
            hidden.hash(&mut h);
            prefix.push_str(&format!("w{:016x}:", h.finish()));
        }
        self
    }

    /// The value kept under `key`, or `compute`'s, which is then kept.
    pub async fn get_or<T, F>(&self, key: &str, compute: F) -> Result<T, AppError>
    where
        T: Serialize + DeserializeOwned,
        F: Future<Output = Result<T, AppError>>,
    {
        let Some(prefix) = &self.prefix else {
            return compute.await;
        };
        let full = format!("{prefix}{key}");
        let kept: Option<Option<String>> = within(self.redis.get(&full)).await;
        if let Some(Some(json)) = kept {
            match serde_json::from_str(&json) {
                Ok(value) => return Ok(value),
                Err(e) => tracing::warn!(key = %full, error = %e, "unreadable cached value"),
            }
        }
        let value = compute.await?;
        if let Ok(json) = serde_json::to_string(&value) {
            let set = self.redis.set::<(), _, _>(
                &full,
                json,
                Some(Expiration::EX(TTL_SECS)),
                None,
                false,
            );
            within(set).await;
        }
        Ok(value)
    }
}

/// A write to the firm has committed: every value cached for it so far is out of date. The
/// increment runs as a task of its own, so a request dropped mid-way (the client went away)
/// still makes it; the caller waits for it, so its own next read sees the new figures.
pub async fn invalidate(redis: &Pool, org: Uuid) {
    let redis = redis.clone();
    let bump = tokio::spawn(async move {
        let key = generation_key(org);
        within(redis.set::<(), _, _>(&key, random_start(), None, Some(SetOptions::NX), false))
            .await;
        if within(redis.incr::<u64, _>(&key)).await.is_none() {
            tracing::warn!(org_id = %org, "cached figures not invalidated: they may be stale for up to {TTL_SECS} s");
        }
    });
    let _ = bump.await;
}

/// A Redis command's result, or `None` (logged) when it failed or took longer than `WAIT`.
async fn within<T, E: std::fmt::Display>(command: impl Future<Output = Result<T, E>>) -> Option<T> {
    match tokio::time::timeout(WAIT, command).await {
        Ok(Ok(v)) => Some(v),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "redis cache unavailable");
            None
        }
        Err(_) => {
            tracing::warn!("redis cache too slow");
            None
        }
    }
}
