use tracing_subscriber::{fmt, EnvFilter};

/// Structured logs on stdout; `RUST_LOG` picks the level, `LOG_FORMAT=json` the shape.
pub fn init(format: &str) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn,fred=warn"));
    let builder = fmt().with_env_filter(filter).with_target(true);
    let result = if format == "json" {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.compact().try_init()
    };
    // A second init (tests) keeps the first subscriber.
    let _ = result;
}
