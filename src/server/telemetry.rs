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

/// A panic as one log event, with the request's span, instead of unstructured text on stderr.
/// Its backtrace is captured only when `RUST_BACKTRACE` asks for one.
///
/// One panic is known and expected: a page whose client went away while it rendered can have a
/// `<Suspense>` boundary's effect run once more after the request's reactive values were
/// disposed, in a task of its own (upstream: leptos-rs/leptos#3595). Nobody is waiting for that
/// page; the task ends there. It is a warning without a backtrace (under load, a backtrace per
/// abandoned request also loaded the binary's debug info into memory for good).
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
    let thread = std::thread::current();
    let thread = thread.name().unwrap_or("unnamed");
    if is_abandoned_render(message, &at) {
        tracing::warn!(
            panic = message,
            at,
            thread,
            "a page render went on after its request ended"
        );
        return;
    }
    let backtrace = std::backtrace::Backtrace::capture();
    match backtrace.status() {
        std::backtrace::BacktraceStatus::Captured => {
            tracing::error!(panic = message, at, thread, backtrace = %backtrace, "panic")
        }
        _ => tracing::error!(panic = message, at, thread, "panic"),
    }
}

/// The panic of a render that outlived its request: a disposed reactive value read from inside
/// the reactive runtime (the message differs between release and debug builds).
fn is_abandoned_render(message: &str, at: &str) -> bool {
    message.contains("already been disposed") && at.contains("reactive_graph")
}

#[cfg(test)]
mod tests {
    use super::is_abandoned_render;

    #[test]
    fn only_the_disposed_value_race_is_expected() {
        let release = "Tried to access a reactive value that has already been disposed.";
        let at = "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/reactive_graph-0.2.16/src/traits.rs:328";
        assert!(is_abandoned_render(release, at));
        // The same words from Docket's own code, or another panic in the runtime, are not it.
        assert!(!is_abandoned_render(
            release,
            "src/matters/views/list.rs:40"
        ));
        assert!(!is_abandoned_render("index out of bounds", at));
    }
}
