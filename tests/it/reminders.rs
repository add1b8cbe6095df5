//! Overdue reminders: turned on in Settings, scheduled from 08:00 in the firm's time zone, one
//! message a client at the real SMTP sink with the invoice's PDF, each invoice reminded once,
//! none for invoices long overdue, and the job stops when whoever turned it on no longer may.

use uuid::Uuid;

use crate::invoices::{act, draft, get};
use crate::support::{attachment, messages_to, unique_email, TestApp};

/// Fire the schedule at `moment`, then run every due job; the reminder job of firm A that day.
async fn morning(app: &TestApp, moment: &str) -> Option<(String, String)> {
    sqlx::query("SELECT job_schedule_at($1::timestamptz)")
        .bind(moment)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    while docket::jobs::worker::run_due(&app.state, "reminders-test")
        .await
        .unwrap()
        .is_some()
    {}
    sqlx::query_as(
        "SELECT status, coalesce(outcome, last_error, '') FROM jobs
          WHERE kind = 'overdue_reminders' AND organization_id = $1 AND payload->>'day' = left($2, 10)",
    )
    .bind(app.a.id)
    .bind(moment)
    .fetch_optional(&app.admin_pool)
    .await
    .unwrap()
}

/// Move an issued invoice's due date (past the guard that keeps issued invoices as they are).
async fn due(app: &TestApp, invoice: Uuid, date: &str) {
    let mut tx = app.admin_pool.begin().await.unwrap();
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("UPDATE invoices SET due_date = $2::date WHERE id = $1")
        .bind(invoice)
        .bind(date)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn an_invoice_that_becomes_overdue_is_reminded_once_to_its_client() {
    let app = TestApp::spawn().await;
    sqlx::query("UPDATE organizations SET timezone = 'UTC'")
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let mut billing = app.signed_in(app.a.billing).await;
    // Two overdue invoices of one client, one long overdue, one not yet due.
    let mut issued = vec![];
    for _ in 0..4 {
        let (_, inv) = draft(&app, &mut billing, 1).await;
        assert!(act(&mut billing, "issue", &inv, &[])
            .await
            .status
            .is_success());
        issued.push(get(&mut billing, inv.id).await);
    }
    let to = unique_email("ap");
    sqlx::query(
        "INSERT INTO client_contacts (organization_id, client_id, contact_type, label, value)
         SELECT organization_id, client_id, 'email', 'billing', $2 FROM invoices WHERE id = ANY($1)",
    )
    .bind(issued.iter().map(|i| i.id).collect::<Vec<_>>())
    .bind(&to)
    .execute(&app.admin_pool)
    .await
    .unwrap();
    due(&app, issued[0].id, "2026-11-20").await;
    due(&app, issued[1].id, "2026-11-26").await;
    due(&app, issued[2].id, "2026-09-01").await; // more than 30 days overdue
    due(&app, issued[3].id, "2026-12-20").await; // not yet due

    // Off: nothing is scheduled.
    assert_eq!(morning(&app, "2026-11-27T09:00:00Z").await, None);

    // An administrator turns reminders on in Settings.
    let mut admin = app.signed_in(app.a.admin).await;
    let page = crate::firm::settings(&mut admin).await;
    assert!(!page.settings.overdue_reminders);
    let res = crate::firm::save(
        &mut admin,
        page.version,
        &[("form[timezone]", "UTC"), ("form[overdue_reminders]", "on")],
    )
    .await;
    assert!(res.status.is_success(), "{res:?}");
    assert!(
        crate::firm::settings(&mut admin)
            .await
            .settings
            .overdue_reminders
    );

    // Before 08:00 nothing; from 08:00 one job, run as the administrator.
    assert_eq!(morning(&app, "2026-11-28T07:59:00Z").await, None);
    let (status, outcome) = morning(&app, "2026-11-28T08:00:00Z").await.unwrap();
    assert_eq!(status, "done", "{outcome}");
    assert!(
        outcome.starts_with("2 overdue invoices reminded"),
        "{outcome}"
    );
    let messages = messages_to(&to, 1).await;
    assert_eq!(messages.len(), 1, "one message for the address");
    let subjects: Vec<&str> = messages
        .iter()
        .map(|m| m["subject"].as_str().unwrap())
        .collect();
    assert!(
        subjects
            .iter()
            .all(|s| s.starts_with("Overdue: 2 invoices from Harbor & Vale LLP")),
        "{subjects:?}"
    );
    let numbers: Vec<String> = issued[..2]
        .iter()
        .map(|i| i.number.clone().unwrap())
        .collect();
    let text: String = messages
        .iter()
        .map(|m| m["text"].as_str().unwrap_or_default().to_string())
        .collect();
    for n in &numbers {
        assert!(text.contains(n.as_str()), "{n} in {text}");
    }
    for n in [&issued[2], &issued[3]] {
        assert!(!text.contains(n.number.as_deref().unwrap()), "{text}");
    }
    let pdf = attachment(&messages[0], &format!("Invoice-{}.pdf", numbers[0])).await;
    assert!(pdf.starts_with(b"%PDF"));
    let history: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM activity_logs WHERE action = 'invoice.reminded' AND resource_id = ANY($1)",
    )
    .bind(vec![issued[0].id, issued[1].id])
    .fetch_one(&app.admin_pool)
    .await
    .unwrap();
    assert_eq!(history, 2);

    // The next morning: each invoice was reminded once.
    let (status, outcome) = morning(&app, "2026-11-29T08:00:00Z").await.unwrap();
    assert_eq!(status, "done");
    assert!(outcome.starts_with("0 overdue invoices"), "{outcome}");
    assert_eq!(messages_to(&to, 1).await.len(), messages.len());

    // Whoever it runs as may no longer bill (here: staff): the job stops and says why.
    sqlx::query("UPDATE organizations SET overdue_reminders_by = $2 WHERE id = $1")
        .bind(app.a.id)
        .bind(app.a.staff)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let (status, error) = morning(&app, "2026-11-30T08:00:00Z").await.unwrap();
    assert_eq!(status, "dead");
    assert!(error.contains("turn them off and on again"), "{error}");

    // Firm B never turned them on.
    let b_jobs: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM jobs WHERE kind = 'overdue_reminders' AND organization_id = $1",
    )
    .bind(app.b.id)
    .fetch_one(&app.admin_pool)
    .await
    .unwrap();
    assert_eq!(b_jobs, 0);
}
