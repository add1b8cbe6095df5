//! One's own account: name, password, open sessions and signing the others out.

use axum::http::StatusCode;
use docket::auth::SessionInfo;
use docket::profile::Profile;

use crate::support::{TestApp, PASSWORD};

#[tokio::test]
async fn signing_out_other_sessions_ends_them_at_once() {
    let app = TestApp::spawn().await;
    let mut laptop = app.signed_in(app.a.attorney).await;
    let mut phone = app.signed_in(app.a.attorney).await;
    let mut colleague = app.signed_in(app.a.staff).await;
    let p: Profile = laptop.post("/api/profile/get", &[]).await.json();
    assert_eq!(p.sessions.len(), 2, "{p:?}");
    assert_eq!(p.sessions.iter().filter(|s| s.current).count(), 1);
    assert!(p
        .sessions
        .iter()
        .all(|s| s.method == "Password" && !s.device.is_empty()));
    let res = laptop.post("/api/profile/sign_out_others", &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert_eq!(res.json::<usize>(), 1);
    assert_eq!(
        phone.post("/api/auth/session", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        laptop.post("/api/auth/session", &[]).await.status,
        StatusCode::OK
    );
    // Nobody else's session was touched.
    assert_eq!(
        colleague.post("/api/auth/session", &[]).await.status,
        StatusCode::OK
    );
    let p: Profile = laptop.post("/api/profile/get", &[]).await.json();
    assert_eq!(p.sessions.len(), 1);
    // Signing out removes the session from the list too.
    let mut tablet = app.signed_in(app.a.attorney).await;
    tablet.post("/api/auth/logout", &[]).await;
    let p: Profile = laptop.post("/api/profile/get", &[]).await.json();
    assert_eq!(p.sessions.len(), 1);
    assert_eq!(
        app.count("SELECT count(*) FROM activity_logs WHERE action = 'user.sign_out_others'")
            .await,
        1
    );
}

#[tokio::test]
async fn one_changes_ones_name_unless_the_page_was_stale_or_for_another_firm() {
    let app = TestApp::spawn().await;
    let mut me = app.signed_in(app.multi).await;
    let save =
        |shown: &'static str, name: &'static str| vec![("shown", shown), ("form[full_name]", name)];
    let res = me
        .post("/api/profile/name", &save("Multi Firm", "   "))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = me
        .post("/api/profile/name", &save("Someone Else", "Mara Multi"))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(
        res.error().fields().unwrap().value("shown"),
        Some("Multi Firm")
    );
    let mut other_firm = me.clone();
    other_firm.org = Some(app.b.id);
    let res = other_firm
        .post("/api/profile/name", &save("Multi Firm", "Mara Multi"))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let res = me
        .post("/api/profile/name", &save("Multi Firm", "Mara Multi"))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let info: SessionInfo = me.post("/api/auth/session", &[]).await.json();
    assert_eq!(info.user_name, "Mara Multi");
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    let app = TestApp::spawn().await;
    let mut me = app.signed_in(app.a.billing).await;
    let mut other = app.signed_in(app.a.billing).await;
    let change = |current: &'static str, new: &'static str| {
        vec![
            ("form[current]", current),
            ("form[password]", new),
            ("form[confirm]", new),
        ]
    };
    let res = me
        .post(
            "/api/profile/password",
            &change("wrong password!", "a brand new password"),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.error().fields().unwrap().get("current").is_some());
    let res = me
        .post("/api/profile/password", &change(PASSWORD, "short"))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.error().fields().unwrap().get("password").is_some());
    let res = me
        .post(
            "/api/profile/password",
            &change(PASSWORD, "a brand new password"),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert_eq!(
        other.post("/api/auth/session", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        me.post("/api/auth/session", &[]).await.status,
        StatusCode::OK
    );
    let mut c = app.anonymous();
    let old = c
        .post(
            "/api/auth/login",
            &[("email", "billing@alpha.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = c
        .post(
            "/api/auth/login",
            &[
                ("email", "billing@alpha.test"),
                ("password", "a brand new password"),
            ],
        )
        .await;
    assert!(
        new.status.is_success() || new.status.is_redirection(),
        "{new:?}"
    );
    // The hash is not something the application role can write itself.
    let mut tx = docket::server::db::tenant_tx(&app.app_pool, app.a.billing, Some(app.a.id))
        .await
        .unwrap();
    assert!(
        sqlx::query("UPDATE users SET password_hash = 'x' WHERE id = app_current_user()")
            .execute(&mut *tx)
            .await
            .is_err()
    );
}
