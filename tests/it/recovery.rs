//! "Forgot password?": the link by e-mail, used once, within the hour; the same answer for an
//! address without an account; every session ends.

use axum::http::StatusCode;

use crate::support::{link_in, mail_to, unique_email, TestApp, PASSWORD};

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_ends_every_session() {
    let app = TestApp::spawn().await;
    let email = unique_email("forgetful");
    let user = app.add_member(app.a.id, &email, "attorney").await;
    let mut signed_in = app.signed_in(user).await;
    let mut guest = app.anonymous();
    let asked = guest
        .post(
            "/api/auth/forgot_password",
            &[("email", &email.to_uppercase())],
        )
        .await;
    assert!(
        asked.status.is_success() || asked.status.is_redirection(),
        "{asked:?}"
    );
    // An address with no account gets the very same answer, and no e-mail.
    let nobody = unique_email("nobody");
    let same = guest
        .post("/api/auth/forgot_password", &[("email", &nobody)])
        .await;
    assert_eq!(
        (same.status, same.body.as_str()),
        (asked.status, asked.body.as_str())
    );
    assert_eq!(
        same.headers
            .get("location")
            .map(|v| v.to_str().unwrap().to_string()),
        asked
            .headers
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
    );
    let mail = mail_to(&email, 1).await;
    assert_eq!(mail.len(), 1);
    let link = link_in(&mail[0].1);
    let token = link
        .trim_start_matches("/reset-password?token=")
        .to_string();
    assert!(mail_to(&nobody, 1).await.is_empty());

    let app = &app;
    let set = |t: String, pw: &'static str| async move {
        let mut c = app.anonymous();
        c.post(
            "/api/auth/reset_password",
            &[
                ("token", t.as_str()),
                ("form[password]", pw),
                ("form[confirm]", pw),
            ],
        )
        .await
    };
    assert_eq!(
        set(token.clone(), "short").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let res = set(token.clone(), "my new long password").await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{res:?}"
    );
    assert_eq!(
        signed_in.post("/api/auth/session", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    let res = set(token.clone(), "yet another password").await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let mut c = app.anonymous();
    let old = c
        .post(
            "/api/auth/login",
            &[("email", email.as_str()), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = c
        .post(
            "/api/auth/login",
            &[
                ("email", email.as_str()),
                ("password", "my new long password"),
            ],
        )
        .await;
    assert!(
        new.status.is_success() || new.status.is_redirection(),
        "{new:?}"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM activity_logs WHERE action = 'user.password_reset'")
            .await,
        1
    );
}

#[tokio::test]
async fn an_old_link_does_not_work() {
    let app = TestApp::spawn().await;
    let email = unique_email("slow");
    app.add_member(app.a.id, &email, "staff").await;
    let mut guest = app.anonymous();
    guest
        .post("/api/auth/forgot_password", &[("email", email.as_str())])
        .await;
    let mail = mail_to(&email, 1).await;
    let token = link_in(&mail[0].1)
        .trim_start_matches("/reset-password?token=")
        .to_string();
    sqlx::query("UPDATE password_resets SET expires_at = now() - interval '1 second'")
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let res = guest
        .post(
            "/api/auth/reset_password",
            &[
                ("token", token.as_str()),
                ("form[password]", "long enough password"),
                ("form[confirm]", "long enough password"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("no longer works"), "{}", res.body);
    // Not an address at all: said beside the field.
    let res = guest
        .post("/api/auth/forgot_password", &[("email", "not-an-address")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}
