//! Tests that count what the whole process did (password verifications, transactions opened),
//! so they run in a binary of their own, one at a time: other tests beside them would disturb
//! the counts.

#[path = "it/support.rs"]
#[allow(dead_code)]
mod support;

use std::sync::atomic::Ordering;

use axum::http::StatusCode;
use docket::server::password::VERIFICATIONS;
use docket::server::throttle::MAX_FAILURES_PER_ACCOUNT;
use tower_sessions_redis_store::fred::prelude::KeysInterface;

use support::{TestApp, PASSWORD};

/// The tests here run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

#[tokio::test]
async fn a_parallel_burst_gets_no_more_guesses_than_the_limit_and_the_lock_expires() {
    let _serial = one_at_a_time();
    let app = TestApp::spawn().await;
    let email = format!("burst-{}@alpha.test", uuid::Uuid::new_v4().simple());
    let hash = docket::server::password::hash(PASSWORD).0;
    let id: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO users (email, full_name, password_hash) VALUES ($1, 'Burst', $2) RETURNING id",
    )
    .bind(&email)
    .bind(&hash)
    .fetch_one(&app.admin_pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO user_organizations (user_id, organization_id, role) VALUES ($1, $2, 'staff')",
    )
    .bind(id)
    .bind(app.a.id)
    .execute(&app.admin_pool)
    .await
    .unwrap();

    let before = VERIFICATIONS.load(Ordering::SeqCst);
    let started = std::time::Instant::now();
    let mut tasks = vec![];
    for i in 0..200 {
        let mut c = app.anonymous();
        let email = email.clone();
        tasks.push(tokio::spawn(async move {
            let guess = format!("guess-{i}");
            c.post(
                "/api/auth/login",
                &[("email", email.as_str()), ("password", guess.as_str())],
            )
            .await
            .status
        }));
    }
    let mut refused = 0;
    let mut wrong = 0;
    for t in tasks {
        match t.await.unwrap() {
            StatusCode::UNAUTHORIZED => wrong += 1,
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("unexpected {other}"),
        }
    }
    let checked = VERIFICATIONS.load(Ordering::SeqCst) - before;
    println!(
        "200 parallel wrong passwords: {wrong} checked (401), {refused} refused (429), {checked} argon2 verifications, {:.2}s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(
        wrong, MAX_FAILURES_PER_ACCOUNT,
        "exactly the limit is checked"
    );
    assert_eq!(refused, 200 - MAX_FAILURES_PER_ACCOUNT);
    assert_eq!(
        checked as i64, MAX_FAILURES_PER_ACCOUNT,
        "only reserved attempts reach argon2"
    );

    // Even the right password is refused while locked…
    let mut c = app.anonymous();
    let res = c
        .post(
            "/api/auth/login",
            &[("email", email.as_str()), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    // …and accepted once the window has passed (shortened here to a second).
    let redis = docket::server::session::redis_pool(&std::env::var("TEST_REDIS_URL").unwrap())
        .await
        .unwrap();
    let key = format!("docket:signin:account:{email}");
    let ttl: i64 = redis.ttl(&key).await.unwrap();
    assert!(
        (1..=docket::server::throttle::WINDOW_SECS).contains(&ttl),
        "the lock has an expiry: {ttl}"
    );
    let _: bool = redis.expire(&key, 1, None).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let res = c
        .post(
            "/api/auth/login",
            &[("email", email.as_str()), ("password", PASSWORD)],
        )
        .await;
    assert!(
        res.status.is_redirection() || res.status.is_success(),
        "{res:?}"
    );
}

#[tokio::test]
async fn a_counter_left_without_expiry_gets_one() {
    let _serial = one_at_a_time();
    let app = TestApp::spawn().await;
    let email = format!("legacy-{}@alpha.test", uuid::Uuid::new_v4().simple());
    let redis = docket::server::session::redis_pool(&std::env::var("TEST_REDIS_URL").unwrap())
        .await
        .unwrap();
    let key = format!("docket:signin:account:{email}");
    // As if an EXPIRE had failed after the INCR: a counter at the limit, with no expiry.
    let _: () = redis.set(&key, 10, None, None, false).await.unwrap();
    let mut c = app.anonymous();
    let res = c
        .post(
            "/api/auth/login",
            &[("email", email.as_str()), ("password", "x")],
        )
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    let ttl: i64 = redis.ttl(&key).await.unwrap();
    assert!(ttl > 0, "the counter got an expiry: {ttl}");
}

#[tokio::test]
async fn an_address_gets_fifty_attempts_and_a_success_gives_its_slot_back() {
    let _serial = one_at_a_time();
    let app = TestApp::spawn_with(|c| c.proxy_hops = 1).await;
    // A fresh address per run: the counters outlive the test in Redis.
    let n = uuid::Uuid::new_v4().as_u128();
    let ip = format!("198.18.{}.{}", (n >> 8) as u8, n as u8);
    let attempt = |email: String, password: &'static str| {
        let mut c = app.anonymous();
        // The client claims another address first; only the proxy's entry counts.
        c.forwarded_for = Some(format!("10.9.9.9, {ip}"));
        async move {
            c.post(
                "/api/auth/login",
                &[("email", email.as_str()), ("password", password)],
            )
            .await
            .status
        }
    };
    let limit = docket::server::throttle::MAX_FAILURES_PER_ADDRESS;
    for i in 0..limit - 1 {
        let status = attempt(format!("nobody-{i}-{n}@alpha.test"), "guess").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // A colleague behind the same address signs in: their slot is given back.
    let ok = attempt("admin@alpha.test".into(), PASSWORD).await;
    assert!(ok.is_redirection() || ok.is_success(), "{ok}");
    assert_eq!(
        attempt(format!("last-{n}@alpha.test"), "guess").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        attempt(format!("over-{n}@alpha.test"), "guess").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another address is not affected.
    let mut other = app.anonymous();
    other.forwarded_for = Some("198.19.0.1".into());
    let res = other
        .post(
            "/api/auth/login",
            &[("email", "staff@alpha.test"), ("password", PASSWORD)],
        )
        .await;
    assert!(
        res.status.is_redirection() || res.status.is_success(),
        "{res:?}"
    );
}

#[tokio::test]
async fn a_page_view_is_one_transaction() {
    let _serial = one_at_a_time();
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.admin).await;
    let client = c
        .post(
            "/api/clients/create",
            &[
                ("form[name]", "Counted Co"),
                ("form[client_type]", "company"),
            ],
        )
        .await
        .json::<uuid::Uuid>();
    for path in [
        "/matters",
        "/clients",
        &format!("/clients/{client}"),
        "/activity",
    ] {
        let before = docket::server::db::TRANSACTIONS.load(Ordering::SeqCst);
        let page = c.page(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let opened = docket::server::db::TRANSACTIONS.load(Ordering::SeqCst) - before;
        assert_eq!(
            opened, 1,
            "{path}: the frame and every list share one transaction"
        );
    }
}
