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

/// Panics from here on are log events (`log_panic`). The server's, not the tests': a failing
/// test's panic stays with the test harness's output.
pub fn log_panics() {
    std::panic::set_hook(Box::new(log_panic));
}

/// A panic as one error event ("panicked", which the burst check in `tools/dev.sh` and the load
/// benchmark look for), with the request's span, instead of unstructured text on stderr. Its
/// backtrace is captured when `RUST_BACKTRACE` asks for one.
///
/// A read of a disposed reactive value gets a hint. Its place is always inside reactive_graph
/// (where the panic is raised), whoever read it, and one such panic is a known upstream race:
/// a page whose client went away while it rendered can have a `<Suspense>` boundary's effect
/// run once more, in a task of its own, after the request's values were disposed
/// (leptos-rs/leptos#3595; nobody is waiting for that page). It stays an error: the same panic
/// in a live request is a bug.
fn log_panic(info: &std::panic::PanicHookInfo<'_>) {
    let message = info
        .payload()
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    let at = info
        .location()
        .map(|l| format!("{}:{}", l.file(), l.line()))
        .unwrap_or_default();
    let hint = disposed_value(message, &at).then_some(
        "a disposed reactive value was read: if no request failed, a page render that outlived \
         its request (leptos-rs/leptos#3595)",
    );
    let backtrace = std::backtrace::Backtrace::capture();
    if backtrace.status() == std::backtrace::BacktraceStatus::Captured {
        tracing::error!(panic = message, at, hint, backtrace = %backtrace, "panicked");
    } else {
        tracing::error!(panic = message, at, hint, "panicked");
    }
}

/// A read of a disposed reactive value (the message differs between release and debug builds).
fn disposed_value(message: &str, at: &str) -> bool {
    message.contains("already been disposed") && at.contains("reactive_graph")
}

#[cfg(test)]
mod tests {
    use super::disposed_value;

    #[test]
    fn a_disposed_value_is_told_apart_from_other_panics() {
        let release = "Tried to access a reactive value that has already been disposed.";
        let at = "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/reactive_graph-0.2.16/src/traits.rs:328";
        assert!(disposed_value(release, at));
        assert!(!disposed_value("index out of bounds", at));
        assert!(!disposed_value(release, "src/matters/views/list.rs:40"));
    }
}
