//! Database privileges, session lifetimes and request-rate limits.

use std::time::Duration;

use axum::http::StatusCode;

use crate::support::TestApp;

#[tokio::test]
async fn the_app_role_has_no_more_than_it_needs() {
    let app = TestApp::spawn().await;
    let config: Vec<String> = sqlx::query_scalar(
        "SELECT unnest(proconfig) FROM pg_proc WHERE proname = 'auth_find_user'",
    )
    .fetch_all(&app.admin_pool)
    .await
    .unwrap();
    assert_eq!(config, ["search_path=pg_catalog, public, pg_temp"]);
    let temp = sqlx::query("CREATE TEMP TABLE shadow (id int)")
        .execute(&app.app_pool)
        .await;
    assert!(
        temp.is_err(),
        "the app role must not create temporary objects"
    );
    let mut tx = docket::server::db::tenant_tx(&app.app_pool, app.a.admin, Some(app.a.id))
        .await
        .unwrap();
    // (A draft invoice may be deleted; the database refuses an issued one: see the invoice tests.)
    for table in ["clients", "matters", "time_entries", "documents"] {
        let res = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE false"
        )))
        .execute(&mut *tx)
        .await;
        assert!(res.is_err(), "the app role may delete from {table}");
        drop(tx);
        tx = docket::server::db::tenant_tx(&app.app_pool, app.a.admin, Some(app.a.id))
            .await
            .unwrap();
    }
    let ok = sqlx::query("DELETE FROM client_contacts WHERE false")
        .execute(&mut *tx)
        .await;
    assert!(ok.is_ok(), "contacts are deleted by the app");
    let timeout: String = sqlx::query_scalar("SHOW statement_timeout")
        .fetch_one(&app.app_pool)
        .await
        .unwrap();
    assert_eq!(timeout, "5s");
}

#[tokio::test]
async fn activity_keeps_a_session_alive_until_its_absolute_limit() {
    let app = TestApp::spawn_with(|c| {
        c.session_idle = Duration::from_secs(4);
        c.session_max = Duration::from_secs(9);
    })
    .await;
    let mut c = app.signed_in(app.a.staff).await;
    // Busy for longer than the idle limit: still signed in.
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        assert_eq!(
            c.post("/api/auth/session", &[]).await.status,
            StatusCode::OK,
            "an active session must not expire"
        );
    }
    // Past the absolute limit, even an active session ends.
    tokio::time::sleep(Duration::from_millis(4000)).await;
    assert_eq!(
        c.post("/api/auth/session", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );

    // And an idle one ends after the idle limit.
    let mut idle = app.signed_in(app.a.attorney).await;
    tokio::time::sleep(Duration::from_millis(5500)).await;
    assert_eq!(
        idle.post("/api/auth/session", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn requests_beyond_the_rate_limit_get_429_with_retry_after() {
    let app = TestApp::spawn_with(|c| c.rate_limit_per_user = 20).await;
    let mut busy = app.signed_in(app.a.staff).await;
    let mut statuses = vec![];
    for _ in 0..30 {
        statuses.push(busy.post("/api/clients/list", &[("query[q]", "")]).await);
    }
    let limited = statuses
        .iter()
        .find(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .expect("the limit applies");
    assert!(limited.headers.contains_key("retry-after"));
    assert!(matches!(
        limited.error(),
        docket::error::AppError::TooManyRequests(_)
    ));
    let page = busy.page("/clients").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.body.contains("Too many requests"));
    // Someone else is not affected.
    let mut other = app.signed_in(app.a.attorney).await;
    assert_eq!(
        other
            .post("/api/clients/list", &[("query[q]", "")])
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn money_is_shown_in_the_firms_currency_and_required_selects_are_required() {
    let app = TestApp::spawn().await;
    sqlx::query("UPDATE organizations SET currency = 'EUR' WHERE id = $1")
        .bind(app.a.id)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let mut c = app.signed_in(app.a.admin).await;
    let client = crate::clients::create(&mut c, "Euro Client").await;
    let id = crate::matters::create(&mut c, client, "Euro matter", None)
        .await
        .unwrap();
    sqlx::query("UPDATE matters SET hourly_rate = 350.50 WHERE id = $1")
        .bind(id)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let page = c.page(&format!("/matters/{id}")).await;
    assert!(
        page.body.contains("€350.50/h"),
        "rate in the firm's currency"
    );
    assert!(page.body.contains("Hourly rate (EUR)"));
    assert!(!page.body.contains("$350"), "no hard-coded dollars");

    let form = c.page("/clients/new").await;
    let select = form
        .body
        .split("<select")
        .find(|s| s.contains("name=\"form[client_type]\""))
        .unwrap();
    let tag = &select[..select.find('>').unwrap()];
    assert!(tag.contains("required"), "{tag}");
    let form = c.page(&format!("/matters/new?client_id={client}")).await;
    let select = form
        .body
        .split("<select")
        .find(|s| s.contains("name=\"form[practice_area]\""))
        .unwrap();
    assert!(select[..select.find('>').unwrap()].contains("required"));
}
