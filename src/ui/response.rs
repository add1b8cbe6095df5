//! The places where a view talks to the HTTP response it is rendered into. They do nothing in
//! the browser.

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

/// Preload the WebAssembly chunks of the lazy page being rendered (`<link rel="preload">` in the
/// head), so the browser fetches them beside the main module instead of after it. Called by each
/// lazy route as it renders. Nothing in the browser.
///
/// Leptos would add these links itself once the body is rendered, but it reads the page's
/// contexts there outside the page's reactive owner: under concurrent renders the links went
/// missing ("tried to use a leptos_meta component without `ServerMetaContext`", ~900 times in a
/// load run) or into another page's head. Taking the page's lazy functions here, in its owner,
/// leaves Leptos nothing to add.
pub fn preload_page_chunks() {
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::*;
        use leptos::{PrefetchLazyFn, WasmSplitManifest};
        use leptos_meta::Link;
        let Some(prefetches) = use_context::<PrefetchLazyFn>() else {
            return;
        };
        let Some(lazy) = prefetches
            .0
            .try_write_value()
            .map(|mut set| std::mem::take(&mut *set))
        else {
            return;
        };
        let Some(manifest) = use_context::<WasmSplitManifest>() else {
            return;
        };
        manifest.0.with_value(|(pkg, chunks, split_js)| {
            let modules = lazy.iter().flat_map(|id| chunks.get(*id).into_iter().flatten());
            for module in modules {
                // `to_html` of a head element registers it with the page's head.
                _ = view! {
                    <Link
                        rel="preload"
                        href=format!("{pkg}/{module}.wasm")
                        as_="fetch"
                        type_="application/wasm"
                        crossorigin="anonymous"
                    />
                }
                .to_html();
            }
            if !lazy.is_empty() {
                _ = view! {
                    <Link rel="modulepreload" href=format!("{pkg}/{split_js}") crossorigin="anonymous"/>
                }
                .to_html();
            }
        });
    }
}
