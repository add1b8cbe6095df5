use axum::http::StatusCode;
use docket::error::AppError;
use docket::invoices::{Invoice, InvoiceStatus};
use rust_decimal::Decimal;
use std::str::FromStr;
use uuid::Uuid;

use crate::support::{Client as Http, Res, TestApp};

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// Invoice number `n` of firm A's counter this year (its time zone's year).
async fn number(app: &TestApp, n: u32) -> String {
    let year: i32 = sqlx::query_scalar(
        "SELECT extract(year FROM now() AT TIME ZONE timezone)::int FROM organizations WHERE id = $1",
    )
    .bind(app.a.id)
    .fetch_one(&app.admin_pool)
    .await
    .unwrap();
    format!("INV-{year}-{n:04}")
}

/// A matter of firm A at 300/h with `entries` of the attorney's billable time (each 50 minutes,
/// billed as 54 at the 6-minute step: 270.00) and one billable expense of 2 × 12.50.
async fn billable_matter(app: &TestApp, entries: usize) -> Uuid {
    let mut c = app.signed_in(app.a.attorney).await;
    let client = crate::clients::create(&mut c, "Invoice Client").await;
    let m = crate::matters::create(&mut c, client, "Invoice matter", Some(app.a.attorney))
        .await
        .unwrap();
    sqlx::query("UPDATE matters SET hourly_rate = 300 WHERE id = $1")
        .bind(m)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    for i in 0..entries {
        let day = format!("2026-11-{:02}", 2 + i % 20);
        let res = c
            .post(
                "/api/time/create",
                &[
                    ("form[matter]", &m.to_string()),
                    ("form[work_date]", &day),
                    ("form[duration]", "50m"),
                    ("form[description]", &format!("Research memo part {i}")),
                    ("form[billable]", "on"),
                ],
            )
            .await;
        assert!(res.status.is_success(), "{res:?}");
    }
    let res = c
        .post(
            "/api/expenses/create",
            &[
                ("form[matter]", &m.to_string()),
                ("form[incurred_on]", "2026-11-03"),
                ("form[description]", "Court copies"),
                ("form[amount]", "12.50"),
                ("form[quantity]", "2"),
                ("form[billable]", "on"),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    m
}

async fn create(c: &mut Http, matter: Uuid, request: Uuid) -> Res {
    c.post(
        "/api/invoices/create",
        &[
            ("request", &request.to_string()),
            ("form[matter]", &matter.to_string()),
            ("form[from]", ""),
            ("form[to]", ""),
        ],
    )
    .await
}

pub(crate) async fn get(c: &mut Http, id: Uuid) -> Invoice {
    let res = c
        .post("/api/invoices/get", &[("id", &id.to_string())])
        .await;
    assert!(res.status.is_success(), "{res:?}");
    res.json()
}

pub(crate) async fn act(c: &mut Http, what: &str, inv: &Invoice, extra: &[(&str, &str)]) -> Res {
    let (id, v) = (inv.id.to_string(), inv.version.to_string());
    let mut form = vec![("id", id.as_str()), ("version", v.as_str())];
    form.extend_from_slice(extra);
    c.post(&format!("/api/invoices/{what}"), &form).await
}

pub(crate) async fn draft(app: &TestApp, c: &mut Http, entries: usize) -> (Uuid, Invoice) {
    let m = billable_matter(app, entries).await;
    let res = create(c, m, Uuid::new_v4()).await;
    assert!(res.status.is_success(), "{res:?}");
    let id: Uuid = res.json();
    (m, get(c, id).await)
}

#[tokio::test]
async fn a_draft_bills_unbilled_time_and_expenses_and_issuing_numbers_it() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.billing).await;
    let (m, inv) = draft(&app, &mut c, 3).await;
    assert_eq!(inv.status, InvoiceStatus::Draft);
    assert_eq!(inv.number, None, "a draft has no number");
    assert_eq!(inv.lines.len(), 4);
    assert_eq!(inv.totals.subtotal, dec("835.00"), "3 × 270.00 + 25.00");
    assert_eq!(inv.totals.total, dec("835.00"));
    assert_eq!(
        app.count(&format!("SELECT count(*) FROM time_entries WHERE matter_id = '{m}' AND status = 'billed' AND invoice_id = '{}'", inv.id)).await,
        3
    );
    // Time on an invoice cannot be changed.
    let entry: Uuid =
        sqlx::query_scalar("SELECT id FROM time_entries WHERE invoice_id = $1 LIMIT 1")
            .bind(inv.id)
            .fetch_one(&app.admin_pool)
            .await
            .unwrap();
    let mut att = app.signed_in(app.a.attorney).await;
    let res = att
        .post(
            "/api/time/update",
            &[
                ("id", &entry.to_string()),
                ("version", "1"),
                ("form[matter]", &m.to_string()),
                ("form[work_date]", "2026-11-02"),
                ("form[duration]", "5h"),
                ("form[description]", "Padded"),
                ("form[billable]", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{res:?}");

    // A 10 % discount (the firm charges no tax).
    let res = act(
        &mut c,
        "discount",
        &inv,
        &[("form[kind]", "percent"), ("form[value]", "10")],
    )
    .await;
    assert!(res.status.is_success(), "{res:?}");
    let inv = get(&mut c, inv.id).await;
    assert_eq!(inv.totals.discount, dec("83.50"));
    assert_eq!(inv.totals.total, dec("751.50"));

    // The firm's increment changes after the draft: the invoice keeps what it billed.
    sqlx::query("UPDATE organizations SET billing_increment_minutes = 15 WHERE id = $1")
        .bind(app.a.id)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let res = act(&mut c, "issue", &inv, &[]).await;
    assert!(res.status.is_success(), "{res:?}");
    let number: String = res.json();
    assert_eq!(number, self::number(&app, 1).await);
    let issued = get(&mut c, inv.id).await;
    assert_eq!(issued.status, InvoiceStatus::Sent);
    assert_eq!(issued.number, Some(self::number(&app, 1).await));
    assert_eq!(issued.totals, inv.totals, "issuing changes no figure");
    assert_eq!(issued.increment, 6);
    assert_eq!(
        app.count("SELECT count(*) FROM activity_logs WHERE action IN ('invoice.create', 'invoice.discount', 'invoice.issue')").await,
        3
    );

    // Issuing again is refused; so is the old version of the page.
    let res = act(&mut c, "issue", &issued, &[]).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let res = act(&mut c, "issue", &inv, &[]).await;
    assert!(matches!(res.error(), AppError::Stale(_)), "{res:?}");
}

#[tokio::test]
async fn payments_move_an_invoice_to_paid_and_never_exceed_its_balance() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.billing).await;
    let (_, inv) = draft(&app, &mut c, 1).await; // 270.00 + 25.00
    assert!(act(&mut c, "issue", &inv, &[]).await.status.is_success());
    let inv = get(&mut c, inv.id).await;
    let pay = |amount: &'static str| {
        vec![
            ("form[amount]", amount),
            ("form[paid_on]", ""),
            ("form[method]", "check"),
            ("form[reference]", "1001"),
        ]
    };
    let res = act(&mut c, "pay", &inv, &pay("295.01")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    let res = act(&mut c, "pay", &inv, &pay("100.00")).await;
    assert!(res.status.is_success(), "{res:?}");
    let inv = get(&mut c, inv.id).await;
    assert_eq!(
        (inv.status, inv.balance),
        (InvoiceStatus::PartiallyPaid, dec("195.00"))
    );
    // An invoice with a payment is not voided.
    let res = act(&mut c, "void", &inv, &[("form[reason]", "wrong client")]).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let res = act(&mut c, "pay", &inv, &pay("195.00")).await;
    assert!(res.status.is_success(), "{res:?}");
    let inv = get(&mut c, inv.id).await;
    assert_eq!(
        (inv.status, inv.balance),
        (InvoiceStatus::Paid, dec("0.00"))
    );
    assert_eq!(inv.payments.len(), 2);
    let res = act(&mut c, "pay", &inv, &pay("1.00")).await;
    assert_eq!(
        res.status,
        StatusCode::CONFLICT,
        "a paid invoice takes no payment"
    );
}

#[tokio::test]
async fn voiding_makes_the_work_unbilled_again_and_reinvoicing_bills_the_same() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.billing).await;
    let (m, inv) = draft(&app, &mut c, 2).await;
    assert!(act(&mut c, "issue", &inv, &[]).await.status.is_success());
    let inv = get(&mut c, inv.id).await;
    let res = act(&mut c, "void", &inv, &[("form[reason]", "")]).await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required"
    );
    let res = act(
        &mut c,
        "void",
        &inv,
        &[("form[reason]", "Sent to the wrong address")],
    )
    .await;
    assert!(res.status.is_success(), "{res:?}");
    let voided = get(&mut c, inv.id).await;
    assert_eq!(voided.status, InvoiceStatus::Void);
    assert_eq!(
        voided.number, inv.number,
        "a voided invoice keeps its number"
    );
    assert_eq!(
        app.count(&format!("SELECT count(*) FROM time_entries WHERE matter_id = '{m}' AND status = 'unbilled' AND invoice_id IS NULL")).await,
        2
    );
    // Re-invoiced: the same amount, and the next number (the voided one is never reused).
    let res = create(&mut c, m, Uuid::new_v4()).await;
    let again = get(&mut c, res.json()).await;
    assert_eq!(again.totals, inv.totals);
    assert!(act(&mut c, "issue", &again, &[]).await.status.is_success());
    assert_eq!(
        get(&mut c, again.id).await.number,
        Some(number(&app, 2).await)
    );
}

