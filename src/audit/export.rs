//! `GET /activity/export.csv`: the firm's activity log (with the page's filters) as CSV, for
//! administrators. Streamed in keyset chunks, each in its own short firm-scoped transaction, so
//! a long log neither sits in memory nor holds a connection.

use axum::body::{Body, Bytes};
use axum::extract::{Query, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use futures_util::stream;
use tower_sessions::Session;

use super::{record, ActivityEntry, ActivityQuery, Entry};
use crate::auth::caller::Caller;
use crate::error::AppError;
use crate::kernel::PageRequest;
use crate::server::db::tenant_tx;
use crate::server::AppState;

const CHUNK: u32 = 1000;

pub async fn csv(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<ActivityQuery>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    // A download that writes to the log: only from Docket's own pages, not from a link elsewhere.
    let site = parts
        .headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok());
    if site.is_some_and(|s| s != "same-origin" && s != "none") {
        return AppError::Forbidden.into_plain_response();
    }
    let caller = match start(&state, &session, &parts).await {
        Ok(caller) => caller,
        Err(e) => return e.into_plain_response(),
    };
    // The next chunk starts after the cursor of the last (`None`: at the start; done: `Err`).
    let body = stream::unfold(Some(None), move |next: Option<Option<String>>| {
        let (state, caller, mut query) = (state.clone(), caller.clone(), query.clone());
        async move {
            let after = next?;
            query.paging = PageRequest {
                after: after.clone().unwrap_or_default(),
                ..Default::default()
            };
            let chunk = async {
                let mut tx = tenant_tx(&state.db, caller.user_id, Some(caller.org_id)).await?;
                let page = super::repo::firm_page(&mut tx, &query, CHUNK).await?;
                tx.commit().await?;
                Ok::<_, AppError>(page)
            }
            .await;
            let page = match chunk {
                Ok(page) => page,
                Err(e) => {
                    tracing::error!(error = %e, "activity export failed part-way");
                    return Some((Err(std::io::Error::other("export failed")), None));
                }
            };
            let mut out = String::new();
            if after.is_none() {
                out.push_str(&line(&HEADER.map(String::from)));
            }
            for entry in &page.items {
                out.push_str(&line(&fields(entry)));
            }
            Some((Ok(Bytes::from(out)), page.next.map(Some)))
        }
    });
    let filename = format!("activity-{}.csv", Utc::now().format("%Y-%m-%d"));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// Resolve an administrator and record the export itself in the log.
async fn start(
    state: &AppState,
    session: &Session,
    parts: &axum::http::request::Parts,
) -> Result<Caller, AppError> {
    let (caller, mut tx) = Caller::resolve(state, session, Some(parts)).await?;
    caller.require_admin()?;
    let entry = Entry::new("audit.export", "user", caller.user_id)
        .summary("Exported the activity log as CSV");
    record(&mut tx, &caller, entry).await?;
    tx.commit().await?;
    Ok(caller)
}

const HEADER: [&str; 8] = [
    "time",
    "person",
    "action",
    "record type",
    "record id",
    "summary",
    "changes",
    "ip address",
];

fn fields(e: &ActivityEntry) -> [String; 8] {
    let changes = e
        .changes
        .iter()
        .map(|c| format!("{}: {} → {}", c.field, c.from, c.to))
        .collect::<Vec<_>>()
        .join("; ");
    [
        e.at.clone(),
        e.user_name.clone(),
        e.action.clone(),
        e.resource_type.clone(),
        e.resource_id.map(|id| id.to_string()).unwrap_or_default(),
        e.summary.clone(),
        changes,
        e.ip_address.clone().unwrap_or_default(),
    ]
}

/// One CSV record (RFC 4180). A cell that a spreadsheet would run as a formula gets a leading
/// apostrophe; a plain number (such as -150.00) is left a number.
pub(crate) fn line(cells: &[String]) -> String {
    let mut out = cells
        .iter()
        .map(|c| {
            let number = rust_decimal::Decimal::from_str_exact(c).is_ok();
            let c = if c.starts_with(['=', '+', '-', '@', '\t', '\r']) && !number {
                format!("'{c}")
            } else {
                c.clone()
            };
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::line;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        let cells = [
            "a,b".to_string(),
            "say \"hi\"".into(),
            "=SUM(A1)".into(),
            "plain".into(),
            "-150.00".into(),
            "-1+2".into(),
        ];
        assert_eq!(
            line(&cells),
            "\"a,b\",\"say \"\"hi\"\"\",'=SUM(A1),plain,-150.00,'-1+2\r\n"
        );
    }
}
