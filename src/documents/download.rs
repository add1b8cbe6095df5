//! `GET /documents/{id}/file?version=N&inline=1`: a version's bytes (the newest by default),
//! streamed from the storage, after the same checks as any page (signed in, a member of the
//! document's firm, not walled off from its matter). A link copied to someone else opens nothing
//! for them. One byte range is served when asked for (`Range: bytes=…`), for resumed downloads
//! and PDF viewers.

use axum::body::Body;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use super::repo;
use super::shows_inline;
use crate::auth::caller::Caller;
use crate::error::AppError;
use crate::server::AppState;

#[derive(Debug, Deserialize)]
pub struct FileQuery {
    pub version: Option<i32>,
    /// Shown in the browser (PDFs and images), not saved.
    pub inline: Option<String>,
}

pub async fn file(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<Uuid>,
    Query(q): Query<FileQuery>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let found = async {
        let (_caller, mut tx) = Caller::resolve(&state, &session, Some(&parts)).await?;
        let d = repo::download(&mut tx, id, q.version).await?;
        tx.commit().await?;
        Ok::<_, AppError>(d)
    }
    .await;
    let d = match found {
        Ok(d) => d,
        Err(e) => return e.into_plain_response(),
    };
    let size = d.size.max(0) as u64;
    let etag = format!("\"{}\"", d.sha256);
    // A range asked for against another version (`If-Range` names its ETag) gets the whole file.
    let same = parts
        .headers
        .get(header::IF_RANGE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v == etag);
    let asked = parts
        .headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .filter(|_| same);
    let range = match asked {
        None => None,
        Some(r) => match byte_range(r, size) {
            Ranged::Whole => None,
            Ranged::Part(r) => Some(r),
            Ranged::Unsatisfiable => {
                return (
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    [(header::CONTENT_RANGE, format!("bytes */{size}"))],
                )
                    .into_response()
            }
        },
    };
    let stored = match state.storage.read(&d.key, range.clone()).await {
        Ok(s) => s,
        // Purged since the row was read.
        Err(e) if e.is_not_found() => return AppError::NotFound.into_plain_response(),
        Err(e) => {
            tracing::error!(error = %e, document = %id, version = d.number, "a version's bytes could not be read");
            return AppError::Unavailable.into_plain_response();
        }
    };
    let inline = q.inline.is_some() && shows_inline(&d.content_type);
    let mut res = Response::new(Body::from_stream(stored.body));
    let h = res.headers_mut();
    let value = |s: &str| HeaderValue::from_str(s).unwrap_or(HeaderValue::from_static(""));
    h.insert(header::CONTENT_TYPE, value(&d.content_type));
    h.insert(
        header::CONTENT_DISPOSITION,
        value(&disposition(
            inline,
            &super::download_name(&d.filename, &d.content_type),
        )),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::ETAG, value(&etag));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if inline && d.content_type == "application/pdf" {
        // The browser's PDF viewer is an embedded plugin: `default-src 'none'` would block it.
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; object-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
        );
    } else {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"),
        );
    }
    let len = stored.range.end - stored.range.start;
    h.insert(header::CONTENT_LENGTH, value(&len.to_string()));
    if range.is_some() {
        *res.status_mut() = StatusCode::PARTIAL_CONTENT;
        res.headers_mut().insert(
            header::CONTENT_RANGE,
            value(&format!(
                "bytes {}-{}/{}",
                stored.range.start,
                stored.range.end.saturating_sub(1),
                stored.size
            )),
        );
    }
    res
}

/// `attachment` (or `inline`) with the name as plain ASCII and, exactly, as RFC 5987 UTF-8.
pub fn disposition(inline: bool, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' && c != ';' && c != '%' => c,
            _ => '_',
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!(
        "{}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}",
        if inline { "inline" } else { "attachment" }
    )
}

#[derive(Debug, PartialEq)]
pub enum Ranged {
    /// No usable range (several ranges, another unit, malformed): the whole file.
    Whole,
    Part(std::ops::Range<u64>),
    Unsatisfiable,
}

/// One `bytes=` range of a file of `size` bytes (RFC 9110 §14.1.2).
pub fn byte_range(header: &str, size: u64) -> Ranged {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return Ranged::Whole;
    };
    if spec.contains(',') {
        return Ranged::Whole;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return Ranged::Whole;
    };
    let (a, b) = (a.trim(), b.trim());
    let parsed = |s: &str| s.parse::<u64>().ok();
    let range = match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ranged::Whole,
        (true, false) => match parsed(b) {
            Some(0) => return Ranged::Unsatisfiable,
            Some(n) => size.saturating_sub(n)..size,
            None => return Ranged::Whole,
        },
        (false, _) => {
            let Some(start) = parsed(a) else {
                return Ranged::Whole;
            };
            let end = if b.is_empty() {
                size
            } else {
                match parsed(b) {
                    Some(e) if e >= start => e.saturating_add(1).min(size),
                    _ => return Ranged::Whole,
                }
            };
            start..end
        }
    };
    if range.start >= size || range.is_empty() {
        return Ranged::Unsatisfiable;
    }
    Ranged::Part(range)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(byte_range("bytes=0-99", 1000), Ranged::Part(0..100));
        assert_eq!(byte_range("bytes=900-", 1000), Ranged::Part(900..1000));
        assert_eq!(byte_range("bytes=-100", 1000), Ranged::Part(900..1000));
        assert_eq!(byte_range("bytes=990-2000", 1000), Ranged::Part(990..1000));
        assert_eq!(byte_range("bytes=1000-", 1000), Ranged::Unsatisfiable);
        assert_eq!(byte_range("bytes=0-1,5-9", 1000), Ranged::Whole);
        assert_eq!(byte_range("items=0-1", 1000), Ranged::Whole);
        assert_eq!(byte_range("bytes=9-1", 1000), Ranged::Whole);
        assert_eq!(byte_range("bytes=-5000", 1000), Ranged::Part(0..1000));
        assert_eq!(byte_range("bytes=0-0", 0), Ranged::Unsatisfiable);
        assert_eq!(
            byte_range("bytes=0-18446744073709551615", 10),
            Ranged::Part(0..10)
        );
    }

    #[test]
    fn dispositions_encode_the_name() {
        assert_eq!(
            disposition(false, "Réponse \"finale\".pdf"),
            "attachment; filename=\"R_ponse _finale_.pdf\"; filename*=UTF-8''R%C3%A9ponse%20%22finale%22.pdf"
        );
        assert!(disposition(true, "a.pdf").starts_with("inline; "));
        assert!(!disposition(false, "x\r\nSet-Cookie: a").contains('\n'));
    }
}