#[tokio::test]
async fn the_same_create_request_makes_one_invoice_and_no_entry_is_on_two() {
    let app = TestApp::spawn().await;
    let mut c1 = app.signed_in(app.a.billing).await;
    let mut c2 = app.signed_in(app.a.billing).await;
    let mut c3 = app.signed_in(app.a.admin).await;

    // The same form sent twice at once.
    let m = billable_matter(&app, 5).await;
    let request = Uuid::new_v4();
    let (r1, r2) = tokio::join!(create(&mut c1, m, request), create(&mut c2, m, request));
    let (a, b): (Uuid, Uuid) = (r1.json(), r2.json());
    assert_eq!(a, b, "one invoice for one request");
    assert_eq!(app.count("SELECT count(*) FROM invoices").await, 1);
    assert_eq!(app.count("SELECT count(*) FROM invoice_lines").await, 6);

    // Two people invoicing the same matter at once: the work lands on one invoice.
    let m = billable_matter(&app, 3).await;
    let (r1, r3) = tokio::join!(
        create(&mut c1, m, Uuid::new_v4()),
        create(&mut c3, m, Uuid::new_v4())
    );
    let made: Vec<&Res> = [&r1, &r3]
        .into_iter()
        .filter(|r| r.status.is_success())
        .collect();
    assert_eq!(made.len(), 1, "{r1:?} {r3:?}");
    for r in [&r1, &r3].into_iter().filter(|r| !r.status.is_success()) {
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "nothing left to bill: {r:?}"
        );
    }
    assert_eq!(
        app.count("SELECT count(*) FROM invoices").await,
        2,
        "the refused one left nothing behind"
    );
    assert_eq!(app.count("SELECT count(*) FROM invoice_lines").await, 10);
    assert_eq!(
        app.count("SELECT count(*) FROM (SELECT time_entry_id FROM invoice_lines WHERE time_entry_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1) d").await,
        0
    );
}

