//! `docket restore {firm}/{day}`: a backup written back into a database that does not hold the
//! firm (after a disaster, an empty one), as the schema owner.
//!
//! Rows are written in one transaction with `session_replication_role = replica`: they go in
//! exactly as they were (no trigger stamps a new time or version on them, and the foreign keys
//! they satisfied when taken are not checked table by table). Every file's SHA-256 is checked as
//! it is read; any difference, a table the schema does not know, or the firm already there, and
//! the transaction is rolled back: nothing is kept but bytes no row names, which the storage
//! sweep removes.

use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};

use super::manifest::{self, Manifest, TableFile, FORMAT};
use super::take::{copy, schema_version};
use crate::documents::storage::Storage;

/// Rows sent to PostgreSQL in one statement, at most.
const BATCH_ROWS: usize = 500;

/// What a restore wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Restored {
    pub firm: String,
    pub rows: u64,
    pub files: usize,
}

/// Restore the backup in folder `at` (`{firm}/{day}`, or its `manifest.json`) into the database
/// of `admin` (migrated first), with the documents' bytes into `documents`.
pub async fn restore(
    admin: &PgPool,
    backups: &Storage,
    documents: &Storage,
    at: &str,
) -> Result<Restored, String> {
    let folder = at
        .trim_end_matches('/')
        .trim_end_matches("manifest.json")
        .trim_end_matches('/');
    let manifest: Manifest = serde_json::from_slice(
        &backups
            .get(&format!("{folder}/manifest.json"))
            .await
            .map_err(|e| format!("the backup's manifest: {e}"))?,
    )
    .map_err(|e| format!("the backup's manifest: {e}"))?;
    check(&manifest, folder)?;
    crate::server::db::migrate(admin)
        .await
        .map_err(|e| format!("migrations: {e}"))?;

    let db_error = |e: sqlx::Error| format!("database: {e}");
    let mut tx = admin.begin().await.map_err(db_error)?;
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .map_err(|e| format!("the restoring role may not set session_replication_role: {e}"))?;
    let there: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM organizations WHERE id = $1)")
            .bind(manifest.organization_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
    if there {
        return Err(format!(
            "the firm {} ({}) is already in this database: restore into one without it",
            manifest.firm, manifest.organization_id
        ));
    }
    let known: Vec<String> = sqlx::query_scalar("SELECT name FROM backup_tables()")
        .fetch_all(&mut *tx)
        .await
        .map_err(db_error)?;

    let mut rows = 0;
    for table in &manifest.tables {
        if !known.contains(&table.name) {
            return Err(format!("this schema has no table {:?}", table.name));
        }
        rows += load(&mut tx, backups, table).await?;
    }
    // Everyone the rows name is there (someone of the same e-mail under another id would not be).
    sqlx::query("SELECT set_config('app.org_id', $1, true)")
        .bind(manifest.organization_id.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
    let missing: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM backup_people() p WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = p)",
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(db_error)?;
    if missing > 0 {
        return Err(format!(
            "{missing} of the people the firm's rows name are not in this database \
             (someone with the same e-mail address under another id?)"
        ));
    }
    for file in &manifest.files {
        copy(
            backups,
            documents,
            &file.path,
            &file.storage_key,
            &file.sha256,
        )
        .await
        .map_err(|e| format!("document version {}: {e}", file.version))?;
    }
    tx.commit().await.map_err(db_error)?;
    tracing::info!(firm = %manifest.organization_id, day = %manifest.day, rows, files = manifest.files.len(), "backup restored");
    Ok(Restored {
        firm: manifest.firm,
        rows,
        files: manifest.files.len(),
    })
}

