//! `docket restore {firm}/{day}`: a backup written back into a database that does not hold the
//! firm (after a disaster, an empty one), as the schema owner.
//!
//! Rows are written in one transaction with `session_replication_role = replica`, so they go in
//! exactly as they were: no trigger stamps a new time or version on them, and the foreign keys
//! they satisfied when taken are not checked table by table. Because nothing checks them then,
//! everything is checked here: the manifest names exactly this schema's tables; each file's
//! SHA-256 and count of rows; every firm row is the firm's (a row of another firm in a file is
//! refused, whoever wrote it); everyone the rows name is there afterwards; every document
//! version's bytes are accounted for. People already in the database are left as they are
//! (their password, their second factor): only people new to it are written, and people another
//! firm's restore wrote only as named (no password digest: they were not its members) get this
//! firm's digest and factors. Jobs that were waiting or running are kept as failed, not run
//! again by themselves (reading documents' text is queued again: it is safe to repeat). Any
//! difference and nothing is kept but bytes no row names, which the storage sweep removes.

use std::collections::HashSet;

use futures_util::{StreamExt, TryStreamExt};
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::manifest::{self, Manifest, TableFile, FORMAT};
use super::take::copy;
use crate::documents::storage::Storage;

/// Rows sent to PostgreSQL in one statement, at most…
const BATCH_ROWS: usize = 500;
/// …and bytes of them.
const BATCH_BYTES: usize = 16 * 1024 * 1024;

/// What a restore wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Restored {
    pub firm: String,
    /// The attempt restored: `{firm}/{day}/{attempt}`.
    pub folder: String,
    pub rows: u64,
    pub files: usize,
    /// Versions the backup could not copy (their rows are restored; their bytes are not).
    pub missing: Vec<Uuid>,
}

/// Restore the backup at `at` (`{firm}/{day}`: its newest finished attempt; or one attempt's
/// folder) into the database of `admin` (migrated first), the bytes into `documents`.
pub async fn restore(
    admin: &PgPool,
    backups: &Storage,
    documents: &Storage,
    at: &str,
) -> Result<Restored, String> {
    let folder = find(backups, at).await?;
    let manifest: Manifest = serde_json::from_slice(
        &backups
            .get(&format!("{folder}/manifest.json"))
            .await
            .map_err(|e| format!("the backup's manifest: {e}"))?,
    )
    .map_err(|e| format!("the backup's manifest: {e}"))?;
    let org = manifest.organization_id;
    crate::server::db::migrate(admin)
        .await
        .map_err(|e| format!("migrations: {e}"))?;

    let db_error = |e: sqlx::Error| format!("database: {e}");
    let mut tx = admin.begin().await.map_err(db_error)?;
    sqlx::query("SELECT set_config('app.org_id', $1, true)")
        .bind(org.to_string())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .map_err(|e| format!("the restoring role may not set session_replication_role: {e}"))?;
    let schema: Option<i64> =
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
    let tables: Vec<(String, String)> = sqlx::query_as("SELECT name, scope FROM backup_tables()")
        .fetch_all(&mut *tx)
        .await
        .map_err(db_error)?;
    check(&manifest, &folder, schema.unwrap_or(0), &tables)?;
    let there: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM organizations WHERE id = $1)")
            .bind(org)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
    if there {
        return Err(format!(
            "the firm {} ({org}) is already in this database: restore into one without it",
            manifest.firm
        ));
    }

    let (mut rows, mut new_people, mut versions) = (0, Vec::new(), HashSet::new());
    for table in &manifest.tables {
        let scope = &tables
            .iter()
            .find(|t| t.0 == table.name)
            .expect("checked")
            .1;
        rows += load(
            &mut tx,
            backups,
            table,
            scope,
            org,
            &mut new_people,
            &mut versions,
        )
        .await?;
    }
    let missing_people: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM backup_people() p WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = p)",
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(db_error)?;
    if missing_people > 0 {
        return Err(format!(
            "{missing_people} of the people the firm's rows name are not in the backup"
        ));
    }
    let accounted: HashSet<Uuid> = manifest
        .files
        .iter()
        .map(|f| f.version)
        .chain(manifest.missing.iter().map(|m| m.version))
        .collect();
    if accounted != versions {
        return Err(
            "the backup's files do not match its document versions: it is not whole".into(),
        );
    }
    // What was waiting or running when the backup was taken is not done again by itself (an
    // e-mail could go twice), but reading a document's text, which is safe to repeat.
    sqlx::query(
        "UPDATE jobs SET status = 'dead', lease_until = NULL, locked_by = NULL, finished_at = now(),
                last_error = 'Restored from a backup: not run again by itself (Retry runs it).'
          WHERE organization_id = $1 AND status IN ('queued', 'running') AND kind <> 'document_text'",
    )
    .bind(org)
    .execute(&mut *tx)
    .await
    .map_err(db_error)?;
    sqlx::query(
        "UPDATE jobs SET status = 'queued', lease_until = NULL, locked_by = NULL, run_at = now()
          WHERE organization_id = $1 AND status IN ('queued', 'running') AND kind = 'document_text'",
    )
    .bind(org)
    .execute(&mut *tx)
    .await
    .map_err(db_error)?;

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
    // The storage sweep (`documents::sweep`) removes bytes no committed row names once they are
    // an hour old: hold it off, and check that none was taken while the bytes were copied.
    sqlx::query("SELECT pg_advisory_xact_lock_shared($1)::text")
        .bind(crate::documents::sweep::SWEEP_LOCK)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
    for file in &manifest.files {
        if !documents
            .exists(&file.storage_key)
            .await
            .map_err(|e| e.to_string())?
        {
            return Err(format!(
                "document version {}: its bytes were removed while the restore ran (the storage sweep of a server on another database?)",
                file.version
            ));
        }
    }
    tx.commit().await.map_err(db_error)?;
    let missing: Vec<Uuid> = manifest.missing.iter().map(|m| m.version).collect();
    if !missing.is_empty() {
        tracing::error!(?missing, "restored without the bytes of these document versions (the backup could not copy them)");
    }
    tracing::info!(firm = %org, %folder, rows, files = manifest.files.len(), "backup restored");
    Ok(Restored {
        firm: manifest.firm,
        folder,
        rows,
        files: manifest.files.len(),
        missing,
    })
}

