//! Small reusable view pieces: form fields, pager, badges, page states.

mod fields;
mod layout;
mod loaded;
mod once;
mod pager;
mod response;
mod seed;

pub use fields::{
    action_error, choices, form_errors, post_error, reload_on_success, row_action_error,
    CheckboxField, FormAlert, FormStamp, SelectField, TextArea, TextField,
};
pub use layout::AppLayout;
pub use loaded::loaded;
pub use once::{once, provide_once_per_render};
pub use pager::{page_href, paging_pairs, query_string, Pager};
pub use response::{
    preload_page_chunks, provide_csp_nonce, provide_page_scope, request_seed, set_status,
};
pub use seed::{
    flashed_error, provide_page_seed, session_info, sign_in_options, FlashScope, FormFlash,
    PageSeed,
};

use leptos::prelude::*;

use crate::error::AppError;

/// A coloured label for an enum value (`status-open`, `priority-urgent`, …).
#[component]
pub fn Badge(kind: &'static str, value: &'static str, label: &'static str) -> impl IntoView {
    view! { <span class=format!("badge {kind}-{value}")>{label}</span> }
}

/// The page for an id that does not exist (or belongs to another firm: the same thing).
#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <section class="card narrow">
            <h1>"Not found"</h1>
            <p>"There is nothing here. It may have been removed, or the link is wrong."</p>
            <p><a href="/">"Back to the dashboard"</a></p>
        </section>
    }
}

/// What a page shows when its data could not be loaded.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    if matches!(error, AppError::NotFound) {
        return view! { <NotFound/> }.into_any();
    }
    set_status(error.status());
    let sign_in = matches!(error, AppError::Unauthorized);
    view! {
        <section class="card narrow" role="alert">
            <h1>"Cannot show this page"</h1>
            <p>{error.to_string()}</p>
            {sign_in.then(|| view! { <p><a href="/login" rel="external">"Sign in"</a></p> })}
        </section>
    }
    .into_any()
}

/// Loading placeholder for a data-backed section.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="muted" aria-live="polite">"Loading…"</p> }
}

/// Put `text` on the clipboard (in the browser; a page without JavaScript shows the text to
/// copy by hand instead).
pub fn copy_text(text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}
