//! The gate in front of pages and server functions: who is signed in (the session, within its
//! idle and absolute limits), where an anonymous request goes, and the request-rate limits
//! shared by every replica through Redis.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::http::{accepts_html, error_json, plain_page, unavailable_page};
use super::request::client_ip;
use super::session::{active_user, SessionUser};
use super::throttle::address_group;
use super::AppState;
use crate::error::AppError;

/// Paths anyone may fetch: assets, health checks, the sign-in pages.
pub fn is_public(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/health")
        // A calendar feed's secret token is its own credential (calendar::feed).
        || path.starts_with("/calendar/feed/")
        || is_sign_in(path)
        || matches!(path, "/favicon.ico" | "/favicon.svg" | "/robots.txt")
}

/// Pages anyone may open that still render with the session (if any) and a kept form error:
/// signing in, and the pages the links in e-mails open.
pub fn is_open_page(path: &str) -> bool {
    matches!(
        path,
        "/login" | "/login/two-factor" | "/forgot-password" | "/reset-password"
    ) || path.starts_with("/invite/")
}

/// Public paths that do work for an anonymous visitor (the sign-in pages, a sign-in at a
/// provider): they count against the request limits like everything else.
fn is_sign_in(path: &str) -> bool {
    is_open_page(path) || matches!(path, "/auth/supabase/start" | "/auth/callback")
}

/// What a session that must set up a second factor may reach: its profile, and signing out or
/// switching firm.
fn open_while_enrolling(path: &str) -> bool {
    is_public(path)
        || path == "/profile"
        || path.starts_with("/api/profile/")
        || matches!(
            path,
            "/api/two_factor/status" | "/api/two_factor/begin" | "/api/two_factor/confirm"
        )
        || matches!(
            path,
            "/api/auth/session" | "/api/auth/logout" | "/api/auth/switch_org"
        )
}

/// Server functions callable without a session.
fn is_public_api(path: &str) -> bool {
    matches!(
        path,
        "/api/auth/login"
            | "/api/auth/magic_link"
            | "/api/auth/second_factor"
            | "/api/auth/forgot_password"
            | "/api/auth/reset_password"
            | "/api/team/open_invitation"
            | "/api/team/accept_invitation"
    )
}

/// Pages need a signed-in session (else: to /login); server functions too (else: 401; a plain
/// form post keeps what was typed for after sign-in). The session's user goes into the request's
/// extensions for the layers and handlers inside. A session store that cannot be reached gives a
/// 503 instead of a panic or a sign-in loop.
pub async fn sign_in_gate(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    if is_public(&path) && !is_sign_in(&path) {
        return next.run(req).await;
    }
    let api = path.starts_with("/api/");
    let user = match active_user(&session, state.config.lifetimes()).await {
        Ok(user) => user,
        Err(_) if api => return error_json(AppError::Unavailable),
        Err(_) => return unavailable_page(),
    };
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let ip = client_ip(req.headers(), peer, state.config.proxy_hops);
    let json = api && !accepts_html(req.headers());
    if let Some(refused) = rate_limited(&state, ip, user, json).await {
        return refused;
    }
    if let Some(user) = user {
        // A firm that requires a second factor lets someone without one set it up, and no more.
        match super::session::must_enroll(&session).await {
            Ok(true) if !open_while_enrolling(&path) => {
                if api {
                    return error_json(AppError::Conflict(
                        "This firm requires two-factor sign-in: set it up on your profile first."
                            .into(),
                    ));
                }
                return Redirect::to("/profile").into_response();
            }
            Ok(_) => {}
            Err(_) if api => return error_json(AppError::Unavailable),
            Err(_) => return unavailable_page(),
        }
        req.extensions_mut().insert(user);
    }
    match (user, path.as_str()) {
        (Some(_), "/login") if req.method() == Method::GET => Redirect::to("/").into_response(),
        (Some(_), _) => next.run(req).await,
        (None, p) if is_sign_in(p) => next.run(req).await,
        (None, p) if api && is_public_api(p) => next.run(req).await,
        (None, _) if json => error_json(AppError::Unauthorized),
        (None, _) if api => super::page::keep_post_after_expiry(&session, req).await,
        (None, _) => {
            let target = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let to = if target == "/" {
                "/login".to_string()
            } else {
                format!(
                    "/login{}",
                    crate::ui::query_string(&[("next", target.to_string())])
                )
            };
            Redirect::to(&to).into_response()
        }
    }
}

/// The per-user and per-address request limits (GCRA in Redis, so all replicas share them).
/// Redis trouble lets requests through: sessions already fail closed when it is down.
async fn rate_limited(
    state: &AppState,
    ip: Option<std::net::IpAddr>,
    user: Option<SessionUser>,
    json: bool,
) -> Option<Response> {
    let config = &state.config;
    let check = |key: Option<String>, per_minute: u32| async move {
        let key = key.filter(|_| per_minute > 0)?;
        let capacity = u16::try_from(per_minute).unwrap_or(u16::MAX);
        let interval = Duration::from_micros(60_000_000 / u64::from(per_minute));
        match tower_rate_limit_fred::rate_limit(&state.redis, key, capacity, interval).await {
            Ok(wait) => wait,
            Err(e) => {
                tracing::warn!(error = %e, "rate limit unavailable");
                None
            }
        }
    };
    let (by_user, by_address) = tokio::join!(
        check(
            user.map(|u| format!("docket:rate:user:{}", u.user_id)),
            config.rate_limit_per_user
        ),
        check(
            ip.map(|ip| format!("docket:rate:address:{}", address_group(ip))),
            config.rate_limit_per_address
        ),
    );
    let wait = by_user.into_iter().chain(by_address).max()?.max(1);
    tracing::warn!(
        user_id = ?user.map(|u| u.user_id),
        ip = ?ip.map(address_group),
        wait,
        "request rate limited"
    );
    let mut res = if json {
        error_json(AppError::TooManyRequests(wait))
    } else {
        plain_page(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests",
            &format!(
                "Docket received more requests from you than it accepts in a minute. Please wait \
                 {wait} seconds, then try again."
            ),
        )
    };
    if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    Some(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_assets_health_and_login_are_public() {
        assert!(is_public("/pkg/docket.wasm"));
        assert!(is_public("/health/detailed"));
        assert!(!is_public("/clients"));
        assert!(!is_public("/api/clients/list"));
        assert!(is_public_api("/api/auth/login"));
        assert!(!is_public_api("/api/auth/logout"));
    }
}
