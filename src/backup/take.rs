//! Taking a backup: the job, and `docket backup FIRM`.

use std::collections::{HashMap, HashSet};

use futures_util::{StreamExt, TryStreamExt};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use super::manifest::{self, FileEntry, Manifest, Missing, TableFile, FORMAT};
use crate::documents::storage::Storage;
use crate::jobs::run::{Claimed, Failure, Outcome};
use crate::server::AppState;

/// Rows are sent to the backup location in pieces of about this size.
const CHUNK: usize = 1024 * 1024;

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct Taken {
    pub manifest: Manifest,
    /// Where: `{firm}/{day}/{attempt}`.
    pub folder: String,
    /// Document bytes copied this time (the others were there from an earlier night).
    pub copied: usize,
}

impl Taken {
    pub fn summary(&self) -> String {
        let rows: u64 = self.manifest.tables.iter().map(|t| t.rows).sum();
        format!(
            "{}: {rows} rows in {} tables, {} document versions ({} copied)",
            self.manifest.day,
            self.manifest.tables.len(),
            self.manifest.files.len(),
            self.copied
        )
    }
}

/// The job: the firm's backup for the day in its payload.
pub async fn run(state: &AppState, job: &Claimed) -> Outcome {
    let org = job.org()?;
    let day: String = job.field("day")?;
    if !manifest::valid_day(&day) {
        return Err(Failure::GiveUp(format!("not a day: {day:?}")));
    }
    let Some(db) = &state.backup_db else {
        return Err(Failure::Retry(
            "backups need DATABASE_BACKUP_URL (a login of the role docket_backup)".into(),
        ));
    };
    let taken = take(db, &state.storage, &state.backups, org, Some(&day))
        .await
        .map_err(Failure::Retry)?;
    if taken.manifest.missing.is_empty() {
        Ok(taken.summary())
    } else {
        // Written, and says what it lacks; a later attempt takes it again from a new snapshot.
        let missing: Vec<String> = taken
            .manifest
            .missing
            .iter()
            .map(|m| format!("version {}: {}", m.version, m.reason))
            .collect();
        Err(Failure::Retry(format!(
            "{}; not backed up: {}",
            taken.summary(),
            missing.join("; ")
        )))
    }
}

/// The version fields of a `document_versions` row the backup copies bytes for.
#[derive(serde::Deserialize)]
struct VersionRow {
    id: Uuid,
    storage_key: String,
    sha256: String,
    size_bytes: u64,
}

