//! Sign-in through Supabase, end to end against the GoTrue stand-in (`gotrue_standin`, a real
//! process speaking GoTrue's protocol on loopback): the PKCE flow, the session it opens, and
//! every way it can fail.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use axum::http::StatusCode;
use docket::server::config::SupabaseConfig;

use crate::support::{Client as Http, Res, TestApp};

const ANON_KEY: &str = "test-anon-key";

/// The stand-in, on a port of the OS's choosing; stopped when dropped.
pub struct Standin {
    child: Child,
    pub url: String,
}

impl Standin {
    pub fn start() -> Standin {
        Self::start_with(&[])
    }

    /// Mailing its magic links to the test SMTP sink.
    pub fn start_mailing() -> Standin {
        Self::start_with(&[&std::env::var("TEST_SMTP_URL").expect("TEST_SMTP_URL")])
    }

    fn start_with(more: &[&str]) -> Standin {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gotrue_standin"))
            .args(["0", ANON_KEY])
            .args(more)
            .stdout(Stdio::piped())
            .spawn()
            .expect("the stand-in starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap()
            .to_string();
        Standin { child, url }
    }
}

impl Drop for Standin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn config(url: &str) -> SupabaseConfig {
    SupabaseConfig {
        url: url.into(),
        anon_key: ANON_KEY.into(),
        jwt_secret: None,
        providers: vec!["google".into(), "apple".into(), "email".into()],
        public_origin: "http://docket.test".into(),
    }
}

async fn app_with(url: &str) -> TestApp {
    let c = config(url);
    TestApp::spawn_with(move |cfg| {
        cfg.supabase = Some(c);
        cfg.proxy_hops = 1;
    })
    .await
}

fn location(res: &Res) -> String {
    assert!(res.status.is_redirection(), "{res:?}");
    res.headers
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string()
}

/// "Continue with …" on the sign-in page (a link): where the browser is sent.
async fn start(c: &mut Http, provider: &str, next: &str) -> String {
    let q = serde_urlencoded::to_string([("provider", provider), ("next", next)]).unwrap();
    let res = c.page(&format!("/auth/supabase/start?{q}")).await;
    location(&res)
}

/// The person signs in at the "provider" (the stand-in's page); returns the path and query
/// Supabase sends the browser back to.
async fn at_provider(authorize: &str, email: &str, switches: &[&str], go: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http
        .get(authorize)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let flow = page
        .split("name=\"flow\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the provider's page has a flow")
        .to_string();
    let base = authorize.split("/auth/v1/").next().unwrap();
    let mut form = vec![("flow", flow.as_str()), ("email", email), ("go", go)];
    form.extend(switches.iter().map(|s| (*s, "1")));
    let res = http
        .post(format!("{base}/auth/v1/standin/consent"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    to.strip_prefix("http://docket.test")
        .expect("back to Docket")
        .to_string()
}

async fn email_of(app: &TestApp, id: uuid::Uuid) -> String {
    sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&app.admin_pool)
        .await
        .unwrap()
}

async fn problem(c: &mut Http, callback: &str) -> String {
    let res = c.get(callback).await;
    location(&res)
}

#[tokio::test]
async fn continue_with_google_opens_a_session_under_a_new_id() {
    let standin = Standin::start();
    let app = app_with(&standin.url).await;
    let mut c = app.anonymous();
    let page = c.page("/login").await;
    assert!(
        page.body.contains("Continue with Google") && page.body.contains("Continue with Apple")
    );

    let authorize = start(&mut c, "google", "/matters?status=open").await;
    assert!(
        authorize.starts_with(&format!(
            "{}/auth/v1/authorize?provider=google",
            standin.url
        )),
        "{authorize}"
    );
    assert!(
        authorize.contains("code_challenge_method=s256")
            && authorize.contains("redirect_to=http%3A%2F%2Fdocket.test%2Fauth%2Fcallback")
    );
    let before = c
        .cookie
        .clone()
        .expect("a pre-login session holds the verifier");
    let callback = at_provider(
        &authorize,
        &email_of(&app, app.a.attorney).await,
        &[],
        "continue",
    )
    .await;
    assert!(callback.starts_with("/auth/callback?code="), "{callback}");
    let res = c.get(&callback).await;
    assert_eq!(location(&res), "/matters?status=open");
    let after = c.cookie.clone().unwrap();
    assert_ne!(before, after, "the session id changes at sign-in");
    let info: docket::auth::SessionInfo = c.post("/api/auth/session", &[]).await.json();
    assert_eq!(info.user_id, app.a.attorney);
    let logged = app
        .count("SELECT count(*) FROM activity_logs WHERE action = 'user.sign_in' AND changes->>'method' = 'supabase:google'")
        .await;
    assert_eq!(logged, 1);
    // The code is spent: the same callback again, in a browser with a sign-in of its own
    // pending, is refused.
    let mut other = app.anonymous();
    start(&mut other, "google", "/").await;
    assert_eq!(
        problem(&mut other, &callback).await,
        "/login?problem=expired"
    );
    assert!(other.cookie.is_none(), "no session is left behind");
}

#[tokio::test]
async fn every_failure_ends_on_the_login_page_with_no_session() {
    let standin = Standin::start();
    let app = app_with(&standin.url).await;
    let attorney = email_of(&app, app.a.attorney).await;
    let case = |switches: &'static [&'static str], email: String, go: &'static str| {
        let app = &app;
        async move {
            let mut c = app.anonymous();
            let authorize = start(&mut c, "google", "/").await;
            let callback = at_provider(&authorize, &email, switches, go).await;
            let to = problem(&mut c, &callback).await;
            assert!(c.cookie.is_none(), "{to}: no session is left behind");
            to
        }
    };
    assert_eq!(
        case(&[], attorney.clone(), "cancel").await,
        "/login?problem=cancelled"
    );
    assert_eq!(
        case(&["bad_signature"], attorney.clone(), "continue").await,
        "/login?problem=failed"
    );
    assert_eq!(
        case(&["unverified"], attorney.clone(), "continue").await,
        "/login?problem=unverified"
    );
    assert_eq!(
        case(&[], "stranger@elsewhere.test".into(), "continue").await,
        "/login?problem=no_access"
    );
    sqlx::query("UPDATE users SET is_active = false WHERE id = $1")
        .bind(app.a.staff)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let staff = email_of(&app, app.a.staff).await;
    assert_eq!(
        case(&[], staff, "continue").await,
        "/login?problem=no_access"
    );

