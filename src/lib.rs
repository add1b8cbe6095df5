//! Docket: legal practice management. The same crate builds the server (feature `ssr`) and the
//! hydrated browser app (feature `hydrate`); server-only code lives behind one gate per module.

// The server and the browser app are both built with type-erased components (`--cfg
// erase_components`, .cargo/config.toml): the browser cannot hydrate what a server built the
// other way rendered (an erased fragment of several children carries an extra `<!>` marker).
// RUSTFLAGS, CARGO_ENCODED_RUSTFLAGS or a `[target.*] rustflags` entry in any Cargo config would
// replace that setting for one build only; this stops such a build instead.
#[cfg(all(not(erase_components), any(feature = "ssr", feature = "hydrate")))]
compile_error!(
    "Docket is built with `--cfg erase_components` (.cargo/config.toml [build] rustflags); \
     RUSTFLAGS, CARGO_ENCODED_RUSTFLAGS or [target.*] rustflags replaced it"
);

pub mod app;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod clients;
pub mod dashboard;
pub mod documents;
pub mod error;
pub mod expenses;
pub mod firm;
pub mod invoices;
pub mod jobs;
pub mod kernel;
pub mod matters;
pub mod profile;
pub mod rates;
pub mod reports;
pub mod search;
pub mod team;
pub mod time;
pub mod trust;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod backup;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod server;

/// Hydrate the page the server rendered (called by the WebAssembly entry point, `src/front`).
#[cfg(feature = "hydrate")]
pub fn hydrate() {
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    let body = leptos::prelude::document().body();
    // What the server rendered this page with (see `ui::PageSeed`).
    let seed: ui::PageSeed = body
        .as_ref()
        .and_then(|b| b.get_attribute("data-seed"))
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    let Some(body) = body else { return };
    // Pages are lazy routes (see `app`): hydration waits for the page's chunk to arrive.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async move {
        let owner = leptos::mount::hydrate_from_async(body.clone(), move || {
            leptos::prelude::provide_context(seed);
            app::App()
        })
        .await;
        owner.forget();
        // A marker for browser tests: clicks before hydration would be lost.
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
