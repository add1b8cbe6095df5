//! Background jobs in a real server process: killed with SIGKILL in the middle of a job (its
//! transaction dies with it, and the job runs once more after its lease), and stopped with
//! SIGTERM (it stops claiming and lets the running job finish within its grace period).
//!
//! The job is held mid-run by a lock the test takes on the outbox, so the moment of the signal
//! is certain: the process has claimed the job and is waiting inside its transaction.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::jobs::email_request;
use crate::support::{messages_to, TestApp};

/// The server binary on the test's database, with one job worker; killed (and its folder
/// removed) when dropped, so a failed test leaves no server behind.
struct Server {
    child: Child,
    dir: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn server(app: &TestApp, grace_secs: u32) -> Server {
    let dir = std::env::temp_dir().join(format!("docket-process-{}", Uuid::new_v4().simple()));
    let child = Command::new(env!("CARGO_BIN_EXE_docket"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &app.state.config.database_url)
        .env("REDIS_URL", std::env::var("TEST_REDIS_URL").unwrap())
        .env("BIND_ADDR", "127.0.0.1:0")
        .env("LEPTOS_OUTPUT_NAME", "docket")
        .env("LEPTOS_SITE_ROOT", "target/site")
        .env("LEPTOS_SITE_PKG_DIR", "pkg")
        .env("JOB_WORKERS", "1")
        .env("JOB_GRACE_SECONDS", grace_secs.to_string())
        .env("DOCUMENT_DIR", dir.join("documents"))
        .env("BACKUP_DIR", dir.join("backups"))
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the server binary starts");
    Server { child, dir }
}

/// Hold every write to the outbox until the transaction ends.
async fn hold_outbox(db: &PgPool) -> Transaction<'static, Postgres> {
    let mut tx = db.begin().await.unwrap();
    sqlx::query("LOCK TABLE mail_outbox IN EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx
}

/// Wait until the server process has claimed `job` and its worker waits, inside the job's
/// transaction, to write the message (this database's outbox; the application's role gives up a
/// statement after 5 seconds, so the test acts well within that).
async fn claimed_and_waiting(db: &PgPool, job: Uuid) -> String {
    let start = Instant::now();
    loop {
        let by: Option<String> = sqlx::query_scalar(
            "SELECT locked_by FROM jobs WHERE id = $1 AND status = 'running'
                AND EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                             WHERE l.relation = 'mail_outbox'::regclass AND NOT l.granted
                               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                               AND a.query LIKE 'INSERT INTO mail_outbox%')",
        )
        .bind(job)
        .fetch_optional(db)
        .await
        .unwrap()
        .flatten();
        if let Some(by) = by {
            return by;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the server never claimed the job"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn job(db: &PgPool, id: Uuid) -> (String, i32) {
    sqlx::query_as("SELECT status, attempts FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
}

async fn written(db: &PgPool, id: Uuid) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM mail_outbox WHERE job_id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_server_killed_mid_job_leaves_nothing_half_done_and_the_job_runs_once_after_its_lease() {
    let app = TestApp::spawn().await;
    let (id, _, to) = email_request(&app).await;
    let held = hold_outbox(&app.admin_pool).await;
    let mut server = server(&app, 30);
    let by = claimed_and_waiting(&app.admin_pool, id).await;
    assert!(by.ends_with(&format!(":{}/0", server.child.id())), "{by}");

    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    held.commit().await.unwrap();
    assert_eq!(job(&app.admin_pool, id).await, ("running".into(), 1));
    assert_eq!(
        written(&app.admin_pool, id).await,
        0,
        "its transaction died with it"
    );

    // Its lease runs out (as it would a minute later: nobody renews it).
    sqlx::query("UPDATE jobs SET lease_until = now() - interval '1 second' WHERE id = $1")
        .bind(id)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM jobs WHERE id <> $1 AND status = 'queued'")
        .bind(id)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let ran = docket::jobs::worker::run_due(&app.state, "survivor/0")
        .await
        .unwrap()
        .expect("the job is claimed again");
    assert_eq!(ran.id, id);
    assert!(ran.result.is_ok(), "{ran:?}");
    assert_eq!(job(&app.admin_pool, id).await, ("done".into(), 2));
    assert_eq!(written(&app.admin_pool, id).await, 1);
    assert_eq!(messages_to(&to, 1).await.len(), 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(messages_to(&to, 1).await.len(), 1, "sent once");
}

#[tokio::test]
async fn a_server_stopped_with_sigterm_finishes_its_running_job_then_exits() {
    let app = TestApp::spawn().await;
    let (id, _, _) = email_request(&app).await;
    let held = hold_outbox(&app.admin_pool).await;
    let mut server = server(&app, 30);
    let child = &mut server.child;
    claimed_and_waiting(&app.admin_pool, id).await;

    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    // Still running its job, within the grace period.
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(child.try_wait().unwrap().is_none(), "it waits for its job");
    assert_eq!(job(&app.admin_pool, id).await.0, "running");
    held.commit().await.unwrap();

    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "it exits once its job is done"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status:?}");
    assert_eq!(job(&app.admin_pool, id).await, ("done".into(), 1));
    assert_eq!(written(&app.admin_pool, id).await, 1);
}
