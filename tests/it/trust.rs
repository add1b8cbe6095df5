use axum::http::StatusCode;
use docket::matters::Matter;
use docket::trust::{MatterTrust, TrustAccounts};
use rust_decimal::Decimal;
use std::str::FromStr;
use uuid::Uuid;

use crate::support::{Client as Http, Res, TestApp};

pub(crate) fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

pub(crate) async fn open_account(c: &mut Http, name: &str) -> Uuid {
    let res = c
        .post(
            "/api/trust/create_account",
            &[
                ("form[name]", name),
                ("form[bank_name]", "First Bank"),
                ("form[last4]", "4321"),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    res.json()
}

pub(crate) async fn money(c: &mut Http, what: &str, matter: Uuid, fields: &[(&str, &str)]) -> Res {
    let matter = matter.to_string();
    let mut form: Vec<(&str, &str)> = vec![("matter", matter.as_str())];
    form.extend_from_slice(fields);
    c.post(&format!("/api/trust/{what}"), &form).await
}

pub(crate) async fn deposit(
    c: &mut Http,
    account: Uuid,
    matter: Uuid,
    amount: &str,
    cleared: bool,
) -> Res {
    let account = account.to_string();
    let cleared_on = if cleared { "2026-11-02" } else { "" };
    money(
        c,
        "deposit",
        matter,
        &[
            ("form[account]", &account),
            ("form[occurred_on]", "2026-11-02"),
            ("form[cleared_on]", cleared_on),
            ("form[counterparty]", "Ada Client"),
            ("form[method]", "wire"),
            ("form[amount]", amount),
        ],
    )
    .await
}

pub(crate) async fn disburse(c: &mut Http, account: Uuid, matter: Uuid, amount: &str) -> Res {
    let account = account.to_string();
    money(
        c,
        "disburse",
        matter,
        &[
            ("form[account]", &account),
            ("form[counterparty]", "County Court"),
            ("form[purpose]", "Filing fee"),
            ("form[amount]", amount),
        ],
    )
    .await
}

async fn transfer(c: &mut Http, account: Uuid, from: Uuid, to: Uuid, amount: &str) -> Res {
    let (account, to) = (account.to_string(), to.to_string());
    money(
        c,
        "transfer",
        from,
        &[
            ("form[account]", &account),
            ("form[to_matter]", &to),
            ("form[purpose]", "Costs of the related matter"),
            ("form[amount]", amount),
        ],
    )
    .await
}

pub(crate) async fn trust_of(c: &mut Http, matter: Uuid) -> MatterTrust {
    let res = c
        .post("/api/trust/matter", &[("matter", &matter.to_string())])
        .await;
    assert!(res.status.is_success(), "{res:?}");
    res.json()
}

pub(crate) async fn held(app: &TestApp, matter: Uuid) -> Decimal {
    sqlx::query_scalar("SELECT coalesce(sum(balance), 0) FROM trust_balances WHERE matter_id = $1")
        .bind(matter)
        .fetch_one(&app.admin_pool)
        .await
        .unwrap()
}

/// A firm A account and a matter of a new client, as A's billing clerk.
pub(crate) async fn setup(app: &TestApp) -> (Http, Uuid, Uuid, Uuid) {
    let mut admin = app.signed_in(app.a.admin).await;
    let account = open_account(&mut admin, "IOLTA").await;
    let c = app.signed_in(app.a.billing).await;
    let client = crate::clients::create(&mut admin, "Trust Client").await;
    let matter = crate::matters::create(&mut admin, client, "Estate of Ada", None)
        .await
        .unwrap();
    (c, account, client, matter)
}

#[tokio::test]
async fn a_hundred_concurrent_disbursements_take_exactly_what_is_held() {
    let app = TestApp::spawn().await;
    let (mut c, account, _, matter) = setup(&app).await;
    let res = deposit(&mut c, account, matter, "500.00", true).await;
    assert!(res.status.is_success(), "{res:?}");
    let tries = (0..100).map(|_| {
        let mut c = c.clone();
        async move { disburse(&mut c, account, matter, "10.00").await }
    });
    let results = futures_util::future::join_all(tries).await;
    let ok = results.iter().filter(|r| r.status.is_success()).count();
    let refused: Vec<_> = results.iter().filter(|r| !r.status.is_success()).collect();
    assert_eq!(ok, 50, "{:?}", refused.first());
    for r in &refused {
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{r:?}");
        let e = r.error();
        let message = e.fields().unwrap().get("amount").unwrap().to_string();
        assert!(message.contains("$0.00 available"), "{message}");
    }
    assert_eq!(held(&app, matter).await, d("0.00"));
    let t = trust_of(&mut c, matter).await;
    assert_eq!(t.ledger.len(), 51);
    assert_eq!(
        t.ledger[0].balance,
        d("0.00"),
        "the running balance ends at zero"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM activity_logs WHERE action = 'trust.disburse'")
            .await,
        50
    );
}

#[tokio::test]
async fn transfers_both_ways_at_once_never_deadlock_nor_lose_a_cent() {
    let app = TestApp::spawn().await;
    let (mut c, account, client, a) = setup(&app).await;
    let mut admin = app.signed_in(app.a.admin).await;
    let b = crate::matters::create(&mut admin, client, "Estate of Ada: the house", None)
        .await
        .unwrap();
    for m in [a, b] {
        assert!(deposit(&mut c, account, m, "1000.00", true)
            .await
            .status
            .is_success());
    }
    let tries = (0..60).map(|i| {
        let mut c = c.clone();
        async move {
            if i % 2 == 0 {
                transfer(&mut c, account, a, b, "7.00").await
            } else {
                transfer(&mut c, account, b, a, "3.00").await
            }
        }
    });
    let results = futures_util::future::join_all(tries).await;
    for r in &results {
        assert!(r.status.is_success(), "{r:?}");
    }
    assert_eq!(held(&app, a).await, d("880.00"));
    assert_eq!(held(&app, b).await, d("1120.00"));
    assert_eq!(held(&app, a).await + held(&app, b).await, d("2000.00"));
    let other_client = crate::clients::create(&mut admin, "Someone else").await;
    let stranger = crate::matters::create(&mut admin, other_client, "Unrelated", None)
        .await
        .unwrap();
    let res = transfer(&mut c, account, a, stranger, "1.00").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.error().fields().unwrap().get("to_matter").is_some());
}

#[tokio::test]
async fn uncleared_funds_are_shown_apart_and_not_paid_out_until_cleared() {
    let app = TestApp::spawn().await;
    let (mut c, account, _, matter) = setup(&app).await;
    assert!(deposit(&mut c, account, matter, "300.00", false)
        .await
        .status
        .is_success());
    let res = disburse(&mut c, account, matter, "100.00").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = res.error();
    let message = e.fields().unwrap().get("amount").unwrap().to_string();
    assert!(message.contains("cleared"), "{message}");
    assert_eq!(e.fields().unwrap().value("amount"), Some("100.00"));

    let t = trust_of(&mut c, matter).await;
    assert_eq!(
        (t.balances[0].balance, t.balances[0].uncleared),
        (d("300.00"), d("300.00"))
    );
    assert_eq!(t.balances[0].available(), d("0.00"));
    let entry = t.ledger[0].id.to_string();
    let res = c
        .post("/api/trust/clear", &[("entry", &entry), ("cleared_on", "")])
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let res = c
        .post("/api/trust/clear", &[("entry", &entry), ("cleared_on", "")])
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "a deposit clears once");
    assert!(disburse(&mut c, account, matter, "100.00")
        .await
        .status
        .is_success());
    assert_eq!(held(&app, matter).await, d("200.00"));
}