#[tokio::test]
async fn concurrent_issues_take_gap_free_numbers() {
    let app = TestApp::spawn().await;
    let m = billable_matter(&app, 0).await;
    // 50 drafts, one per expense, made directly; then 50 issues at once.
    let mut c = app.signed_in(app.a.billing).await;
    let mut drafts = vec![];
    for i in 0..50 {
        let res = c
            .post(
                "/api/expenses/create",
                &[
                    ("form[matter]", &m.to_string()),
                    ("form[incurred_on]", "2026-11-04"),
                    ("form[description]", &format!("Filing fee {i}")),
                    ("form[amount]", "10.00"),
                    ("form[billable]", "on"),
                ],
            )
            .await;
        assert!(res.status.is_success(), "{res:?}");
        let res = create(&mut c, m, Uuid::new_v4()).await;
        assert!(res.status.is_success(), "{res:?}");
        drafts.push(get(&mut c, res.json()).await);
    }
    let mut clients = vec![];
    for _ in 0..50 {
        clients.push(app.signed_in(app.a.billing).await);
    }
    let issues = clients
        .iter_mut()
        .zip(drafts.iter())
        .map(|(c, inv)| act(c, "issue", inv, &[]));
    let results = futures_util::future::join_all(issues).await;
    let mut numbers: Vec<String> = results
        .iter()
        .map(|r| {
            assert!(r.status.is_success(), "{r:?}");
            r.json()
        })
        .collect();
    numbers.sort();
    let mut expected = vec![];
    for n in 1..=50 {
        expected.push(number(&app, n).await);
    }
    assert_eq!(numbers, expected);
}

