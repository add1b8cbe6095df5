//! Settings read from the environment (documented in .env.example).

use std::net::SocketAddr;

#[derive(Debug, Clone)]
pub struct Config {
    /// Connection for the application role (RLS applies to it).
    pub database_url: String,
    /// Connection for the schema owner: migrations and seeding. Optional in production.
    pub database_admin_url: Option<String>,
    pub redis_url: String,
    /// Overrides Leptos' site address when set.
    pub bind_addr: Option<SocketAddr>,
    /// Mark the session cookie `Secure` (set when the site is served over https).
    pub cookie_secure: bool,
    /// Trust `X-Forwarded-For`/`X-Real-IP` from the reverse proxy for client addresses.
    pub trust_proxy: bool,
    /// Seed the demo firm at start-up when it is missing.
    pub seed_demo: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// `json` for one JSON object per line, anything else for human-readable logs.
    pub log_format: String,
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let flag = |k: &str| {
            var(k).is_some_and(|v| {
                matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")
            })
        };
        let bind_addr = match var("BIND_ADDR") {
            Some(v) => Some(v.parse().map_err(|e| format!("BIND_ADDR {v:?}: {e}"))?),
            None => None,
        };
        let max_body_bytes = match var("MAX_BODY_BYTES") {
            Some(v) => v
                .parse()
                .map_err(|e| format!("MAX_BODY_BYTES {v:?}: {e}"))?,
            None => 256 * 1024,
        };
        Ok(Config {
            database_url: var("DATABASE_URL").ok_or("DATABASE_URL is not set")?,
            database_admin_url: var("DATABASE_ADMIN_URL"),
            redis_url: var("REDIS_URL").unwrap_or_else(|| "redis://127.0.0.1:6379".into()),
            bind_addr,
            cookie_secure: flag("COOKIE_SECURE"),
            trust_proxy: flag("TRUST_PROXY"),
            seed_demo: flag("DOCKET_SEED_DEMO"),
            max_body_bytes,
            log_format: var("LOG_FORMAT").unwrap_or_else(|| "pretty".into()),
        })
    }
}
