//! Each user's open sessions, so they can see them (device, address, last seen) and end the
//! others: a Redis hash per user, from session id to what the sign-in came from. The session
//! records themselves stay where tower-sessions keeps them; an entry whose record is gone (ended,
//! expired) is dropped when the list is read. Session ids never leave the server.

use std::str::FromStr;

use serde::{Deserialize, Serialize};
use tower_sessions::session::Id;
use tower_sessions::{Session, SessionStore};
use tower_sessions_redis_store::fred::prelude::{HashesInterface, KeysInterface, Pool};
use tower_sessions_redis_store::RedisStore;
use uuid::Uuid;

use super::request::RequestMeta;
use crate::error::AppError;

fn key(user: Uuid) -> String {
    format!("docket:user-sessions:{user}")
}

/// Where a session was opened.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Opened {
    pub ip: String,
    pub user_agent: String,
    pub method: String,
    pub at: i64,
}

/// One open session of a user, as stored.
#[derive(Debug, Clone)]
pub struct Open {
    pub opened: Opened,
    pub last_seen: i64,
    pub current: bool,
}

fn down(e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "session index unavailable");
    AppError::Unavailable
}

/// Note a just-opened session (after `session::sign_in`): it is saved first, so it has its id.
pub async fn record(
    redis: &Pool,
    session: &Session,
    user: Uuid,
    meta: &RequestMeta,
    method: &str,
    keep_secs: i64,
) -> Result<(), AppError> {
    super::session::persist(session).await?;
    let Some(id) = session.id() else {
        return Ok(());
    };
    let opened = Opened {
        ip: meta.ip.map(|ip| ip.to_string()).unwrap_or_default(),
        user_agent: meta
            .user_agent
            .clone()
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect(),
        method: method.to_string(),
        at: super::session::now_secs(),
    };
    let json = serde_json::to_string(&opened).map_err(down)?;
    let k = key(user);
    let _: () = redis.hset(&k, (id.to_string(), json)).await.map_err(down)?;
    let _: () = redis.expire(&k, keep_secs, None).await.map_err(down)?;
    Ok(())
}

/// Forget the session (it is ending).
pub async fn forget(redis: &Pool, session: &Session, user: Uuid) -> Result<(), AppError> {
    if let Some(id) = session.id() {
        let _: () = redis.hdel(key(user), id.to_string()).await.map_err(down)?;
    }
    Ok(())
}

/// The user's open sessions, newest first (entries of ended sessions are dropped on the way).
pub async fn list(redis: &Pool, session: &Session, user: Uuid) -> Result<Vec<Open>, AppError> {
    let k = key(user);
    let all: std::collections::HashMap<String, String> = redis.hgetall(&k).await.map_err(down)?;
    let store = RedisStore::new(redis.clone());
    let current = session.id().map(|i| i.to_string());
    let mut open = vec![];
    for (id, json) in all {
        let record = match Id::from_str(&id) {
            Ok(sid) => store.load(&sid).await.map_err(down)?,
            Err(_) => None,
        };
        let owner = record
            .as_ref()
            .and_then(|r| r.data.get("user_id"))
            .and_then(|v| serde_json::from_value::<Uuid>(v.clone()).ok());
        let (Some(record), Some(opened)) = (
            record.filter(|_| owner == Some(user)),
            serde_json::from_str::<Opened>(&json).ok(),
        ) else {
            let _: () = redis.hdel(&k, &id).await.map_err(down)?;
            continue;
        };
        let last_seen = record
            .data
            .get("last_seen")
            .and_then(serde_json::Value::as_i64)
            .unwrap_or(opened.at);
        open.push(Open {
            opened,
            last_seen,
            current: current.as_deref() == Some(id.as_str()),
        });
    }
    open.sort_by(|a, b| {
        b.current
            .cmp(&a.current)
            .then(b.last_seen.cmp(&a.last_seen))
    });
    Ok(open)
}

/// End every session of the user but `keep` (the caller's own, or none): they are removed from
/// the store at once, so their next request is signed out. Returns how many ended.
pub async fn end_all_but(
    redis: &Pool,
    user: Uuid,
    keep: Option<&Session>,
) -> Result<usize, AppError> {
    let k = key(user);
    let ids: Vec<String> = redis.hkeys(&k).await.map_err(down)?;
    let keep = keep.and_then(Session::id).map(|i| i.to_string());
    let store = RedisStore::new(redis.clone());
    let mut ended = 0;
    for id in ids.into_iter().filter(|i| Some(i) != keep.as_ref()) {
        if let Ok(sid) = Id::from_str(&id) {
            store.delete(&sid).await.map_err(down)?;
            ended += 1;
        }
        let _: () = redis.hdel(&k, &id).await.map_err(down)?;
    }
    Ok(ended)
}
