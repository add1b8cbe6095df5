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

pub const COOKIE_NAME: &str = "docket_session";
const USER_ID: &str = "user_id";
const ORG_ID: &str = "org_id";

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
    Ok(())
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

pub fn layer(pool: RedisPool, secure: bool) -> SessionManagerLayer<RedisStore<RedisPool>> {
    SessionManagerLayer::new(RedisStore::new(pool))
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        // Lax: the return from an identity provider is a cross-site top-level navigation.
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(12)))
}
