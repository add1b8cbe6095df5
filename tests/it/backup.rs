//! The nightly backup of a firm: scheduled once a firm a night, read as the backup role, written
//! to S3-compatible storage (the S3 stand-in), restored into an empty database with identical
//! rows and files beside another firm restored first; a changed file, a row of another firm, a
//! manifest that is not whole, or a firm already there are refused with nothing kept.

use axum::http::StatusCode;
use docket::backup::restore::restore;
use docket::documents::storage::{Storage, StorageConfig};
use docket::jobs::worker::run_due;
use futures_util::{StreamExt, TryStreamExt};
use sqlx::PgPool;
use uuid::Uuid;

use crate::documents::{pdf, upload};
use crate::support::{documents_dir, empty_database, s3_storage, TestApp};

/// Every row of `table` that belongs to firm `org`, whole (generated columns too), sorted.
async fn rows_of(db: &PgPool, table: &str, scope: &str, org: Uuid) -> Vec<String> {
    let filter = match scope {
        "firm" => "organization_id = $1",
        "organization" => "id = $1",
        "person" if table == "users" => {
            "id IN (SELECT user_id FROM user_organizations WHERE organization_id = $1)"
        }
        _ => "user_id IN (SELECT user_id FROM user_organizations WHERE organization_id = $1)",
    };
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT to_jsonb(t)::text AS r FROM public.{table} t WHERE {filter} ORDER BY 1"
    )))
    .bind(org)
    .fetch_all(db)
    .await
    .unwrap()
}

async fn count(db: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(db)
        .await
        .unwrap()
}

/// Fire the schedule at `moment`, then run every due job; the backup jobs' outcomes.
async fn night(app: &TestApp, moment: &str) -> Vec<(Uuid, String, String)> {
    sqlx::query("SELECT job_schedule_at($1::timestamptz)")
        .bind(moment)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    while run_due(&app.state, "backup-test").await.unwrap().is_some() {}
    sqlx::query_as(
        "SELECT organization_id, status, coalesce(outcome, last_error, '') FROM jobs
          WHERE kind = 'backup' AND payload->>'day' = left($1, 10) ORDER BY organization_id",
    )
    .bind(moment)
    .fetch_all(&app.admin_pool)
    .await
    .unwrap()
}

async fn bytes(storage: &Storage, key: &str) -> Vec<u8> {
    let stored = storage.read(key, None).await.unwrap();
    let chunks: Vec<_> = stored.body.try_collect().await.unwrap();
    chunks.concat()
}

