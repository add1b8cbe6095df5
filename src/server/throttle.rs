//! Sign-in throttling, counted in Redis so every replica shares it: after too many failures for
//! one account (or from one address) within the window, sign-in is refused until it passes.

use std::net::IpAddr;

use tower_sessions_redis_store::fred::prelude::{KeysInterface, Pool};

use crate::error::AppError;

pub const WINDOW_SECS: i64 = 15 * 60;
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 10;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 50;

fn account_key(email: &str) -> String {
    format!("docket:signin-failures:account:{email}")
}

fn keys(email: &str, ip: Option<IpAddr>) -> Vec<(String, i64)> {
    let mut keys = vec![(account_key(email), MAX_FAILURES_PER_ACCOUNT)];
    if let Some(ip) = ip {
        keys.push((
            format!("docket:signin-failures:address:{ip}"),
            MAX_FAILURES_PER_ADDRESS,
        ));
    }
    keys
}

fn down(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "redis unavailable for sign-in throttling");
    AppError::Unavailable
}

/// Refuse when the account or the address has failed too often recently.
pub async fn check(redis: &Pool, email: &str, ip: Option<IpAddr>) -> Result<(), AppError> {
    for (key, max) in keys(email, ip) {
        let failures: Option<i64> = redis.get(&key).await.map_err(down)?;
        if failures.unwrap_or(0) >= max {
            tracing::warn!(key, "sign-in throttled");
            return Err(AppError::RateLimited);
        }
    }
    Ok(())
}

/// Count a failed attempt; the window starts at the first failure.
pub async fn failed(redis: &Pool, email: &str, ip: Option<IpAddr>) -> Result<(), AppError> {
    for (key, _) in keys(email, ip) {
        let n: i64 = redis.incr(&key).await.map_err(down)?;
        if n == 1 {
            let _: i64 = redis.expire(&key, WINDOW_SECS, None).await.map_err(down)?;
        }
    }
    Ok(())
}

/// A successful sign-in clears the account's failures.
pub async fn succeeded(redis: &Pool, email: &str) -> Result<(), AppError> {
    let _: i64 = redis.del(account_key(email)).await.map_err(down)?;
    Ok(())
}