#[tokio::test]
async fn invoices_are_billing_work_and_another_firms_ids_are_not_found() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.billing).await;
    let (m, inv) = draft(&app, &mut c, 1).await;
    // An attorney sees the invoice of their matter but cannot issue it.
    let mut att = app.signed_in(app.a.attorney).await;
    assert_eq!(get(&mut att, inv.id).await.id, inv.id);
    assert_eq!(
        act(&mut att, "issue", &inv, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let res = create(&mut att, m, Uuid::new_v4()).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Staff who are not on the matter do not see it.
    let mut staff = app.signed_in(app.a.staff).await;
    let res = staff
        .post("/api/invoices/get", &[("id", &inv.id.to_string())])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // Firm B's billing staff, with firm A's ids.
    let mut b = app.signed_in(app.b.billing).await;
    let res = b
        .post("/api/invoices/get", &[("id", &inv.id.to_string())])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    for what in ["issue", "delete_draft"] {
        let res = act(&mut b, what, &inv, &[]).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{what}: {res:?}");
    }
    let res = create(&mut b, m, Uuid::new_v4()).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    // A form rendered for firm A, sent by someone now in firm B.
    let res = b
        .post(
            "/api/invoices/issue",
            &[
                ("org", &app.a.id.to_string()),
                ("id", &inv.id.to_string()),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(get(&mut c, inv.id).await.status, InvoiceStatus::Draft);
}

#[tokio::test]
async fn a_deleted_draft_burns_no_number_and_frees_its_work() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.billing).await;
    let (m, inv) = draft(&app, &mut c, 2).await;
    let line = inv.lines[0].id;
    let res = act(&mut c, "remove_line", &inv, &[("line", &line.to_string())]).await;
    assert!(res.status.is_success(), "{res:?}");
    let inv = get(&mut c, inv.id).await;
    assert_eq!(inv.lines.len(), 2);
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM time_entries WHERE matter_id = '{m}' AND invoice_id IS NULL"
        ))
        .await,
        1
    );
    let res = act(&mut c, "delete_draft", &inv, &[]).await;
    assert!(res.status.is_success(), "{res:?}");
    assert_eq!(app.count("SELECT count(*) FROM invoices").await, 0);
    assert_eq!(app.count(&format!("SELECT count(*) FROM time_entries WHERE matter_id = '{m}' AND status = 'unbilled' AND invoice_id IS NULL")).await, 2);
    let (_, next) = {
        let res = create(&mut c, m, Uuid::new_v4()).await;
        let id: Uuid = res.json();
        (id, get(&mut c, id).await)
    };
    assert!(act(&mut c, "issue", &next, &[]).await.status.is_success());
    assert_eq!(
        get(&mut c, next.id).await.number,
        Some(number(&app, 1).await)
    );
}

