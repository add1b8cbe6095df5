//! Three-way reconciliation of a trust account, and the lock it puts on what it covers.

use axum::http::StatusCode;
use chrono::NaiveDate;
use docket::trust::{EntryKind, ReconcileSheet, Reconciliation};
use uuid::Uuid;

use crate::support::{Client as Http, Res, TestApp};
use crate::trust::{as_app, d, deposit, disburse, held, setup};

/// The firm's yesterday: a statement is of days that have ended.
async fn yesterday(app: &TestApp) -> String {
    let day: NaiveDate = sqlx::query_scalar(
        "SELECT (now() AT TIME ZONE timezone)::date FROM organizations WHERE id = $1",
    )
    .bind(app.a.id)
    .fetch_one(&app.admin_pool)
    .await
    .unwrap();
    day.pred_opt().unwrap().to_string()
}

fn statement<'a>(
    date: &'a str,
    balance: &'a str,
    outstanding: &'a str,
    journal: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("form[statement_date]", date),
        ("form[statement_balance]", balance),
        ("form[outstanding]", outstanding),
        (
            "form[marked]",
            if outstanding.is_empty() { "" } else { "1" },
        ),
        ("form[journal]", journal),
    ]
}

async fn sheet(c: &mut Http, account: Uuid, form: &[(&str, &str)]) -> Res {
    let account = account.to_string();
    let mut all = vec![("account", account.as_str())];
    all.extend_from_slice(form);
    c.post("/api/trust/reconcile_sheet", &all).await
}

async fn reconcile(c: &mut Http, account: Uuid, form: &[(&str, &str)]) -> Res {
    let account = account.to_string();
    let mut all = vec![("account", account.as_str())];
    all.extend_from_slice(form);
    c.post("/api/trust/reconcile", &all).await
}

async fn reverse(c: &mut Http, entry: Uuid, unlock: bool) -> Res {
    let entry = entry.to_string();
    let mut form = vec![
        ("entry", entry.as_str()),
        ("reason", "Deposit recorded on the wrong matter"),
    ];
    if unlock {
        form.push(("unlock", "on"));
    }
    c.post("/api/trust/reverse", &form).await
}

