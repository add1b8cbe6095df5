//! Sign-in throttling, counted in Redis so every replica shares it. Each attempt reserves a slot
//! for its account and its address *before* the password is checked, in one atomic script, so a
//! burst of parallel guesses gets no more checks than the limit. A successful sign-in gives its
//! slots back; a failed one keeps them until the window (which starts at the first attempt) ends.

use std::net::IpAddr;
use std::sync::LazyLock;

use tower_sessions_redis_store::fred::prelude::{LuaInterface, Pool};
use tower_sessions_redis_store::fred::types::scripts::Script;

use crate::error::AppError;

pub const WINDOW_SECS: i64 = 15 * 60;
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 10;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 50;

/// KEYS: the counters; ARGV[1]: the window in seconds; ARGV[1 + i]: the limit of KEYS[i].
/// Refuses (returning the seconds until the fullest counter resets) when any counter is at its
/// limit; otherwise counts the attempt on every counter. A counter always gets its expiry in the
/// same step, so none can outlive its window.
static RESERVE: LazyLock<Script> = LazyLock::new(|| {
    Script::from_lua(
        r#"
        for i, key in ipairs(KEYS) do
            if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[i + 1]) then
                local ttl = redis.call('TTL', key)
                if ttl < 0 then
                    redis.call('EXPIRE', key, ARGV[1])
                    ttl = tonumber(ARGV[1])
                end
                return math.max(ttl, 1)
            end
        end
        for _, key in ipairs(KEYS) do
            redis.call('INCR', key)
            if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, ARGV[1]) end
        end
        return 0
        "#,
    )
});

/// KEYS: the counters an attempt reserved; each gets its one slot back. (Failures by others in
/// the window still count: an attacker gains nothing when the real owner signs in.)
static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::from_lua(
        r#"
        for _, key in ipairs(KEYS) do
            if redis.call('EXISTS', key) == 1 and redis.call('DECR', key) <= 0 then
                redis.call('DEL', key)
            end
        end
        return 0
        "#,
    )
});

fn account_key(email: &str) -> String {
    format!("docket:signin:account:{email}")
}

fn address_key(ip: IpAddr) -> String {
    format!("docket:signin:address:{}", address_group(ip))
}

/// Reserve one request of another kind than a sign-in (`reset`, `link`) for the account and the
/// address, under counters of that kind's own: asking for links never locks anyone out of
/// signing in. Never given back.
pub async fn reserve_for(
    redis: &Pool,
    kind: &str,
    account: &str,
    ip: Option<IpAddr>,
) -> Result<(), AppError> {
    let mut keys = vec![format!("docket:{kind}:account:{account}")];
    let mut args = vec![WINDOW_SECS, MAX_FAILURES_PER_ACCOUNT];
    if let Some(ip) = ip {
        keys.push(format!("docket:{kind}:address:{}", address_group(ip)));
        args.push(MAX_FAILURES_PER_ADDRESS);
    }
    if run(redis, &RESERVE, keys, args).await? > 0 {
        tracing::warn!(
            kind,
            ip = ip.map(address_group).unwrap_or_default(),
            "requests throttled"
        );
        return Err(AppError::RateLimited);
    }
    Ok(())
}

/// The unit an address is counted by: an IPv4 address, or the /64 network of an IPv6 address
/// (one subscriber usually holds a whole /64).
pub fn address_group(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("{net}/64")
        }
    }
}

fn down(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "redis unavailable for sign-in throttling");
    AppError::Unavailable
}

/// Run a script by hash, loading it once when Redis does not know it yet.
async fn run(
    redis: &Pool,
    script: &Script,
    keys: Vec<String>,
    args: Vec<i64>,
) -> Result<i64, AppError> {
    match script.evalsha(redis, keys.clone(), args.clone()).await {
        Err(e) if e.details().starts_with("NOSCRIPT") => {
            let lua = script.lua().expect("script built from source").clone();
            let _: String = redis.script_load(lua).await.map_err(down)?;
            script.evalsha(redis, keys, args).await.map_err(down)
        }
        other => other.map_err(down),
    }
}

/// Reserve one sign-in attempt for the account and the address, or refuse with 429.
pub async fn reserve(redis: &Pool, email: &str, ip: Option<IpAddr>) -> Result<(), AppError> {
    let mut keys = vec![account_key(email)];
    let mut args = vec![WINDOW_SECS, MAX_FAILURES_PER_ACCOUNT];
    if let Some(ip) = ip {
        keys.push(address_key(ip));
        args.push(MAX_FAILURES_PER_ADDRESS);
    }
    let wait = run(redis, &RESERVE, keys, args).await?;
    if wait > 0 {
        tracing::warn!(
            email_domain = email.split('@').nth(1).unwrap_or(""),
            ip = ip.map(address_group).unwrap_or_default(),
            "sign-in throttled"
        );
        return Err(AppError::RateLimited);
    }
    Ok(())
}

/// Reserve one sign-in attempt for the address alone (a sign-in through a provider, whose
/// account is known only after the attempt), or refuse with 429.
pub async fn reserve_address(redis: &Pool, ip: Option<IpAddr>) -> Result<(), AppError> {
    let Some(ip) = ip else { return Ok(()) };
    let wait = run(
        redis,
        &RESERVE,
        vec![address_key(ip)],
        vec![WINDOW_SECS, MAX_FAILURES_PER_ADDRESS],
    )
    .await?;
    if wait > 0 {
        tracing::warn!(ip = address_group(ip), "sign-in throttled");
        return Err(AppError::RateLimited);
    }
    Ok(())
}

pub async fn succeeded_address(redis: &Pool, ip: Option<IpAddr>) -> Result<(), AppError> {
    let Some(ip) = ip else { return Ok(()) };
    run(redis, &RELEASE, vec![address_key(ip)], vec![])
        .await
        .map(|_| ())
}

/// A successful sign-in gives back the slots its attempt reserved.
pub async fn succeeded(redis: &Pool, email: &str, ip: Option<IpAddr>) -> Result<(), AppError> {
    let mut keys = vec![account_key(email)];
    keys.extend(ip.map(address_key));
    run(redis, &RELEASE, keys, vec![]).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_is_counted_per_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(address_group(a), "2001:db8:1:2::/64");
        assert_eq!(address_group(a), address_group(b));
        assert_ne!(address_group(a), address_group(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(address_group(mapped), "192.0.2.7");
    }
}
