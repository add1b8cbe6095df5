//! Ledgers over a period: a client's trust statement and an account's journal, on screen and
//! as CSV.

use axum::http::StatusCode;
use docket::trust::TrustStatement;
use uuid::Uuid;

use crate::support::{Client as Http, TestApp};
use crate::trust::{d, deposit, disburse, setup};

async fn ledger(c: &mut Http, what: &str, key: &str, id: Uuid, from: &str) -> crate::support::Res {
    c.post(
        &format!("/api/trust/{what}"),
        &[
            (key, &id.to_string()),
            ("filter[from]", from),
            ("filter[to]", ""),
        ],
    )
    .await
}

#[tokio::test]
async fn a_client_statement_and_an_account_journal_run_their_balances_over_a_period() {
    let app = TestApp::spawn().await;
    let (mut c, account, client, matter) = setup(&app).await;
    let mut admin = app.signed_in(app.a.admin).await;
    let second = crate::matters::create(&mut admin, client, "Estate of Ada, appeal", None)
        .await
        .unwrap();
    let other_client = crate::clients::create(&mut admin, "Another Client").await;
    let other = crate::matters::create(&mut admin, other_client, "Other matter", None)
        .await
        .unwrap();
    // Two deposits on 2 November; a payment today.
    assert!(deposit(&mut c, account, matter, "1000.00", true)
        .await
        .status
        .is_success());
    assert!(deposit(&mut c, account, second, "200.00", true)
        .await
        .status
        .is_success());
    assert!(deposit(&mut c, account, other, "50.00", true)
        .await
        .status
        .is_success());
    assert!(disburse(&mut c, account, matter, "150.00")
        .await
        .status
        .is_success());

    let all: TrustStatement = ledger(&mut c, "client_ledger", "client", client, "")
        .await
        .json();
    let balances: Vec<_> = all.lines.iter().map(|l| l.balance).collect();
    assert_eq!(balances, vec![d("1000.00"), d("1200.00"), d("1050.00")]);
    assert_eq!((all.opening, all.closing), (d("0"), d("1050.00")));
    let since: TrustStatement = ledger(&mut c, "client_ledger", "client", client, "2026-11-03")
        .await
        .json();
    assert_eq!(
        (since.opening, since.closing, since.lines.len()),
        (d("1200.00"), d("1050.00"), 1)
    );
    let journal: TrustStatement = ledger(&mut c, "journal", "account", account, "")
        .await
        .json();
    assert_eq!((journal.lines.len(), journal.closing), (4, d("1100.00")));

    // As CSV, every line with the opening balance first.
    let csv = c
        .page(&format!("/clients/{client}/trust.csv?from=2026-11-03"))
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let rows: Vec<&str> = csv.body.lines().collect();
    assert_eq!(rows.len(), 3, "{}", csv.body);
    assert!(rows[1].contains("Opening balance") && rows[1].ends_with("1200.00"));
    assert!(rows[2].contains("Filing fee") && rows[2].ends_with("1050.00"));
    // On screen, without JavaScript; a date that does not read is said so, not fatal.
    let page = c.page(&format!("/clients/{client}/trust?from=soon")).await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "Trust statement: Trust Client",
        "Closing balance",
        "$1,050.00",
        "Enter a date",
    ] {
        assert!(page.body.contains(expected), "{expected}");
    }
    let page = c.page(&format!("/trust/accounts/{account}")).await;
    assert!(page.body.contains("Another Client"));

    // Who sees them.
    let mut attorney = app.signed_in(app.a.attorney).await;
    let res = ledger(&mut attorney, "client_ledger", "client", client, "").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let mut staff = app.signed_in(app.a.staff).await;
    let res = ledger(&mut staff, "client_ledger", "client", client, "").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        staff
            .page(&format!("/clients/{client}/trust.csv"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The firm's settings let staff see trust ledgers.
    let page = crate::firm::settings(&mut admin).await;
    assert!(!page.settings.staff_see_trust);
    let res = crate::firm::save(&mut admin, page.version, &[("form[staff_see_trust]", "on")]).await;
    assert!(res.status.is_success(), "{res:?}");
    assert!(
        crate::firm::settings(&mut admin)
            .await
            .settings
            .staff_see_trust
    );
    let res = ledger(&mut staff, "client_ledger", "client", client, "").await;
    assert!(
        res.status.is_success(),
        "the firm lets staff see trust ledgers"
    );
    let res = ledger(&mut staff, "journal", "account", account, "").await;
    assert_eq!(
        res.status,
        StatusCode::FORBIDDEN,
        "the journal stays with those who record"
    );
    let mut b = app.signed_in(app.b.billing).await;
    let res = ledger(&mut b, "client_ledger", "client", client, "").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = ledger(&mut b, "journal", "account", account, "").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        b.page(&format!("/trust/accounts/{account}/journal.csv"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
