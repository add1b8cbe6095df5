//! What the server knew when it rendered a page, handed to the browser app in `<body data-seed>`
//! so both render the same thing without asking again:
//! - the signed-in session (user, active firm, role, currency), read synchronously by the frame
//!   and by every form (no resource, no `<Suspense>`);
//! - the outcome of a plain (JavaScript-off) form post that failed, carried to the re-rendered
//!   page through the session, never the URL. Forms read it through `action_error`, so an error
//!   in a link (`?__err=…`) is never shown.

use leptos::prelude::*;
use leptos_router::hooks::use_location;
use serde::{Deserialize, Serialize};

use crate::auth::SessionInfo;
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormFlash {
    /// The server function the form was posted to (`/api/clients/create`).
    pub action: String,
    /// The path and query of the page the form is on, where the error is shown.
    pub page: String,
    pub error: AppError,
    /// Whose typed values these are (`None`: nothing typed, such as a failed sign-in): shown to
    /// that person only.
    pub user: Option<uuid::Uuid>,
    /// When it was kept (seconds since 1970); old ones are dropped.
    pub at: i64,
}

/// What a page was rendered with, handed to `<App/>` by the server shell or the hydrate entry
/// point.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PageSeed {
    pub session: Option<SessionInfo>,
    pub flash: Option<FormFlash>,
    /// The sign-in page's other ways in (sent only when no one is signed in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in: Option<crate::auth::SignInOptions>,
}

impl PageSeed {
    /// As JSON, for the page's `data-seed` attribute.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[derive(Clone, Copy)]
struct Flash(RwSignal<Option<FormFlash>>);

#[derive(Clone)]
struct PageSession(Option<SessionInfo>);

#[derive(Clone)]
struct SignInWays(crate::auth::SignInOptions);

/// Make the page's session and flash available to its views (called once, by `<App/>`).
pub fn provide_page_seed() {
    let seed = use_context::<PageSeed>().unwrap_or_default();
    provide_context(PageSession(seed.session));
    provide_context(SignInWays(seed.sign_in.unwrap_or_default()));
    provide_context(Flash(RwSignal::new(seed.flash)));
}

/// The signed-in user, firm, role and currency of this page (`None` on the sign-in page).
pub fn session_info() -> Option<SessionInfo> {
    use_context::<PageSession>().and_then(|s| s.0)
}

/// The ways to sign in the sign-in page offers besides e-mail and password.
pub fn sign_in_options() -> crate::auth::SignInOptions {
    use_context::<SignInWays>().map(|w| w.0).unwrap_or_default()
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
