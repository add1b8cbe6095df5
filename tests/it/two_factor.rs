//! Two-factor sign-in: setting up an authenticator, the code after the password (once per
//! step), recovery codes, and a firm that requires a second factor.

use axum::http::StatusCode;
use docket::auth::two_factor::totp;
use docket::auth::two_factor::Setup;
use uuid::Uuid;

use crate::support::{Client as Http, TestApp, PASSWORD};

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

async fn secret(app: &TestApp, user: Uuid) -> Vec<u8> {
    sqlx::query_scalar("SELECT secret FROM user_totp WHERE user_id = $1")
        .bind(user)
        .fetch_one(&app.admin_pool)
        .await
        .unwrap()
}

fn code(secret: &[u8], step_offset: i64) -> String {
    format!(
        "{:06}",
        totp::code_at(secret, totp::step_of(now()) + step_offset)
    )
}

/// Turn two-factor sign-in on for a signed-in client; returns the secret and recovery codes.
async fn turn_on(app: &TestApp, c: &mut Http, user: Uuid) -> (Vec<u8>, Vec<String>) {
    let setup: Setup = c.post("/api/two_factor/begin", &[]).await.json();
    assert!(
        setup.uri.starts_with("otpauth://totp/Docket:"),
        "{}",
        setup.uri
    );
    let s = secret(app, user).await;
    assert_eq!(setup.key.replace(' ', ""), totp::base32(&s));
    // The same URI as a QR code to scan: 21 + 4 per version modules, and a quiet zone of 4.
    let (path, side) = setup.qr.expect("a QR code of the setup link");
    assert!(side >= 29 && (side - 29) % 4 == 0, "{side}");
    assert_eq!(Some((path.clone(), side)), totp::qr_path(&setup.uri));
    let res = c
        .post("/api/two_factor/confirm", &[("code", "000000")])
        .await;
    if res.status != StatusCode::OK {
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res = c
        .post("/api/two_factor/confirm", &[("code", &code(&s, 0))])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    (s, res.json())
}

async fn password_step(app: &TestApp, email: &str) -> (Http, Option<String>) {
    let mut c = app.anonymous();
    let res = c
        .post(
            "/api/auth/login",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    let to = res
        .headers
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    (c, to)
}

#[tokio::test]
async fn after_the_password_a_code_is_asked_once_per_step_and_recovery_codes_work_once() {
    let app = TestApp::spawn().await;
    let mut me = app.signed_in(app.a.attorney).await;
    let (s, recovery) = turn_on(&app, &mut me, app.a.attorney).await;
    assert_eq!(recovery.len(), 10);

    let (mut c, to) = password_step(&app, "attorney@alpha.test").await;
    assert_eq!(to.as_deref(), Some("/login/two-factor"));
    // Not signed in yet.
    assert_eq!(
        c.post("/api/auth/session", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    let res = c
        .post("/api/auth/second_factor", &[("code", "123456")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The step used to confirm the setup is spent; the next one works, once.
    let res = c
        .post("/api/auth/second_factor", &[("code", &code(&s, 0))])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let next = code(&s, 1);
    let res = c.post("/api/auth/second_factor", &[("code", &next)]).await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{res:?}"
    );
    assert_eq!(
        c.post("/api/auth/session", &[]).await.status,
        StatusCode::OK
    );
    let (mut again, _) = password_step(&app, "attorney@alpha.test").await;
    let res = again
        .post("/api/auth/second_factor", &[("code", &next)])
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a code works once"
    );
    // A recovery code, however typed, works once.
    let typed = recovery[3].to_uppercase().replace('-', " ");
    let res = again
        .post("/api/auth/second_factor", &[("code", &typed)])
        .await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{res:?}"
    );
    let (mut third, _) = password_step(&app, "attorney@alpha.test").await;
    let res = third
        .post("/api/auth/second_factor", &[("code", &recovery[3])])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let _ = third;
    // Turning it off needs a code; then the password is enough again.
    let res = me
        .post("/api/two_factor/disable", &[("code", "999999")])
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = me
        .post("/api/two_factor/disable", &[("code", &recovery[5])])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let (_, to) = password_step(&app, "attorney@alpha.test").await;
    assert_eq!(to.as_deref(), Some("/"));
    // Five wrong codes end the attempt (another person: the limits count per person).
    let mut billing = app.signed_in(app.a.billing).await;
    let (_, codes) = turn_on(&app, &mut billing, app.a.billing).await;
    let (mut guess, _) = password_step(&app, "billing@alpha.test").await;
    for _ in 0..5 {
        guess
            .post("/api/auth/second_factor", &[("code", "000001")])
            .await;
    }
    let res = guess
        .post("/api/auth/second_factor", &[("code", &codes[0])])
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{res:?}");
    // Nothing of it is readable by the application role.
    let mut tx = docket::server::db::tenant_tx(&app.app_pool, app.a.attorney, Some(app.a.id))
        .await
        .unwrap();
    assert!(sqlx::query("SELECT secret FROM user_totp")
        .execute(&mut *tx)
        .await
        .is_err());
}

#[tokio::test]
async fn a_firm_that_requires_a_second_factor_lets_others_only_set_one_up() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in(app.a.admin).await;
    let mut staff = app.signed_in(app.a.staff).await;
    assert_eq!(
        staff
            .post("/api/two_factor/require", &[("require", "on")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let res = admin
        .post("/api/two_factor/require", &[("require", "on")])
        .await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    // Sessions opened before the rule end at once.
    assert_eq!(
        staff.post("/api/auth/session", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    // The administrator's own goes on, limited to setting up a second factor.
    let res = admin.post("/api/clients/list", &[("query[q]", "")]).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    // The database refuses the rule's change from anyone but an administrator.
    let mut tx = docket::server::db::tenant_tx(&app.app_pool, app.a.attorney, Some(app.a.id))
        .await
        .unwrap();
    let err = sqlx::query(
        "UPDATE organizations SET require_two_factor = false WHERE id = app_current_org()",
    )
    .execute(&mut *tx)
    .await
    .unwrap_err();
    assert_eq!(
        err.as_database_error().and_then(|d| d.code()).as_deref(),
        Some("42501")
    );
    drop(tx);
    // Firm B is not affected.
    let mut b = app.signed_in(app.b.staff).await;
    assert_eq!(
        b.post("/api/clients/list", &[("query[q]", "")])
            .await
            .status,
        StatusCode::OK
    );

    // Staff sign in with a password and no second factor: only the profile opens.
    let mut staff = app.signed_in(app.a.staff).await;
    let res = staff.post("/api/clients/list", &[("query[q]", "")]).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{res:?}");
    let page = staff.page("/clients").await;
    assert_eq!(page.headers.get("location").unwrap(), "/profile");
    assert_eq!(
        staff.post("/api/profile/get", &[]).await.status,
        StatusCode::OK
    );
    let (_, _codes) = turn_on(&app, &mut staff, app.a.staff).await;
    assert_eq!(
        staff
            .post("/api/clients/list", &[("query[q]", "")])
            .await
            .status,
        StatusCode::OK
    );
    // …and it cannot be turned off while the firm requires it.
    let s = secret(&app, app.a.staff).await;
    let res = staff
        .post("/api/two_factor/disable", &[("code", &code(&s, 1))])
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    // A member of two firms lands in A (their default) able to set up only; switching to B,
    // which does not require it, opens everything there.
    let mut multi = app.signed_in(app.multi).await;
    let res = multi.post("/api/clients/list", &[("query[q]", "")]).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let b_id = app.b.id.to_string();
    let res = multi
        .post("/api/auth/switch_org", &[("org_id", b_id.as_str())])
        .await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{res:?}"
    );
    assert_eq!(
        multi
            .post("/api/clients/list", &[("query[q]", "")])
            .await
            .status,
        StatusCode::OK
    );
    // Back into A: limited again.
    let a_id = app.a.id.to_string();
    multi
        .post("/api/auth/switch_org", &[("org_id", a_id.as_str())])
        .await;
    assert_eq!(
        multi
            .post("/api/clients/list", &[("query[q]", "")])
            .await
            .status,
        StatusCode::CONFLICT
    );
    // A limited session cannot change the rule; once the administrator has a second factor,
    // they may turn it off, and sign-ins are free again.
    let res = admin.post("/api/two_factor/require", &[]).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    turn_on(&app, &mut admin, app.a.admin).await;
    let res = admin.post("/api/two_factor/require", &[]).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    let mut free = app.signed_in(app.a.attorney).await;
    assert_eq!(
        free.post("/api/clients/list", &[("query[q]", "")])
            .await
            .status,
        StatusCode::OK
    );
}

/// The database checks codes itself: its codes are RFC 6238's, and the app role can read no
/// secret, neither from the table nor through a function.
#[tokio::test]
async fn authenticator_secrets_never_leave_the_database() {
    let app = TestApp::spawn().await;
    // RFC 6238, appendix B (SHA-1): T = 59 s is step 1, code 94287082 (its last six digits).
    let rfc: i32 = sqlx::query_scalar("SELECT totp_code('12345678901234567890'::bytea, 1)")
        .fetch_one(&app.admin_pool)
        .await
        .unwrap();
    assert_eq!(rfc, 287082);
    assert_eq!(totp::code_at(b"12345678901234567890", 1), 287082);
    // A code counts at its step and one step either side, spaces aside; nothing else does.
    let secret = b"12345678901234567890".to_vec();
    let now: i64 = 1_111_111_111;
    let typed = format!("{:06}", totp::code_at(&secret, totp::step_of(now)));
    let spaced = format!("{} {}", &typed[..3], &typed[3..]);
    for (typed, at, expected) in [
        (typed.as_str(), now, Some(totp::step_of(now))),
        (spaced.as_str(), now + 30, Some(totp::step_of(now))),
        (typed.as_str(), now + 90, None),
        ("12 34 5", now, None),
        ("abcdef", now, None),
    ] {
        let step: Option<i64> = sqlx::query_scalar("SELECT totp_matching_step($1, $2, $3)")
            .bind(&secret)
            .bind(typed)
            .bind(at)
            .fetch_one(&app.admin_pool)
            .await
            .unwrap();
        assert_eq!(step, expected, "{typed:?} at {at}");
    }

    let mut c = app.signed_in(app.a.attorney).await;
    turn_on(&app, &mut c, app.a.attorney).await;
    // Text the database would refuse outright is a wrong code, not a failure.
    for typed in ["123\u{0}456", "１２３４５６", "123456789012345678901"] {
        let res = c.post("/api/two_factor/disable", &[("code", typed)]).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{typed:?}: {res:?}"
        );
    }
    let mut tx = docket::server::db::tenant_tx(&app.app_pool, app.a.attorney, Some(app.a.id))
        .await
        .unwrap();
    let read = sqlx::query("SELECT secret FROM user_totp")
        .execute(&mut *tx)
        .await;
    assert!(read.is_err(), "the app role reads secrets from the table");
    drop(tx);
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT unnest(proargnames) FROM pg_proc WHERE proname LIKE 'auth\\_totp\\_%'",
    )
    .fetch_all(&app.app_pool)
    .await
    .unwrap();
    assert!(
        !columns.iter().any(|c| c == "secret"),
        "a function returns a secret: {columns:?}"
    );
    for f in ["totp_code", "totp_matching_step"] {
        let callable: bool =
            sqlx::query_scalar("SELECT has_function_privilege('docket_app', oid, 'EXECUTE') FROM pg_proc WHERE proname = $1")
                .bind(f)
                .fetch_one(&app.admin_pool)
                .await
                .unwrap();
        assert!(!callable, "the app role may call {f}");
    }
}