    // A code meant for another browser's verifier is refused by Supabase.
    let (mut one, mut two) = (app.anonymous(), app.anonymous());
    let authorize = start(&mut one, "google", "/").await;
    start(&mut two, "google", "/").await;
    let callback = at_provider(&authorize, &attorney, &[], "continue").await;
    assert_eq!(problem(&mut two, &callback).await, "/login?problem=failed");
    // A callback with no sign-in pending here, and a provider's error without one.
    let mut fresh = app.anonymous();
    assert_eq!(
        problem(&mut fresh, &callback).await,
        "/login?problem=expired"
    );
    assert_eq!(
        problem(
            &mut fresh,
            "/auth/callback?error=server_error&error_description=boom"
        )
        .await,
        "/login?problem=cancelled"
    );
    // A provider the firm did not configure.
    let mut c = app.anonymous();
    assert_eq!(start(&mut c, "github", "/").await, "/login?problem=failed");
    // The sign-in page says what went wrong, from its own words only.
    let page = c.page("/login?problem=no_access").await;
    assert!(
        page.body.contains("Ask your firm&#x27;s administrator")
            || page.body.contains("Ask your firm's administrator"),
        "{}",
        page.body
    );
    let no_sessions = app
        .count("SELECT count(*) FROM activity_logs WHERE action = 'user.sign_in'")
        .await;
    assert_eq!(no_sessions, 0);
}

#[tokio::test]
async fn attempts_are_limited_per_address_and_an_unreachable_supabase_is_said() {
    let standin = Standin::start();
    let app = app_with(&standin.url).await;
    let mut last = String::new();
    for _ in 0..51 {
        let mut c = app.anonymous();
        c.forwarded_for = Some("203.0.113.9".into());
        start(&mut c, "google", "/").await;
        last = problem(&mut c, "/auth/callback?code=not-a-code").await;
    }
    assert_eq!(last, "/login?problem=throttled");
    let mut elsewhere = app.anonymous();
    elsewhere.forwarded_for = Some("203.0.113.10".into());
    start(&mut elsewhere, "google", "/").await;
    assert_eq!(
        problem(&mut elsewhere, "/auth/callback?code=not-a-code").await,
        "/login?problem=expired"
    );

    drop(standin);
    let app = app_with("http://127.0.0.1:9").await;
    let mut c = app.anonymous();
    start(&mut c, "google", "/").await;
    assert_eq!(
        problem(&mut c, "/auth/callback?code=x").await,
        "/login?problem=unavailable"
    );
    // Without Supabase configured, the page offers e-mail and password only.
    let plain = TestApp::spawn().await;
    let page = plain.anonymous().page("/login").await;
    assert!(!page.body.contains("Continue with"));
}

