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
}

impl AppState {
    /// The state of the current server function call.
    pub fn current() -> Self {
        leptos::prelude::expect_context::<AppState>()
    }
}