#[tokio::test]
async fn a_reversal_restores_the_balance_and_both_entries_stay() {
    let app = TestApp::spawn().await;
    let (mut c, account, _, matter) = setup(&app).await;
    assert!(deposit(&mut c, account, matter, "200.00", true)
        .await
        .status
        .is_success());
    let paid: Uuid = disburse(&mut c, account, matter, "50.00").await.json();
    assert_eq!(held(&app, matter).await, d("150.00"));
    let reverser = c.clone();
    let reverse = |id: Uuid, reason: &'static str| {
        let mut c = reverser.clone();
        async move {
            c.post(
                "/api/trust/reverse",
                &[("entry", &id.to_string()), ("reason", reason)],
            )
            .await
        }
    };
    let res = reverse(paid, "").await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required"
    );
    let res = reverse(paid, "Cheque written to the wrong court").await;
    assert!(res.status.is_success(), "{res:?}");
    assert_eq!(held(&app, matter).await, d("200.00"));
    let res = reverse(paid, "again").await;
    assert_eq!(res.status, StatusCode::CONFLICT);

    let t = trust_of(&mut c, matter).await;
    assert_eq!(
        t.ledger.len(),
        3,
        "the deposit, the disbursement and its reversal"
    );
    let original = t.ledger.iter().find(|r| r.id == paid).unwrap();
    assert!(original.reversed);
    let reversal = t.ledger.iter().find(|r| r.reverses == Some(paid)).unwrap();
    assert_eq!(reversal.amount, d("50.00"));
    let res = reverse(reversal.id, "undo the undo").await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reversal is not reversed"
    );

    // A deposit whose money was paid out cannot be reversed: the balance would go negative.
    assert!(disburse(&mut c, account, matter, "200.00")
        .await
        .status
        .is_success());
    let deposit_id = t
        .ledger
        .iter()
        .find(|r| r.kind == docket::trust::EntryKind::Deposit)
        .unwrap()
        .id;
    let res = reverse(deposit_id, "bounced").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    let e = res.error();
    let f = e.fields().unwrap();
    assert!(f.get("reason").unwrap().contains("already been paid out"));
    assert_eq!(f.value("entry"), Some(deposit_id.to_string().as_str()));
    assert_eq!(held(&app, matter).await, d("0.00"));
}

