//! Background jobs: scheduled firings in two replicas, retries with backoff, a process that dies
//! holding a job, the invoice e-mail with its PDF at a real SMTP sink, and the Jobs page's
//! server functions.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use docket::error::AppError;
use docket::jobs::api::JobsPage;
use docket::jobs::run::Failure;
use docket::jobs::schedule;
use docket::jobs::worker::run_due;
use docket::server::AppState;
use uuid::Uuid;

use crate::invoices::{act, draft, get};
use crate::support::{attachment, messages_to, unique_email, TestApp};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Run due jobs as worker `name` until none is due; how many ran.
async fn drain(state: &AppState, name: &str) -> usize {
    let mut n = 0;
    while run_due(state, name).await.unwrap().is_some() {
        n += 1;
    }
    n
}

async fn job_row(app: &TestApp, id: Uuid) -> (String, i32, f64, Option<String>) {
    sqlx::query_as(
        "SELECT status, attempts, extract(epoch FROM run_at - now())::float8, last_error FROM jobs WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.admin_pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_scheduled_firing_in_two_replicas_makes_one_job_and_one_report_each() {
    let app = TestApp::spawn().await;
    sqlx::query("UPDATE organizations SET timezone = 'America/New_York'")
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let reader = unique_email("billing-reader");
    app.add_member(app.a.id, &reader, "billing").await;
    let other = app.replica().await;

    // The application's clock fires now (whatever it adds, it adds once however many fire).
    let (one, two) = tokio::join!(schedule::fire(&app.state.db), schedule::fire(&other.db));
    assert!(
        one.unwrap() + two.unwrap() <= 6,
        "at most a report, today's digest and backup per firm"
    );
    sqlx::query("DELETE FROM jobs")
        .execute(&app.admin_pool)
        .await
        .unwrap();

    // What the clock does at a given moment (the schema owner may choose it; the app may not).
    let fire_at = |pool: sqlx::PgPool, moment: &'static str| async move {
        sqlx::query_scalar::<_, i32>("SELECT job_schedule_at($1)")
            .bind(at(moment))
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let refused = sqlx::query("SELECT job_schedule_at(now())")
        .execute(&app.app_pool)
        .await;
    assert!(refused.is_err(), "the application cannot choose the moment");
    // 05:55 in New York on the 1st: the report's time has not come (the night's backups have).
    let reports = "SELECT count(*) FROM jobs WHERE kind = 'monthly_report'";
    assert_eq!(
        fire_at(app.admin_pool.clone(), "2026-12-01T10:55:00Z").await,
        2
    );
    assert_eq!(app.count(reports).await, 0);
    // 06:00 has passed: two replicas fire at the same moment; each firm gets one job.
    let second = crate::support::admin_pool_of(&app).await;
    let (one, two) = tokio::join!(
        fire_at(app.admin_pool.clone(), "2026-12-01T11:05:00Z"),
        fire_at(second, "2026-12-01T11:05:00Z")
    );
    assert_eq!(one + two, 2, "one job per firm, whoever fired");
    // Later firings in the period add no report (only that day's digests).
    fire_at(app.admin_pool.clone(), "2026-12-02T15:00:00Z").await;
    assert_eq!(app.count(reports).await, 2);
    let key = format!("monthly_report:{}:2026-11", app.a.id);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM jobs WHERE unique_key = '{key}'"
        ))
        .await,
        1
    );
    // After the window (the 4th) a firm with no report yet gets none: no stale report.
    sqlx::query(
        "DELETE FROM jobs WHERE organization_id = $1 OR kind IN ('daily_digest', 'backup')",
    )
    .bind(app.b.id)
    .execute(&app.admin_pool)
    .await
    .unwrap();
    fire_at(app.admin_pool.clone(), "2026-12-04T12:00:00Z").await;
    assert_eq!(app.count(reports).await, 1);
    sqlx::query("DELETE FROM jobs WHERE kind IN ('daily_digest', 'backup')")
        .execute(&app.admin_pool)
        .await
        .unwrap();

    // Both replicas' workers drain the queue at once: each job runs once.
    let (ran_here, ran_there) = tokio::join!(drain(&app.state, "here/0"), drain(&other, "there/0"));
    assert_eq!(ran_here + ran_there, 1);
    let outcome: Vec<(String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT status, last_error, outcome FROM jobs")
            .fetch_all(&app.admin_pool)
            .await
            .unwrap();
    assert!(outcome.iter().all(|o| o.0 == "done"), "{outcome:?}");
    assert_eq!(
        app.count("SELECT count(*) FROM jobs WHERE status = 'done' AND attempts = 1")
            .await,
        1
    );
    let mail = messages_to(&reader, 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let mail_again = messages_to(&reader, 1).await;
    assert_eq!(mail.len(), 1, "one report for the billing reader");
    assert_eq!(mail_again.len(), 1);
    assert_eq!(
        mail[0]["subject"].as_str().unwrap(),
        "Billing report for 2026-11: Alpha Law"
    );
    let csv = String::from_utf8(attachment(&mail[0], "billing-report-2026-11.csv").await).unwrap();
    assert!(
        csv.starts_with("section,name,hours billed,billed,collected"),
        "{csv}"
    );
    // Firm A's staff and attorneys get none.
    assert_eq!(
        messages_to("staff@alpha.test", 0)
            .await
            .iter()
            .filter(|m| {
                m["subject"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("Billing report for 2026-11")
            })
            .count(),
        0
    );
}

#[tokio::test]
async fn a_failing_job_is_retried_with_growing_waits_then_kept_as_failed() {
    let app = TestApp::spawn().await;
    // A kind this release does not know (added by a newer one during a rolling upgrade) is
    // left for a replica that knows it: never claimed here, so it loses no attempt.
    let newer: Uuid = sqlx::query_scalar(
        "INSERT INTO jobs (organization_id, kind, payload) VALUES ($1, 'from_a_newer_release', '{}') RETURNING id",
    )
    .bind(app.a.id)
    .fetch_one(&app.admin_pool)
    .await
    .unwrap();
    assert!(run_due(&app.state, "w/0").await.unwrap().is_none());
    assert_eq!(job_row(&app, newer).await.0, "queued");
    assert_eq!(job_row(&app, newer).await.1, 0);

    // A job that fails every time: an invoice e-mail to an address the outbox refuses (written
    // by hand, past the request's checks).
    let mut c = app.signed_in(app.a.billing).await;
    let (_, inv) = draft(&app, &mut c, 1).await;
    assert!(act(&mut c, "issue", &inv, &[]).await.status.is_success());
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO jobs (organization_id, kind, payload, run_as, max_attempts)
         VALUES ($1, 'invoice_email', jsonb_build_object('invoice', $2::text, 'to', '@nowhere', 'subject', 'test'), $3, 3)
         RETURNING id",
    )
    .bind(app.a.id)
    .bind(inv.id.to_string())
    .bind(app.a.billing)
    .fetch_one(&app.admin_pool)
    .await
    .unwrap();
    let due_now = || async {
        sqlx::query("UPDATE jobs SET run_at = now() WHERE id = $1")
            .bind(id)
            .execute(&app.admin_pool)
            .await
            .unwrap();
    };

    let ran = run_due(&app.state, "w/0").await.unwrap().unwrap();
    assert!(matches!(ran.result, Err(Failure::Retry(_))), "{ran:?}");
    let (status, attempts, wait, _) = job_row(&app, id).await;
    assert_eq!((status.as_str(), attempts), ("queued", 1));
    assert!(
        (25.0..=31.0).contains(&wait),
        "first wait about 30 s, was {wait}"
    );
    assert!(
        run_due(&app.state, "w/0").await.unwrap().is_none(),
        "not due yet"
    );

    due_now().await;
    run_due(&app.state, "w/0").await.unwrap().unwrap();
    let (status, attempts, wait, _) = job_row(&app, id).await;
    assert_eq!((status.as_str(), attempts), ("queued", 2));
    assert!(
        (55.0..=61.0).contains(&wait),
        "second wait about a minute, was {wait}"
    );

    due_now().await;
    run_due(&app.state, "w/0").await.unwrap().unwrap();
    let (status, attempts, _, error) = job_row(&app, id).await;
    assert_eq!((status.as_str(), attempts), ("dead", 3));
    assert!(
        error.unwrap().contains("Something went wrong on our side"),
        "the last error is kept"
    );
    assert!(run_due(&app.state, "w/0").await.unwrap().is_none());

    // The administrator sees it failed, and retries it; no one else can.
    let mut admin = app.signed_in(app.a.admin).await;
    let page: JobsPage = admin
        .post("/api/jobs/list", &[("query[show]", "failed")])
        .await
        .json();
    assert_eq!(page.jobs.len(), 1);
    assert!(page.jobs[0].retryable());
    let mut attorney = app.signed_in(app.a.attorney).await;
    let res = attorney
        .post("/api/jobs/retry", &[("job", &id.to_string())])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let mut other_admin = app.signed_in(app.b.admin).await;
    let res = other_admin
        .post("/api/jobs/retry", &[("job", &id.to_string())])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
    let theirs: JobsPage = other_admin
        .post("/api/jobs/list", &[("query[show]", "")])
        .await
        .json();
    assert!(theirs.jobs.is_empty(), "another firm's jobs are not listed");
    assert_eq!(job_row(&app, id).await.0, "dead");

    let res = admin
        .post("/api/jobs/retry", &[("job", &id.to_string())])
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let (status, attempts, wait, _) = job_row(&app, id).await;
    assert_eq!((status.as_str(), attempts), ("queued", 0));
    assert!(wait <= 0.5);
    assert_eq!(
        app.count("SELECT count(*) FROM activity_logs WHERE action = 'job.retry'")
            .await,
        1
    );
    // A second retry of the same job (a form sent twice) finds nothing to retry.
    let res = admin
        .post("/api/jobs/retry", &[("job", &id.to_string())])
        .await;
    assert!(matches!(res.error(), AppError::Conflict(_)), "{res:?}");
}

/// An issued invoice of firm A sent by e-mail to a fresh address; the job's id and the address.
pub(crate) async fn email_request(app: &TestApp) -> (Uuid, docket::invoices::Invoice, String) {
    let mut c = app.signed_in(app.a.billing).await;
    let (_, inv) = draft(app, &mut c, 2).await;
    assert!(act(&mut c, "issue", &inv, &[]).await.status.is_success());
    let inv = get(&mut c, inv.id).await;
    let to = unique_email("accounts-payable");
    let request = Uuid::new_v4().to_string();
    let res = act(
        &mut c,
        "email",
        &inv,
        &[("request", &request), ("form[to]", &to)],
    )
    .await;
    assert!(res.status.is_success(), "{res:?}");
    // The same form sent again asks once.
    let res = act(
        &mut c,
        "email",
        &inv,
        &[("request", &request), ("form[to]", &to)],
    )
    .await;
    assert!(res.status.is_success(), "{res:?}");
    let job: Uuid = sqlx::query_scalar("SELECT id FROM jobs WHERE kind = 'invoice_email'")
        .fetch_one(&app.admin_pool)
        .await
        .unwrap();
    (job, inv, to)
}

#[tokio::test]
async fn a_job_whose_process_died_runs_once_when_its_lease_runs_out() {
    let app = TestApp::spawn().await;
    // The firm sends from its own address (an invalid one is refused beside its field).
    let mut admin = app.signed_in(app.a.admin).await;
    let page = crate::firm::settings(&mut admin).await;
    let res = crate::firm::save(
        &mut admin,
        page.version,
        &[
            ("form[name]", "Alpha Law"),
            ("form[mail_from]", "billing at alpha"),
        ],
    )
    .await;
    match res.error() {
        AppError::Invalid(e) => assert!(e.get("mail_from").is_some()),
        other => panic!("{other:?}"),
    }
    let res = crate::firm::save(
        &mut admin,
        page.version,
        &[
            ("form[name]", "Alpha Law"),
            ("form[mail_from]", "Billing@Alpha.test"),
        ],
    )
    .await;
    assert!(res.status.is_success(), "{res:?}");
    let (job, inv, to) = email_request(&app).await;
    // A process claims the job and dies (kill -9): its claim is a lease of one second here.
    let claimed: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM job_claim('crashed-host:1/0', 1, 1, ARRAY['invoice_email'])",
    )
    .fetch_optional(&app.app_pool)
    .await
    .unwrap();
    assert_eq!(claimed, Some(job));
    assert!(
        run_due(&app.state, "live/0").await.unwrap().is_none(),
        "held by its lease"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;

    let ran = run_due(&app.state, "live/0").await.unwrap().unwrap();
    assert_eq!(ran.id, job);
    assert!(ran.recorded);
    assert_eq!(
        ran.result.as_deref().ok(),
        Some(format!("Invoice {} e-mailed to {to}", inv.number.clone().unwrap()).as_str())
    );
    // The dead process's late word is ignored.
    let late: bool =
        sqlx::query_scalar("SELECT job_settle($1, 'crashed-host:1/0', NULL, 'late', false)")
            .bind(job)
            .fetch_one(&app.app_pool)
            .await
            .unwrap();
    assert!(!late);
    let (status, attempts, _, _) = job_row(&app, job).await;
    assert_eq!((status.as_str(), attempts), ("done", 2));

    // Had the live process died after writing the message but before recording it, the job
    // would run again: it writes nothing twice.
    sqlx::query("UPDATE jobs SET status = 'queued', run_at = now() WHERE id = $1")
        .bind(job)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let again = run_due(&app.state, "live/0").await.unwrap().unwrap();
    assert!(again.result.unwrap().contains("had already been e-mailed"));
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM mail_outbox WHERE job_id = '{job}'"
        ))
        .await,
        1
    );

    // The client gets one message, with the invoice as a PDF whose text has its number and total.
    let mail = messages_to(&to, 1).await;
    assert_eq!(mail.len(), 1, "exactly one message");
    let number = inv.number.clone().unwrap();
    assert_eq!(
        mail[0]["subject"].as_str().unwrap(),
        format!("Invoice {number} from Alpha Law")
    );
    assert_eq!(
        mail[0]["from"][0]["address"].as_str(),
        Some("billing@alpha.test")
    );
    let file = format!("Invoice-{number}.pdf");
    let pdf = attachment(&mail[0], &file).await;
    assert!(pdf.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf);
    assert!(text.contains(&number), "{text}");
    let total = docket::kernel::format_money(inv.totals.total, &inv.currency);
    assert!(
        text.contains(&format!("Total {total}")) || text.contains(&total),
        "{text}"
    );
    assert!(text.contains("Research memo part 0"), "{text}");
    // The invoice's history says it was asked for and when it went.
    let mut c = app.signed_in(app.a.billing).await;
    let history: Vec<docket::audit::ActivityEntry> = c
        .post(
            "/api/audit/history",
            &[
                ("resource_type", "invoice"),
                ("resource_id", &inv.id.to_string()),
            ],
        )
        .await
        .json();
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert!(
        actions.contains(&"invoice.email") && actions.contains(&"invoice.emailed"),
        "{actions:?}"
    );
    // Walled off from the matter, an administrator does not see the job on the Jobs page.
    let mut admin = app.signed_in(app.a.admin).await;
    let seen = |page: JobsPage| page.jobs.iter().any(|j| j.id == job);
    assert!(seen(
        admin
            .post("/api/jobs/list", &[("query[show]", "")])
            .await
            .json()
    ));
    let matter = inv.matter_id.unwrap();
    sqlx::query("UPDATE matters SET restricted = true WHERE id = $1")
        .bind(matter)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO matter_access (organization_id, matter_id, user_id) VALUES ($1, $2, $3)",
    )
    .bind(app.a.id)
    .bind(matter)
    .bind(app.a.attorney)
    .execute(&app.admin_pool)
    .await
    .unwrap();
    assert!(!seen(
        admin
            .post("/api/jobs/list", &[("query[show]", "")])
            .await
            .json()
    ));
}

