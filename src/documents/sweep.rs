//! The sweep: bytes in the storage that no version names are removed once they are old enough.
//! They are what an upload leaves when its process dies between storing the bytes and writing the
//! rows (a failed write removes its own bytes at once), or a purge whose deletion failed.
//!
//! The sweep and the writing of versions exclude each other: an upload writes its rows holding
//! the sweep's advisory lock shared, after checking that its bytes are still there; the sweep
//! holds it exclusively while it checks a batch of keys against the rows and deletes the
//! unnamed ones. So an upload slower than `older_than` whose first files were swept is refused
//! (nothing half-written), never recorded with missing bytes. Only keys shaped as the server
//! makes them (`uuid/uuid/uuid`) are considered: nothing else in the folder or bucket is touched.

use futures_util::StreamExt;
use sqlx::PgPool;
use uuid::Uuid;

use super::storage::Storage;

/// The advisory lock between the sweep (exclusive) and writing versions (shared).
pub const SWEEP_LOCK: i64 = 0x646f_635f_7377_6570; // "doc_swep"

/// Keys checked and deleted under one hold of the lock (writers wait for it).
const BATCH: usize = 50;

/// Remove unnamed objects older than `older_than`: how many were removed.
pub async fn sweep(
    db: &PgPool,
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
        match next {
            Some(Ok((key, written))) if written < cutoff && ours(&key) => batch.push(key),
            Some(Err(e)) => tracing::warn!(error = %e, "the sweep skipped an unreadable entry"),
            _ => {}
        }
        if batch.len() >= BATCH || (done && !batch.is_empty()) {
            removed += remove_unknown(db, storage, std::mem::take(&mut batch)).await?;
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

/// A key the server made: organization/matter/version ids.
fn ours(key: &str) -> bool {
    let parts: Vec<&str> = key.split('/').collect();
    parts.len() == 3 && parts.iter().all(|p| Uuid::parse_str(p).is_ok())
}

async fn remove_unknown(
    db: &PgPool,
    storage: &Storage,
    keys: Vec<String>,
) -> Result<usize, String> {
    let mut tx = crate::server::db::begin(db, None)
        .await
        .map_err(|e| e.to_string())?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(SWEEP_LOCK)
        .execute(&mut *tx)
        .await
        .map_err(|e| e.to_string())?;
    let known: Vec<String> = sqlx::query_scalar("SELECT document_keys_known($1)")
        .bind(&keys)
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| e.to_string())?;
    let mut removed = 0;
    for key in keys.iter().filter(|k| !known.contains(k)) {
        match storage.delete(key).await {
            Ok(()) => removed += 1,
            Err(e) => tracing::warn!(error = %e, "an unnamed object could not be removed"),
        }
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_servers_keys_are_swept() {
        let id = uuid::Uuid::new_v4();
        assert!(super::ours(&format!("{id}/{id}/{id}")));
        assert!(!super::ours(&format!("{id}/{id}")));
        assert!(!super::ours(&format!("backups/{id}/{id}")));
        assert!(!super::ours("lost+found/x/y"));
    }
}
