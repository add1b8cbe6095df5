use axum::http::StatusCode;
use docket::kernel::Page;
use docket::matters::{Matter, MatterRow, MatterStatus};
use uuid::Uuid;

use crate::clients::create as create_client;
use crate::support::{Client as Http, TestApp};

pub async fn create(
    c: &mut Http,
    client: Uuid,
    title: &str,
    attorney: Option<Uuid>,
) -> Result<Uuid, crate::support::Res> {
    let client = client.to_string();
    let attorney = attorney.map(|a| a.to_string()).unwrap_or_default();
    let res = c
        .post(
            "/api/matters/create",
            &[
                ("form[client_id]", client.as_str()),
                ("form[title]", title),
                ("form[practice_area]", "litigation"),
                ("form[responsible_attorney_id]", attorney.as_str()),
                ("form[date_opened]", "2026-03-01"),
            ],
        )
        .await;
    if res.status.is_success() {
        Ok(res.json())
    } else {
        Err(res)
    }
}

fn update_form<'a>(client: &'a str, title: &'a str, status: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("form[client_id]", client),
        ("form[title]", title),
        ("form[practice_area]", "litigation"),
        ("form[status]", status),
        ("form[date_opened]", "2026-03-01"),
    ]
}

#[tokio::test]
async fn open_edit_and_close_a_matter() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.attorney).await;
    let client = create_client(&mut c, "Matter Client").await;
    let id = create(&mut c, client, "Smith v. Jones", Some(app.a.attorney))
        .await
        .unwrap();
    let m: Matter = c
        .post("/api/matters/get", &[("id", &id.to_string())])
        .await
        .json();
    assert_eq!(m.fields.status, MatterStatus::Open);
    assert!(m.matter_number.ends_with("-0001"), "{}", m.matter_number);
    assert_eq!(m.responsible_name.as_deref(), Some("Alpha Law attorney"));

    let cid = client.to_string();
    let mut form = update_form(&cid, "Smith v. Jones", "closed");
    let sid = id.to_string();
    let version = m.version.to_string();
    form.push(("id", sid.as_str()));
    form.push(("version", version.as_str()));
    let res = c.post("/api/matters/update", &form).await;
    assert!(res.status.is_success(), "{res:?}");
    let m: Matter = c.post("/api/matters/get", &[("id", &sid)]).await.json();
    assert_eq!(m.fields.status, MatterStatus::Closed);
    assert!(
        m.fields.date_closed.is_some(),
        "closing a matter sets date_closed"
    );
    let history: Vec<docket::audit::ActivityEntry> = c
        .post(
            "/api/audit/history",
            &[("resource_type", "matter"), ("resource_id", &sid)],
        )
        .await
        .json();
    assert_eq!(history[0].action, "matter.update");
    assert!(history[0]
        .changes
        .iter()
        .any(|ch| ch.field == "status" && ch.to == "closed"));
    assert!(history[0]
        .changes
        .iter()
        .any(|ch| ch.field == "date closed"));

    // Reopening clears the closing date.
    let mut form = update_form(&cid, "Smith v. Jones", "open");
    let version = m.version.to_string();
    form.push(("id", sid.as_str()));
    form.push(("version", version.as_str()));
    c.post("/api/matters/update", &form).await;
    let m: Matter = c.post("/api/matters/get", &[("id", &sid)]).await.json();
    assert_eq!(m.fields.date_closed, None);
}

#[tokio::test]
async fn invalid_matters_are_refused_beside_the_field() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.admin).await;
    let client = create_client(&mut c, "Validation Client").await;
    let res = create(&mut c, client, "", None).await.unwrap_err();
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.error().fields().unwrap().get("title").is_some());
    // Staff cannot be the responsible attorney.
    let res = create(&mut c, client, "Staffed", Some(app.a.staff))
        .await
        .unwrap_err();
    let e = res.error();
    assert_eq!(
        e.fields().unwrap().get("responsible_attorney_id"),
        Some("Choose an attorney.")
    );
    assert_eq!(e.fields().unwrap().value("title"), Some("Staffed"));
    assert_eq!(app.count("SELECT count(*) FROM matters").await, 0);
}

