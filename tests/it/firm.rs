use axum::http::StatusCode;
use docket::error::AppError;
use docket::firm::SettingsPage;
use rust_decimal::Decimal;

use crate::support::{Client as Http, Res, TestApp};

pub(crate) async fn save(c: &mut Http, version: i32, changes: &[(&str, &str)]) -> Res {
    let mut form: Vec<(String, String)> = vec![
        ("form[name]", "Harbor & Vale LLP"),
        ("form[address]", "1 Harbor Way\nBoston, MA"),
        ("form[timezone]", "America/New_York"),
        ("form[currency]", "USD"),
        ("form[billing_increment_minutes]", "6"),
        ("form[invoice_prefix]", "HV-"),
        ("form[invoice_number_year]", "on"),
        ("form[invoice_number_digits]", "5"),
        ("form[payment_terms_days]", "14"),
        ("form[tax_rate]", "8.875"),
        ("form[tax_label]", "Sales tax"),
        ("form[default_hourly_rate]", "275.00"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in changes {
        form.retain(|(f, _)| f != k);
        if !v.is_empty() || !k.contains("year") {
            form.push((k.to_string(), v.to_string()));
        }
    }
    let version = version.to_string();
    let mut pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    pairs.push(("version", &version));
    c.post("/api/firm/update", &pairs).await
}

pub(crate) async fn settings(c: &mut Http) -> SettingsPage {
    c.post("/api/firm/settings", &[]).await.json()
}

#[tokio::test]
async fn an_administrator_changes_the_firms_settings_once_and_in_the_log() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.admin).await;
    let page = settings(&mut c).await;
    let res = save(&mut c, page.version, &[]).await;
    assert!(res.status.is_success(), "{res:?}");
    let now = settings(&mut c).await;
    assert_eq!(now.settings.tax_rate, Decimal::new(8875, 3));
    assert_eq!(now.settings.invoice_prefix, "HV-");
    assert_eq!(
        now.settings.default_hourly_rate,
        Some(Decimal::new(27500, 2))
    );
    assert_eq!(now.version, page.version + 1);
    assert_eq!(
        app.count("SELECT count(*) FROM activity_logs WHERE action = 'firm.settings' AND changes ? 'tax_rate'").await,
        1
    );

    // The form of before is stale; a time zone that does not exist is named beside its field.
    let res = save(&mut c, page.version, &[("form[tax_rate]", "5")]).await;
    assert!(matches!(res.error(), AppError::Stale(_)), "{res:?}");
    let res = save(&mut c, now.version, &[("form[timezone]", "Mars/Olympus")]).await;
    match res.error() {
        AppError::Invalid(e) => assert!(e.get("timezone").is_some()),
        e => panic!("{e:?}"),
    }
    // Firm B's settings are untouched.
    let tz: String = sqlx::query_scalar("SELECT tax_label FROM organizations WHERE id = $1")
        .bind(app.b.id)
        .fetch_one(&app.admin_pool)
        .await
        .unwrap();
    assert_eq!(tz, "Tax");
}

