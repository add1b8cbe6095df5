use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sqlx::PgPool;
use tower_sessions_redis_store::fred::prelude::Pool as RedisPool;

use super::config::Config;
use crate::error::AppError;

/// Everything a request handler or server function needs, handed to `leptos_routes_with_context`
/// so every server function reads it from context (and tests can build one of their own).
///
/// One allocation shared by every request: each middleware's `State` extractor, each page
/// render's context and each server function's `AppState::current()` takes a copy, which is one
/// reference count, not a copy of the Leptos settings' strings and the storage clients (those
/// copies and their drops were ~1% of a signed-in page's CPU, and most of a redirect's).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What `AppState` shares (read through `Deref`: `state.db`, `state.config`).
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub db: PgPool,
    pub redis: RedisPool,
    pub config: Arc<Config>,
    /// Sign-in through Supabase, when configured.
    pub supabase: Option<Arc<crate::auth::supabase::Supabase>>,
    /// Documents' bytes.
    pub storage: crate::documents::storage::Storage,
    /// Where the nightly backups go.
    pub backups: crate::documents::storage::Storage,
    /// The connection backups read firms through (`Config::database_backup_url`), made on first
    /// use.
    pub backup_db: Option<PgPool>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// leptos_axum's file and error handlers read the Leptos settings from the router's state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    pub fn new(
        leptos_options: LeptosOptions,
        db: PgPool,
        redis: RedisPool,
        config: Config,
    ) -> Result<Self, String> {
        let supabase = match config.supabase.clone() {
            Some(c) => Some(Arc::new(crate::auth::supabase::Supabase::new(c)?)),
            None => None,
        };
        let storage = crate::documents::storage::Storage::new(&config.storage)?;
        let backups = crate::documents::storage::Storage::open(&config.backups, "backups")?;
        let backup_db = match config.backup_url() {
            Some(url) => Some(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(2)
                    .connect_lazy(url)
                    .map_err(|e| format!("DATABASE_BACKUP_URL: {e}"))?,
            ),
            None => None,
        };
        Ok(AppState(Arc::new(Shared {
            storage,
            backups,
            backup_db,
            leptos_options,
            db,
            redis,
            config: Arc::new(config),
            supabase,
        })))
    }

    /// The state of the current server function call. Missing only when the request is already
    /// over: a page's data still loading when its client went away runs on in a reactive owner
    /// that has been disposed. It ends with an error rather than a panic (whose backtrace, when
    /// `RUST_BACKTRACE` is set, also loads the binary's debug info into memory for good).
    pub fn current() -> Result<Self, AppError> {
        leptos::prelude::use_context::<AppState>().ok_or_else(|| {
            tracing::debug!("a server function ran after its request ended");
            AppError::Unavailable
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server function still running after its request ended (its reactive owner disposed)
    /// gets an error, not a panic.
    #[test]
    fn no_state_outside_a_request_is_an_error() {
        let owner = leptos::prelude::Owner::new();
        owner.with(|| {
            assert!(matches!(AppState::current(), Err(AppError::Unavailable)));
        });
    }
}
