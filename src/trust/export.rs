//! `GET /clients/{id}/trust.csv` and `GET /trust/accounts/{id}/journal.csv`: a ledger over a
//! period (`?from=&to=`) as CSV, every line, with the opening balance first.

use axum::extract::{Path, Query, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;
use uuid::Uuid;

use super::ledgers::server::{load, may_see_client};
use super::statement_repo::Scope;
use super::{LedgerFilter, TrustStatement};
use crate::audit::export::line;
use crate::auth::caller::Caller;
use crate::error::AppError;
use crate::kernel::Choice;
use crate::server::AppState;

pub async fn client(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<Uuid>,
    Query(filter): Query<LedgerFilter>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let built = async {
        let (caller, mut tx) = Caller::resolve(&state, &session, Some(&parts)).await?;
        may_see_client(&mut tx, caller.role).await?;
        let name = super::statement_repo::client_name(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let s = load(&mut tx, Scope::Client(id), (id, name, true), filter, None).await?;
        tx.commit().await?;
        Ok::<_, AppError>(s)
    };
    built
        .await
        .map(|s| csv("client-trust", &s))
        .unwrap_or_else(AppError::into_plain_response)
}

pub async fn journal(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<Uuid>,
    Query(filter): Query<LedgerFilter>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let built = async {
        let (caller, mut tx) = Caller::resolve(&state, &session, Some(&parts)).await?;
        if !super::may_record(caller.role) {
            return Err(AppError::Forbidden);
        }
        let name = super::repo::account_name(&mut tx, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let s = load(&mut tx, Scope::Account(id), (id, name, false), filter, None).await?;
        tx.commit().await?;
        Ok(s)
    };
    built
        .await
        .map(|s| csv("trust-journal", &s))
        .unwrap_or_else(AppError::into_plain_response)
}

fn csv(prefix: &str, s: &TrustStatement) -> Response {
    let mut out = line(&HEADER.map(String::from));
    let period = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    out.push_str(&line(&[
        period(s.from),
        String::new(),
        String::new(),
        String::new(),
        "Opening balance".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        s.opening.to_string(),
    ]));
    for l in &s.lines {
        out.push_str(&line(&[
            l.occurred_on.to_string(),
            l.client_name.clone(),
            l.matter_number.clone(),
            l.account_name.clone(),
            l.kind.label().to_string(),
            l.counterparty.clone(),
            l.purpose.clone(),
            l.reference.clone(),
            l.amount.to_string(),
            l.balance.to_string(),
        ]));
    }
    let name = format!(
        "{prefix}-{}{}.csv",
        s.from
            .map(|d| d.to_string())
            .unwrap_or_else(|| "start".into()),
        s.to.map(|d| format!("-{d}")).unwrap_or_default()
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        out,
    )
        .into_response()
}

const HEADER: [&str; 10] = [
    "date",
    "client",
    "matter",
    "account",
    "entry",
    "from / to",
    "purpose",
    "reference",
    "amount",
    "balance",
];