#[tokio::test]
async fn an_issued_invoice_downloads_as_ledes_with_the_same_total() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.billing).await;
    let (_, inv) = draft(&app, &mut c, 2).await;
    let path = format!("/invoices/{}/ledes.txt", inv.id);
    assert_eq!(
        c.get(&path).await.status,
        StatusCode::CONFLICT,
        "a draft has no file"
    );
    assert!(act(&mut c, "issue", &inv, &[]).await.status.is_success());
    let res = c.get(&path).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert!(res.body.starts_with("LEDES1998B[]\n"));
    let total: Decimal = res
        .body
        .lines()
        .skip(2)
        .map(|l| dec(l.trim_end_matches("[]").split('|').nth(12).unwrap()))
        .sum();
    assert_eq!(total, inv.totals.total);
    let mut b = app.signed_in(app.b.admin).await;
    assert_eq!(b.get(&path).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_database_keeps_an_issued_invoice_and_its_lines() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.billing).await;
    let (_, inv) = draft(&app, &mut c, 1).await;
    assert!(act(&mut c, "issue", &inv, &[]).await.status.is_success());
    let mut tx = docket::server::db::tenant_tx(&app.app_pool, app.a.admin, Some(app.a.id))
        .await
        .unwrap();
    for sql in [
        "DELETE FROM invoice_lines WHERE invoice_id = $1",
        "UPDATE invoice_lines SET amount = 0 WHERE invoice_id = $1",
        "UPDATE invoices SET tax_total = 1 WHERE id = $1",
        "UPDATE invoices SET status = 'draft', invoice_number = NULL WHERE id = $1",
        "DELETE FROM invoices WHERE id = $1",
    ] {
        let res = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(inv.id)
            .execute(&mut *tx)
            .await;
        assert!(res.is_err(), "the database allowed: {sql}");
        drop(tx);
        tx = docket::server::db::tenant_tx(&app.app_pool, app.a.admin, Some(app.a.id))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn reports_show_receivables_by_age_and_unbilled_work() {
    use docket::reports::{AgingReport, WipReport};
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.billing).await;
    let (m, inv) = draft(&app, &mut c, 1).await; // 270.00 + 25.00
    assert!(act(&mut c, "issue", &inv, &[]).await.status.is_success());
    let inv = get(&mut c, inv.id).await;
    let pay = [
        ("form[amount]", "95.00"),
        ("form[paid_on]", ""),
        ("form[method]", "ach"),
        ("form[reference]", ""),
    ];
    assert!(act(&mut c, "pay", &inv, &pay).await.status.is_success());
    // More work on the matter, not yet billed: 50 minutes at 300 (54 billed) and nothing else.
    let mut att = app.signed_in(app.a.attorney).await;
    let res = att
        .post(
            "/api/time/create",
            &[
                ("form[matter]", &m.to_string()),
                ("form[work_date]", "2026-11-20"),
                ("form[duration]", "50m"),
                ("form[description]", "Follow-up"),
                ("form[billable]", "on"),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");

    let due = inv.due_date.unwrap();
    async fn aging(c: &mut Http, due: chrono::NaiveDate, days: u64) -> Res {
        let day = (due + chrono::Days::new(days)).to_string();
        c.post("/api/reports/aging", &[("query[as_of]", &day)])
            .await
    }
    let r: AgingReport = aging(&mut c, due, 0).await.json();
    assert_eq!(
        (r.totals.current, r.totals.total),
        (dec("200.00"), dec("200.00"))
    );
    let r: AgingReport = aging(&mut c, due, 45).await.json();
    assert_eq!(
        (r.totals.current, r.totals.days_31_60),
        (dec("0"), dec("200.00"))
    );
    let r: AgingReport = aging(&mut c, due, 91).await.json();
    assert_eq!(r.totals.over_90, dec("200.00"));
    // The day before it was issued, nothing was owed.
    let before = inv.issue_date.unwrap().pred_opt().unwrap().to_string();
    let r: AgingReport = c
        .post("/api/reports/aging", &[("query[as_of]", &before)])
        .await
        .json();
    assert!(r.rows.is_empty(), "not yet issued on {before}");

    let wip: WipReport = c
        .post("/api/reports/wip", &[("query[as_of]", "")])
        .await
        .json();
    assert_eq!(wip.total, dec("270.00"));
    assert_eq!(wip.matters.len(), 1);
    assert_eq!(wip.matters[0].minutes, 50);
    assert_eq!(wip.people.len(), 1);
    assert_eq!(
        (wip.people[0].id, wip.people[0].total()),
        (app.a.attorney, dec("270.00"))
    );
    let res = c.get("/reports/wip.csv").await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(
        res.body.contains(",0.83,270.00,0.00,270.00"),
        "{}",
        res.body
    );

    // Billed this month: the attorney's 54 minutes, 270.00; collected: their share of the
    // payment, 95.00 × 270.00 / 295.00 = 86.95.
    use docket::reports::BilledReport;
    let r: BilledReport = c
        .post(
            "/api/reports/billed",
            &[("query[from]", ""), ("query[to]", "")],
        )
        .await
        .json();
    assert_eq!(r.rows.len(), 1, "{r:?}");
    let row = &r.rows[0];
    assert_eq!(
        (row.user_id, row.billed_minutes, row.billed, row.collected),
        (app.a.attorney, 54, dec("270.00"), dec("86.95"))
    );
    let res = c.get("/reports/billed.csv").await;
    assert!(res.body.contains(",0.90,270.00,86.95"), "{}", res.body);

    // Lawyers do not read the firm's receivables; another firm sees none of these.
    let res = att
        .post("/api/reports/aging", &[("query[as_of]", "")])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        att.get("/reports/aging.csv").await.status,
        StatusCode::FORBIDDEN
    );
    let mut b = app.signed_in(app.b.billing).await;
    let r: AgingReport = b
        .post("/api/reports/aging", &[("query[as_of]", "")])
        .await
        .json();
    assert!(r.rows.is_empty());
    let wip: WipReport = b
        .post("/api/reports/wip", &[("query[as_of]", "")])
        .await
        .json();
    assert_eq!(wip.total, dec("0"));

    // The dashboard counts the invoice overdue once its due date has passed (moved back here
    // behind the guard that keeps issued invoices as they were).
    sqlx::raw_sql(
        "ALTER TABLE invoices DISABLE TRIGGER invoice_guard;
         UPDATE invoices SET issue_date = issue_date - 40, due_date = due_date - 40;
         ALTER TABLE invoices ENABLE TRIGGER invoice_guard;",
    )
    .execute(&app.admin_pool)
    .await
    .unwrap();
    let d: docket::reports::DashboardMoney = c.post("/api/reports/dashboard", &[]).await.json();
    assert_eq!(d.overdue, Some(1));
    assert_eq!(d.aging.map(|a| a.days_1_30), Some(dec("200.00")));
    let d: docket::reports::DashboardMoney = att.post("/api/reports/dashboard", &[]).await.json();
    assert_eq!(
        (d.overdue, d.aging),
        (None, None),
        "an attorney sees no receivables"
    );
}

#[tokio::test]
async fn collected_counts_fees_net_of_discount_and_without_tax() {
    use docket::reports::BilledReport;
    let app = TestApp::spawn().await;
    sqlx::query("UPDATE organizations SET tax_rate = 10 WHERE id = $1")
        .bind(app.a.id)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let mut c = app.signed_in(app.a.billing).await;
    let (_, inv) = draft(&app, &mut c, 1).await; // 270.00 time + 25.00 expense
    let res = act(
        &mut c,
        "discount",
        &inv,
        &[("form[kind]", "amount"), ("form[value]", "29.50")],
    )
    .await;
    assert!(res.status.is_success(), "{res:?}");
    let inv = get(&mut c, inv.id).await;
    // (295.00 − 29.50) × 1.10 = 292.05
    assert_eq!(inv.totals.total, dec("292.05"));
    assert!(act(&mut c, "issue", &inv, &[]).await.status.is_success());
    let inv = get(&mut c, inv.id).await;
    let pay = [
        ("form[amount]", "292.05"),
        ("form[paid_on]", ""),
        ("form[method]", "wire"),
        ("form[reference]", ""),
    ];
    assert!(act(&mut c, "pay", &inv, &pay).await.status.is_success());
    let r: BilledReport = c
        .post(
            "/api/reports/billed",
            &[("query[from]", ""), ("query[to]", "")],
        )
        .await
        .json();
    let row = &r.rows[0];
    // The attorney's fees net of their share of the discount: 270.00 × 265.50 / 295.00 = 243.00,
    // billed and, once paid in full, collected (the tax and the expenses are nobody's).
    assert_eq!((row.billed, row.collected), (dec("243.00"), dec("243.00")));
}

/// Reports and the dashboard are cached in Redis per firm, and every write through Docket drops
/// the firm's cached figures. A change made behind Docket's back (here, by SQL) shows that the
/// figures really come from the cache until the next write.
#[tokio::test]
async fn cached_figures_follow_every_write_of_the_firm() {
    use docket::reports::{AgingReport, WipReport};
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.billing).await;
    let mut att = app.signed_in(app.a.attorney).await;
    let m = billable_matter(&app, 1).await; // 270.00 + 25.00
    async fn wip(c: &mut Http) -> Decimal {
        let r: WipReport = c
            .post("/api/reports/wip", &[("query[as_of]", "")])
            .await
            .json();
        r.total
    }
    async fn mine(c: &mut Http) -> Option<Decimal> {
        let r: docket::reports::DashboardMoney = c.post("/api/reports/dashboard", &[]).await.json();
        r.mine
    }
    assert_eq!(wip(&mut c).await, dec("295.00"));
    assert_eq!(mine(&mut att).await, Some(dec("295.00")));
    sqlx::query("UPDATE time_entries SET minutes = 100 WHERE matter_id = $1")
        .bind(m)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    assert_eq!(wip(&mut c).await, dec("295.00"), "served from the cache");
    assert_eq!(mine(&mut att).await, Some(dec("295.00")));

    // Another firm's write leaves firm A's figures cached; firm A's own write drops them.
    let mut b = app.signed_in(app.b.attorney).await;
    crate::clients::create(&mut b, "Elsewhere").await;
    assert_eq!(wip(&mut c).await, dec("295.00"));
    let res = att
        .post(
            "/api/time/create",
            &[
                ("form[matter]", &m.to_string()),
                ("form[work_date]", "2026-11-20"),
                ("form[duration]", "50m"),
                ("form[description]", "Follow-up"),
                ("form[billable]", "on"),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    // 102 minutes (1.7 h) + 54 minutes (0.9 h) at 300, and the expense.
    assert_eq!(wip(&mut c).await, dec("805.00"));
    assert_eq!(mine(&mut att).await, Some(dec("805.00")));

    // Issuing an invoice moves the work from WIP to receivables at once.
    async fn aging(c: &mut Http) -> Decimal {
        let r: AgingReport = c
            .post("/api/reports/aging", &[("query[as_of]", "")])
            .await
            .json();
        r.totals.total
    }
    assert_eq!(aging(&mut c).await, dec("0"));
    let res = create(&mut c, m, Uuid::new_v4()).await;
    assert!(res.status.is_success(), "{res:?}");
    let inv = get(&mut c, res.json()).await;
    assert!(act(&mut c, "issue", &inv, &[]).await.status.is_success());
    assert_eq!(wip(&mut c).await, dec("0"));
    assert_eq!(aging(&mut c).await, dec("805.00"));
}

/// Billing staff correct a draft's line (a write-down): the amount is formed again, the totals
/// follow, the time entry keeps what was worked, and an issued invoice's lines cannot change.
#[tokio::test]
async fn a_draft_line_is_edited_and_an_issued_one_is_not() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.billing).await;
    let (_, inv) = draft(&app, &mut c, 1).await; // 54 min at 300 = 270.00, and 2 × 12.50
    let time = inv
        .lines
        .iter()
        .find(|l| l.minutes.is_some())
        .unwrap()
        .clone();
    let expense = inv
        .lines
        .iter()
        .find(|l| l.minutes.is_none())
        .unwrap()
        .clone();
    async fn edit(c: &mut Http, inv: &Invoice, line: Uuid, f: [&str; 3]) -> Res {
        let line = line.to_string();
        act(
            c,
            "edit_line",
            inv,
            &[
                ("line", &line),
                ("form[description]", f[0]),
                ("form[quantity]", f[1]),
                ("form[rate]", f[2]),
            ],
        )
        .await
    }
    let res = edit(
        &mut c,
        &inv,
        time.id,
        ["Research memo (written down)", "0:45", "280"],
    )
    .await;
    assert!(res.status.is_success(), "{res:?}");
    let inv2 = get(&mut c, inv.id).await;
    let l = inv2.lines.iter().find(|l| l.id == time.id).unwrap();
    assert_eq!(
        (l.description.as_str(), l.minutes, l.rate, l.amount),
        (
            "Research memo (written down)",
            Some(48),
            dec("280"),
            dec("224.00")
        )
    );
    assert_eq!(inv2.totals.total, dec("249.00"));
    let worked: i32 = sqlx::query_scalar(
        "SELECT t.minutes FROM time_entries t JOIN invoice_lines l ON l.time_entry_id = t.id WHERE l.id = $1",
    )
    .bind(time.id)
    .fetch_one(&app.admin_pool)
    .await
    .unwrap();
    assert_eq!(worked, 50, "the entry keeps what was worked");

    // The page that still shows the old version is stale; bad input is refused beside its field.
    let res = edit(&mut c, &inv, expense.id, ["Copies", "3", "12.50"]).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{res:?}");
    let res = edit(&mut c, &inv2, expense.id, ["Copies", "-1", "12.50"]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    match res.error() {
        AppError::Invalid(f) => {
            assert!(f.get("quantity").is_some());
            assert_eq!(f.value("line"), Some(expense.id.to_string().as_str()));
        }
        e => panic!("{e:?}"),
    }
    // An attorney may not; another firm's billing clerk finds nothing; another invoice's line
    // is not this invoice's.
    let mut att = app.signed_in(app.a.attorney).await;
    let res = edit(&mut att, &inv2, expense.id, ["Copies", "1", "1"]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let mut b = app.signed_in(app.b.billing).await;
    let res = edit(&mut b, &inv2, expense.id, ["Copies", "1", "1"]).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let (_, other) = draft(&app, &mut c, 1).await;
    let res = edit(&mut c, &inv2, other.lines[0].id, ["Copies", "1", "1"]).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // Issued: the line is the invoice's for good, in the application and in the database.
    assert!(act(&mut c, "issue", &inv2, &[]).await.status.is_success());
    let issued = get(&mut c, inv.id).await;
    let res = edit(&mut c, &issued, expense.id, ["Copies", "1", "1"]).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let err = sqlx::query("UPDATE invoice_lines SET amount = 1 WHERE id = $1")
        .bind(expense.id)
        .execute(&app.app_pool)
        .await;
    assert!(err.is_err() || err.unwrap().rows_affected() == 0);
    let after = get(&mut c, inv.id).await;
    assert_eq!(after.totals.total, dec("249.00"));
    let logged = app
        .count("SELECT count(*) FROM activity_logs WHERE action = 'invoice.edit_line'")
        .await;
    assert_eq!(logged, 1);
}

/// A firm billing in yen: every amount is formed in whole yen (the currency has no minor unit),
/// so no invoice is left with a balance of a fraction of a yen.
#[tokio::test]
async fn a_firm_billing_in_yen_bills_whole_yen() {
    use docket::reports::WipReport;
    let app = TestApp::spawn().await;
    sqlx::query(
        "UPDATE organizations SET currency = 'JPY', billing_increment_minutes = 1, tax_rate = 10 WHERE id = $1",
    )
    .bind(app.a.id)
    .execute(&app.admin_pool)
    .await
    .unwrap();
    let mut att = app.signed_in(app.a.attorney).await;
    let client = crate::clients::create(&mut att, "Yen Client").await;
    let m = crate::matters::create(&mut att, client, "Yen matter", Some(app.a.attorney))
        .await
        .unwrap();
    sqlx::query("UPDATE matters SET hourly_rate = 20000 WHERE id = $1")
        .bind(m)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let res = att
        .post(
            "/api/time/create",
            &[
                ("form[matter]", &m.to_string()),
                ("form[work_date]", "2026-11-20"),
                ("form[duration]", "7m"),
                ("form[description]", "Call"),
                ("form[billable]", "on"),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let mut c = app.signed_in(app.a.billing).await;
    let wip: WipReport = c
        .post("/api/reports/wip", &[("query[as_of]", "")])
        .await
        .json();
    assert_eq!(
        wip.total,
        dec("2333"),
        "7 minutes at ¥20,000/h is ¥2,333.33…"
    );
    let res = create(&mut c, m, Uuid::new_v4()).await;
    assert!(res.status.is_success(), "{res:?}");
    let inv = get(&mut c, res.json()).await;
    assert_eq!(inv.lines[0].amount, dec("2333"));
    let res = act(
        &mut c,
        "discount",
        &inv,
        &[("form[kind]", "percent"), ("form[value]", "10")],
    )
    .await;
    assert!(res.status.is_success(), "{res:?}");
    let inv = get(&mut c, inv.id).await;
    // ¥233.3 off → ¥233; 10% tax on ¥2,100 = ¥210.
    assert_eq!(
        (inv.totals.discount, inv.totals.tax, inv.totals.total),
        (dec("233"), dec("210"), dec("2310"))
    );
    assert!(act(&mut c, "issue", &inv, &[]).await.status.is_success());
    let inv = get(&mut c, inv.id).await;
    let pay = [
        ("form[amount]", "2310"),
        ("form[paid_on]", ""),
        ("form[method]", "wire"),
        ("form[reference]", ""),
    ];
    let res = act(&mut c, "pay", &inv, &pay).await;
    assert!(res.status.is_success(), "{res:?}");
    let inv = get(&mut c, inv.id).await;
    assert_eq!((inv.status, inv.balance), (InvoiceStatus::Paid, dec("0")));
}

/// A draft bills what its preview showed: work recorded (or changed) in between makes the
/// create refused, with nothing claimed, until the preview is looked at again.
#[tokio::test]
async fn a_draft_bills_what_its_preview_showed_or_nothing() {
    use docket::invoices::Preview;
    async fn preview(c: &mut Http, m: Uuid) -> Preview {
        let m = m.to_string();
        c.post("/api/invoices/preview", &[("scope[matter]", &m)])
            .await
            .json()
    }
    async fn send(c: &mut Http, m: Uuid, request: Uuid, shown: &str) -> Res {
        let (m, request) = (m.to_string(), request.to_string());
        let form = [
            ("request", request.as_str()),
            ("form[matter]", &m),
            ("form[from]", ""),
            ("form[to]", ""),
            ("form[shown]", shown),
        ];
        c.post("/api/invoices/create", &form).await
    }
    let app = TestApp::spawn().await;
    let m = billable_matter(&app, 2).await;
    let mut c = app.signed_in(app.a.billing).await;
    let seen = preview(&mut c, m).await;
    let shown = seen.pin.clone();
    assert_eq!(seen.items.len(), 3);
    let mut att = app.signed_in(app.a.attorney).await;
    let res = att
        .post(
            "/api/time/create",
            &[
                ("form[matter]", &m.to_string()),
                ("form[work_date]", "2026-11-24"),
                ("form[duration]", "1h"),
                ("form[description]", "Late work"),
                ("form[billable]", "on"),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let res = send(&mut c, m, seen.request, &shown).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{res:?}");
    assert!(
        res.body.contains("changed since this preview"),
        "{}",
        res.body
    );
    assert_eq!(app.count("SELECT count(*) FROM invoices").await, 0);
    let claimed = "SELECT count(*) FROM time_entries WHERE invoice_id IS NOT NULL";
    assert_eq!(app.count(claimed).await, 0);
    let again = preview(&mut c, m).await;
    assert_eq!(again.items.len(), 4);
    assert_ne!(again.pin, shown);
    // A tax rate changed since the preview refuses it too.
    sqlx::query("UPDATE organizations SET tax_rate = 5 WHERE id = $1")
        .bind(app.a.id)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let res = send(&mut c, m, seen.request, &again.pin).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{res:?}");
    let now = preview(&mut c, m).await.pin;
    let res = send(&mut c, m, seen.request, &now).await;
    assert!(res.status.is_success(), "{res:?}");
    let inv = get(&mut c, res.json()).await;
    assert_eq!(inv.lines.len(), 4);
}
