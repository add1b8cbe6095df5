//! Cookie sessions stored in Redis, shared by every replica.
//!
//! Lifetimes: a session ends after `idle` without a request, and `max` after sign-in at the
//! latest. Docket enforces both itself (from `last_seen` and `signed_in_at`); the record stays in
//! Redis for `idle` plus an hour after its last write, so a session that has just ended is still
//! known as someone's: a plain form they post to it is kept for them alone, to finish after
//! signing in again.

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
const ENDED_USER: &str = "ended_user";
const FLASH: &str = "flash";
/// How often activity renews the inactivity expiry (each renewal writes the session to Redis):
/// every five minutes, or a quarter of the idle limit if that is shorter.
const RENEW_EVERY_SECS: i64 = 5 * 60;
/// How long Redis keeps a session past its idle limit (so its end is known), and how long an
/// ended or anonymous session that holds a kept form lives.
const GRACE: Duration = Duration::from_secs(60 * 60);
const ANONYMOUS: Duration = Duration::from_secs(10 * 60);
/// Kept forms older than this are dropped, and at most this many are kept at once.
const FLASH_MAX_AGE_SECS: i64 = 30 * 60;
const MAX_FLASHES: usize = 4;

/// Who the session belongs to: set at sign-in, cleared at sign-out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionUser {
    pub user_id: Uuid,
    pub org_id: Option<Uuid>,
}

/// How long sessions last (from the configuration).
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    pub idle: Duration,
    pub max: Duration,
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn inactivity(d: Duration) -> Option<Expiry> {
    time::Duration::try_from(d).ok().map(Expiry::OnInactivity)
}

pub async fn session_user(session: &Session) -> Result<Option<SessionUser>, AppError> {
    let user_id: Option<Uuid> = session.get(USER_ID).await.map_err(store_down)?;
    let org_id: Option<Uuid> = session.get(ORG_ID).await.map_err(store_down)?;
    Ok(user_id.map(|user_id| SessionUser { user_id, org_id }))
}

/// Start a signed-in session under a fresh id (no fixation of a pre-login id). Forms kept for
/// someone else who used this browser before are dropped.
pub async fn sign_in(
    session: &Session,
    user_id: Uuid,
    org_id: Option<Uuid>,
    lifetimes: Lifetimes,
) -> Result<(), AppError> {
    session.cycle_id().await.map_err(store_down)?;
    keep_flashes(session, |f| f.user.is_none_or(|u| u == user_id)).await?;
    session.remove_value(ENDED_USER).await.map_err(store_down)?;
    session
        .remove_value(PENDING_SECOND_FACTOR)
        .await
        .map_err(store_down)?;
    session.insert(USER_ID, user_id).await.map_err(store_down)?;
    session.insert(ORG_ID, org_id).await.map_err(store_down)?;
    let now = unix_now();
    session
        .insert(SIGNED_IN_AT, now)
        .await
        .map_err(store_down)?;
    session.insert(LAST_SEEN, now).await.map_err(store_down)?;
    session.set_expiry(inactivity(lifetimes.idle + GRACE));
    Ok(())
}

/// The session's user while the session is within both limits. A session past one of them ends
/// here (remembering whose it was). Activity renews the idle timer, at most once every few
/// minutes: the record's life in Redis is only extended when it is written.
pub async fn active_user(
    session: &Session,
    lifetimes: Lifetimes,
) -> Result<Option<SessionUser>, AppError> {
    let Some(user) = session_user(session).await? else {
        return Ok(None);
    };
    let now = unix_now();
    let signed_in: i64 = session
        .get(SIGNED_IN_AT)
        .await
        .map_err(store_down)?
        .unwrap_or(0);
    let last_seen: i64 = session
        .get(LAST_SEEN)
        .await
        .map_err(store_down)?
        .unwrap_or(0);
    let idle = lifetimes.idle.as_secs() as i64;
    if now.saturating_sub(signed_in) >= lifetimes.max.as_secs() as i64
        || now.saturating_sub(last_seen) >= idle
    {
        tracing::info!(user_id = %user.user_id, "session ended: idle or maximum age reached");
        end(session, user.user_id).await?;
        return Ok(None);
    }
    if now.saturating_sub(last_seen) >= RENEW_EVERY_SECS.min(idle / 4).max(1) {
        session.insert(LAST_SEEN, now).await.map_err(store_down)?;
    }
    Ok(Some(user))
}