/// Back up firm `org`, over `db` (the `docket_backup` role's connection), as of its `day`
/// (`YYYY-MM-DD`; `None`: the firm's today).
pub async fn take(
    db: &PgPool,
    documents: &Storage,
    backups: &Storage,
    org: Uuid,
    day: Option<&str>,
) -> Result<Taken, String> {
    let db_error = |e: sqlx::Error| format!("database: {e}");
    let store_error = |e: crate::documents::storage::StorageError| e.to_string();

    // One snapshot of every table: a backup is of one moment.
    let snapshot = format!(
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; \
         SELECT set_config('app.user_id', '{}', true), set_config('app.org_id', '{org}', true)",
        Uuid::nil()
    );
    let mut tx = crate::server::db::begin(db, Some(snapshot))
        .await
        .map_err(db_error)?;
    let taken_at = chrono::Utc::now();
    let (firm, today, schema): (String, String, i64) =
        sqlx::query_as("SELECT name, today, schema FROM backup_firm()")
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?
            .ok_or_else(|| format!("no firm {org}"))?;
    let day = day.unwrap_or(&today).to_string();
    if !manifest::valid_day(&day) {
        return Err(format!("not a day: {day:?}"));
    }
    let folder = manifest::attempt_folder(org, &day, taken_at);
    let names: Vec<(String, String)> = sqlx::query_as("SELECT name, scope FROM backup_tables()")
        .fetch_all(&mut *tx)
        .await
        .map_err(db_error)?;

    let mut tables = Vec::with_capacity(names.len());
    let mut versions = Vec::new();
    for (name, scope) in names {
        let path = format!("{folder}/tables/{name}.jsonl");
        let mut out = backups.writer(&path).await.map_err(store_error)?;
        let (mut digest, mut rows, mut bytes, mut buffer) =
            (Sha256::new(), 0u64, 0u64, Vec::with_capacity(CHUNK));
        let mut lines = sqlx::query_scalar::<_, String>("SELECT r FROM backup_rows($1) r")
            .bind(&name)
            .fetch(&mut *tx);
        while let Some(line) = lines.try_next().await.map_err(db_error)? {
            if name == "document_versions" {
                let v: VersionRow = serde_json::from_str(&line)
                    .map_err(|e| format!("a document version's row: {e}"))?;
                versions.push(v);
            }
            buffer.extend_from_slice(line.as_bytes());
            buffer.push(b'\n');
            rows += 1;
            if buffer.len() >= CHUNK {
                digest.update(&buffer);
                bytes += buffer.len() as u64;
                out.write(&buffer).await.map_err(store_error)?;
                buffer.clear();
            }
        }
        drop(lines);
        digest.update(&buffer);
        bytes += buffer.len() as u64;
        out.write(&buffer).await.map_err(store_error)?;
        out.finish().await.map_err(store_error)?;
        tables.push(TableFile {
            name,
            scope,
            path,
            rows,
            bytes,
            sha256: manifest::hex(digest),
        });
    }
    tx.rollback().await.map_err(db_error)?;

    // The bytes: what the location does not have whole yet, by content.
    let there: HashMap<String, u64> = backups
        .sizes_under(&format!("{org}/files"))
        .map_ok(|(key, size)| (key.rsplit('/').next().unwrap_or_default().to_string(), size))
        .try_collect()
        .await
        .map_err(store_error)?;
    let mut copied: HashSet<String> = HashSet::new();
    let (mut files, mut missing) = (Vec::with_capacity(versions.len()), Vec::new());
    for v in versions {
        let path = manifest::file_path(org, &v.sha256);
        let whole = there.get(&v.sha256) == Some(&v.size_bytes) || copied.contains(&v.sha256);
        if !whole {
            if let Err(e) = copy(documents, backups, &v.storage_key, &path, &v.sha256).await {
                tracing::error!(version = %v.id, error = %e, "a document version was not backed up");
                missing.push(Missing {
                    version: v.id,
                    reason: e,
                });
                continue;
            }
            copied.insert(v.sha256.clone());
        }
        files.push(FileEntry {
            version: v.id,
            storage_key: v.storage_key,
            path,
            sha256: v.sha256,
            bytes: v.size_bytes,
        });
    }

    let manifest = Manifest {
        format: FORMAT.into(),
        organization_id: org,
        firm,
        day,
        taken_at,
        schema,
        tables,
        files,
        missing,
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| e.to_string())?;
    backups
        .put(&format!("{folder}/manifest.json"), json)
        .await
        .map_err(store_error)?;
    let taken = Taken {
        manifest,
        copied: copied.len(),
        folder,
    };
    tracing::info!(firm = %org, folder = %taken.folder, summary = %taken.summary(), "backup written");
    Ok(taken)
}

/// Copy one object from `from` to `to`, checking its SHA-256 on the way: a copy that is not
/// what the row says is not kept.
pub(super) async fn copy(
    from: &Storage,
    to: &Storage,
    key: &str,
    path: &str,
    sha256: &str,
) -> Result<(), String> {
    let stored = from.read(key, None).await.map_err(|e| e.to_string())?;
    let mut out = to.writer(path).await.map_err(|e| e.to_string())?;
    let mut digest = Sha256::new();
    let mut body = stored.body;
    while let Some(chunk) = body.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                out.abort().await;
                return Err(format!("reading {key}: {e}"));
            }
        };
        digest.update(&chunk);
        if let Err(e) = out.write(&chunk).await {
            out.abort().await;
            return Err(e.to_string());
        }
    }
    let got = manifest::hex(digest);
    if got != sha256 {
        out.abort().await;
        return Err(format!("{key} has SHA-256 {got}, not {sha256}"));
    }
    out.finish().await.map_err(|e| e.to_string())
}
