//! The activity log: what every change, sign-in, sign-out and firm switch leaves behind, who may
//! see what of it, and the firm-wide page with its CSV export.

use axum::http::StatusCode;
use docket::audit::ActivityEntry;
use docket::kernel::Page;

type ActivityPage = Page<ActivityEntry>;
use docket::matters::Matter;

use crate::clients::create as create_client;
use crate::matters::create as create_matter;
use crate::support::TestApp;

async fn history(c: &mut crate::support::Client, kind: &str, id: &str) -> Vec<ActivityEntry> {
    c.post(
        "/api/audit/history",
        &[("resource_type", kind), ("resource_id", id)],
    )
    .await
    .json()
}

#[tokio::test]
async fn sign_out_and_firm_switches_are_logged_in_each_firm() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.multi).await;
    c.post("/api/auth/switch_org", &[("org_id", &app.b.id.to_string())])
        .await;
    c.post("/api/auth/logout", &[]).await;
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT o.slug, a.action, a.summary FROM activity_logs a JOIN organizations o ON o.id = a.organization_id
          WHERE a.user_id = $1 ORDER BY a.created_at, a.action",
    )
    .bind(app.multi)
    .fetch_all(&app.admin_pool)
    .await
    .unwrap();
    let rows: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    assert!(
        rows.contains(&("alpha", "user.switch_org", "Switched to another firm")),
        "{rows:?}"
    );
    assert!(
        rows.contains(&("beta", "user.switch_org", "Switched into this firm")),
        "{rows:?}"
    );
    assert!(rows.contains(&("beta", "user.sign_out", "")), "{rows:?}");
}

#[tokio::test]
async fn a_new_primary_contact_says_whom_it_replaced() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.staff).await;
    let id = create_client(&mut c, "Primary Co").await.to_string();
    for (value, primary) in [
        ("old@primary.example", false),
        ("new@primary.example", true),
    ] {
        let mut form = vec![
            ("client_id", id.as_str()),
            ("form[contact_type]", "email"),
            ("form[value]", value),
        ];
        if primary {
            form.push(("form[is_primary]", "on"));
        }
        assert!(c
            .post("/api/clients/add_contact", &form)
            .await
            .status
            .is_success());
    }
    let rows = history(&mut c, "client", &id).await;
    let latest = &rows[0];
    assert!(
        latest.summary.contains("instead of old@primary.example"),
        "{latest:?}"
    );
    let primary = latest
        .changes
        .iter()
        .find(|l| l.field == "primary")
        .unwrap();
    assert_eq!(
        (primary.from.as_str(), primary.to.as_str()),
        ("old@primary.example", "new@primary.example")
    );
}

#[tokio::test]
async fn addresses_are_for_admins_and_names_outlive_their_people() {
    let app = TestApp::spawn_with(|c| c.proxy_hops = 1).await;
    let mut staff = app.signed_in(app.a.staff).await;
    staff.forwarded_for = Some("198.51.100.23".into());
    let id = create_client(&mut staff, "Watched Co").await.to_string();
    let as_staff = history(&mut staff, "client", &id).await;
    assert_eq!(
        as_staff[0].ip_address, None,
        "colleagues' addresses are not shown"
    );
    let mut admin = app.signed_in(app.a.admin).await;
    let as_admin = history(&mut admin, "client", &id).await;
    assert_eq!(as_admin[0].ip_address.as_deref(), Some("198.51.100.23"));

    // The person leaves and their account is removed: the record still says who it was.
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(app.a.staff)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let rows = history(&mut admin, "client", &id).await;
    assert_eq!(rows[0].user_name, "Alpha Law staff");
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM activity_logs WHERE user_id = $1")
        .bind(app.a.staff)
        .fetch_one(&app.admin_pool)
        .await
        .unwrap();
    assert!(kept >= 2, "the actor's id stays on their rows");
}