#[tokio::test]
async fn only_administrators_change_settings_and_only_their_own_firms() {
    let app = TestApp::spawn().await;
    let mut billing = app.signed_in(app.a.billing).await;
    assert_eq!(
        billing.post("/api/firm/settings", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        save(&mut billing, 1, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    // Firm B's administrator with a form rendered for firm A.
    let mut b = app.signed_in(app.b.admin).await;
    let org = app.a.id.to_string();
    let res = save(&mut b, 1, &[("org", &org)]).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let name: String = sqlx::query_scalar("SELECT address FROM organizations WHERE id = $1")
        .bind(app.a.id)
        .fetch_one(&app.admin_pool)
        .await
        .unwrap();
    assert_eq!(name, "");
}

#[tokio::test]
async fn an_administrator_sets_a_members_default_rate_and_their_time_uses_it() {
    use docket::time::rates::RateSource;
    use docket::time::TimeDefaults;
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in(app.a.admin).await;
    let attorney = app.a.attorney.to_string();
    let res = admin
        .post(
            "/api/firm/member_rate",
            &[("user", &attorney), ("shown", ""), ("form[rate]", "310.00")],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let page = settings(&mut admin).await;
    let me = page
        .members
        .iter()
        .find(|m| m.user_id == app.a.attorney)
        .unwrap();
    assert_eq!(me.rate, Some(Decimal::new(310, 0)));
    // A page that still shows the old (empty) rate is stale.
    let res = admin
        .post(
            "/api/firm/member_rate",
            &[("user", &attorney), ("shown", ""), ("form[rate]", "999")],
        )
        .await;
    assert!(matches!(res.error(), AppError::Stale(_)), "{res:?}");

    // The attorney's time on a matter without its own rate takes it.
    let mut att = app.signed_in(app.a.attorney).await;
    let client = crate::clients::create(&mut att, "Rate Client").await;
    let m = crate::matters::create(&mut att, client, "Rate matter", Some(app.a.attorney))
        .await
        .unwrap();
    let d: TimeDefaults = att
        .post("/api/time/defaults", &[("matter", &m.to_string())])
        .await
        .json();
    assert_eq!(
        (d.rate, d.rate_source),
        (Decimal::new(310, 0), RateSource::Person)
    );

    // Not for attorneys; not for another firm's people.
    let res = att
        .post(
            "/api/firm/member_rate",
            &[("user", &attorney), ("shown", "310"), ("form[rate]", "900")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = admin
        .post(
            "/api/firm/member_rate",
            &[
                ("user", &app.b.attorney.to_string()),
                ("shown", ""),
                ("form[rate]", "1"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("SELECT count(*) FROM activity_logs WHERE action = 'member.rate'")
            .await,
        1
    );
}

#[tokio::test]
async fn anyone_creates_another_firm_and_becomes_its_administrator() {
    use docket::auth::{Role, SessionInfo};
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.staff).await;
    let create = |name: &'static str, tz: &'static str| {
        vec![
            ("form[name]", name),
            ("form[timezone]", tz),
            ("form[currency]", "eur"),
        ]
    };
    let res = c
        .post("/api/firm/create_firm", &create("Gamma", "Mars/Olympus"))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.error().fields().unwrap().get("timezone").is_some());
    let mut stale = c.clone();
    stale.org = Some(app.b.id);
    assert_eq!(
        stale
            .post("/api/firm/create_firm", &create("Gamma", "Europe/Paris"))
            .await
            .status,
        StatusCode::CONFLICT
    );
    let res = c
        .post(
            "/api/firm/create_firm",
            &create("Alpha Law", "Europe/Paris"),
        )
        .await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{res:?}"
    );
    let info: SessionInfo = c.post("/api/auth/session", &[]).await.json();
    assert_ne!(info.org_id, app.a.id);
    assert_eq!(
        (info.org_name.as_str(), info.role, info.currency.as_str()),
        ("Alpha Law", Role::Admin, "EUR")
    );
    assert_eq!(info.orgs.len(), 2);
    // A new firm of the same name gets a slug of its own; it sees none of firm A's clients.
    assert_eq!(
        app.count("SELECT count(DISTINCT slug) FROM organizations WHERE name = 'Alpha Law'")
            .await,
        2
    );
    let clients: docket::kernel::Page<docket::clients::ClientRow> = c
        .post("/api/clients/list", &[("query[q]", "")])
        .await
        .json();
    assert!(clients.items.is_empty());
    // The creator is its administrator: the settings page is theirs.
    c.org = Some(info.org_id);
    assert_eq!(
        c.post("/api/firm/settings", &[]).await.status,
        StatusCode::OK
    );
    // …and still a staff member of firm A.
    assert_eq!(
        app.count(&format!(
            "SELECT count(*) FROM user_organizations WHERE user_id = '{}' AND organization_id = '{}' AND role = 'staff'",
            app.a.staff, app.a.id
        ))
        .await,
        1
    );
}

async fn set_limits(c: &mut Http, version: i32, max_mb: &str, kinds: &[&str]) -> Res {
    let v = version.to_string();
    let keys: Vec<String> = kinds.iter().map(|k| format!("form[kinds][{k}]")).collect();
    let mut form = vec![("version", v.as_str()), ("form[max_mb]", max_mb)];
    form.extend(keys.iter().map(|k| (k.as_str(), "on")));
    c.post("/api/documents/set_limits", &form).await
}

#[tokio::test]
async fn an_administrator_sets_the_upload_limits_and_uploads_are_held_to_them() {
    use docket::documents::limits::LimitsPage;
    use docket::documents::DocKind;
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in(app.a.admin).await;
    let page: LimitsPage = admin.post("/api/documents/limits", &[]).await.json();
    assert_eq!(page.limits.max_mb, 100);
    assert!(page.limits.kinds.contains(&DocKind::Pdf));

    // Refused with the reasons beside the fields, and what was typed kept.
    let res = set_limits(&mut admin, page.version, "0", &[]).await;
    match res.error() {
        AppError::Invalid(e) => {
            assert!(
                e.get("max_mb").is_some() && e.get("kinds").is_some(),
                "{e:?}"
            );
            assert_eq!(e.value("max_mb"), Some("0"));
        }
        e => panic!("{e:?}"),
    }
    let res = set_limits(&mut admin, page.version, "1", &["text"]).await;
    assert!(res.status.is_success(), "{res:?}");
    let now: LimitsPage = admin.post("/api/documents/limits", &[]).await.json();
    assert_eq!(
        (now.limits.max_mb, now.limits.kinds.clone()),
        (1, vec![DocKind::Text])
    );
    assert_eq!(
        app.count("SELECT count(*) FROM activity_logs WHERE action = 'firm.document_limits' AND changes ? 'kinds'").await,
        1
    );
    // The page of before is stale.
    let res = set_limits(&mut admin, page.version, "5", &["pdf"]).await;
    assert!(matches!(res.error(), AppError::Stale(_)), "{res:?}");

    // Others may not; another firm's administrator with a form of this firm is refused.
    let mut attorney = app.signed_in(app.a.attorney).await;
    assert_eq!(
        attorney.post("/api/documents/limits", &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        set_limits(&mut attorney, now.version, "5", &["pdf"])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let mut b = app.signed_in(app.b.admin).await;
    let org = app.a.id.to_string();
    let res = b
        .post(
            "/api/documents/set_limits",
            &[
                ("org", org.as_str()),
                ("version", &now.version.to_string()),
                ("form[max_mb]", "9"),
                ("form[kinds][pdf]", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{res:?}");
    let firm_b: (i32, Vec<String>) = sqlx::query_as(
        "SELECT document_max_mb, document_kinds::text[] FROM organizations WHERE id = $1",
    )
    .bind(app.b.id)
    .fetch_one(&app.admin_pool)
    .await
    .unwrap();
    assert_eq!(firm_b.0, 100);

    // Uploads now: a PDF is not accepted, and a text file over 1 MB is refused.
    let (mut c, m) = crate::documents::matter(&app).await;
    let path = format!("/matters/{m}/documents");
    let big = vec![b'a'; 1024 * 1024 + 1];
    let pdf = crate::documents::pdf(2000, 1);
    let res = crate::documents::upload(
        &mut c,
        &path,
        app.a.id,
        &[("a.pdf", &pdf), ("big.txt", &big), ("ok.txt", b"fine")],
    )
    .await;
    let outcome: docket::documents::Outcome = res.json();
    assert_eq!(
        outcome
            .uploaded
            .iter()
            .map(|u| u.filename.as_str())
            .collect::<Vec<_>>(),
        vec!["ok.txt"]
    );
    assert_eq!(outcome.refused.len(), 2, "{outcome:?}");
}
