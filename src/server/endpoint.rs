//! The wrapper every server function body runs in: it logs the outcome and turns an `AppError`
//! into the right HTTP status for fetch callers (plain form posts get the redirect that carries
//! the error back to the form instead).

use std::future::Future;

use axum::http::{request::Parts, StatusCode};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use crate::error::AppError;

pub async fn endpoint<T>(
    name: &'static str,
    fut: impl Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    // Read the request context before awaiting: it is not guaranteed to be current afterwards.
    let form_post = use_context::<Parts>().is_some_and(|p| super::http::accepts_html(&p.headers));
    let response = use_context::<ResponseOptions>();
    let owner = leptos::prelude::Owner::current();
    let result = fut.await;
    // The request ended (its client went away) while this ran: its owner is gone.
    let over = || {
        owner
            .as_ref()
            .is_none_or(|o| o.with(super::AppState::current).is_err())
    };
    if let Err(e) = &result {
        match e {
            AppError::Unavailable if over() => {
                tracing::debug!(endpoint = name, "server function outlived its request")
            }
            AppError::Internal(_) | AppError::Unavailable => {
                tracing::error!(endpoint = name, error = ?e, "server function failed")
            }
            _ => tracing::info!(endpoint = name, error = %e, "server function refused"),
        }
        if !form_post {
            if let Some(res) = response {
                res.set_status(
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                );
            }
        }
    }
    result
}