/// The text of a PDF, as `pdftotext` (poppler) reads it.
fn pdf_text(pdf: &[u8]) -> String {
    let path = std::env::temp_dir().join(format!("docket-{}.pdf", Uuid::new_v4()));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed by the test command");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

async fn send(
    c: &mut crate::support::Client,
    inv: &docket::invoices::Invoice,
    to: &str,
) -> crate::support::Res {
    let request = Uuid::new_v4().to_string();
    act(c, "email", inv, &[("request", &request), ("form[to]", to)]).await
}

#[tokio::test]
async fn e_mailing_an_invoice_is_billing_work_on_an_issued_invoice_of_ones_own_firm() {
    let app = TestApp::spawn().await;
    let mut billing = app.signed_in(app.a.billing).await;
    let (_, draft_inv) = draft(&app, &mut billing, 1).await;
    // A draft is not sent.
    let res = send(&mut billing, &draft_inv, "ap@client.test").await;
    assert!(matches!(res.error(), AppError::Conflict(_)), "{res:?}");
    assert!(act(&mut billing, "issue", &draft_inv, &[])
        .await
        .status
        .is_success());
    let inv = get(&mut billing, draft_inv.id).await;
    // A bad address is refused beside the field, keeping what was typed.
    let res = send(&mut billing, &inv, "not an address").await;
    match res.error() {
        AppError::Invalid(e) => {
            assert!(e.get("to").is_some());
            assert_eq!(e.value("to"), Some("not an address"));
        }
        other => panic!("{other:?}"),
    }
    // An older version of the invoice: 409.
    let mut old = inv.clone();
    old.version -= 1;
    let res = send(&mut billing, &old, "ap@client.test").await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{res:?}");
    // Staff and attorneys do not send invoices; another firm's billing staff find no such invoice.
    let mut staff = app.signed_in(app.a.staff).await;
    assert_eq!(
        send(&mut staff, &inv, "ap@client.test").await.status,
        StatusCode::FORBIDDEN
    );
    let mut other = app.signed_in(app.b.billing).await;
    assert_eq!(
        send(&mut other, &inv, "ap@client.test").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.count("SELECT count(*) FROM jobs").await, 0);
    // A form rendered for firm B, sent in a session of firm A, writes nothing.
    let res = billing
        .post(
            "/api/invoices/email",
            &[
                ("org", &app.b.id.to_string()),
                ("id", &inv.id.to_string()),
                ("version", &inv.version.to_string()),
                ("request", &Uuid::new_v4().to_string()),
                ("form[to]", "ap@client.test"),
            ],
        )
        .await;
    assert!(matches!(res.error(), AppError::WrongFirm(_)), "{res:?}");
    assert_eq!(app.count("SELECT count(*) FROM jobs").await, 0);
    // Attorneys do not see the Jobs page.
    let mut attorney = app.signed_in(app.a.attorney).await;
    assert_eq!(
        attorney
            .post("/api/jobs/list", &[("query[show]", "")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
