//! Two firms. For every read and write server function, a user of firm B using firm A's ids
//! gets exactly what a non-existent id gets, and nothing of firm A changes.

use axum::http::StatusCode;
use docket::clients::{Client, ClientRow};
use docket::kernel::Page;
use docket::matters::MatterRow;
use uuid::Uuid;

use crate::support::TestApp;

async fn snapshot(app: &TestApp) -> (String, i64) {
    let state: String = sqlx::query_scalar(
        "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM (
            SELECT row_to_json(c)::text AS t FROM clients c UNION ALL
            SELECT row_to_json(cc)::text FROM client_contacts cc UNION ALL
            SELECT row_to_json(m)::text FROM matters m) x",
    )
    .fetch_one(&app.admin_pool)
    .await
    .unwrap();
    (
        state,
        app.count("SELECT count(*) FROM activity_logs WHERE action NOT LIKE 'user.%'")
            .await,
    )
}

#[tokio::test]
async fn firm_b_cannot_see_or_touch_firm_a() {
    let app = TestApp::spawn().await;
    let mut a = app.signed_in(app.a.admin).await;
    let client = crate::clients::create(&mut a, "Alpha Secret Client").await;
    let c = client.to_string();
    a.post(
        "/api/clients/add_contact",
        &[
            ("client_id", c.as_str()),
            ("form[contact_type]", "email"),
            ("form[value]", "secret@alpha.example"),
        ],
    )
    .await;
    let a_client: Client = a.post("/api/clients/get", &[("id", &c)]).await.json();
    let contact = a_client.contacts[0].id.to_string();
    let matter =
        crate::matters::create(&mut a, client, "Alpha secret matter", Some(app.a.attorney))
            .await
            .unwrap()
            .to_string();
    let before = snapshot(&app).await;

    let mut b = app.signed_in(app.b.admin).await;
    let missing = Uuid::new_v4().to_string();
    let matter_form = |id: &str| {
        vec![
            ("id".to_string(), id.to_string()),
            ("version".to_string(), "1".to_string()),
            ("form[client_id]".to_string(), c.clone()),
            ("form[title]".to_string(), "Hijacked".to_string()),
            ("form[practice_area]".to_string(), "litigation".to_string()),
        ]
    };
    // (path, form with firm A's ids, the same form with an id that does not exist)
    let calls: Vec<(&str, Vec<(String, String)>, Vec<(String, String)>)> = vec![
        (
            "/api/clients/get",
            vec![("id".into(), c.clone())],
            vec![("id".into(), missing.clone())],
        ),
        (
            "/api/clients/update",
            vec![
                ("id".into(), c.clone()),
                ("version".into(), "1".into()),
                ("form[name]".into(), "Hijacked".into()),
                ("form[client_type]".into(), "company".into()),
            ],
            vec![
                ("id".into(), missing.clone()),
                ("version".into(), "1".into()),
                ("form[name]".into(), "Hijacked".into()),
                ("form[client_type]".into(), "company".into()),
            ],
        ),
        (
            "/api/clients/deactivate",
            vec![("id".into(), c.clone()), ("version".into(), "1".into())],
            vec![
                ("id".into(), missing.clone()),
                ("version".into(), "1".into()),
            ],
        ),
        (
            "/api/clients/add_contact",
            vec![
                ("client_id".into(), c.clone()),
                ("form[contact_type]".into(), "email".into()),
                ("form[value]".into(), "x@y.example".into()),
            ],
            vec![
                ("client_id".into(), missing.clone()),
                ("form[contact_type]".into(), "email".into()),
                ("form[value]".into(), "x@y.example".into()),
            ],
        ),
        (
            "/api/clients/delete_contact",
            vec![
                ("client_id".into(), c.clone()),
                ("contact_id".into(), contact.clone()),
            ],
            vec![
                ("client_id".into(), missing.clone()),
                ("contact_id".into(), missing.clone()),
            ],
        ),
        (
            "/api/matters/get",
            vec![("id".into(), matter.clone())],
            vec![("id".into(), missing.clone())],
        ),
        (
            "/api/matters/update",
            matter_form(&matter),
            matter_form(&missing),
        ),
    ];
    for (path, theirs, nothing) in calls {
        let as_pairs = |v: &Vec<(String, String)>| {
            v.iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<Vec<_>>()
        };
        let theirs = as_pairs(&theirs);
        let nothing = as_pairs(&nothing);
        let t: Vec<(&str, &str)> = theirs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let n: Vec<(&str, &str)> = nothing
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let res_theirs = b.post(path, &t).await;
        let res_nothing = b.post(path, &n).await;
        assert_eq!(
            res_theirs.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            res_theirs.body
        );
        assert_eq!(res_theirs.status, res_nothing.status, "{path}");
        assert_eq!(
            res_theirs.body, res_nothing.body,
            "{path}: another firm's id must read like a missing one"
        );
    }

    // Creating a matter for firm A's client reads like an unknown client.
    let res = crate::matters::create(&mut b, client, "Hijack", None)
        .await
        .unwrap_err();
    assert_eq!(
        res.error().fields().unwrap().get("client_id"),
        Some("Choose a client.")
    );

    // History, lists and search show nothing of firm A.
    let history: Vec<docket::audit::ActivityEntry> = b
        .post(
            "/api/audit/history",
            &[("resource_type", "client"), ("resource_id", &c)],
        )
        .await
        .json();
    assert!(history.is_empty());
    let clients: Page<ClientRow> = b
        .post("/api/clients/list", &[("query[q]", "secret")])
        .await
        .json();
    assert_eq!(clients.total.n, 0);
    let matters: Page<MatterRow> = b
        .post("/api/matters/list", &[("query[client]", &c)])
        .await
        .json();
    assert_eq!(matters.total.n, 0);
    let people: Vec<docket::auth::Person> = b.post("/api/auth/people", &[]).await.json();
    assert!(
        people.iter().all(|p| !p.name.starts_with("Alpha")),
        "{people:?}"
    );
    assert_eq!(
        people.len(),
        5,
        "Beta's four members and the member of both firms"
    );
    let page = b.get(&format!("/clients/{c}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.body.contains("Alpha Secret Client"));

    assert_eq!(snapshot(&app).await, before, "firm A's data changed");
}

/// The database itself refuses: the application role sees no tenant rows without a firm set,
/// and only its firm's rows with one.
#[tokio::test]
async fn row_level_security_is_enforced_by_postgres() {
    let app = TestApp::spawn().await;
    let mut a = app.signed_in(app.a.admin).await;
    crate::clients::create(&mut a, "Only Alpha").await;
    let mut b = app.signed_in(app.b.admin).await;
    crate::clients::create(&mut b, "Only Beta").await;

    let unscoped: i64 = sqlx::query_scalar("SELECT count(*) FROM clients")
        .fetch_one(&app.app_pool)
        .await
        .unwrap();
    assert_eq!(unscoped, 0, "no firm set: no rows");

    // Memberships: only an administrator of the firm changes a role, and only in that firm.
    let mut tx = docket::server::db::tenant_tx(&app.app_pool, app.b.billing, Some(app.b.id))
        .await
        .unwrap();
    let promote = sqlx::query("UPDATE user_organizations SET role = 'admin' WHERE user_id = $1")
        .bind(app.b.billing)
        .execute(&mut *tx)
        .await;
    assert!(
        promote.is_err(),
        "a non-administrator cannot promote themself"
    );
    drop(tx);
    let mut tx = docket::server::db::tenant_tx(&app.app_pool, app.b.admin, Some(app.b.id))
        .await
        .unwrap();
    let other = sqlx::query("UPDATE user_organizations SET role = 'staff' WHERE user_id = $1")
        .bind(app.a.admin)
        .execute(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        other.rows_affected(),
        0,
        "another firm's memberships are out of reach"
    );
    let delete = sqlx::query("DELETE FROM user_organizations WHERE user_id = $1")
        .bind(app.b.billing)
        .execute(&mut *tx)
        .await;
    assert!(delete.is_err(), "memberships are ended, never deleted");
}