#[tokio::test]
async fn a_month_is_reconciled_as_it_was_and_what_it_covers_is_locked() {
    let app = TestApp::spawn().await;
    let (mut c, account, _, matter) = setup(&app).await;
    let day = yesterday(&app).await;
    // The bank has seen the first deposit, not the second; today's cheque is after the statement.
    let seen: Uuid = deposit(&mut c, account, matter, "1000.00", true)
        .await
        .json();
    let in_transit: Uuid = deposit(&mut c, account, matter, "300.00", false)
        .await
        .json();
    let cheque: Uuid = disburse(&mut c, account, matter, "150.00").await.json();

    // First look: the uncleared deposit is proposed as outstanding.
    let s: ReconcileSheet = sheet(&mut c, account, &statement(&day, "1,000.00", "", ""))
        .await
        .json();
    let marked: Vec<Uuid> = s
        .items
        .iter()
        .filter(|i| i.outstanding)
        .map(|i| i.id)
        .collect();
    assert_eq!(marked, vec![in_transit]);
    assert!(
        s.items.iter().all(|i| i.id != cheque),
        "today is after the statement"
    );
    let f = s.figures.clone().unwrap();
    assert_eq!((f.journal, f.client_ledgers), (d("1300.00"), d("1300.00")));
    assert_eq!(
        (f.adjusted_bank, f.deposits_in_transit),
        (d("1300.00"), d("300.00"))
    );
    assert!(f.balanced());
    // Not a statement of today: its day has not ended.
    let today = NaiveDate::parse_from_str(&day, "%Y-%m-%d")
        .unwrap()
        .succ_opt()
        .unwrap()
        .to_string();
    let s: ReconcileSheet = sheet(&mut c, account, &statement(&today, "1300.00", "", ""))
        .await
        .json();
    assert!(s.problems.unwrap().get("statement_date").is_some());

    // Unbalanced: refused, with the difference.
    let out = in_transit.to_string();
    let res = reconcile(&mut c, account, &statement(&day, "900.00", &out, "1300.00")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    assert!(res
        .error()
        .fields()
        .unwrap()
        .get("statement_balance")
        .unwrap()
        .contains("$100.00"));
    // A page that showed another journal balance: the entries changed since.
    let res = reconcile(
        &mut c,
        account,
        &statement(&day, "1000.00", &out, "1150.00"),
    )
    .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{res:?}");
    // Another firm's ids; an attorney.
    let mut b = app.signed_in(app.b.billing).await;
    let res = reconcile(
        &mut b,
        account,
        &statement(&day, "1000.00", &out, "1300.00"),
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
    let mut attorney = app.signed_in(app.a.attorney).await;
    let res = sheet(&mut attorney, account, &statement(&day, "1000.00", "", "")).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    let res = reconcile(
        &mut c,
        account,
        &statement(&day, "1000.00", &out, "1300.00"),
    )
    .await;
    assert!(res.status.is_success(), "{res:?}");
    let id: Uuid = res.json();
    let r: Reconciliation = c
        .post("/api/trust/reconciliation", &[("id", &id.to_string())])
        .await
        .json();
    assert_eq!(
        (
            r.figures.statement,
            r.figures.deposits_in_transit,
            r.figures.outstanding_payments
        ),
        (d("1000.00"), d("300.00"), d("0.00"))
    );
    assert_eq!(
        (r.figures.adjusted_bank, r.figures.journal),
        (d("1300.00"), d("1300.00"))
    );
    assert_eq!(r.items.len(), 1);
    assert_eq!(r.clients.len(), 1);
    assert_eq!(r.clients[0].balance, d("1300.00"));
    let res = b
        .post("/api/trust/reconciliation", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // Not twice for the same statement; nothing dated into the reconciled period.
    let res = reconcile(
        &mut c,
        account,
        &statement(&day, "1000.00", &out, "1300.00"),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    let res = deposit(&mut c, account, matter, "5.00", true).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    assert!(res.error().fields().unwrap().get("occurred_on").is_some());

    // Today's cheque, after the statement, is corrected (voided) as usual.
    assert!(reverse(&mut c, cheque, false).await.status.is_success());
    // A covered entry is not reversed: not by billing, not past the app, not with an override
    // by anyone but an administrator.
    let res = reverse(&mut c, seen, false).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .error()
        .fields()
        .unwrap()
        .get("reason")
        .unwrap()
        .contains("reconciliation"));
    let res = reverse(&mut c, seen, true).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut tx = as_app(&app).await;
    let refused = sqlx::query(
        "INSERT INTO trust_entries (organization_id, account_id, client_id, matter_id, kind, amount, occurred_on, reverses)
         SELECT organization_id, account_id, client_id, matter_id, 'reversal', -amount, current_date + 1, id
           FROM trust_entries WHERE id = $1",
    )
    .bind(seen)
    .execute(&mut *tx)
    .await
    .unwrap_err();
    assert_eq!(
        docket::server::db::violated_constraint(&refused),
        Some("trust_entries_reconciled")
    );
    tx.rollback().await.unwrap();
    assert_eq!(held(&app, matter).await, d("1300.00"));
    let mut admin = app.signed_in(app.a.admin).await;
    let res = reverse(&mut admin, seen, false).await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the override is asked for"
    );
    let res = reverse(&mut admin, seen, true).await;
    assert!(res.status.is_success(), "{res:?}");
    assert_eq!(held(&app, matter).await, d("300.00"));
    assert_eq!(
        app.count("SELECT count(*) FROM activity_logs WHERE action = 'trust.unlock' AND summary LIKE '%wrong matter%'")
            .await,
        1,
        "the override is logged with its reason"
    );
    // The record reads as it was completed, and the reconciled period's journal is unchanged.
    let again: Reconciliation = c
        .post("/api/trust/reconciliation", &[("id", &id.to_string())])
        .await
        .json();
    assert_eq!(again, r);
    assert!(again.items.iter().any(|i| i.kind == EntryKind::Deposit));
    let journal: rust_decimal::Decimal = sqlx::query_scalar(
        "SELECT sum(amount) FROM trust_entries WHERE account_id = $1 AND occurred_on <= $2::date",
    )
    .bind(account)
    .bind(&day)
    .fetch_one(&app.admin_pool)
    .await
    .unwrap();
    assert_eq!(journal, r.figures.journal);
}

#[tokio::test]
async fn the_reconciliation_pages_work_without_javascript() {
    let app = TestApp::spawn().await;
    let (mut c, account, _, matter) = setup(&app).await;
    let today = yesterday(&app).await;
    assert!(deposit(&mut c, account, matter, "400.00", true)
        .await
        .status
        .is_success());
    let acct = account.to_string();
    let cheque: Uuid = crate::trust::money(
        &mut c,
        "disburse",
        matter,
        &[
            ("form[account]", &acct),
            ("form[occurred_on]", "2026-11-03"),
            ("form[counterparty]", "County Court"),
            ("form[purpose]", "Filing fee"),
            ("form[amount]", "75.25"),
        ],
    )
    .await
    .json();
    let page = c.page("/trust").await;
    assert!(page
        .body
        .contains(&format!("action=\"/trust/accounts/{account}/reconcile\"")));
    // The statement as a GET form: the figures follow the URL.
    let url = format!("/trust/accounts/{account}/reconcile?marked=1&statement_date={today}&statement_balance=400.00");
    let page = c.page(&url).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Not balanced"),
        "the cheque is not marked"
    );
    assert!(!page.body.contains("Complete reconciliation"));
    let page = c.page(&format!("{url}&out={cheque}")).await;
    for expected in [
        "Balanced: ",
        "$324.75",
        "Complete reconciliation",
        "Trust Client",
    ] {
        assert!(page.body.contains(expected), "{expected}");
    }
    let res = reconcile(
        &mut c,
        account,
        &statement(&today, "400.00", &cheque.to_string(), "324.75"),
    )
    .await;
    let id: Uuid = res.json();
    let page = c.page(&format!("/trust/reconciliations/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in ["Outstanding items", "$75.25", "Filing fee", "$324.75"] {
        assert!(page.body.contains(expected), "{expected}");
    }
    let mut staff = app.signed_in(app.a.staff).await;
    assert_eq!(
        staff
            .page(&format!("/trust/reconciliations/{id}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