/// Follow a link of the stand-in (its verify endpoint) and return where it sends the browser,
/// as a path of Docket's.
async fn follow(link: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = http.get(link).send().await.unwrap();
    assert!(res.status().is_redirection(), "{res:?}");
    res.headers()["location"]
        .to_str()
        .unwrap()
        .strip_prefix("http://docket.test")
        .expect("back to Docket")
        .to_string()
}

#[tokio::test]
async fn an_e_mailed_sign_in_link_signs_in_once_in_the_browser_that_asked() {
    let standin = Standin::start_mailing();
    let app = app_with(&standin.url).await;
    let email = crate::support::unique_email("linked");
    app.add_member(app.a.id, &email, "attorney").await;
    let mut c = app.anonymous();
    let res = c
        .post(
            "/api/auth/magic_link",
            &[("email", email.as_str()), ("next", "/matters")],
        )
        .await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{res:?}"
    );
    // An address with no account gets the same answer.
    let mut other = app.anonymous();
    let nobody = crate::support::unique_email("nobody");
    let same = other
        .post("/api/auth/magic_link", &[("email", nobody.as_str())])
        .await;
    assert_eq!(same.status, res.status);
    let mail = crate::support::mail_to(&email, 1).await;
    assert_eq!(mail.len(), 1, "the stand-in mailed the link");
    let link = mail[0]
        .1
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1"))
        .expect("a link")
        .to_string();
    let callback = follow(&link).await;
    assert!(callback.starts_with("/auth/callback?code="), "{callback}");
    // Another browser cannot finish it (its session holds no verifier).
    assert!(problem(&mut other, &callback)
        .await
        .starts_with("/login?problem="));
    let res = c.get(&callback).await;
    assert_eq!(location(&res), "/matters");
    let info: docket::auth::SessionInfo = c.post("/api/auth/session", &[]).await.json();
    assert_eq!(
        (info.email.as_str(), info.org_id),
        (email.as_str(), app.a.id)
    );
    // The link worked once.
    let again = follow(&link).await;
    assert!(again.contains("error=access_denied"), "{again}");
    assert!(crate::support::mail_to(&nobody, 1).await.is_empty());
}

