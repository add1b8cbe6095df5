//! `GET /invoices/{id}/ledes.txt`: an issued invoice as a LEDES 1998B file, for billing staff
//! and the attorneys of its matters.

use axum::extract::{Path, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;
use uuid::Uuid;

use crate::auth::caller::Caller;
use crate::error::AppError;
use crate::server::AppState;

pub async fn ledes(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    match file(&state, &session, &parts, &id).await {
        Ok((name, body)) => (
            [
                (
                    header::CONTENT_TYPE,
                    "text/plain; charset=us-ascii".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.txt\""),
                ),
            ],
            body,
        )
            .into_response(),
        Err(e) => e.into_plain_response(),
    }
}

async fn file(
    state: &AppState,
    session: &Session,
    parts: &axum::http::request::Parts,
    id: &str,
) -> Result<(String, String), AppError> {
    let id = Uuid::parse_str(id).map_err(|_| AppError::NotFound)?;
    let (caller, mut tx) = Caller::resolve(state, session, Some(parts)).await?;
    let inv = super::repo::get(&mut tx, id, false).await?;
    if !super::may_bill(caller.role)
        && !super::repo::concerns(&mut tx, &inv, caller.user_id).await?
    {
        return Err(AppError::NotFound);
    }
    let Some(number) = inv.number.clone() else {
        return Err(AppError::Conflict(
            "A draft has no LEDES file: issue it first.".into(),
        ));
    };
    let slug: String =
        sqlx::query_scalar("SELECT slug FROM organizations WHERE id = app_current_org()")
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    // A file name of the number's safe characters.
    let name: String = number
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((name, super::ledes::render(&inv, &slug)))
}
