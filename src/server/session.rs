//! Cookie sessions stored in Redis, shared by every replica.

use std::time::Duration;

use tower_sessions::{cookie::SameSite, Expiry, Session, SessionManagerLayer};
use tower_sessions_redis_store::fred::prelude::{
    ClientLike, Config as RedisConfig, Pool as RedisPool, ReconnectPolicy,
};
use tower_sessions_redis_store::fred::types::Builder;
use tower_sessions_redis_store::RedisStore;
use uuid::Uuid;

use crate::error::AppError;
use crate::ui::FormFlash;

pub const COOKIE_NAME: &str = "docket_session";
const USER_ID: &str = "user_id";
const ORG_ID: &str = "org_id";
const SIGNED_IN_AT: &str = "signed_in_at";
const LAST_SEEN: &str = "last_seen";
const FLASH: &str = "flash";
/// How often activity renews the inactivity expiry (each renewal writes the session to Redis):
/// every five minutes, or a quarter of the idle limit if that is shorter.
const RENEW_EVERY_SECS: i64 = 5 * 60;

/// Who the session belongs to: set at sign-in, cleared at sign-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionUser {
    pub user_id: Uuid,
    pub org_id: Option<Uuid>,
}

pub async fn session_user(session: &Session) -> Result<Option<SessionUser>, AppError> {
    let user_id: Option<Uuid> = session.get(USER_ID).await.map_err(store_down)?;
    let org_id: Option<Uuid> = session.get(ORG_ID).await.map_err(store_down)?;
    Ok(user_id.map(|user_id| SessionUser { user_id, org_id }))
}

/// Start a signed-in session under a fresh id (no fixation of a pre-login id).
pub async fn sign_in(
    session: &Session,
    user_id: Uuid,
    org_id: Option<Uuid>,
) -> Result<(), AppError> {
    session.cycle_id().await.map_err(store_down)?;
    session.insert(USER_ID, user_id).await.map_err(store_down)?;
    session.insert(ORG_ID, org_id).await.map_err(store_down)?;
    let now = unix_now();
    session
        .insert(SIGNED_IN_AT, now)
        .await
        .map_err(store_down)?;
    session.insert(LAST_SEEN, now).await.map_err(store_down)?;
    Ok(())
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The session's user while the session is within its absolute age limit (else it ends here).
/// Activity renews the inactivity expiry, at most once every few minutes: tower-sessions only
/// extends a session's life when the session is written.
pub async fn active_user(
    session: &Session,
    idle: Duration,
    max_age: Duration,
) -> Result<Option<SessionUser>, AppError> {
    let Some(user) = session_user(session).await? else {
        return Ok(None);
    };
    let now = unix_now();
    let signed_in: Option<i64> = session.get(SIGNED_IN_AT).await.map_err(store_down)?;
    let signed_in = match signed_in {
        Some(t) => t,
        None => {
            session
                .insert(SIGNED_IN_AT, now)
                .await
                .map_err(store_down)?;
            now
        }
    };
    if now.saturating_sub(signed_in) >= max_age.as_secs() as i64 {
        tracing::info!(user_id = %user.user_id, "session ended: maximum age reached");
        sign_out(session).await?;
        return Ok(None);
    }
    let last_seen: i64 = session
        .get(LAST_SEEN)
        .await
        .map_err(store_down)?
        .unwrap_or(0);
    let renew_every = RENEW_EVERY_SECS.min(idle.as_secs() as i64 / 4).max(1);
    if now.saturating_sub(last_seen) >= renew_every {
        session.insert(LAST_SEEN, now).await.map_err(store_down)?;
    }
    Ok(Some(user))
}

/// Flashes kept at once (one per page: a failed sign-in must not drop what was typed into the
/// form whose post found the session ended).
const MAX_FLASHES: usize = 4;

/// Keep a failed plain form post's error for the next view of its page.
pub async fn set_flash(session: &Session, flash: &FormFlash) -> Result<(), AppError> {
    let mut all: Vec<FormFlash> = session
        .get(FLASH)
        .await
        .map_err(store_down)?
        .unwrap_or_default();
    all.retain(|f| f.page != flash.page);
    all.push(flash.clone());
    let excess = all.len().saturating_sub(MAX_FLASHES);
    all.drain(..excess);
    session.insert(FLASH, all).await.map_err(store_down)
}

/// The flash kept for the page at `path`, removed from the session as it is read.
pub async fn take_flash(session: &Session, path: &str) -> Result<Option<FormFlash>, AppError> {
    let all: Option<Vec<FormFlash>> = session.get(FLASH).await.map_err(store_down)?;
    let Some(mut all) = all.filter(|a| a.iter().any(|f| f.page == path)) else {
        return Ok(None);
    };
    let at = all.iter().position(|f| f.page == path);
    let flash = at.map(|i| all.remove(i));
    if all.is_empty() {
        session.remove_value(FLASH).await.map_err(store_down)?;
    } else {
        session.insert(FLASH, all).await.map_err(store_down)?;
    }
    Ok(flash)
}

pub async fn set_org(session: &Session, org_id: Uuid) -> Result<(), AppError> {
    session
        .insert(ORG_ID, Some(org_id))
        .await
        .map_err(store_down)
}

pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(store_down)
}

fn store_down(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store unavailable");
    AppError::Unavailable
}

/// A Redis pool whose commands fail within a couple of seconds when Redis is down, and which
/// reconnects by itself when it comes back.
pub async fn redis_pool(url: &str) -> Result<RedisPool, String> {
    let config = RedisConfig::from_url(url).map_err(|e| format!("REDIS_URL: {e}"))?;
    let pool = Builder::from_config(config)
        .with_connection_config(|c| {
            c.connection_timeout = Duration::from_secs(2);
            c.internal_command_timeout = Duration::from_secs(2);
        })
        .with_performance_config(|p| p.default_command_timeout = Duration::from_secs(2))
        .set_policy(ReconnectPolicy::new_constant(0, 500))
        .build_pool(4)
        .map_err(|e| format!("redis: {e}"))?;
    pool.connect();
    if let Err(e) = tokio::time::timeout(Duration::from_secs(5), pool.wait_for_connect()).await {
        tracing::warn!(error = %e, "redis not reachable yet; sessions will fail with 503 until it is");
    }
    Ok(pool)
}

pub fn layer(
    pool: RedisPool,
    secure: bool,
    idle: Duration,
) -> SessionManagerLayer<RedisStore<RedisPool>> {
    let idle = time::Duration::try_from(idle).unwrap_or(time::Duration::hours(12));
    SessionManagerLayer::new(RedisStore::new(pool))
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        // Lax: the return from an identity provider is a cross-site top-level navigation.
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
}
