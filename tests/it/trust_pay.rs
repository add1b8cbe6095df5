//! Paying an issued invoice out of a matter's trust funds.

use axum::http::StatusCode;
use docket::invoices::{InvoiceStatus, PaymentMethod};
use docket::trust::EntryKind;
use uuid::Uuid;

use crate::invoices::{act, draft, get};
use crate::support::{Client as Http, Res, TestApp};
use crate::trust::{as_app, d, deposit, held, open_account, trust_of};

async fn pay(c: &mut Http, account: Uuid, matter: Uuid, invoice: Uuid, amount: &str) -> Res {
    crate::trust::money(
        c,
        "pay_invoice",
        matter,
        &[
            ("form[account]", &account.to_string()),
            ("form[invoice]", &invoice.to_string()),
            ("form[occurred_on]", ""),
            ("form[reference]", "TR-1"),
            ("form[amount]", amount),
        ],
    )
    .await
}

#[tokio::test]
async fn an_invoice_paid_from_trust_is_paid_on_both_ledgers_at_once() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.billing).await;
    let (matter, inv) = draft(&app, &mut c, 1).await; // 270.00 + 25.00
    assert!(act(&mut c, "issue", &inv, &[]).await.status.is_success());
    let mut admin = app.signed_in(app.a.admin).await;
    let account = open_account(&mut admin, "IOLTA").await;
    assert!(deposit(&mut c, account, matter, "1000.00", true)
        .await
        .status
        .is_success());

    // The trust page offers the invoice, with what is due.
    let t = trust_of(&mut c, matter).await;
    assert_eq!(t.invoices.len(), 1);
    assert_eq!(
        (t.invoices[0].id, t.invoices[0].balance),
        (inv.id, d("295.00"))
    );

    let res = pay(&mut c, account, matter, inv.id, "295.01").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{res:?}");
    let e = res.error();
    assert!(
        e.fields()
            .unwrap()
            .get("amount")
            .unwrap()
            .contains("$295.00 due"),
        "{e:?}"
    );
    assert_eq!(e.fields().unwrap().value("amount"), Some("295.01"));

    let res = pay(&mut c, account, matter, inv.id, "200.00").await;
    assert!(res.status.is_success(), "{res:?}");
    let entry: Uuid = res.json();
    let paid = get(&mut c, inv.id).await;
    assert_eq!(
        (paid.status, paid.balance),
        (InvoiceStatus::PartiallyPaid, d("95.00"))
    );
    assert_eq!(paid.payments[0].method, PaymentMethod::Trust);
    assert_eq!(held(&app, matter).await, d("800.00"));
    let t = trust_of(&mut c, matter).await;
    let row = t.ledger.iter().find(|r| r.id == entry).unwrap();
    assert_eq!(
        (row.kind, row.amount),
        (EntryKind::InvoicePayment, d("-200.00"))
    );

    // Ten payments of the rest at once: exactly one goes through.
    let mut runs = Vec::new();
    for _ in 0..10 {
        let mut c = app.signed_in(app.a.billing).await;
        runs.push(tokio::spawn(async move {
            pay(&mut c, account, matter, inv.id, "95.00").await.status
        }));
    }
    let mut ok = 0;
    for r in runs {
        let status = r.await.unwrap();
        if status.is_success() {
            ok += 1;
        } else {
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        }
    }
    assert_eq!(ok, 1);
    let paid = get(&mut c, inv.id).await;
    assert_eq!(
        (paid.status, paid.balance),
        (InvoiceStatus::Paid, d("0.00"))
    );
    assert_eq!(held(&app, matter).await, d("705.00"));
    assert_eq!(
        trust_of(&mut c, matter).await.invoices.len(),
        0,
        "nothing due now"
    );

    // The payment stays: it is not reversed on the trust ledger.
    let res = c
        .post(
            "/api/trust/reverse",
            &[("entry", &entry.to_string()), ("reason", "oops")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(held(&app, matter).await, d("705.00"));
    assert_eq!(
        app.count("SELECT count(*) FROM activity_logs WHERE action IN ('trust.pay_invoice', 'invoice.payment')")
            .await,
        4,
        "each payment is logged on the matter's trust ledger and on the invoice"
    );
}

#[tokio::test]
async fn trust_pays_only_its_own_clients_invoices_and_not_past_what_has_cleared() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.billing).await;
    let (matter, inv) = draft(&app, &mut c, 1).await;
    assert!(act(&mut c, "issue", &inv, &[]).await.status.is_success());
    let (other_matter, other_inv) = draft(&app, &mut c, 1).await; // another client
    assert!(act(&mut c, "issue", &other_inv, &[])
        .await
        .status
        .is_success());
    let mut admin = app.signed_in(app.a.admin).await;
    let account = open_account(&mut admin, "IOLTA").await;
    assert!(deposit(&mut c, account, matter, "100.00", true)
        .await
        .status
        .is_success());
    assert!(deposit(&mut c, account, matter, "900.00", false)
        .await
        .status
        .is_success());
    assert!(deposit(&mut c, account, other_matter, "10.00", true)
        .await
        .status
        .is_success());

    let res = pay(&mut c, account, matter, other_inv.id, "10.00").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.error().fields().unwrap().get("invoice").is_some());
    let res = pay(&mut c, account, matter, inv.id, "150.00").await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "only 100.00 has cleared"
    );
    assert!(res
        .error()
        .fields()
        .unwrap()
        .get("amount")
        .unwrap()
        .contains("$100.00 available"));

    // A payment "from trust" is not recorded by hand on the invoice.
    let inv = get(&mut c, inv.id).await;
    let res = act(
        &mut c,
        "pay",
        &inv,
        &[
            ("form[amount]", "10.00"),
            ("form[paid_on]", ""),
            ("form[method]", "trust"),
            ("form[reference]", ""),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.error().fields().unwrap().get("method").is_some());

    // Roles and other firms.
    let mut attorney = app.signed_in(app.a.attorney).await;
    let res = pay(&mut attorney, account, matter, inv.id, "10.00").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let mut b = app.signed_in(app.b.billing).await;
    let res = pay(&mut b, account, matter, inv.id, "10.00").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
    assert_eq!(get(&mut c, inv.id).await.amount_paid, d("0.00"));
    assert_eq!(held(&app, matter).await, d("1000.00"));

    // Past the app: a payment from trust without its entry, or an entry for another client's
    // invoice, does not commit.
    let mut tx = as_app(&app).await;
    sqlx::query(
        "INSERT INTO payments (organization_id, invoice_id, amount, paid_on, method)
         VALUES (app_current_org(), $1, 5, current_date, 'trust')",
    )
    .bind(inv.id)
    .execute(&mut *tx)
    .await
    .unwrap();
    let lone = tx.commit().await.unwrap_err();
    assert_eq!(
        docket::server::db::violated_constraint(&lone),
        Some("payments_from_trust")
    );
    let mut tx = as_app(&app).await;
    let pid: Uuid = sqlx::query_scalar(
        "INSERT INTO payments (organization_id, invoice_id, amount, paid_on, method)
         VALUES (app_current_org(), $1, 5, current_date, 'trust') RETURNING id",
    )
    .bind(other_inv.id)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    let wrong = sqlx::query(
        "INSERT INTO trust_entries (organization_id, account_id, client_id, matter_id, kind, amount, occurred_on, payment_id)
         SELECT organization_id, $1, client_id, id, 'invoice_payment', -5, current_date, $3 FROM matters WHERE id = $2",
    )
    .bind(account)
    .bind(matter)
    .bind(pid)
    .execute(&mut *tx)
    .await
    .unwrap_err();
    assert_eq!(
        docket::server::db::violated_constraint(&wrong),
        Some("trust_entries_payment_match")
    );
}