/// The attempt folder `at` names: itself when it holds a manifest, else the newest attempt of
/// the day `at` names that holds one.
async fn find(backups: &Storage, at: &str) -> Result<String, String> {
    let at = at
        .trim_end_matches('/')
        .trim_end_matches("manifest.json")
        .trim_end_matches('/');
    let parts: Vec<&str> = at.split('/').collect();
    let shaped = matches!(parts.len(), 2 | 3)
        && Uuid::parse_str(parts[0]).is_ok()
        && manifest::valid_day(parts[1]);
    if !shaped {
        return Err(format!("{at:?}: give FIRM_ID/DAY (e.g. 0190…/2026-11-27)"));
    }
    if parts.len() == 3 {
        return Ok(at.to_string());
    }
    let finished: Vec<String> = backups
        .sizes_under(at)
        .map_ok(|(key, _)| key)
        .try_filter(|key| std::future::ready(key.ends_with("/manifest.json")))
        .try_collect()
        .await
        .map_err(|e| e.to_string())?;
    finished
        .into_iter()
        .max()
        .map(|key| key.trim_end_matches("/manifest.json").to_string())
        .ok_or_else(|| format!("no finished backup in {at}"))
}

/// A manifest this build can restore: this schema, exactly this schema's tables, and every path
/// the firm's own.
fn check(
    manifest: &Manifest,
    folder: &str,
    schema: i64,
    tables: &[(String, String)],
) -> Result<(), String> {
    if manifest.format != FORMAT {
        return Err(format!(
            "not a backup this release reads: {:?}",
            manifest.format
        ));
    }
    if manifest.schema != schema {
        return Err(format!(
            "the backup's schema is {}, this release's is {schema}: restore with the release that took it, then upgrade",
            manifest.schema
        ));
    }
    let org = manifest.organization_id;
    if !folder.starts_with(&format!("{}/", manifest::day_folder(org, &manifest.day))) {
        return Err(format!(
            "the manifest in {folder} is of {org} on {}",
            manifest.day
        ));
    }
    let named: Vec<&str> = manifest.tables.iter().map(|t| t.name.as_str()).collect();
    let known: Vec<&str> = tables.iter().map(|t| t.0.as_str()).collect();
    if named != known {
        return Err(format!(
            "the backup's tables are not this schema's: {named:?}, not {known:?}"
        ));
    }
    for t in &manifest.tables {
        if t.path != format!("{folder}/tables/{}.jsonl", t.name) {
            return Err(format!("table {} is not in the backup's folder", t.name));
        }
    }
    for f in manifest.files.iter() {
        let sha_ok = f.sha256.len() == 64 && f.sha256.bytes().all(|b| b.is_ascii_hexdigit());
        let key_ok = f.storage_key == format!("{org}/{}", rest_of(&f.storage_key))
            && rest_of(&f.storage_key)
                .split('/')
                .all(|p| Uuid::parse_str(p).is_ok());
        if !sha_ok || !key_ok || f.path != manifest::file_path(org, &f.sha256) {
            return Err(format!("document version {} is not the firm's", f.version));
        }
    }
    Ok(())
}

/// What follows the first `/` of a key.
fn rest_of(key: &str) -> &str {
    key.split_once('/').map_or("", |p| p.1)
}

