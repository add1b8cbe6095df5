//! HTTP middleware: security headers, the same-origin rule for state-changing requests, and the
//! status of server-function errors.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::error::AppError;

/// Refuse state-changing requests that a browser says come from another site.
pub async fn same_origin(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if !matches!(site, "same-origin" | "none") {
            return forbidden_origin(req.uri().path());
        }
    }
    if let Some(origin) = text(header::ORIGIN) {
        let host = text(header::HOST).unwrap_or_default();
        let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
        if origin == "null" || !origin_host.eq_ignore_ascii_case(host) {
            return forbidden_origin(req.uri().path());
        }
    }
    next.run(req).await
}

fn forbidden_origin(path: &str) -> Response {
    tracing::warn!(path, "refused cross-origin request");
    (
        StatusCode::FORBIDDEN,
        "Cross-origin requests are not accepted.",
    )
        .into_response()
}

/// Server-function errors raised before our code runs (arguments that do not decode) leave with
/// 500; give every `AppError` body the status it stands for.
pub async fn api_error_status(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !api || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    if let Ok(e) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// A plain browser form post (no JavaScript) rather than a `fetch` from the app.
pub fn accepts_html(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

pub fn error_json(e: AppError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_string(&e).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

pub fn unavailable_page() -> Response {
    let mut res = plain_page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Docket is temporarily unavailable",
        "We cannot reach a service Docket depends on. Nothing you saved is lost. Please try again \
         in a minute.</p><p><a href=\"/\">Try again</a>",
    );
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
    res
}

/// A small page rendered outside the app (outages, limits): styled inline, no scripts, nothing
/// from the request in it. `message` is trusted HTML (our own text).
pub fn plain_page(status: StatusCode, title: &str, message: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · Docket</title>\
         <style>body{{font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;color:#1f2933;margin:0}}\
         main{{max-width:32rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px}}</style>\
         </head><body><main><h1>{title}</h1><p>{message}</p></main></body></html>"
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            ),
        ],
        html,
    )
        .into_response()
}

/// The script nonce of one response, made here and put into the request for the page shell
/// (`ui::provide_csp_nonce`), so the page's inline scripts and its CSP header always agree.
#[derive(Clone)]
pub struct CspNonce(pub String);

/// The header a page render sets (to its nonce) through Leptos' `ResponseOptions`, removed here:
/// its absence shows a render whose response options were lost.
pub const RENDER_MARK: &str = "x-docket-render";

/// The usual security headers. An HTML page gets the CSP that allows its own inline scripts
/// (by this response's nonce); everything else gets a deny-all one. Dynamic responses are never
/// cached.
///
/// The page CSP is set here rather than from inside the render (Leptos' `ResponseOptions`): a
/// render-side header once went missing, about one page in fifty, which left a page without its
/// stylesheet.
pub async fn security_headers(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response<Body> {
    let assets = req.uri().path().starts_with("/pkg/");
    let path = req.uri().path().to_owned();
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let html = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if html {
        let rendered = h.remove(RENDER_MARK);
        if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
            if rendered.is_none_or(|v| v.as_bytes() != nonce.as_bytes()) {
                // Leptos applies a render's ResponseOptions (status, headers) to its response;
                // this one's did not arrive whole. Seen rarely under the release build.
                tracing::warn!(
                    path,
                    "a page render's response options did not reach its response"
                );
            }
            if let Ok(v) = HeaderValue::from_str(&page_csp(&nonce)) {
                h.insert(header::CONTENT_SECURITY_POLICY, v);
            }
        }
    }
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        if !h.contains_key(k) {
            h.insert(k, HeaderValue::from_static(v));
        }
    };
    set(
        h,
        "content-security-policy",
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    set(h, "referrer-policy", "strict-origin-when-cross-origin");
    set(h, "cross-origin-opener-policy", "same-origin");
    set(
        h,
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=()",
    );
    if state.config.cookie_secure {
        set(
            h,
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        );
    }
    if !assets {
        set(h, "cache-control", "no-store");
    }
    res
}

/// The CSP of an HTML page whose inline scripts carry `nonce`.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}
