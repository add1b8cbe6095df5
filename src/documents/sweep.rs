//! The sweep: bytes in the storage that no version names are removed once they are old enough.
//! They are what an upload leaves when its process dies between storing the bytes and writing the
//! rows (a failed write removes its own bytes at once), or a purge whose deletion failed. A
//! version's row is written only after its bytes, so an object younger than `older_than` may be
//! an upload about to be recorded and is left alone. One replica sweeps at a time (an advisory
//! lock); the others skip that round.

use futures_util::StreamExt;
use sqlx::PgPool;

use super::storage::Storage;

/// The advisory lock of the sweep (any replica holding it sweeps).
const SWEEP_LOCK: i64 = 0x646f_635f_7377_6570; // "doc_swep"

/// Remove unnamed objects older than `older_than`: how many were removed (`None`: another
/// replica is sweeping).
pub async fn sweep(
    db: &PgPool,
    storage: &Storage,
    older_than: std::time::Duration,
) -> Result<Option<usize>, String> {
    let mut conn = db.acquire().await.map_err(|e| e.to_string())?;
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(SWEEP_LOCK)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| e.to_string())?;
    if !locked {
        return Ok(None);
    }
    let result = sweep_locked(&mut conn, storage, older_than).await;
    let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(SWEEP_LOCK)
        .execute(&mut *conn)
        .await;
    result.map(Some)
}

async fn sweep_locked(
    conn: &mut sqlx::PgConnection,
    storage: &Storage,
    older_than: std::time::Duration,
) -> Result<usize, String> {
    let cutoff = chrono::Utc::now()
        - chrono::Duration::from_std(older_than).unwrap_or(chrono::Duration::hours(1));
    let mut removed = 0;
    let mut batch = Vec::with_capacity(BATCH);
    let mut list = storage.list();
    loop {
        let next = list.next().await;
        let done = next.is_none();
        if let Some(item) = next {
            let (key, written) = item.map_err(|e| e.to_string())?;
            if written < cutoff {
                batch.push(key);
            }
        }
        if batch.len() >= BATCH || (done && !batch.is_empty()) {
            removed += remove_unknown(conn, storage, std::mem::take(&mut batch)).await?;
        }
        if done {
            break;
        }
    }
    if removed > 0 {
        tracing::info!(removed, "document bytes no version names were removed");
    }
    Ok(removed)
}

const BATCH: usize = 500;

async fn remove_unknown(
    conn: &mut sqlx::PgConnection,
    storage: &Storage,
    keys: Vec<String>,
) -> Result<usize, String> {
    let known: Vec<String> = sqlx::query_scalar("SELECT document_keys_known($1)")
        .bind(&keys)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| e.to_string())?;
    let mut removed = 0;
    for key in keys.iter().filter(|k| !known.contains(k)) {
        match storage.delete(key).await {
            Ok(()) => removed += 1,
            Err(e) => tracing::warn!(error = %e, "an unnamed object could not be removed"),
        }
    }
    Ok(removed)
}