/// Write one table's rows, checking the file's SHA-256, its count of rows and that every row is
/// the firm's. People already in the database are left as they are; the ids of those written
/// are added to `new_people`, and a person's factors are written only for them.
async fn load(
    conn: &mut PgConnection,
    backups: &Storage,
    table: &TableFile,
    scope: &str,
    org: Uuid,
    new_people: &mut Vec<Uuid>,
    versions: &mut HashSet<Uuid>,
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
    let only = match (scope, table.name.as_str()) {
        ("firm", _) => "r.organization_id = $2",
        ("organization", _) => "r.id = $2",
        (_, "users") => "NOT EXISTS (SELECT 1 FROM public.users u WHERE u.id = r.id)",
        _ => "r.user_id = ANY($3) ON CONFLICT DO NOTHING",
    };
    let users = table.name == "users";
    let mut insert = format!(
        "INSERT INTO public.{name} ({columns}) SELECT {columns} \
         FROM jsonb_populate_recordset(NULL::public.{name}, $1::jsonb) r WHERE {only} \
         RETURNING {returning}",
        name = quote(&table.name),
        returning = if users { "id" } else { "NULL::uuid" },
    );
    if users {
        // Someone another firm's backup only named (no digest there: not its member) and this
        // one has as a member: they get their digest here, and their factors after.
        insert = format!(
            "WITH r AS (SELECT * FROM jsonb_populate_recordset(NULL::public.users, $1::jsonb)), \
                  named AS (UPDATE public.users u SET password_hash = r.password_hash FROM r \
                             WHERE u.id = r.id AND u.password_hash IS NULL AND r.password_hash IS NOT NULL \
                             RETURNING u.id), \
                  added AS ({insert}) \
             SELECT id FROM named UNION ALL SELECT id FROM added"
        );
    }
    let firm_rows = scope != "person";

    let mut body = backups
        .read(&table.path, None)
        .await
        .map_err(|e| format!("{}: {e}", table.path))?
        .body;
    let mut digest = Sha256::new();
    let (mut pending, mut batch, mut size) = (Vec::new(), Vec::with_capacity(BATCH_ROWS), 0usize);
    let (mut lines, mut written, mut scanned) = (0u64, 0u64, 0usize);
    loop {
        let chunk = body.next().await;
        let done = chunk.is_none();
        if let Some(chunk) = chunk {
            let chunk = chunk.map_err(|e| format!("{}: {e}", table.path))?;
            digest.update(&chunk);
            pending.extend_from_slice(&chunk);
        }
        // Each byte is looked at once: lines are cut out by position, and what they took is
        // dropped from the buffer once per chunk.
        let (mut start, mut from) = (0, scanned);
        while let Some(at) = pending[from..].iter().position(|b| *b == b'\n') {
            let end = from + at;
            let line = std::str::from_utf8(&pending[start..end])
                .map_err(|_| format!("{}: not UTF-8", table.path))?
                .trim_end()
                .to_string();
            (start, from) = (end + 1, end + 1);
            if table.name == "document_versions" {
                let v: IdOnly =
                    serde_json::from_str(&line).map_err(|e| format!("{}: {e}", table.path))?;
                versions.insert(v.id);
            }
            size += line.len();
            batch.push(line);
            lines += 1;
            if batch.len() == BATCH_ROWS || size >= BATCH_BYTES {
                size = 0;
                written +=
                    write(conn, &insert, std::mem::take(&mut batch), org, new_people).await?;
            }
        }
        pending.drain(..start);
        scanned = pending.len();
        if done {
            break;
        }
    }
    if !pending.is_empty() {
        return Err(format!("{}: its last line is cut off", table.path));
    }
    if !batch.is_empty() {
        written += write(conn, &insert, batch, org, new_people).await?;
    }
    let got = manifest::hex(digest);
    if got != table.sha256 {
        return Err(format!(
            "{} has SHA-256 {got}, not {}: it was changed",
            table.path, table.sha256
        ));
    }
    if lines != table.rows {
        return Err(format!(
            "{} has {lines} rows, not {}",
            table.path, table.rows
        ));
    }
    if firm_rows && written != lines {
        return Err(format!(
            "{} holds {} rows of another firm",
            table.path,
            lines - written
        ));
    }
    Ok(written)
}

#[derive(serde::Deserialize)]
struct IdOnly {
    id: Uuid,
}

/// Send one batch (a JSON array of rows); how many rows were written. The ids of people written
/// are added to `new_people`.
async fn write(
    conn: &mut PgConnection,
    insert: &str,
    batch: Vec<String>,
    org: Uuid,
    new_people: &mut Vec<Uuid>,
) -> Result<u64, String> {
    let array = format!("[{}]", batch.join(","));
    let ids: Vec<Option<Uuid>> = sqlx::query_scalar(sqlx::AssertSqlSafe(insert.to_string()))
        .bind(array)
        .bind(org)
        .bind(new_people.clone())
        .fetch_all(conn)
        .await
        .map_err(|e| format!("writing rows: {e}"))?;
    new_people.extend(ids.iter().flatten());
    Ok(ids.len() as u64)
}

/// A table name as an SQL identifier (names come from `backup_tables`, checked before).
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
