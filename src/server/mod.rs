//! Server-only plumbing: configuration, state, database and session access, HTTP middleware,
//! telemetry, health checks and seeding. Gated once, in lib.rs.

pub mod assets;
pub mod cache;
pub mod chunks;
pub mod config;
pub mod db;
pub mod endpoint;
pub mod gate;
pub mod health;
pub mod http;
pub mod list;
pub mod pack;
pub mod page;
pub mod password;
pub mod pdf;
pub mod request;
pub mod router;
pub mod seed;
pub mod session;
pub mod session_index;
pub mod split_loader;
pub mod state;
pub mod telemetry;
pub mod throttle;
pub mod token;

pub use endpoint::endpoint;
pub use state::AppState;
