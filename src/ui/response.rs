//! The two places where a view talks to the HTTP response it is rendered into. Both do nothing
//! in the browser.

#[allow(unused_variables)]
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = axum::http::StatusCode::from_u16(code) {
            res.set_status(status);
        }
    }
}

/// Give this page the script nonce its response's CSP allows (made by
/// `server::http::security_headers`). Nothing in the browser.
pub fn provide_csp_nonce() {
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::*;
        let nonce = use_context::<axum::http::request::Parts>()
            .and_then(|p| p.extensions.get::<crate::server::http::CspNonce>().cloned());
        match nonce {
            Some(n) => {
                let res = use_context::<leptos_axum::ResponseOptions>();
                if let (Some(res), Ok(mark)) = (res, axum::http::HeaderValue::from_str(&n.0)) {
                    use axum::http::HeaderName;
                    res.insert_header(
                        HeaderName::from_static(crate::server::http::RENDER_MARK),
                        mark,
                    );
                }
                provide_context(leptos::nonce::Nonce::from_value(n.0))
            }
            None => tracing::warn!("page rendered without its request's script nonce"),
        }
    }
}

/// Share one transaction among the server functions this page render calls (see
/// `auth::caller::PageScope`). Nothing in the browser.
pub fn provide_page_scope() {
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::{provide_context, use_context};
        let scope = use_context::<axum::http::request::Parts>().and_then(|p| {
            p.extensions
                .get::<crate::auth::caller::PageScope>()
                .cloned()
        });
        if let Some(scope) = scope {
            provide_context(scope);
        }
    }
}

/// What the server learnt about this page view before rendering it: the session and the form
/// flash (both put in the request's extensions by `server::page`). Nothing in the browser.
pub fn request_seed() -> super::PageSeed {
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::use_context;
        let parts = use_context::<axum::http::request::Parts>();
        let state = use_context::<crate::server::AppState>();
        let get = |p: &axum::http::request::Parts| {
            let session = p.extensions.get::<crate::auth::SessionInfo>().cloned();
            let sign_in = match (&session, state.as_ref().and_then(|s| s.supabase.as_ref())) {
                (None, Some(supabase)) => Some(crate::auth::SignInOptions {
                    providers: supabase
                        .providers()
                        .into_iter()
                        .map(|p| {
                            let label = crate::auth::provider_label(&p);
                            (p, label)
                        })
                        .collect(),
                    email_link: supabase.email_link(),
                }),
                _ => None,
            };
            super::PageSeed {
                session,
                flash: p.extensions.get::<super::FormFlash>().cloned(),
                sign_in,
            }
        };
        parts.as_ref().map(get).unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    super::PageSeed::default()
}