#[tokio::test]
async fn history_names_people_and_clients_instead_of_ids() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.admin).await;
    let client = create_client(&mut c, "Named Client").await;
    let id = create_matter(&mut c, client, "Named matter", Some(app.a.attorney))
        .await
        .unwrap()
        .to_string();
    let m: Matter = c.post("/api/matters/get", &[("id", &id)]).await.json();
    let (cid, v, admin) = (
        client.to_string(),
        m.version.to_string(),
        app.a.admin.to_string(),
    );
    c.post(
        "/api/matters/update",
        &[
            ("id", &id),
            ("version", &v),
            ("form[client_id]", &cid),
            ("form[title]", "Named matter"),
            ("form[practice_area]", "litigation"),
            ("form[responsible_attorney_id]", &admin),
            ("form[date_opened]", "2026-03-01"),
        ],
    )
    .await;
    let rows = history(&mut c, "matter", &id).await;
    let change = rows[0]
        .changes
        .iter()
        .find(|l| l.field == "responsible attorney")
        .unwrap_or_else(|| panic!("{:?}", rows[0]));
    assert_eq!(
        (change.from.as_str(), change.to.as_str()),
        ("Alpha Law attorney", "Alpha Law admin")
    );
    let created = rows.last().unwrap();
    assert!(
        created
            .changes
            .iter()
            .any(|l| l.field == "client" && l.to == "Named Client"),
        "{created:?}"
    );
    // The ids stay in the record.
    let raw: serde_json::Value = sqlx::query_scalar(
        "SELECT changes FROM activity_logs WHERE action = 'matter.update' AND resource_id = $1::uuid",
    )
    .bind(&id)
    .fetch_one(&app.admin_pool)
    .await
    .unwrap();
    assert_eq!(raw["responsible_attorney_id"]["to"], admin.as_str());

    // The client's page lists its matters without repeating its name in every row.
    let page = c.page(&format!("/clients/{client}")).await;
    assert!(page.body.contains("Named matter"));
    assert!(!page.body.contains("<th scope=\"col\">Client</th>"));
}

#[tokio::test]
async fn the_firm_activity_page_filters_pages_and_exports() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in(app.a.admin).await;
    let mut attorney = app.signed_in(app.a.attorney).await;
    for i in 0..55 {
        create_client(&mut attorney, &format!("Bulk {i:02}")).await;
    }
    create_client(&mut admin, "By the admin").await;

    let first: ActivityPage = admin
        .post("/api/audit/activity", &[("query[action]", "client.create")])
        .await
        .json();
    assert_eq!(first.items.len(), 50);
    assert_eq!(first.items[0].summary, "By the admin", "newest first");
    assert!(first.prev.is_none());
    let older = first.next.clone().expect("a second page");
    let second: ActivityPage = admin
        .post(
            "/api/audit/activity",
            &[
                ("query[action]", "client.create"),
                ("query[paging][after]", &older),
            ],
        )
        .await
        .json();
    assert_eq!(second.items.len(), 6);
    assert!(second.next.is_none());
    let newer = second.prev.clone().expect("a way back");
    let back: ActivityPage = admin
        .post(
            "/api/audit/activity",
            &[
                ("query[action]", "client.create"),
                ("query[paging][before]", &newer),
            ],
        )
        .await
        .json();
    assert_eq!(back.items, first.items, "back to the first page");

    let by_admin: ActivityPage = admin
        .post(
            "/api/audit/activity",
            &[
                ("query[person]", &app.a.admin.to_string()),
                ("query[action]", "client."),
            ],
        )
        .await
        .json();
    assert_eq!(by_admin.items.len(), 1);
    let today = chrono::Utc::now().date_naive();
    let tomorrow = (today + chrono::Days::new(2)).to_string();
    let future: ActivityPage = admin
        .post("/api/audit/activity", &[("query[from]", &tomorrow)])
        .await
        .json();
    assert!(future.items.is_empty());
    let signins: ActivityPage = admin
        .post("/api/audit/activity", &[("query[action]", "user.sign_in")])
        .await
        .json();
    assert_eq!(signins.items.len(), 2);

    // Administrators only.
    let res = attorney
        .post("/api/audit/activity", &[("query[action]", "")])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = attorney.get("/activity/export.csv").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    let csv = admin.get("/activity/export.csv?action=client.create").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(csv.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(lines[0].starts_with("time,person,action"), "{}", lines[0]);
    assert_eq!(lines.len(), 1 + 56);
    assert!(lines[1].contains("By the admin"));
    // The export itself is on the record.
    assert_eq!(
        app.count("SELECT count(*) FROM activity_logs WHERE action = 'audit.export'")
            .await,
        1
    );
}
