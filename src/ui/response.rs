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

/// Give this page a fresh script nonce and the Content-Security-Policy that allows it.
pub fn provide_csp_nonce() {
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::*;
        leptos::nonce::provide_nonce();
        if let (Some(nonce), Some(res)) = (
            leptos::nonce::use_nonce(),
            use_context::<leptos_axum::ResponseOptions>(),
        ) {
            let csp = crate::server::http::page_csp(&nonce.to_string());
            if let Ok(value) = axum::http::HeaderValue::from_str(&csp) {
                res.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
            }
        }
    }
}

/// The form flash the server took from the session for this page view (none in the browser).
pub fn request_flash() -> super::FlashSeed {
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::use_context;
        let parts = use_context::<axum::http::request::Parts>();
        super::FlashSeed(parts.and_then(|p| p.extensions.get::<super::FormFlash>().cloned()))
    }
    #[cfg(not(feature = "ssr"))]
    super::FlashSeed(None)
}
