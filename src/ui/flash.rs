//! The outcome of a plain (JavaScript-off) form post that failed, carried to the re-rendered
//! page through the session, never the URL: the server keeps it for one page view, renders it
//! into the page, and the browser app picks it up when it hydrates. Forms read it through
//! `action_error`, so an error in a link (`?__err=…`) is never shown.

use leptos::prelude::*;
use leptos_router::hooks::use_location;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormFlash {
    /// The server function the form was posted to (`/api/clients/create`).
    pub action: String,
    /// The path of the page the form is on, where the error is shown.
    pub page: String,
    pub error: AppError,
}

/// The flash a page was rendered with, handed to `<App/>` by the server shell or the hydrate
/// entry point.
#[derive(Debug, Clone, Default)]
pub struct FlashSeed(pub Option<FormFlash>);

#[derive(Clone, Copy)]
struct Flash(RwSignal<Option<FormFlash>>);

/// Make the page's flash available to its forms (called once, by `<App/>`).
pub fn provide_flash() {
    let seed = use_context::<FlashSeed>().unwrap_or_default();
    provide_context(Flash(RwSignal::new(seed.0)));
}

/// The flashed error of the server function at `action`, if this page has one.
pub fn flashed_error(action: &str) -> Option<AppError> {
    let Flash(flash) = use_context::<Flash>()?;
    flash.with_untracked(|f| {
        f.as_ref()
            .filter(|f| f.action == action)
            .map(|f| f.error.clone())
    })
}

/// Inside the router: the flash belongs to the page it was rendered with, so navigating in the
/// browser app drops it.
#[component]
pub fn FlashScope() -> impl IntoView {
    let location = use_location();
    if let Some(Flash(flash)) = use_context::<Flash>() {
        Effect::new(move |seen: Option<String>| {
            let now = location.pathname.get();
            if seen.as_ref().is_some_and(|p| *p != now) {
                flash.set(None);
            }
            now
        });
    }
}

/// The flash as JSON for the page's `data-flash` attribute.
pub fn flash_json(flash: &FlashSeed) -> Option<String> {
    flash.0.as_ref().and_then(|f| serde_json::to_string(f).ok())
}
