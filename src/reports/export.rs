//! `GET /reports/aging.csv` and `/reports/wip.csv`: the reports' figures as CSV, every row.

use axum::extract::{Query, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use super::{MonthsQuery, ReportQuery};
use crate::auth::caller::Caller;
use crate::error::AppError;
use crate::server::AppState;

fn csv(name: &str, as_of: chrono::NaiveDate, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}-{as_of}.csv\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// Hours to two decimals, rounded half-up (Decimal's `{:.2}` would cut them).
pub(crate) fn hours(minutes: u32) -> String {
    let h = crate::time::duration::hours(minutes);
    format!(
        "{:.2}",
        h.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    )
}

use crate::audit::export::line as row;

/// A CSV download built by `build`, or the refusal as a plain response.
async fn respond(build: impl std::future::Future<Output = Result<Response, AppError>>) -> Response {
    build.await.unwrap_or_else(AppError::into_plain_response)
}

async fn start(
    state: &AppState,
    session: &Session,
    req: Request,
) -> Result<(Caller, crate::server::db::Tx), AppError> {
    let (parts, _) = req.into_parts();
    let (caller, tx) = Caller::resolve(state, session, Some(&parts)).await?;
    if !super::may_report(caller.role) {
        return Err(AppError::Forbidden);
    }
    Ok((caller, tx))
}

pub async fn aging(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<ReportQuery>,
    req: Request,
) -> Response {
    respond(async {
        let (_, mut tx) = start(&state, &session, req).await?;
        let firm = crate::matters::repo::firm(&mut tx).await?;
        let report = super::api::aging_of(&mut tx, &firm, &q).await?;
        tx.commit().await?;
        let mut out = row(&[
            "client",
            "current",
            "1-30 days",
            "31-60 days",
            "61-90 days",
            "over 90 days",
            "total",
        ]
        .map(String::from));
        for r in report.rows.iter().chain([&report.totals]) {
            let mut cells = vec![r.client_name.clone()];
            cells.extend(r.buckets().iter().map(|d| format!("{d:.2}")));
            out.push_str(&row(&cells));
        }
        Ok(csv("receivables-aging", report.as_of, out))
    })
    .await
}

pub async fn wip(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<ReportQuery>,
    req: Request,
) -> Response {
    respond(async {
        let (_, mut tx) = start(&state, &session, req).await?;
        let firm = crate::matters::repo::firm(&mut tx).await?;
        let as_of = super::api::as_of(&q, firm.today)?;
        let (rows, _, _) = super::repo::wip(&mut tx, as_of, &firm.currency).await?;
        tx.commit().await?;
        let mut out =
            row(&["matter", "client", "hours", "time", "expenses", "total"].map(String::from));
        for r in &rows {
            out.push_str(&row(&[
                r.name.clone(),
                r.client_name.clone(),
                hours(r.minutes),
                format!("{:.2}", r.time_amount),
                format!("{:.2}", r.expense_amount),
                format!("{:.2}", r.total()),
            ]));
        }
        Ok(csv("work-in-progress", as_of, out))
    })
    .await
}

pub async fn billed(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<MonthsQuery>,
    req: Request,
) -> Response {
    respond(async {
        let (_, mut tx) = start(&state, &session, req).await?;
        let firm = crate::matters::repo::firm(&mut tx).await?;
        let report = super::api::billed_of(&mut tx, firm, &q).await?;
        tx.commit().await?;
        let mut out =
            row(&["month", "person", "hours billed", "billed", "collected"].map(String::from));
        for r in &report.rows {
            out.push_str(&row(&[
                r.month.clone(),
                r.name.clone(),
                hours(r.billed_minutes),
                format!("{:.2}", r.billed),
                format!("{:.2}", r.collected),
            ]));
        }
        Ok(csv("billed-collected", report.from, out))
    })
    .await
}