/// End a signed-in session but remember whose it was, for a short while.
async fn end(session: &Session, user_id: Uuid) -> Result<(), AppError> {
    for key in [
        USER_ID,
        ORG_ID,
        SIGNED_IN_AT,
        LAST_SEEN,
        TWO_FACTORS,
        MUST_ENROLL,
    ] {
        session.remove_value(key).await.map_err(store_down)?;
    }
    session
        .insert(ENDED_USER, user_id)
        .await
        .map_err(store_down)?;
    session.set_expiry(inactivity(GRACE));
    Ok(())
}

/// Whose session this was, if it ended by time rather than by signing out.
pub async fn ended_user(session: &Session) -> Result<Option<Uuid>, AppError> {
    session.get(ENDED_USER).await.map_err(store_down)
}

pub async fn set_org(session: &Session, org_id: Uuid) -> Result<(), AppError> {
    session
        .insert(ORG_ID, Some(org_id))
        .await
        .map_err(store_down)
}

/// A sign-in through an identity provider, between leaving for it and coming back: the PKCE
/// verifier never leaves the server.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PendingSignIn {
    pub verifier: String,
    pub provider: String,
    pub next: String,
    pub started_at: i64,
    /// The secret of the invitation to accept on return, if the sign-in started from one.
    #[serde(default)]
    pub invite: Option<String>,
}

/// A sign-in whose password was right, waiting for the second factor.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PendingSecondFactor {
    pub user_id: Uuid,
    pub next: String,
    pub started_at: i64,
    /// Wrong codes so far (the sign-in starts over after a few).
    pub failures: u32,
}

const PENDING_SECOND_FACTOR: &str = "pending_second_factor";
/// How long one has to type the code after the password.
pub const SECOND_FACTOR_SECS: i64 = 5 * 60;
/// The session was opened with two factors.
const TWO_FACTORS: &str = "two_factors";
/// The session's firm requires two factors and the person has none yet: only the profile (to
/// set one up) is open to them.
const MUST_ENROLL: &str = "must_enroll";

pub async fn keep_second_factor(session: &Session, p: PendingSecondFactor) -> Result<(), AppError> {
    session
        .insert(PENDING_SECOND_FACTOR, p)
        .await
        .map_err(store_down)?;
    if session_user(session).await?.is_none() {
        session.set_expiry(inactivity(ANONYMOUS));
    }
    Ok(())
}

/// The sign-in waiting for its second factor, if recent.
pub async fn second_factor(session: &Session) -> Result<Option<PendingSecondFactor>, AppError> {
    let p: Option<PendingSecondFactor> = session
        .get(PENDING_SECOND_FACTOR)
        .await
        .map_err(store_down)?;
    Ok(p.filter(|p| unix_now() - p.started_at <= SECOND_FACTOR_SECS))
}

pub async fn drop_second_factor(session: &Session) -> Result<(), AppError> {
    session
        .remove_value(PENDING_SECOND_FACTOR)
        .await
        .map(|_| ())
        .map_err(store_down)
}

/// Record how the session's sign-in was made: with two factors, or by someone who must set one
/// up before anything but their profile opens.
pub async fn set_factors(session: &Session, two: bool, must_enroll: bool) -> Result<(), AppError> {
    session.insert(TWO_FACTORS, two).await.map_err(store_down)?;
    if must_enroll {
        session
            .insert(MUST_ENROLL, true)
            .await
            .map_err(store_down)?;
    } else {
        session
            .remove_value(MUST_ENROLL)
            .await
            .map_err(store_down)?;
    }
    Ok(())
}

pub async fn has_two_factors(session: &Session) -> Result<bool, AppError> {
    Ok(session
        .get::<bool>(TWO_FACTORS)
        .await
        .map_err(store_down)?
        .unwrap_or(false))
}

pub async fn must_enroll(session: &Session) -> Result<bool, AppError> {
    Ok(session
        .get::<bool>(MUST_ENROLL)
        .await
        .map_err(store_down)?
        .unwrap_or(false))
}

const PENDING_SIGN_IN: &str = "pending_sign_in";
/// How long a sign-in at a provider may take.
pub const PENDING_SIGN_IN_SECS: i64 = 10 * 60;

pub async fn keep_pending_sign_in(session: &Session, p: PendingSignIn) -> Result<(), AppError> {
    session
        .insert(PENDING_SIGN_IN, p)
        .await
        .map_err(store_down)?;
    if session_user(session).await?.is_none() {
        session.set_expiry(inactivity(ANONYMOUS));
    }
    Ok(())
}