#[tokio::test]
async fn a_matter_holding_trust_money_cannot_be_closed() {
    let app = TestApp::spawn().await;
    let (mut c, account, client, matter) = setup(&app).await;
    assert!(deposit(&mut c, account, matter, "75.00", true)
        .await
        .status
        .is_success());
    let mut admin = app.signed_in(app.a.admin).await;
    let closer = admin.clone();
    let close = |version: i32| {
        let mut admin = closer.clone();
        async move {
            let (client, id, version) =
                (client.to_string(), matter.to_string(), version.to_string());
            admin
                .post(
                    "/api/matters/update",
                    &[
                        ("form[client_id]", client.as_str()),
                        ("form[title]", "Estate of Ada"),
                        ("form[practice_area]", "litigation"),
                        ("form[status]", "closed"),
                        ("form[date_opened]", "2026-03-01"),
                        ("id", id.as_str()),
                        ("version", version.as_str()),
                    ],
                )
                .await
        }
    };
    let m: Matter = admin
        .post("/api/matters/get", &[("id", &matter.to_string())])
        .await
        .json();
    assert_eq!(
        m.trust_balance,
        Some(d("75.00")),
        "the matter page shows its trust balance"
    );
    let res = close(m.version).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    let refused = res.error();
    assert_eq!(
        refused.fields().unwrap().value("title"),
        Some("Estate of Ada"),
        "what was typed comes back"
    );
    let elsewhere = crate::clients::create(&mut admin, "Another client").await;
    let (other, id, version) = (
        elsewhere.to_string(),
        matter.to_string(),
        m.version.to_string(),
    );
    let res = admin
        .post(
            "/api/matters/update",
            &[
                ("form[client_id]", other.as_str()),
                ("form[title]", "Estate of Ada"),
                ("form[practice_area]", "litigation"),
                ("form[status]", "open"),
                ("form[date_opened]", "2026-03-01"),
                ("id", id.as_str()),
                ("version", version.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    assert!(
        res.error().fields().unwrap().get("client_id").is_some(),
        "the money stays the client's"
    );
    assert!(refused.fields().unwrap().get("status").is_some());
    assert!(disburse(&mut c, account, matter, "75.00")
        .await
        .status
        .is_success());
    let res = close(m.version).await;
    assert!(res.status.is_success(), "{res:?}");
    // A closed matter takes no money in.
    let res = deposit(&mut c, account, matter, "1.00", true).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn roles_and_other_firms_ids() {
    let app = TestApp::spawn().await;
    let (mut c, account, _, matter) = setup(&app).await;
    let entry: Uuid = deposit(&mut c, account, matter, "40.00", true).await.json();

    // Staff record nothing and see nothing of trust, unless the firm allows it.
    let mut staff = app.signed_in(app.a.staff).await;
    let res = deposit(&mut staff, account, matter, "1.00", true).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = staff
        .post("/api/trust/matter", &[("matter", &matter.to_string())])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let m: Matter = staff
        .post("/api/matters/get", &[("id", &matter.to_string())])
        .await
        .json();
    assert_eq!(m.trust_balance, None);
    // An attorney sees the ledgers of their own matters only.
    let mut attorney = app.signed_in(app.a.attorney).await;
    let res = attorney
        .post("/api/trust/matter", &[("matter", &matter.to_string())])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = disburse(&mut attorney, account, matter, "1.00").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = attorney.post("/api/trust/accounts", &[]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let m: Matter = attorney
        .post("/api/matters/get", &[("id", &matter.to_string())])
        .await
        .json();
    assert_eq!(m.trust_balance, None, "not the attorney's matter");

    // Firm B's billing clerk, with firm A's ids.
    let mut b = app.signed_in(app.b.billing).await;
    let res = deposit(&mut b, account, matter, "1.00", true).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
    let res = b
        .post("/api/trust/matter", &[("matter", &matter.to_string())])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = b
        .post(
            "/api/trust/reverse",
            &[("entry", &entry.to_string()), ("reason", "mine now")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = b
        .post(
            "/api/trust/clear",
            &[("entry", &entry.to_string()), ("cleared_on", "")],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let accounts: TrustAccounts = b.post("/api/trust/accounts", &[]).await.json();
    assert!(
        accounts.accounts.is_empty(),
        "firm A's account is not listed"
    );
    // Firm A's account on firm B's own matter.
    let mut b_admin = app.signed_in(app.b.admin).await;
    let b_client = crate::clients::create(&mut b_admin, "B client").await;
    let b_matter = crate::matters::create(&mut b_admin, b_client, "B matter", None)
        .await
        .unwrap();
    let res = deposit(&mut b, account, b_matter, "1.00", true).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.error().fields().unwrap().get("account").is_some());
    // A form rendered for firm A, posted while B is the active firm.
    let mut stale = app.signed_in(app.b.billing).await;
    stale.org = Some(app.a.id);
    let res = deposit(&mut stale, account, b_matter, "1.00", true).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(held(&app, matter).await, d("40.00"));
    assert_eq!(
        app.count("SELECT count(*) FROM trust_entries").await,
        1,
        "nothing but the one deposit was written"
    );
}

/// A transaction as the app's role, scoped to firm A's administrator: past every check of the
/// server functions, as a bug in them would be.
pub(crate) async fn as_app(app: &TestApp) -> sqlx::Transaction<'static, sqlx::Postgres> {
    let mut tx = app.app_pool.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)")
        .bind(app.a.id.to_string())
        .bind(app.a.admin.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    tx
}

#[tokio::test]
async fn the_database_refuses_what_the_app_might_get_wrong() {
    let app = TestApp::spawn().await;
    let (mut c, account, _, matter) = setup(&app).await;
    let entry: Uuid = deposit(&mut c, account, matter, "20.00", true).await.json();
    let mut tx = as_app(&app).await;
    let overdraw = sqlx::query(
        "INSERT INTO trust_entries (organization_id, account_id, client_id, matter_id, kind, amount, occurred_on)
         SELECT organization_id, $1, client_id, id, 'disbursement', -20.01, current_date FROM matters WHERE id = $2",
    )
    .bind(account)
    .bind(matter)
    .execute(&mut *tx)
    .await
    .unwrap_err();
    assert!(
        matches!(
            docket::server::db::violated_constraint(&overdraw),
            Some("trust_balance_not_negative" | "trust_balance_cleared")
        ),
        "{overdraw}"
    );
    tx.rollback().await.unwrap();
    let mut tx = as_app(&app).await;
    sqlx::query(
        "INSERT INTO trust_entries (organization_id, account_id, client_id, matter_id, kind, amount, occurred_on, transfer_id)
         SELECT organization_id, $1, client_id, id, 'transfer_in', 5, current_date, gen_random_uuid() FROM matters WHERE id = $2",
    )
    .bind(account)
    .bind(matter)
    .execute(&mut *tx)
    .await
    .unwrap();
    let lone = tx.commit().await.unwrap_err();
    assert_eq!(
        docket::server::db::violated_constraint(&lone),
        Some("trust_entries_transfer_pair"),
        "money out of nowhere: half a transfer"
    );
    for sql in [
        "UPDATE trust_entries SET amount = 2000 WHERE id = $1",
        "DELETE FROM trust_entries WHERE id = $1",
        "UPDATE trust_balances SET balance = 2000 WHERE matter_id = $1",
    ] {
        let mut tx = as_app(&app).await;
        let id = if sql.contains("balances") {
            matter
        } else {
            entry
        };
        let refused = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .execute(&mut *tx)
            .await;
        assert!(refused.is_err(), "{sql}");
    }
    assert_eq!(held(&app, matter).await, d("20.00"));
}

#[tokio::test]
async fn the_trust_pages_render_without_javascript() {
    let app = TestApp::spawn().await;
    let (mut c, account, _, matter) = setup(&app).await;
    assert!(deposit(&mut c, account, matter, "1250.50", false)
        .await
        .status
        .is_success());
    let page = c.page(&format!("/matters/{matter}/trust")).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.body.clone();
    for expected in [
        "Record deposit",
        "Record disbursement",
        "$1,250.50",
        "not cleared",
        "Mark cleared",
    ] {
        assert!(html.contains(expected), "{expected}");
    }
    let page = c.page("/trust").await;
    assert!(page.body.clone().contains("IOLTA"));
    let mut staff = app.signed_in(app.a.staff).await;
    let page = staff.page(&format!("/matters/{matter}/trust")).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn cheque_numbers_are_unique_per_account_and_payers_references_may_repeat() {
    let app = TestApp::spawn().await;
    let (mut c, account, _, matter) = setup(&app).await;
    let a = account.to_string();
    for payer in ["Ada", "Grace"] {
        let res = money(
            &mut c,
            "deposit",
            matter,
            &[
                ("form[account]", &a),
                ("form[counterparty]", payer),
                ("form[cleared_on]", "2026-11-02"),
                ("form[occurred_on]", "2026-11-02"),
                ("form[reference]", "1001"),
                ("form[amount]", "100.00"),
            ],
        )
        .await;
        assert!(res.status.is_success(), "{res:?}");
    }
    let cheque = |c: &mut Http| {
        let mut c = c.clone();
        let a = a.clone();
        async move {
            money(
                &mut c,
                "disburse",
                matter,
                &[
                    ("form[account]", &a),
                    ("form[counterparty]", "Court"),
                    ("form[purpose]", "Fee"),
                    ("form[reference]", "5001"),
                    ("form[amount]", "10.00"),
                ],
            )
            .await
        }
    };
    assert!(cheque(&mut c).await.status.is_success());
    let res = cheque(&mut c).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.error().fields().unwrap().get("reference").is_some());
    assert_eq!(held(&app, matter).await, d("190.00"));
}
