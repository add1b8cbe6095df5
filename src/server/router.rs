//! The application router, built the same way for `main` and for the integration tests.

use axum::response::IntoResponse;
use axum::{middleware, routing::get, Router};
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use super::{assets, gate, health, http, page, session, AppState};
use crate::app::{shell, App};

/// The app's routes, generated once per process. Generating them runs the app with resource
/// loading suppressed by a process-global flag (leptos_server's `SuppressResourceLoad`): a page
/// that another router of the same process renders at that moment has its resources wait
/// forever (leptos-rs/leptos#4773). The server builds one router, but the tests build one per
/// test, concurrently: one page render in a few hundred hung before this.
fn routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn build(state: AppState) -> Router {
    let routes = routes();
    let options = state.leptos_options.clone();
    let assets = assets::routes(
        &options.site_root,
        &options.site_pkg_dir,
        options.hash_files,
    );
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("");
            tracing::info_span!("request", method = %req.method(), path = %logged_path(req.uri().path()), request_id = %id)
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO));

    Router::new()
        .route(
            "/auth/supabase/start",
            get(crate::auth::supabase::flow::start),
        )
        .route("/auth/callback", get(crate::auth::supabase::flow::callback))
        .route("/health", get(health::health))
        .route("/health/detailed", get(health::detailed))
        .route("/activity/export.csv", get(crate::audit::export::csv))
        .route(
            "/invoices/{id}/ledes.txt",
            get(crate::invoices::export::ledes),
        )
        .route("/reports/aging.csv", get(crate::reports::export::aging))
        .route("/clients/{id}/trust.csv", get(crate::trust::export::client))
        .route(
            "/trust/accounts/{id}/journal.csv",
            get(crate::trust::export::journal),
        )
        .route("/reports/wip.csv", get(crate::reports::export::wip))
        .route("/calendar/feed/{token}", get(crate::calendar::feed::ics))
        .route("/reports/billed.csv", get(crate::reports::export::billed))
        .route(
            "/matters/{id}/documents",
            axum::routing::post(crate::documents::upload::to_matter),
        )
        .route(
            "/clients/{id}/documents",
            axum::routing::post(crate::documents::upload::to_client),
        )
        .route(
            "/documents/{id}/versions",
            axum::routing::post(crate::documents::upload::new_version),
        )
        .route(
            "/documents/{id}/file",
            get(crate::documents::download::file),
        )
        .merge(assets)
        .leptos_routes_with_context(&state, routes, || (), move || shell(options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(http::api_error_status))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            page::page_context,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            gate::sign_in_gate,
        ))
        .layer(session::layer(
            state.redis.clone(),
            state.config.cookie_secure,
            state.config.lifetimes(),
        ))
        .layer(middleware::from_fn(http::same_origin))
        .layer(middleware::from_fn_with_state(
            state.config.max_body_bytes,
            body_limit,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            http::security_headers,
        ))
        .layer(trace)
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// The request body limit, except for uploads (each file is held to the firm's limit as it
/// arrives: see `documents::upload`).
async fn body_limit(
    axum::extract::State(limit): axum::extract::State<usize>,
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    if crate::documents::upload::is_upload(req.method(), req.uri().path()) {
        return next.run(req).await;
    }
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return (
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "length limit exceeded",
        )
            .into_response();
    }
    next.run(req.map(|b| axum::body::Body::new(http_body_util::Limited::new(b, limit))))
        .await
}

/// A request's path as logged: the secret of an invitation link stays out of the logs (query
/// strings, where reset links carry theirs, are not logged at all).
fn logged_path(path: &str) -> &str {
    if path.starts_with("/invite/") {
        "/invite/…"
    } else if path.starts_with("/calendar/feed/") {
        "/calendar/feed/…"
    } else {
        path
    }
}
