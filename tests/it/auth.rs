use axum::http::StatusCode;
use docket::auth::SessionInfo;
use docket::error::AppError;

use crate::support::{TestApp, PASSWORD};

#[tokio::test]
async fn wrong_credentials_get_one_generic_answer() {
    let app = TestApp::spawn().await;
    let mut c = app.anonymous();
    let wrong_password = c
        .post(
            "/api/auth/login",
            &[("email", "admin@alpha.test"), ("password", "nope")],
        )
        .await;
    let nobody = format!("nobody-{}@alpha.test", uuid::Uuid::new_v4().simple());
    let unknown_user = c
        .post(
            "/api/auth/login",
            &[("email", nobody.as_str()), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password.error(), AppError::InvalidCredentials);
    assert_eq!(unknown_user.status, wrong_password.status);
    assert_eq!(
        unknown_user.body, wrong_password.body,
        "the answer must not tell which part was wrong"
    );
    assert!(
        c.cookie.is_none() || c.get("/api/auth/session").await.status == StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn sign_in_cycles_the_session_and_sets_a_safe_cookie() {
    let app = TestApp::spawn().await;
    let mut c = app.anonymous();
    // A failed attempt leaves nothing signed in.
    c.post(
        "/api/auth/login",
        &[("email", "admin@alpha.test"), ("password", "x")],
    )
    .await;
    let before = c.cookie.clone();
    let res = c
        .post(
            "/api/auth/login",
            &[
                ("email", "ADMIN@alpha.test "),
                ("password", PASSWORD),
                ("next", "/matters"),
            ],
        )
        .await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{res:?}"
    );
    let set_cookie = res
        .headers
        .get("set-cookie")
        .expect("session cookie")
        .to_str()
        .unwrap()
        .to_string();
    assert!(set_cookie.starts_with("docket_session="), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(
        !set_cookie.contains("Secure"),
        "plain-http test server must not set Secure: {set_cookie}"
    );
    assert_ne!(c.cookie, before, "session id must change at sign-in");
    assert_eq!(
        res.headers.get("location").map(|v| v.to_str().unwrap()),
        Some("/matters")
    );

    let info: SessionInfo = c.post("/api/auth/session", &[]).await.json();
    assert_eq!(info.org_id, app.a.id);
    assert_eq!(info.org_name, "Alpha Law");

    // Sign-in is in the activity log, sign-out ends the session.
    assert_eq!(
        app.count("SELECT count(*) FROM activity_logs WHERE action = 'user.sign_in'")
            .await,
        1
    );
    c.post("/api/auth/logout", &[]).await;
    assert_eq!(
        c.post("/api/auth/session", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id() {
    let app = TestApp::spawn().await;
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE email = 'admin@alpha.test'")
            .fetch_one(&app.admin_pool)
            .await
            .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    // The application role cannot read password hashes at all.
    let denied = sqlx::query("SELECT password_hash FROM users")
        .fetch_all(&app.app_pool)
        .await;
    assert!(denied.is_err(), "app role read password hashes");
}

#[tokio::test]
async fn open_redirects_are_refused() {
    let app = TestApp::spawn().await;
    let mut c = app.anonymous();
    let res = c
        .post(
            "/api/auth/login",
            &[
                ("email", "admin@alpha.test"),
                ("password", PASSWORD),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert_eq!(
        res.headers.get("location").map(|v| v.to_str().unwrap()),
        Some("/")
    );
}

#[tokio::test]
async fn a_member_of_two_firms_switches_between_them() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.multi).await;
    let info: SessionInfo = c.post("/api/auth/session", &[]).await.json();
    assert_eq!(info.org_id, app.a.id);
    assert_eq!(info.orgs.len(), 2);

    let res = c
        .post("/api/auth/switch_org", &[("org_id", &app.b.id.to_string())])
        .await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{res:?}"
    );
    let info: SessionInfo = c.post("/api/auth/session", &[]).await.json();
    assert_eq!(info.org_id, app.b.id);
    assert_eq!(info.role, docket::auth::Role::Staff);

    // A firm the user does not belong to reads as not found, and nothing changes.
    let mut alpha_only = app.signed_in(app.a.staff).await;
    let res = alpha_only
        .post("/api/auth/switch_org", &[("org_id", &app.b.id.to_string())])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let info: SessionInfo = alpha_only.post("/api/auth/session", &[]).await.json();
    assert_eq!(info.org_id, app.a.id);
}

#[tokio::test]
async fn pages_need_a_session() {
    let app = TestApp::spawn().await;
    let mut c = app.anonymous();
    let res = c.get("/matters?status=open").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers.get("location").unwrap(),
        "/login?next=%2Fmatters%3Fstatus%3Dopen"
    );
    let login = c.get("/login").await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.body.contains("Sign in to Docket"));

    let mut signed = app.signed_in(app.a.admin).await;
    let page = signed.get("/clients").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Alpha Law"),
        "the active firm is shown on every page"
    );
}

#[tokio::test]
async fn removing_a_member_ends_their_session() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.staff).await;
    assert_eq!(
        c.post("/api/auth/session", &[]).await.status,
        StatusCode::OK
    );
    sqlx::query("DELETE FROM user_organizations WHERE user_id = $1")
        .bind(app.a.staff)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    assert_eq!(
        c.post("/api/auth/session", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The session is gone, so pages lead to the sign-in form instead of failing in a loop.
    let page = c.get("/clients").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page
        .headers
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("/login"));
    // And signing in again is refused while they belong to no firm.
    let mut again = app.anonymous();
    let res = again
        .post(
            "/api/auth/login",
            &[("email", "staff@alpha.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_expired_session_on_a_plain_form_post_goes_to_sign_in() {
    let app = TestApp::spawn().await;
    let mut c = app.anonymous();
    let body = b"form%5Bname%5D=X&form%5Bclient_type%5D=company".to_vec();
    let res = c
        .request_with(
            axum::http::Method::POST,
            "/api/clients/create",
            Some("application/x-www-form-urlencoded"),
            body,
            Some("text/html"),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.headers.get("location").unwrap(), "/login");
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while() {
    let app = TestApp::spawn().await;
    // A unique account: the Redis counters are shared by every test.
    let email = format!("locked-{}@alpha.test", uuid::Uuid::new_v4().simple());
    let hash = docket::server::password::hash(PASSWORD).0;
    let id: uuid::Uuid = sqlx::query_scalar("INSERT INTO users (email, full_name, password_hash) VALUES ($1, 'Locked', $2) RETURNING id")
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
    let mut c = app.anonymous();
    for _ in 0..docket::server::throttle::MAX_FAILURES_PER_ACCOUNT {
        let res = c
            .post(
                "/api/auth/login",
                &[("email", email.as_str()), ("password", "guess")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    }
    let res = c
        .post(
            "/api/auth/login",
            &[("email", email.as_str()), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.body);
    assert_eq!(res.error(), AppError::RateLimited);
}