#[tokio::test]
async fn a_backup_restores_into_an_empty_database_with_identical_rows_and_files() {
    let s3 = s3_storage().await;
    let app = TestApp::spawn_with(move |c| c.backups = s3).await;
    sqlx::query("UPDATE organizations SET timezone = 'UTC'")
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let a = app.a.id;

    // Firm A: documents (two with the same bytes), a walled-off matter with its own document, an
    // invoice; firm B: a client of its own.
    let (mut c, m) = crate::documents::matter(&app).await;
    let brief = pdf(300_000, 7);
    let res = upload(
        &mut c,
        &format!("/matters/{m}/documents"),
        a,
        &[
            ("Brief.pdf", &brief),
            ("notes.txt", b"Deposition notes, day 1\n"),
            ("Brief copy.pdf", &brief),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let mut admin = app.signed_in(app.a.admin).await;
    let client = crate::clients::create(&mut admin, "Walled Client").await;
    let walled = crate::matters::create(&mut admin, client, "Walled matter", None)
        .await
        .unwrap();
    let res = upload(
        &mut admin,
        &format!("/matters/{walled}/documents"),
        a,
        &[("secret.txt", b"Only the admin sees this\n")],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let v = crate::walls::version(&app, walled).await;
    let res = crate::walls::wall(&mut admin, walled, v, &[app.a.admin]).await;
    assert!(res.status.is_success(), "{res:?}");
    let mut billing = app.signed_in(app.a.billing).await;
    crate::invoices::draft(&app, &mut billing, 2).await;
    let mut beta = app.signed_in(app.b.attorney).await;
    crate::clients::create(&mut beta, "Beta's own client").await;

    // Firm A's administrator and the person of both firms (no longer a member of B) sign in
    // with a second factor; a row of firm B names A's administrator (as a forged write could),
    // so B's backup holds her account but not her secrets.
    for who in [app.a.admin, app.multi] {
        sqlx::query(
            "INSERT INTO user_totp (user_id, secret, confirmed_at, last_step) VALUES ($1, $2, now(), 0)",
        )
        .bind(who)
        .bind(vec![7u8; 20])
        .execute(&app.admin_pool)
        .await
        .unwrap();
    }
    sqlx::query("UPDATE user_organizations SET status = 'removed', removed_at = now() WHERE user_id = $1 AND organization_id = $2")
        .bind(app.multi)
        .bind(app.b.id)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO clients (organization_id, name, client_type, created_by) VALUES ($1, 'Named', 'company', $2)")
        .bind(app.b.id)
        .bind(app.a.admin)
        .execute(&app.admin_pool)
        .await
        .unwrap();

    // Before 02:00 no backup; from 02:00 one a firm, however often the schedule fires.
    assert!(night(&app, "2026-11-27T01:59:00Z").await.is_empty());
    night(&app, "2026-11-27T02:00:00Z").await;
    let jobs = night(&app, "2026-11-27T02:05:00Z").await;
    assert_eq!(jobs.len(), 2, "{jobs:?}");
    let (_, status, outcome) = jobs.iter().find(|j| j.0 == a).unwrap();
    assert_eq!(status, "done", "{outcome}");
    assert!(
        outcome.contains("4 document versions (3 copied)"),
        "the same bytes are kept once: {outcome}"
    );
    let files: Vec<_> = app
        .state
        .backups
        .sizes_under(&format!("{a}/files"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(files.len(), 3);

    // A second night copies nothing already there; bytes that are not what their row says are
    // not copied: the backup says so, and the job will try again.
    let res = upload(
        &mut c,
        &format!("/matters/{m}/documents"),
        a,
        &[("day2.txt", b"Day 2\n")],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let (day2, key): (Uuid, String) = sqlx::query_as(
        "SELECT v.id, v.storage_key FROM document_versions v JOIN documents d ON d.id = v.document_id
          WHERE d.filename = 'day2.txt'",
    )
    .fetch_one(&app.admin_pool)
    .await
    .unwrap();
    app.state
        .storage
        .put(&key, b"Day 3\n".to_vec())
        .await
        .unwrap();
    let jobs = night(&app, "2026-11-28T02:30:00Z").await;
    let (_, status, error) = jobs.iter().find(|j| j.0 == a).unwrap();
    assert_eq!(status, "queued", "to be tried again: {error}");
    assert!(
        error.contains("4 document versions (0 copied); not backed up: version"),
        "{error}"
    );
    assert!(error.contains(&day2.to_string()), "{error}");
    let day_two: Vec<_> = app
        .state
        .backups
        .sizes_under(&format!("{a}/2026-11-28"))
        .try_collect()
        .await
        .unwrap();
    let manifest_key = &day_two
        .iter()
        .find(|(k, _)| k.ends_with("manifest.json"))
        .unwrap()
        .0;
    let manifest: docket::backup::Manifest =
        serde_json::from_slice(&bytes(&app.state.backups, manifest_key).await).unwrap();
    assert_eq!(manifest.missing.len(), 1);
    assert_eq!(manifest.missing[0].version, day2);

    // Restore the first night into an empty database, documents into a folder of its own.
    let empty = empty_database().await;
    let restored_docs = Storage::new(&StorageConfig::Local {
        dir: documents_dir(&empty.name),
    })
    .unwrap();
    // Firm B first: the person of both firms is written then (with her factors: she was B's
    // member), and left as she is after; A's administrator, whom B only names, is written
    // without a password, and gets hers and her factors from A's backup.
    restore(
        &empty.admin,
        &app.state.backups,
        &restored_docs,
        &format!("{}/2026-11-27", app.b.id),
    )
    .await
    .unwrap();
    let at = format!("{a}/2026-11-27");
    let restored = restore(&empty.admin, &app.state.backups, &restored_docs, &at)
        .await
        .unwrap();
    assert_eq!(restored.files, 4);
    assert!(restored.missing.is_empty());

    // Identical rows, table by table, as of that night (the second night's upload is not there).
    let tables: Vec<(String, String)> = sqlx::query_as("SELECT name, scope FROM backup_tables()")
        .fetch_all(&app.admin_pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM documents WHERE filename = 'day2.txt'")
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let mut compared = 0;
    for (table, scope) in &tables {
        if table == "jobs" || table == "activity_logs" {
            continue; // both changed after the first night (below)
        }
        let before = rows_of(&app.admin_pool, table, scope, a).await;
        let after = rows_of(&empty.admin, table, scope, a).await;
        assert_eq!(before, after, "table {table}");
        compared += before.len();
    }
    assert!(compared > 40, "{compared} rows compared");
    for (what, sql) in [
        ("documents", "SELECT count(*) FROM documents"),
        ("walls", "SELECT count(*) FROM matter_access"),
        ("invoices", "SELECT count(*) FROM invoices"),
        ("history", "SELECT count(*) FROM activity_logs"),
    ] {
        assert!(count(&empty.admin, sql).await > 0, "{what} restored");
    }
    // The two firms, and only the people their rows name; nothing waits to be done again, and
    // no message in flight came back.
    for (sql, expected) in [
        ("SELECT count(*) FROM organizations", 2),
        (
            "SELECT count(*) FROM users WHERE id NOT IN (SELECT user_id FROM user_organizations)",
            0,
        ),
        ("SELECT count(*) FROM user_totp", 2),
        (
            "SELECT count(*) FROM jobs WHERE status IN ('queued', 'running')",
            0,
        ),
        ("SELECT count(*) FROM mail_outbox", 0),
    ] {
        assert_eq!(count(&empty.admin, sql).await, expected, "{sql}");
    }
    // Identical files: every version's bytes, by its storage key.
    let versions: Vec<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT storage_key, sha256 FROM document_versions WHERE organization_id = '{a}'"
    )))
    .fetch_all(&empty.admin)
    .await
    .unwrap();
    assert_eq!(versions.len(), 4, "firm A's");
    for (key, _) in &versions {
        assert_eq!(
            bytes(&restored_docs, key).await,
            bytes(&app.state.storage, key).await,
            "{key}"
        );
    }

    // Restoring again where the firm is: refused.
    let again = restore(&empty.admin, &app.state.backups, &restored_docs, &at).await;
    assert!(
        again
            .as_ref()
            .is_err_and(|e| e.contains("already in this database")),
        "{again:?}"
    );

    // Refused, with nothing kept: a changed file; a row of another firm slipped in by whoever
    // could also rewrite the manifest; a manifest whose files are not its versions'.
    let folder = restored.folder.clone();
    let path = format!("{folder}/tables/matters.jsonl");
    let manifest_path = format!("{folder}/manifest.json");
    let original = bytes(&app.state.backups, &path).await;
    let original_manifest = bytes(&app.state.backups, &manifest_path).await;
    let text = String::from_utf8(original.clone()).unwrap();
    assert!(text.contains("Walled matter"));
    let changed = text.replace("Walled matter", "Wailed matter").into_bytes();
    let other_firm = format!(
        "{text}{}\n",
        text.lines()
            .next()
            .unwrap()
            .replace(&a.to_string(), &app.b.id.to_string())
            .replace("Documents matter", "Smuggled")
    )
    .into_bytes();
    let mut whole: docket::backup::Manifest = serde_json::from_slice(&original_manifest).unwrap();
    whole.files.pop();
    let cases: Vec<(&str, Vec<u8>, Option<docket::backup::Manifest>)> = vec![
        ("SHA-256", changed, None),
        (
            "rows of another firm",
            other_firm.clone(),
            Some(with_table(&original_manifest, "matters", &other_firm)),
        ),
        ("not whole", original.clone(), Some(whole)),
    ];
    for (refusal, table, manifest) in cases {
        app.state.backups.put(&path, table).await.unwrap();
        let manifest = manifest
            .map(|m| serde_json::to_vec(&m).unwrap())
            .unwrap_or_else(|| original_manifest.clone());
        app.state
            .backups
            .put(&manifest_path, manifest)
            .await
            .unwrap();
        let other = empty_database().await;
        let other_docs = Storage::new(&StorageConfig::Local {
            dir: documents_dir(&other.name),
        })
        .unwrap();
        let refused = restore(&other.admin, &app.state.backups, &other_docs, &folder).await;
        assert!(
            refused.as_ref().is_err_and(|e| e.contains(refusal)),
            "{refusal}: {refused:?}"
        );
        assert_eq!(
            count(&other.admin, "SELECT count(*) FROM organizations").await,
            0
        );
        assert_eq!(count(&other.admin, "SELECT count(*) FROM matters").await, 0);
        let kept: Vec<_> = other_docs.list().collect().await;
        assert!(
            kept.is_empty(),
            "no bytes written before the rows were checked"
        );
    }
}

/// The manifest with table `name`'s file replaced by `content` (its digest and rows with it).
fn with_table(manifest: &[u8], name: &str, content: &[u8]) -> docket::backup::Manifest {
    use sha2::Digest;
    let mut m: docket::backup::Manifest = serde_json::from_slice(manifest).unwrap();
    let t = m.tables.iter_mut().find(|t| t.name == name).unwrap();
    t.sha256 = sha2::Sha256::digest(content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    t.rows = content.iter().filter(|b| **b == b'\n').count() as u64;
    t.bytes = content.len() as u64;
    m
}

#[tokio::test]
async fn the_backup_reads_only_the_firm_of_its_transaction_and_only_as_its_role() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.attorney).await;
    crate::clients::create(&mut c, "Alpha's client").await;
    // A row of firm B that names firm A's administrator (as a forged write could).
    sqlx::query("INSERT INTO clients (organization_id, name, client_type, created_by) VALUES ($1, 'Named', 'company', $2)")
        .bind(app.b.id)
        .bind(app.a.admin)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO user_totp (user_id, secret, confirmed_at, last_step) VALUES ($1, $2, now(), 0)",
    )
    .bind(app.a.admin)
    .bind(vec![7u8; 20])
    .execute(&app.admin_pool)
    .await
    .unwrap();
    let backup_role =
        docket::server::db::connect(app.state.config.database_backup_url.as_deref().unwrap(), 1)
            .await
            .unwrap();

    let rows = |pool: PgPool, org: Option<Uuid>, table: &'static str| async move {
        let mut tx = pool.begin().await.unwrap();
        sqlx::query("SELECT set_config('app.org_id', $1, true)")
            .bind(org.map(|o| o.to_string()).unwrap_or_default())
            .execute(&mut *tx)
            .await
            .unwrap();
        sqlx::query_scalar::<_, String>("SELECT r FROM backup_rows($1) r")
            .bind(table)
            .fetch_all(&mut *tx)
            .await
    };
    let backup = || backup_role.clone();
    let alpha = rows(backup(), Some(app.a.id), "clients").await.unwrap();
    assert_eq!(alpha.len(), 1);
    assert!(alpha[0].contains("Alpha's client"));
    assert!(
        !alpha[0].contains("\"search\""),
        "generated columns are left out"
    );
    assert!(
        rows(backup(), None, "clients").await.unwrap().is_empty(),
        "no firm, no rows"
    );
    // Firm B's people: its members with their password digests; firm A's administrator, whom a
    // row of B names, without hers, and without her second factor.
    let people = rows(backup(), Some(app.b.id), "users").await.unwrap();
    assert_eq!(people.len(), 6, "{people:?}");
    let admin_a = people
        .iter()
        .find(|p| p.contains(&app.a.admin.to_string()))
        .unwrap();
    assert!(admin_a.contains("\"password_hash\": null"), "{admin_a}");
    assert!(
        people
            .iter()
            .filter(|p| p.contains("\"password_hash\": \"$argon2"))
            .count()
            == 5
    );
    assert!(rows(backup(), Some(app.b.id), "user_totp")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        rows(backup(), Some(app.a.id), "user_totp")
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(rows(backup(), Some(app.a.id), "mail_outbox").await.is_err());
    assert!(rows(backup(), Some(app.a.id), "pg_authid").await.is_err());
    // The application's role may not call it at all.
    let refused = rows(app.app_pool.clone(), Some(app.a.id), "clients").await;
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("permission denied")),
        "{refused:?}"
    );
}
