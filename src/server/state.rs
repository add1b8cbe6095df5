use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sqlx::PgPool;
use tower_sessions_redis_store::fred::prelude::Pool as RedisPool;

use super::config::Config;

/// Everything a request handler or server function needs, handed to `leptos_routes_with_context`
/// so every server function reads it from context (and tests can build one of their own).
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: PgPool,
    pub redis: RedisPool,
    pub config: Arc<Config>,
    /// Sign-in through Supabase, when configured.
    pub supabase: Option<Arc<crate::auth::supabase::Supabase>>,
    /// Documents' bytes.
    pub storage: crate::documents::storage::Storage,
    /// Where the nightly backups go.
    #[from_ref(skip)]
    pub backups: crate::documents::storage::Storage,
    /// The connection backups read firms through (`Config::database_backup_url`), made on first
    /// use.
    #[from_ref(skip)]
    pub backup_db: Option<PgPool>,
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
        Ok(AppState {
            storage,
            backups,
            backup_db,
            leptos_options,
            db,
            redis,
            config: Arc::new(config),
            supabase,
        })
    }

    /// The state of the current server function call.
    pub fn current() -> Self {
        leptos::prelude::expect_context::<AppState>()
    }
}