/// A manifest this build can restore, whose every path is the firm's own.
fn check(manifest: &Manifest, folder: &str) -> Result<(), String> {
    if manifest.format != FORMAT {
        return Err(format!(
            "not a backup this release reads: {:?}",
            manifest.format
        ));
    }
    if manifest.schema != schema_version() {
        return Err(format!(
            "the backup's schema is {}, this release's is {}: restore with the release that took it, then upgrade",
            manifest.schema,
            schema_version()
        ));
    }
    let org = manifest.organization_id;
    if folder != manifest::folder(org, &manifest.day) {
        return Err(format!(
            "the manifest in {folder} is of {org} on {}",
            manifest.day
        ));
    }
    for t in &manifest.tables {
        if t.path != format!("{folder}/tables/{}.jsonl", t.name) {
            return Err(format!("table {} is not in the backup's folder", t.name));
        }
    }
    for f in &manifest.files {
        let sha_ok = f.sha256.len() == 64 && f.sha256.bytes().all(|b| b.is_ascii_hexdigit());
        if !sha_ok
            || f.path != manifest::file_path(org, &f.sha256)
            || !f.storage_key.starts_with(&format!("{org}/"))
        {
            return Err(format!("document version {} is not the firm's", f.version));
        }
    }
    Ok(())
}

/// Write one table's rows, checking the file's SHA-256 and its count of rows.
async fn load(
    conn: &mut PgConnection,
    backups: &Storage,
    table: &TableFile,
) -> Result<u64, String> {
    let columns: String = sqlx::query_scalar(
        "SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
           FROM pg_attribute a
          WHERE a.attrelid = ('public.' || quote_ident($1))::regclass
            AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''",
    )
    .bind(&table.name)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| format!("table {}: {e}", table.name))?;
    let insert = format!(
        "INSERT INTO public.{name} ({columns}) SELECT {columns} \
         FROM jsonb_populate_recordset(NULL::public.{name}, $1::jsonb){conflict}",
        name = quote(&table.name),
        conflict = if table.scope == "person" {
            // Someone of another firm restored before: they are there already.
            " ON CONFLICT DO NOTHING"
        } else {
            ""
        },
    );

    let mut body = backups
        .read(&table.path, None)
        .await
        .map_err(|e| format!("{}: {e}", table.path))?
        .body;
    let (mut digest, mut pending, mut batch, mut rows) = (
        Sha256::new(),
        Vec::new(),
        Vec::with_capacity(BATCH_ROWS),
        0u64,
    );
    loop {
        let chunk = body.next().await;
        let done = chunk.is_none();
        if let Some(chunk) = chunk {
            let chunk = chunk.map_err(|e| format!("{}: {e}", table.path))?;
            digest.update(&chunk);
            pending.extend_from_slice(&chunk);
        }
        while let Some(end) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            batch.push(String::from_utf8(line).map_err(|_| format!("{}: not UTF-8", table.path))?);
            if batch.len() == BATCH_ROWS {
                rows += write(conn, &insert, &mut batch).await?;
            }
        }
        if done {
            break;
        }
    }
    if !pending.is_empty() {
        return Err(format!("{}: its last line is cut off", table.path));
    }
    rows += write(conn, &insert, &mut batch).await?;
    let got = manifest::hex(digest);
    if got != table.sha256 {
        return Err(format!(
            "{} has SHA-256 {got}, not {}: it was changed",
            table.path, table.sha256
        ));
    }
    if rows != table.rows {
        return Err(format!(
            "{} has {rows} rows, not {}",
            table.path, table.rows
        ));
    }
    Ok(rows)
}

/// Send the lines of `batch` as one statement; how many lines it held.
async fn write(
    conn: &mut PgConnection,
    insert: &str,
    batch: &mut Vec<String>,
) -> Result<u64, String> {
    if batch.is_empty() {
        return Ok(0);
    }
    let n = batch.len() as u64;
    let array = format!(
        "[{}]",
        batch
            .iter()
            .map(|l| l.trim_end())
            .collect::<Vec<_>>()
            .join(",")
    );
    batch.clear();
    sqlx::query(sqlx::AssertSqlSafe(insert.to_string()))
        .bind(array)
        .execute(conn)
        .await
        .map_err(|e| format!("writing rows: {e}"))?;
    Ok(n)
}

/// A table name as an SQL identifier (names come from `backup_tables`, checked before).
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
