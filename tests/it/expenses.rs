use axum::http::StatusCode;
use docket::expenses::ExpenseRow;
use docket::kernel::Page;
use rust_decimal::Decimal;
use std::str::FromStr;
use uuid::Uuid;

use crate::support::{Client as Http, Res, TestApp};

async fn record(c: &mut Http, matter: Uuid, amount: &str, quantity: &str, billable: &str) -> Res {
    c.post(
        "/api/expenses/create",
        &[
            ("form[matter]", matter.to_string().as_str()),
            ("form[incurred_on]", "2026-11-02"),
            ("form[description]", "Copies of the exhibits"),
            ("form[amount]", amount),
            ("form[quantity]", quantity),
            ("form[billable]", billable),
        ],
    )
    .await
}

async fn expenses_of(c: &mut Http, matter: Uuid) -> Page<ExpenseRow> {
    c.post(
        "/api/expenses/list",
        &[("query[matter]", &matter.to_string())],
    )
    .await
    .json()
}

#[tokio::test]
async fn an_expense_is_a_unit_amount_times_a_quantity_exact_to_the_cent() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.staff).await;
    let client = crate::clients::create(&mut c, "Expense Client").await;
    let m = crate::matters::create(&mut c, client, "Expense matter", None)
        .await
        .unwrap();
    let res = record(&mut c, m, "0.15", "333", "on").await;
    assert!(res.status.is_success(), "{res:?}");
    let res = record(&mut c, m, "-3", "0", "on").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let f = res.error();
    let f = f.fields().unwrap();
    assert!(f.get("amount").is_some() && f.get("quantity").is_some());
    assert_eq!(f.value("amount"), Some("-3"), "what was typed comes back");

    let page = expenses_of(&mut c, m).await;
    assert_eq!(page.items.len(), 1);
    let e = &page.items[0];
    assert_eq!(e.total, Decimal::from_str("49.95").unwrap());
    assert_eq!(
        app.count("SELECT count(*) FROM activity_logs WHERE action = 'expense.create'")
            .await,
        1
    );
    let page = c.page(&format!("/expenses?matter={m}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Record expense") && page.body.contains("$49.95"));

    // Closed: nothing new to bill on it.
    sqlx::query("UPDATE matters SET status = 'closed', date_closed = date_opened WHERE id = $1")
        .bind(m)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let res = record(&mut c, m, "10", "1", "on").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.error().fields().unwrap().get("billable").is_some());
    let res = record(&mut c, m, "10", "1", "").await;
    assert!(res.status.is_success(), "{res:?}");

    // Another firm: the matter is unknown, its expenses invisible.
    let mut b = app.signed_in(app.b.admin).await;
    let res = record(&mut b, m, "10", "1", "").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.error().fields().unwrap().get("matter").is_some());
    assert!(expenses_of(&mut b, m).await.items.is_empty());
    assert_eq!(app.count("SELECT count(*) FROM expenses").await, 2);
}
