//! The mutation and form-error patterns: forms carry their firm and row version; a plain form
//! post's error comes back through the session, never the URL.

use axum::http::StatusCode;
use docket::clients::Client;
use docket::error::AppError;
use docket::kernel::CONTROL_CHARACTERS;
use docket::matters::Matter;

use crate::clients::create as create_client;
use crate::matters::create as create_matter;
use crate::support::TestApp;

#[tokio::test]
async fn a_form_rendered_for_another_firm_is_refused() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.multi).await;
    // "New client" opened in Alpha; then, in another tab, the user switches to Beta.
    let alpha = app.a.id.to_string();
    let res = c
        .post("/api/auth/switch_org", &[("org_id", &app.b.id.to_string())])
        .await;
    assert!(
        res.status.is_redirection() || res.status.is_success(),
        "{res:?}"
    );
    let res = c
        .post(
            "/api/clients/create",
            &[
                ("org", alpha.as_str()),
                ("form[name]", "Meant for Alpha"),
                ("form[client_type]", "company"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    let AppError::WrongFirm(kept) = res.error() else {
        panic!("{}", res.body)
    };
    assert_eq!(
        kept.value("name"),
        Some("Meant for Alpha"),
        "what was typed comes back"
    );
    assert!(res
        .error()
        .to_string()
        .contains("switched firm in another tab"));
    assert_eq!(app.count("SELECT count(*) FROM clients").await, 0);
    // A form with no firm at all is not accepted either.
    let res = c
        .post(
            "/api/clients/create",
            &[
                ("org", ""),
                ("form[name]", "No firm"),
                ("form[client_type]", "company"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    assert_eq!(app.count("SELECT count(*) FROM clients").await, 0);
}

#[tokio::test]
async fn a_stale_edit_gets_409_with_the_current_values_and_overwrites_nothing() {
    let app = TestApp::spawn().await;
    let mut first = app.signed_in(app.a.attorney).await;
    let mut second = app.signed_in(app.a.staff).await;
    let id = create_client(&mut first, "Original Name").await;
    let sid = id.to_string();
    let opened: Client = second
        .post("/api/clients/get", &[("id", &sid)])
        .await
        .json();

    // The first person saves.
    let v = opened.version.to_string();
    let res = first
        .post(
            "/api/clients/update",
            &[
                ("id", &sid),
                ("version", &v),
                ("form[name]", "Renamed By First"),
                ("form[client_type]", "company"),
                ("form[status]", "prospect"),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");

    // The second, still on the page they opened before, saves other values.
    let res = second
        .post(
            "/api/clients/update",
            &[
                ("id", &sid),
                ("version", &v),
                ("form[name]", "Renamed By Second"),
                ("form[client_type]", "company"),
                ("form[status]", "active"),
                ("form[notes]", "typed by second"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    let AppError::Stale(fields) = res.error() else {
        panic!("{}", res.body)
    };
    assert_eq!(
        fields.get("name"),
        Some("Someone else saved this as “Renamed By First”.")
    );
    assert_eq!(
        fields.get("status"),
        Some("Someone else saved this as “Prospect”.")
    );
    assert_eq!(
        fields.get("client_type"),
        None,
        "unchanged fields are not marked"
    );
    assert_eq!(
        fields.value("notes"),
        Some("typed by second"),
        "what was typed stays"
    );
    let now: Client = first.post("/api/clients/get", &[("id", &sid)]).await.json();
    assert_eq!(now.name, "Renamed By First", "no silent overwrite");
    assert_eq!(
        fields.value("version"),
        Some(now.version.to_string().as_str())
    );

    // Saving again from the refreshed form keeps the second person's values, on purpose.
    let v = now.version.to_string();
    let res = second
        .post(
            "/api/clients/update",
            &[
                ("id", &sid),
                ("version", &v),
                ("form[name]", "Renamed By Second"),
                ("form[client_type]", "company"),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");

    // Matters follow the same rule.
    let matter = create_matter(&mut first, id, "Versioned", Some(app.a.attorney))
        .await
        .unwrap()
        .to_string();
    let m: Matter = first
        .post("/api/matters/get", &[("id", &matter)])
        .await
        .json();
    let form = |title: &'static str, version: String| {
        vec![
            ("id".to_string(), matter.clone()),
            ("version".to_string(), version),
            ("form[client_id]".to_string(), sid.clone()),
            ("form[title]".to_string(), title.to_string()),
            ("form[practice_area]".to_string(), "litigation".to_string()),
            (
                "form[responsible_attorney_id]".to_string(),
                app.a.attorney.to_string(),
            ),
        ]
    };
    let pairs = |v: &Vec<(String, String)>| {
        v.iter()
            .map(|(a, b)| (a.clone(), b.clone()))
            .collect::<Vec<_>>()
    };
    let ok = pairs(&form("Versioned two", m.version.to_string()));
    let ok: Vec<(&str, &str)> = ok.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert!(first
        .post("/api/matters/update", &ok)
        .await
        .status
        .is_success());
    let stale = pairs(&form("Versioned three", m.version.to_string()));
    let stale: Vec<(&str, &str)> = stale
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let res = second.post("/api/matters/update", &stale).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    assert_eq!(
        res.error().fields().unwrap().get("title"),
        Some("Someone else saved this as “Versioned two”.")
    );
}

#[tokio::test]
async fn a_forged_error_link_shows_no_attacker_text() {
    let app = TestApp::spawn().await;
    let mut c = app.anonymous();
    let forged = "eyJDb25mbGljdCI6IkNhbGwgKzEtNTU1LTAxMDAgdG8gdW5sb2NrIHlvdXIgYWNjb3VudCJ9"; // {"Conflict":"Call +1-555-0100 to unlock your account"}
    let res = c
        .page(&format!(
            "/login?next=%2Fmatters&__path=%2Fapi%2Fauth%2Flogin&__err={forged}"
        ))
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers.get("location").unwrap(),
        "/login?next=%2Fmatters"
    );
    let page = c.page("/login?next=%2Fmatters").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("555-0100"), "attacker text rendered");
    assert!(!page.body.contains("role=\"alert\""));

    // Signed in, on any page.
    let mut s = app.signed_in(app.a.admin).await;
    let res = s
        .page(&format!(
            "/clients?q=a&__err={forged}&__path=%2Fapi%2Fclients%2Fcreate"
        ))
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(res.headers.get("location").unwrap(), "/clients?q=a");
}

#[tokio::test]
async fn a_long_rejected_description_comes_back_intact_without_javascript() {
    let app = TestApp::spawn_with(|c| c.max_body_bytes = 256 * 1024).await;
    let mut c = app.signed_in(app.a.attorney).await;
    let client = create_client(&mut c, "Flash Client").await;
    let matter = create_matter(&mut c, client, "Long description", Some(app.a.attorney))
        .await
        .unwrap();
    let m: Matter = c
        .post("/api/matters/get", &[("id", &matter.to_string())])
        .await
        .json();
    let description: String = "Ünïcødé 漢字 ✓ — ".chars().cycle().take(20_000).collect();
    let org = app.a.id.to_string();
    let (id, version, cid) = (
        matter.to_string(),
        m.version.to_string(),
        client.to_string(),
    );
    let page = format!("/matters/{matter}");
    let res = c
        .plain_post(
            "/api/matters/update",
            &[
                ("org", &org),
                ("id", &id),
                ("version", &version),
                ("form[client_id]", &cid),
                ("form[title]", "Long description"),
                ("form[practice_area]", "litigation"),
                ("form[description]", &description),
            ],
            &page,
        )
        .await;
    assert!(res.status.is_redirection(), "{res:?}");
    let location = res.headers.get("location").unwrap().to_str().unwrap();
    assert_eq!(location, page, "nothing typed travels in the URL");
    let shown = c.page(&page).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown.body.contains("Use at most 5,000 characters."),
        "error beside the field"
    );
    assert!(
        shown.body.contains(&description),
        "the description came back whole"
    );
    // One view only.
    let again = c.page(&page).await;
    assert!(!again.body.contains("Use at most 5,000 characters."));
}

#[tokio::test]
async fn a_plain_form_posted_after_the_session_ended_keeps_what_was_typed() {
    let app = TestApp::spawn_with(|c| c.session_idle = std::time::Duration::from_secs(2)).await;
    let mut c = app.signed_in(app.a.staff).await;
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let org = app.a.id.to_string();
    let res = c
        .plain_post(
            "/api/clients/create",
            &[
                ("org", &org),
                ("form[name]", "Typed Before Expiry"),
                ("form[client_type]", "company"),
                ("form[notes]", "three paragraphs of notes"),
            ],
            "/clients/new",
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers.get("location").unwrap(),
        "/login?next=%2Fclients%2Fnew"
    );
    assert_eq!(app.count("SELECT count(*) FROM clients").await, 0);
    // Sign in with the same browser, and land back on the form.
    let res = c
        .post(
            "/api/auth/login",
            &[
                ("email", "staff@alpha.test"),
                ("password", crate::support::PASSWORD),
                ("next", "/clients/new"),
            ],
        )
        .await;
    assert!(
        res.status.is_redirection() || res.status.is_success(),
        "{res:?}"
    );
    let form = c.page("/clients/new").await;
    assert!(
        form.body.contains("Your session had ended"),
        "{}",
        form.body
    );
    assert!(form.body.contains("Typed Before Expiry"));
    assert!(form.body.contains("three paragraphs of notes"));
}

#[tokio::test]
async fn control_characters_are_field_errors_not_server_errors() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.staff).await;
    let id = create_client(&mut c, "Controlled").await.to_string();
    for (kind, value) in [
        ("email", "ada@example.com\u{0}"),
        ("website", "example.com/\u{7}"),
        ("address", "1 Main St\u{1b}[2J"),
    ] {
        let res = c
            .post(
                "/api/clients/add_contact",
                &[
                    ("client_id", &id),
                    ("form[contact_type]", kind),
                    ("form[value]", value),
                ],
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{kind}: {}",
            res.body
        );
        assert_eq!(
            res.error().fields().unwrap().get("value"),
            Some(CONTROL_CHARACTERS)
        );
    }
    let res = c
        .post(
            "/api/clients/create",
            &[
                ("form[name]", "Nul\u{0}Name"),
                ("form[client_type]", "company"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT count(*) FROM client_contacts").await, 0);
}

#[tokio::test]
async fn a_matter_whose_attorney_was_demoted_can_still_be_saved() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.admin).await;
    let client = create_client(&mut c, "Demotion Client").await;
    let id = create_matter(&mut c, client, "Kept assignment", Some(app.a.attorney))
        .await
        .unwrap()
        .to_string();
    sqlx::query("UPDATE user_organizations SET role = 'staff' WHERE user_id = $1")
        .bind(app.a.attorney)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let m: Matter = c.post("/api/matters/get", &[("id", &id)]).await.json();
    let (cid, v, attorney) = (
        client.to_string(),
        m.version.to_string(),
        app.a.attorney.to_string(),
    );
    let res = c
        .post(
            "/api/matters/update",
            &[
                ("id", &id),
                ("version", &v),
                ("form[client_id]", &cid),
                ("form[title]", "Kept assignment, renamed"),
                ("form[practice_area]", "litigation"),
                ("form[responsible_attorney_id]", &attorney),
            ],
        )
        .await;
    assert!(
        res.status.is_success(),
        "an unchanged assignment is accepted: {res:?}"
    );
    // A new assignment must be an active lawyer of the firm.
    let gone: uuid::Uuid = sqlx::query_scalar(
        "INSERT INTO users (email, full_name, is_active) VALUES ('gone@alpha.test', 'Gone Lawyer', false) RETURNING id",
    )
    .fetch_one(&app.admin_pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO user_organizations (user_id, organization_id, role) VALUES ($1, $2, 'attorney')")
        .bind(gone)
        .bind(app.a.id)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let m: Matter = c.post("/api/matters/get", &[("id", &id)]).await.json();
    let (v, gone) = (m.version.to_string(), gone.to_string());
    let res = c
        .post(
            "/api/matters/update",
            &[
                ("id", &id),
                ("version", &v),
                ("form[client_id]", &cid),
                ("form[title]", "Kept assignment, renamed"),
                ("form[practice_area]", "litigation"),
                ("form[responsible_attorney_id]", &attorney),
                ("form[originating_attorney_id]", &gone),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(
        res.error().fields().unwrap().get("originating_attorney_id"),
        Some("That person's account is deactivated: choose another attorney.")
    );
}

#[tokio::test]
async fn fixing_a_refused_stale_form_still_gets_409() {
    let app = TestApp::spawn().await;
    let mut a = app.signed_in(app.a.attorney).await;
    let mut b = app.signed_in(app.a.staff).await;
    let id = create_client(&mut a, "Race Co").await.to_string();
    // A opens the client (version 1); B saves a change.
    let v1 = "1";
    let res = b
        .post(
            "/api/clients/update",
            &[
                ("id", &id),
                ("version", v1),
                ("form[name]", "Race Co (B)"),
                ("form[client_type]", "company"),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    // A submits an invalid form, still from version 1: refused as invalid…
    let res = a
        .post(
            "/api/clients/update",
            &[
                ("id", &id),
                ("version", v1),
                ("form[name]", ""),
                ("form[client_type]", "company"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let kept = res
        .error()
        .fields()
        .unwrap()
        .value("version")
        .map(str::to_string);
    assert_eq!(
        kept.as_deref(),
        Some(v1),
        "the form keeps the version it was rendered from"
    );
    // …and fixing it does not overwrite B's save.
    let res = a
        .post(
            "/api/clients/update",
            &[
                ("id", &id),
                ("version", v1),
                ("form[name]", "Race Co (A)"),
                ("form[client_type]", "company"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    let now: Client = a.post("/api/clients/get", &[("id", &id)]).await.json();
    assert_eq!(now.name, "Race Co (B)");
}

#[tokio::test]
async fn a_form_kept_after_expiry_is_shown_to_its_author_only() {
    let app = TestApp::spawn_with(|c| c.session_idle = std::time::Duration::from_secs(2)).await;
    let mut c = app.signed_in(app.a.staff).await;
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let org = app.a.id.to_string();
    let res = c
        .plain_post(
            "/api/clients/create",
            &[
                ("org", &org),
                ("form[name]", "Confidential Prospect"),
                ("form[client_type]", "company"),
            ],
            "/clients/new",
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{res:?}");
    assert!(res.headers["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    assert_eq!(app.count("SELECT count(*) FROM clients").await, 0);
    // Someone else signs in on the same browser: they do not see it.
    let res = c
        .post(
            "/api/auth/login",
            &[
                ("email", "attorney@alpha.test"),
                ("password", crate::support::PASSWORD),
            ],
        )
        .await;
    assert!(
        res.status.is_redirection() || res.status.is_success(),
        "{res:?}"
    );
    let form = c.page("/clients/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        !form.body.contains("Confidential Prospect"),
        "another person's typing leaked"
    );

    // A browser that was never signed in keeps nothing at all.
    let mut stranger = app.anonymous();
    let res = stranger
        .plain_post(
            "/api/clients/create",
            &[
                ("org", &org),
                ("form[name]", "Junk"),
                ("form[client_type]", "company"),
            ],
            "/clients/new",
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        stranger.cookie.is_none(),
        "no session is created for a stranger's post"
    );
}