#[tokio::test]
async fn an_invited_person_continues_with_google_and_joins() {
    let standin = Standin::start();
    let app = app_with(&standin.url).await;
    let mut admin = app.signed_in(app.a.admin).await;
    let email = crate::support::unique_email("googler");
    let res = admin
        .post(
            "/api/team/invite",
            &[("form[email]", email.as_str()), ("form[role]", "staff")],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let mail = crate::support::mail_to(&email, 1).await;
    let token = crate::support::link_in(&mail[0].1)
        .trim_start_matches("/invite/")
        .to_string();
    let q =
        serde_urlencoded::to_string([("provider", "google"), ("invite", token.as_str())]).unwrap();
    let start_at = format!("/auth/supabase/start?{q}");
    // Someone else's Google account does not take the invitation.
    let mut wrong = app.anonymous();
    let authorize = location(&wrong.page(&start_at).await);
    let back = at_provider(&authorize, "someone-else@example.test", &[], "continue").await;
    assert_eq!(
        problem(&mut wrong, &back).await,
        "/login?problem=invitation"
    );
    // The invited address does: a new Docket account, in the firm, with the role.
    let mut c = app.anonymous();
    let authorize = location(&c.page(&start_at).await);
    let back = at_provider(&authorize, &email, &[], "continue").await;
    let res = c.get(&back).await;
    assert_eq!(location(&res), "/");
    let info: docket::auth::SessionInfo = c.post("/api/auth/session", &[]).await.json();
    assert_eq!(
        (info.org_id, info.role),
        (app.a.id, docket::auth::Role::Staff)
    );
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM users WHERE email = '{email}' AND password_hash IS NULL"
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn a_firm_that_requires_a_second_factor_needs_supabases_aal2() {
    let standin = Standin::start();
    let app = app_with(&standin.url).await;
    sqlx::query("UPDATE organizations SET require_two_factor = true WHERE id = $1")
        .bind(app.a.id)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let email = email_of(&app, app.a.attorney).await;
    let mut c = app.anonymous();
    let authorize = start(&mut c, "google", "/").await;
    let back = at_provider(&authorize, &email, &[], "continue").await;
    assert_eq!(problem(&mut c, &back).await, "/login?problem=second_factor");
    assert_eq!(
        c.post("/api/auth/session", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    let authorize = start(&mut c, "google", "/").await;
    let back = at_provider(&authorize, &email, &["aal2"], "continue").await;
    assert_eq!(location(&c.get(&back).await), "/");
    assert_eq!(
        c.post("/api/clients/list", &[("query[q]", "")])
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn someone_with_dockets_second_factor_gives_its_code_after_a_provider() {
    let standin = Standin::start();
    let app = app_with(&standin.url).await;
    sqlx::query("INSERT INTO user_totp (user_id, secret, confirmed_at) VALUES ($1, $2, now())")
        .bind(app.a.attorney)
        .bind(b"12345678901234567890".as_slice())
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let email = email_of(&app, app.a.attorney).await;
    let mut c = app.anonymous();
    let authorize = start(&mut c, "google", "/matters").await;
    let back = at_provider(&authorize, &email, &[], "continue").await;
    assert_eq!(location(&c.get(&back).await), "/login/two-factor");
    assert_eq!(
        c.post("/api/auth/session", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    let code = format!(
        "{:06}",
        docket::auth::two_factor::totp::code_at(
            b"12345678901234567890",
            docket::auth::two_factor::totp::step_of(chrono::Utc::now().timestamp())
        )
    );
    let res = c
        .post("/api/auth/second_factor", &[("code", code.as_str())])
        .await;
    assert!(res.status.is_success(), "{res:?}");
    assert_eq!(res.headers.get("location").unwrap(), "/matters");
    assert_eq!(
        c.post("/api/auth/session", &[]).await.status,
        StatusCode::OK
    );
    // With Supabase's own second factor, no second code.
    let mut d = app.anonymous();
    let authorize = start(&mut d, "google", "/").await;
    let back = at_provider(&authorize, &email, &["aal2"], "continue").await;
    assert_eq!(location(&d.get(&back).await), "/");
}

#[tokio::test]
async fn a_supabase_identity_stays_linked_to_the_account_it_first_signed_in_as() {
    let standin = Standin::start();
    let app = app_with(&standin.url).await;
    let email = email_of(&app, app.a.attorney).await;
    let mut c = app.anonymous();
    let authorize = start(&mut c, "google", "/").await;
    let callback = at_provider(&authorize, &email, &[], "continue").await;
    assert_eq!(location(&c.get(&callback).await), "/");
    let sub: Option<String> = sqlx::query_scalar("SELECT supabase_sub FROM users WHERE id = $1")
        .bind(app.a.attorney)
        .fetch_one(&app.admin_pool)
        .await
        .unwrap();
    let sub = sub.expect("the first sign-in links the identity");
    assert!(!sub.is_empty());

    // Another Supabase identity showing the same address is refused, with no session.
    sqlx::query("UPDATE users SET supabase_sub = 'another-identity' WHERE id = $1")
        .bind(app.a.attorney)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let mut d = app.anonymous();
    let authorize = start(&mut d, "google", "/").await;
    let callback = at_provider(&authorize, &email, &[], "continue").await;
    assert_eq!(problem(&mut d, &callback).await, "/login?problem=no_access");
    assert!(d.cookie.is_none(), "no session is left behind");

    // A new password (the account recovered) unlinks it: the next sign-in links again.
    sqlx::query("UPDATE users SET password_hash = password_hash || 'x' WHERE id = $1")
        .bind(app.a.attorney)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let mut e = app.anonymous();
    let authorize = start(&mut e, "google", "/").await;
    let callback = at_provider(&authorize, &email, &[], "continue").await;
    assert_eq!(location(&e.get(&callback).await), "/");
}