#[tokio::test]
async fn list_filters_and_sorts() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.admin).await;
    let acme = create_client(&mut c, "Acme").await;
    let zeta = create_client(&mut c, "Zeta").await;
    create(&mut c, acme, "Alpha dispute", Some(app.a.attorney))
        .await
        .unwrap();
    create(&mut c, acme, "Beta lease", Some(app.a.admin))
        .await
        .unwrap();
    create(&mut c, zeta, "Gamma patent", Some(app.a.attorney))
        .await
        .unwrap();

    let by_attorney: Page<MatterRow> = c
        .post(
            "/api/matters/list",
            &[("query[responsible]", &app.a.attorney.to_string())],
        )
        .await
        .json();
    assert_eq!(by_attorney.total.n, 2);
    let by_client: Page<MatterRow> = c
        .post("/api/matters/list", &[("query[client]", &zeta.to_string())])
        .await
        .json();
    assert_eq!(
        by_client
            .items
            .iter()
            .map(|m| m.title.as_str())
            .collect::<Vec<_>>(),
        ["Gamma patent"]
    );
    let sorted: Page<MatterRow> = c
        .post(
            "/api/matters/list",
            &[("query[sort]", "title"), ("query[dir]", "desc")],
        )
        .await
        .json();
    assert_eq!(
        sorted
            .items
            .iter()
            .map(|m| m.title.as_str())
            .collect::<Vec<_>>(),
        ["Gamma patent", "Beta lease", "Alpha dispute"]
    );
    let searched: Page<MatterRow> = c
        .post("/api/matters/list", &[("query[q]", "lease")])
        .await
        .json();
    assert_eq!(searched.total.n, 1);
    let open: Page<MatterRow> = c
        .post(
            "/api/matters/list",
            &[
                ("query[status]", "open"),
                ("query[practice_area]", "litigation"),
            ],
        )
        .await
        .json();
    assert_eq!(open.total.n, 3);
    let closed: Page<MatterRow> = c
        .post("/api/matters/list", &[("query[status]", "closed")])
        .await
        .json();
    assert_eq!(closed.total.n, 0);
}

#[tokio::test]
async fn only_an_administrator_sets_a_matters_rate() {
    let app = TestApp::spawn().await;
    let mut attorney = app.signed_in(app.a.attorney).await;
    let client = create_client(&mut attorney, "Rate Client").await;
    let cid = client.to_string();
    let mut form = vec![
        ("form[client_id]", cid.as_str()),
        ("form[title]", "Priced matter"),
        ("form[practice_area]", "litigation"),
        ("form[hourly_rate]", "350.50"),
    ];
    let res = attorney.post("/api/matters/create", &form).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.error().fields().unwrap().get("hourly_rate").is_some());

    let mut admin = app.signed_in(app.a.admin).await;
    let id: Uuid = admin.post("/api/matters/create", &form).await.json();
    let sid = id.to_string();
    let m: Matter = admin.post("/api/matters/get", &[("id", &sid)]).await.json();
    assert_eq!(
        m.fields.hourly_rate,
        Some(rust_decimal::Decimal::new(35050, 2)),
        "money is exact"
    );

    // The attorney's form has no rate field: saving it keeps the rate; typing one is refused.
    let v = m.version.to_string();
    form.retain(|(k, _)| *k != "form[hourly_rate]");
    form.extend([
        ("id", sid.as_str()),
        ("version", v.as_str()),
        ("form[title]", "Renamed"),
    ]);
    form.retain(|(k, v)| !(*k == "form[title]" && *v == "Priced matter"));
    let res = attorney.post("/api/matters/update", &form).await;
    assert!(res.status.is_success(), "{res:?}");
    let m: Matter = admin.post("/api/matters/get", &[("id", &sid)]).await.json();
    assert_eq!(
        (m.fields.title.as_str(), m.fields.hourly_rate),
        ("Renamed", Some(rust_decimal::Decimal::new(35050, 2)))
    );
    let v = m.version.to_string();
    let mut form: Vec<(&str, &str)> = form.into_iter().filter(|(k, _)| *k != "version").collect();
    form.push(("version", v.as_str()));
    form.push(("form[hourly_rate]", "999"));
    let res = attorney.post("/api/matters/update", &form).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}