/// The pending sign-in, taken out of the session (a code is exchanged once), if it is recent.
pub async fn take_pending_sign_in(session: &Session) -> Result<Option<PendingSignIn>, AppError> {
    let p: Option<PendingSignIn> = session.remove(PENDING_SIGN_IN).await.map_err(store_down)?;
    Ok(p.filter(|p| unix_now() - p.started_at <= PENDING_SIGN_IN_SECS))
}

/// After a failed sign-in: a session that holds nothing else (no one signed in, no ended
/// session's kept forms) is removed altogether.
pub async fn discard_if_anonymous(session: &Session) -> Result<(), AppError> {
    if session_user(session).await?.is_none()
        && ended_user(session).await?.is_none()
        && flashes(session).await?.is_empty()
    {
        session.flush().await.map_err(store_down)?;
    }
    Ok(())
}

pub fn now_secs() -> i64 {
    unix_now()
}

pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(store_down)
}

async fn flashes(session: &Session) -> Result<Vec<FormFlash>, AppError> {
    let all: Option<Vec<FormFlash>> = session.get(FLASH).await.map_err(store_down)?;
    let now = unix_now();
    Ok(all
        .unwrap_or_default()
        .into_iter()
        .filter(|f| now.saturating_sub(f.at) < FLASH_MAX_AGE_SECS)
        .collect())
}

async fn store_flashes(session: &Session, mut all: Vec<FormFlash>) -> Result<(), AppError> {
    let excess = all.len().saturating_sub(MAX_FLASHES);
    all.drain(..excess);
    if all.is_empty() {
        session.remove_value(FLASH).await.map_err(store_down)?;
    } else {
        session.insert(FLASH, all).await.map_err(store_down)?;
    }
    Ok(())
}

async fn keep_flashes(
    session: &Session,
    keep: impl Fn(&FormFlash) -> bool,
) -> Result<(), AppError> {
    let all = flashes(session).await?;
    if all.is_empty() {
        return Ok(());
    }
    store_flashes(session, all.into_iter().filter(|f| keep(f)).collect()).await
}

/// Keep a failed plain form post's outcome for the next view of its page. A session nobody is
/// signed in to lives only briefly once it holds one.
pub async fn set_flash(session: &Session, flash: FormFlash) -> Result<(), AppError> {
    let mut all = flashes(session).await?;
    all.retain(|f| f.page != flash.page);
    all.push(flash);
    store_flashes(session, all).await?;
    if session_user(session).await?.is_none() && ended_user(session).await?.is_none() {
        session.set_expiry(inactivity(ANONYMOUS));
    }
    Ok(())
}

/// The kept outcome for the page at `page` (path and query), for this viewer, removed from the
/// session as it is read.
pub async fn take_flash(
    session: &Session,
    page: &str,
    viewer: Option<Uuid>,
) -> Result<Option<FormFlash>, AppError> {
    let mut all = flashes(session).await?;
    let Some(at) = all
        .iter()
        .position(|f| f.page == page && f.user.is_none_or(|u| Some(u) == viewer))
    else {
        return Ok(None);
    };
    let flash = all.remove(at);
    store_flashes(session, all).await?;
    Ok(Some(flash))
}

/// The firm of the newest form kept for this user, to sign them back in where they were.
pub async fn pending_org(session: &Session, user_id: Uuid) -> Result<Option<Uuid>, AppError> {
    if ended_user(session).await? != Some(user_id) {
        return Ok(None);
    }
    Ok(flashes(session)
        .await?
        .iter()
        .rev()
        .filter(|f| f.user == Some(user_id))
        .find_map(|f| {
            f.error
                .fields()
                .and_then(|e| e.value("org"))
                .and_then(|o| Uuid::parse_str(o).ok())
        }))
}

/// Write the session's changes to the store now, rather than when the response is sent (which
/// never happens for a request whose client went away).
pub async fn persist(session: &Session) -> Result<(), AppError> {
    session.save().await.map_err(store_down)
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
    lifetimes: Lifetimes,
) -> SessionManagerLayer<RedisStore<RedisPool>> {
    let expiry = inactivity(lifetimes.idle + GRACE)
        .unwrap_or(Expiry::OnInactivity(time::Duration::hours(13)));
    SessionManagerLayer::new(RedisStore::new(pool))
        .with_name(COOKIE_NAME)
        .with_http_only(true)
        // Lax: the return from an identity provider is a cross-site top-level navigation.
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(expiry)
}
