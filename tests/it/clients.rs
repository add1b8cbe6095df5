use axum::http::StatusCode;
use docket::clients::{Client, ClientRow, ClientStatus};
use docket::error::AppError;
use docket::kernel::Page;
use uuid::Uuid;

use crate::support::{Client as Http, TestApp};

pub async fn create(c: &mut Http, name: &str) -> Uuid {
    let res = c
        .post(
            "/api/clients/create",
            &[
                ("form[name]", name),
                ("form[client_type]", "company"),
                ("form[status]", "active"),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    res.json()
}

#[tokio::test]
async fn create_read_update_deactivate_with_history() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.attorney).await;
    let id = create(&mut c, "  Acme \t  Holdings ").await;
    let client: Client = c
        .post("/api/clients/get", &[("id", &id.to_string())])
        .await
        .json();
    assert_eq!(client.name, "Acme Holdings");
    assert_eq!(client.status, ClientStatus::Active);

    let res = c
        .post(
            "/api/clients/update",
            &[
                ("id", &id.to_string()),
                ("version", &client.version.to_string()),
                ("form[name]", "Acme Holdings Inc."),
                ("form[client_type]", "company"),
                ("form[status]", "prospect"),
                ("form[notes]", "Referred by J."),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let res = c
        .post(
            "/api/clients/deactivate",
            &[
                ("id", &id.to_string()),
                ("version", &(client.version + 1).to_string()),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let client: Client = c
        .post("/api/clients/get", &[("id", &id.to_string())])
        .await
        .json();
    assert_eq!(client.status, ClientStatus::Inactive);
    assert_eq!(client.notes, "Referred by J.");

    let history: Vec<docket::audit::ActivityEntry> = c
        .post(
            "/api/audit/history",
            &[
                ("resource_type", "client"),
                ("resource_id", &id.to_string()),
            ],
        )
        .await
        .json();
    let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
    assert_eq!(
        actions,
        ["client.deactivate", "client.update", "client.create"]
    );
    let update = &history[1];
    assert_eq!(update.user_name, "Alpha Law attorney");
    let status = update
        .changes
        .iter()
        .find(|ch| ch.field == "status")
        .expect("status change recorded");
    assert_eq!(
        (status.from.as_str(), status.to.as_str()),
        ("active", "prospect")
    );
    assert!(
        !update.changes.iter().any(|ch| ch.field == "client type"),
        "unchanged fields are not listed"
    );
    let ua: String =
        sqlx::query_scalar("SELECT user_agent FROM activity_logs WHERE action = 'client.update'")
            .fetch_one(&app.admin_pool)
            .await
            .unwrap();
    assert_eq!(ua, "docket-tests/1.0");
}

#[tokio::test]
async fn invalid_input_is_reported_per_field_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.staff).await;
    let res = c
        .post(
            "/api/clients/create",
            &[
                ("form[name]", ""),
                ("form[client_type]", "robot"),
                ("form[notes]", "keep me"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let AppError::Invalid(fields) = res.error() else {
        panic!("{}", res.body)
    };
    assert!(fields.get("name").is_some());
    assert!(fields.get("client_type").is_some());
    assert_eq!(
        fields.value("notes"),
        Some("keep me"),
        "what the user typed comes back"
    );
    assert_eq!(app.count("SELECT count(*) FROM clients").await, 0);
    assert_eq!(
        app.count("SELECT count(*) FROM activity_logs WHERE action LIKE 'client.%'")
            .await,
        0
    );
}

#[tokio::test]
async fn list_searches_filters_and_paginates() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.admin).await;
    for i in 0..30 {
        create(&mut c, &format!("Bulk Client {i:02}")).await;
    }
    let special = create(&mut c, "Zephyr Maritime").await;
    c.post(
        "/api/clients/deactivate",
        &[("id", &special.to_string()), ("version", "1")],
    )
    .await;

    let first: Page<ClientRow> = c
        .post("/api/clients/list", &[("query[q]", "")])
        .await
        .json();
    assert_eq!(first.total.label(), "31");
    assert_eq!(first.items.len(), 25);
    assert_eq!(first.range_label(), "1–25 of 31");
    let html = c.page("/clients").await.body;
    assert!(html.contains("1–25 of 31"), "the rendered pager's range");
    let next = first.next.clone().expect("a second page");
    let page: Page<ClientRow> = c
        .post(
            "/api/clients/list",
            &[
                ("query[paging][after]", &next),
                ("query[paging][page]", "2"),
            ],
        )
        .await
        .json();
    assert_eq!(page.items.len(), 6);
    assert_eq!(page.range_label(), "26–31 of 31");
    assert!(page.next.is_none());
    assert_eq!(
        page.items[0].name, "Bulk Client 25",
        "A–Z, continuing after the first page"
    );
    let back: Page<ClientRow> = c
        .post(
            "/api/clients/list",
            &[
                ("query[paging][before]", page.prev.as_deref().unwrap()),
                ("query[paging][page]", "1"),
            ],
        )
        .await
        .json();
    assert_eq!(back.items, first.items, "and back again");

    let found: Page<ClientRow> = c
        .post("/api/clients/list", &[("query[q]", "zeph")])
        .await
        .json();
    assert_eq!(
        found
            .items
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        ["Zephyr Maritime"]
    );
    let inactive: Page<ClientRow> = c
        .post("/api/clients/list", &[("query[status]", "inactive")])
        .await
        .json();
    assert_eq!(inactive.total.n, 1);
    let hostile: Page<ClientRow> = c
        .post("/api/clients/list", &[("query[q]", "a & | ! ( ' :*")])
        .await
        .json();
    assert!(
        !hostile.total.capped,
        "tsquery syntax in a search is harmless"
    );
}

#[tokio::test]
async fn contacts_keep_one_primary_per_type() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.staff).await;
    let id = create(&mut c, "Contact Co").await;
    let sid = id.to_string();
    for (value, primary) in [
        ("first@contact.example", false),
        ("second@contact.example", true),
    ] {
        let mut form = vec![
            ("client_id", sid.as_str()),
            ("form[contact_type]", "email"),
            ("form[value]", value),
            ("form[label]", "work"),
        ];
        if primary {
            form.push(("form[is_primary]", "on"));
        }
        let res = c.post("/api/clients/add_contact", &form).await;
        assert!(res.status.is_success(), "{res:?}");
    }
    let res = c
        .post(
            "/api/clients/add_contact",
            &[
                ("client_id", sid.as_str()),
                ("form[contact_type]", "email"),
                ("form[value]", "not an email"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.error().fields().unwrap().get("value").is_some());

    let client: Client = c.post("/api/clients/get", &[("id", &sid)]).await.json();
    let primaries: Vec<&str> = client
        .contacts
        .iter()
        .filter(|c| c.is_primary)
        .map(|c| c.value.as_str())
        .collect();
    assert_eq!(primaries, ["second@contact.example"]);
    assert_eq!(client.contacts.len(), 2);

    let second = client
        .contacts
        .iter()
        .find(|c| c.is_primary)
        .unwrap()
        .id
        .to_string();
    let res = c
        .post(
            "/api/clients/delete_contact",
            &[("client_id", sid.as_str()), ("contact_id", second.as_str())],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let client: Client = c.post("/api/clients/get", &[("id", &sid)]).await.json();
    assert_eq!(client.contacts.len(), 1);
    assert!(
        client.contacts[0].is_primary,
        "the remaining email becomes primary"
    );
}

#[tokio::test]
async fn billing_reads_but_cannot_write() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in(app.a.admin).await;
    let id = create(&mut admin, "Readable LLC").await;
    let mut billing = app.signed_in(app.a.billing).await;
    let res = billing
        .post(
            "/api/clients/create",
            &[("form[name]", "Nope"), ("form[client_type]", "company")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = billing
        .post(
            "/api/clients/deactivate",
            &[("id", &id.to_string()), ("version", "1")],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let page: Page<ClientRow> = billing
        .post("/api/clients/list", &[("query[q]", "")])
        .await
        .json();
    assert_eq!(page.total.n, 1);
    assert_eq!(
        app.count("SELECT count(*) FROM clients WHERE status = 'inactive'")
            .await,
        0
    );
}

#[tokio::test]
async fn the_client_page_renders_without_javascript() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.admin).await;
    let id = create(&mut c, "Rendered & Sons").await;
    let page = c.get(&format!("/clients/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Rendered &amp; Sons"));
    assert!(page.body.contains("History"));
    let missing = c.get(&format!("/clients/{}", Uuid::new_v4())).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
