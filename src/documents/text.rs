//! The job that reads a version's text for search (kind `document_text`), queued in the upload's
//! transaction. It runs as the person who uploaded (their walls included), reads the bytes from
//! the storage and the text in a bounded child process (`extract`), and records the result on
//! the version: `done` (its text is searchable), `unreadable` (why is in the job's outcome),
//! `none` (a type without text), or `skipped` (too large to read).

use uuid::Uuid;

use super::extract::{self, MAX_INPUT_BYTES};
use crate::jobs::run::{as_member, Claimed, Failure, Outcome};
use crate::server::AppState;

pub async fn run(state: &AppState, job: &Claimed) -> Outcome {
    let org = job.org()?;
    let version: Uuid = job.field("version")?;
    let user = job
        .run_as
        .ok_or_else(|| Failure::GiveUp("the job names no one to run as".into()))?;
    let (_, mut tx) = as_member(state, user, org, |_| true).await?;
    let row: Option<(String, String, i64, String)> = sqlx::query_as(
        "SELECT storage_key, content_type, size_bytes, text_status FROM document_versions WHERE id = $1",
    )
    .bind(version)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    let Some((key, content_type, size, status)) = row else {
        return Err(Failure::GiveUp(
            "the version was purged, or its uploader can no longer see its matter".into(),
        ));
    };
    if status != "pending" {
        return Ok(format!("already read ({status})"));
    }
    let (status, text, outcome) = if !extract::has_text(&content_type) {
        ("none", None, format!("no text is read from {content_type}"))
    } else if size as u64 > MAX_INPUT_BYTES {
        ("skipped", None, "too large to read for search".to_string())
    } else {
        let bytes = read_all(state, &key, size).await?;
        match extract::bounded(&state.config.extractor, &content_type, bytes).await {
            Ok(Ok(text)) => {
                let n = text.chars().count();
                ("done", Some(text), format!("{n} characters of text"))
            }
            Ok(Err(why)) => ("unreadable", None, format!("could not be read: {why}")),
            // The last attempt: the version says so, rather than waiting for ever.
            Err(e) if job.attempts >= job.max_attempts => {
                ("unreadable", None, format!("could not be read: {e}"))
            }
            Err(e) => return Err(Failure::Retry(e)),
        }
    };
    let (_, mut tx) = as_member(state, user, org, |_| true).await?;
    let recorded = sqlx::query(
        "UPDATE document_versions SET text_status = $2, text_content = $3
          WHERE id = $1 AND text_status = 'pending'",
    )
    .bind(version)
    .bind(status)
    .bind(text)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    if recorded == 0 {
        return Ok("already read, or gone".into());
    }
    Ok(outcome)
}

async fn read_all(state: &AppState, key: &str, size: i64) -> Result<Vec<u8>, Failure> {
    use futures_util::StreamExt;
    let mut stored = state
        .storage
        .read(key, None)
        .await
        .map_err(|e| Failure::Retry(e.to_string()))?;
    let mut bytes = Vec::with_capacity(size.max(0) as usize);
    while let Some(chunk) = stored.body.next().await {
        let chunk = chunk.map_err(|e| Failure::Retry(e.to_string()))?;
        if bytes.len() + chunk.len() > MAX_INPUT_BYTES as usize {
            return Err(Failure::GiveUp("larger than it was when uploaded".into()));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}
