//! The nightly backup of a firm: scheduled once a firm a night, written to S3-compatible storage
//! (the S3 stand-in), restored into an empty database with identical rows and files; a changed
//! file, or a firm already there, is refused with nothing kept.

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
        .list_under(Some(&format!("{a}/files")))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(files.len(), 3);

    // A second night copies only what is new.
    let res = upload(
        &mut c,
        &format!("/matters/{m}/documents"),
        a,
        &[("day2.txt", b"Day 2\n")],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let jobs = night(&app, "2026-11-28T02:30:00Z").await;
    let (_, status, outcome) = jobs.iter().find(|j| j.0 == a).unwrap();
    assert_eq!(status, "done", "{outcome}");
    assert!(
        outcome.contains("5 document versions (1 copied)"),
        "{outcome}"
    );

    // Restore the first night into an empty database, documents into a folder of its own.
    let empty = empty_database().await;
    let restored_docs = Storage::new(&StorageConfig::Local {
        dir: documents_dir(&empty.name),
    })
    .unwrap();
    let at = format!("{a}/2026-11-27");
    let restored = restore(&empty.admin, &app.state.backups, &restored_docs, &at)
        .await
        .unwrap();
    assert_eq!(restored.files, 4);

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
    // Nothing of firm B, and only the people firm A's rows name.
    assert_eq!(
        count(&empty.admin, "SELECT count(*) FROM organizations").await,
        1
    );
    assert_eq!(
        count(
            &empty.admin,
            &format!("SELECT count(*) FROM users WHERE id NOT IN (SELECT user_id FROM user_organizations WHERE organization_id = '{a}')")
        )
        .await,
        0
    );
    // Identical files: every version's bytes, by its storage key.
    let versions: Vec<(String, String)> =
        sqlx::query_as("SELECT storage_key, sha256 FROM document_versions")
            .fetch_all(&empty.admin)
            .await
            .unwrap();
    assert_eq!(versions.len(), 4);
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

    // A changed file: refused, nothing kept.
    let path = format!("{at}/tables/matters.jsonl");
    let text = String::from_utf8(bytes(&app.state.backups, &path).await).unwrap();
    assert!(text.contains("Walled matter"));
    app.state
        .backups
        .put(
            &path,
            text.replace("Walled matter", "Wailed matter").into_bytes(),
        )
        .await
        .unwrap();
    let other = empty_database().await;
    let other_docs = Storage::new(&StorageConfig::Local {
        dir: documents_dir(&other.name),
    })
    .unwrap();
    let tampered = restore(&other.admin, &app.state.backups, &other_docs, &at).await;
    assert!(
        tampered.as_ref().is_err_and(|e| e.contains("SHA-256")),
        "{tampered:?}"
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

#[tokio::test]
async fn the_backup_reads_only_the_firm_of_its_transaction() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.attorney).await;
    crate::clients::create(&mut c, "Alpha's client").await;

    let rows = |org: Option<Uuid>, table: &'static str| {
        let pool = app.app_pool.clone();
        async move {
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
        }
    };
    let alpha = rows(Some(app.a.id), "clients").await.unwrap();
    assert_eq!(alpha.len(), 1);
    assert!(alpha[0].contains("Alpha's client"));
    assert!(
        !alpha[0].contains("\"search\""),
        "generated columns are left out"
    );
    assert!(rows(Some(app.b.id), "clients").await.unwrap().is_empty());
    assert!(
        rows(None, "clients").await.unwrap().is_empty(),
        "no firm, no rows"
    );
    let people = rows(Some(app.b.id), "users").await.unwrap();
    assert_eq!(people.len(), 5, "Beta's four and the member of both");
    assert!(people
        .iter()
        .all(|p| !p.contains("@alpha.test") || p.contains("multi@")));
    assert!(rows(Some(app.a.id), "password_resets").await.is_err());
    assert!(rows(Some(app.a.id), "pg_authid").await.is_err());
}
