//! Ethical walls: a matter restricted to named members is, for everyone else in the firm, a
//! missing one everywhere (lists, search, history, reports, counts), and the database's
//! row-level security says so too, not only the pages.

use axum::http::StatusCode;
use docket::audit::ActivityEntry;
use docket::error::AppError;
use docket::kernel::Page;
use docket::matters::MatterRow;
use docket::reports::WipReport;
use docket::time::TimeRow;
use uuid::Uuid;

use crate::support::{Client as Http, Res, TestApp};

/// Who can see `matter`: `members` named (none: everyone), with the version shown.
pub async fn wall(c: &mut Http, matter: Uuid, version: i32, members: &[Uuid]) -> Res {
    let m = matter.to_string();
    let v = version.to_string();
    let keys: Vec<String> = members
        .iter()
        .map(|u| docket::matters::wall::AccessForm::member_key(*u))
        .collect();
    let mut form = vec![
        ("matter", m.as_str()),
        ("version", v.as_str()),
        (
            "form[restricted]",
            if members.is_empty() {
                "everyone"
            } else {
                "named"
            },
        ),
    ];
    form.extend(keys.iter().map(|k| (k.as_str(), "on")));
    c.post("/api/matters/set_access", &form).await
}

pub async fn version(app: &TestApp, matter: Uuid) -> i32 {
    sqlx::query_scalar("SELECT version FROM matters WHERE id = $1")
        .bind(matter)
        .fetch_one(&app.admin_pool)
        .await
        .unwrap()
}

async fn listed(c: &mut Http, q: &str) -> Vec<Uuid> {
    let page: Page<MatterRow> = c.post("/api/matters/list", &[("query[q]", q)]).await.json();
    page.items.iter().map(|m| m.id).collect()
}

async fn wip_matters(c: &mut Http) -> Vec<Uuid> {
    let report: WipReport = c
        .post("/api/reports/wip", &[("query[as_of]", "2026-12-31")])
        .await
        .json();
    report.matters.iter().map(|m| m.id).collect()
}

async fn history(c: &mut Http) -> Vec<ActivityEntry> {
    let page: Page<ActivityEntry> = c
        .post("/api/audit/activity", &[("query[action]", "")])
        .await
        .json();
    page.items
}

async fn matter_history(c: &mut Http, matter: Uuid) -> Vec<ActivityEntry> {
    let res = c
        .post(
            "/api/audit/history",
            &[
                ("resource_type", "matter"),
                ("resource_id", &matter.to_string()),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    res.json()
}

/// How many rows of `table` about `matter` the app role sees, as `user` of firm A, straight
/// through SQL: the pages' checks play no part.
async fn rows_seen(app: &TestApp, user: Uuid, table: &str, matter: Uuid) -> i64 {
    let mut tx = docket::server::db::tenant_tx(&app.app_pool, user, Some(app.a.id))
        .await
        .unwrap();
    let column = if table == "matters" {
        "id"
    } else {
        "matter_id"
    };
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM {table} WHERE {column} = $1"
    )))
    .bind(matter)
    .fetch_one(&mut *tx)
    .await
    .unwrap()
}

/// Firm A's attorney opens a matter and records time on it.
async fn walled_matter(app: &TestApp, attorney: &mut Http) -> (Uuid, Uuid) {
    let client = crate::clients::create(attorney, "Walled Client").await;
    let matter =
        crate::matters::create(attorney, client, "Conflicted merger", Some(app.a.attorney))
            .await
            .unwrap();
    sqlx::query("UPDATE matters SET hourly_rate = 300 WHERE id = $1")
        .bind(matter)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let m = matter.to_string();
    let res = attorney
        .post(
            "/api/time/create",
            &[
                ("form[matter]", m.as_str()),
                ("form[work_date]", "2026-11-02"),
                ("form[duration]", "2h"),
                ("form[description]", "Reviewed the target's contracts"),
                ("form[billable]", "on"),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let entry: Uuid = res.json();
    (matter, entry)
}

/// A second administrator of firm A, signed in.
async fn another_admin(app: &TestApp) -> (Uuid, Http) {
    let id = app
        .add_member(app.a.id, &crate::support::unique_email("admin2"), "admin")
        .await;
    (id, app.signed_in(id).await)
}

#[tokio::test]
async fn a_walled_matter_is_seen_only_by_the_people_named() {
    let app = TestApp::spawn().await;
    let mut attorney = app.signed_in(app.a.attorney).await;
    let (matter, entry) = walled_matter(&app, &mut attorney).await;
    let mut admin = app.signed_in(app.a.admin).await;
    let mut billing = app.signed_in(app.a.billing).await;
    let (outsider_id, mut outsider) = another_admin(&app).await;
    // Before the wall, another administrator's figures include it (and are cached).
    assert!(wip_matters(&mut outsider).await.contains(&matter));

    let v = version(&app, matter).await;
    let named = [app.a.admin, app.a.attorney, app.a.billing];
    let res = wall(&mut admin, matter, v, &named).await;
    assert!(res.status.is_success(), "{res:?}");

    // Named: the attorney and billing see it everywhere, figures included.
    assert!(listed(&mut attorney, "").await.contains(&matter));
    assert!(wip_matters(&mut billing).await.contains(&matter));
    let seen = matter_history(&mut attorney, matter).await;
    assert!(seen.iter().any(|e| e.action == "matter.access"));

    // Not named, even an administrator: found nowhere, and its ids read as missing ones.
    assert!(!listed(&mut outsider, "").await.contains(&matter));
    assert!(listed(&mut outsider, "Conflicted").await.is_empty());
    let m = matter.to_string();
    let res = outsider.post("/api/matters/get", &[("id", &m)]).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        outsider.get(&format!("/matters/{m}")).await.status,
        StatusCode::NOT_FOUND
    );
    let res = outsider
        .post("/api/time/get", &[("id", &entry.to_string())])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let time: Page<TimeRow> = outsider
        .post("/api/time/list", &[("query[matter]", &m)])
        .await
        .json();
    assert!(time.items.is_empty());
    let none: Page<TimeRow> = outsider
        .post("/api/time/list", &[("query[matter]", "")])
        .await
        .json();
    assert!(none.items.iter().all(|t| t.id != entry));
    // Cached figures computed with the matter (billing's, just now) are not the outsider's.
    assert!(!wip_matters(&mut outsider).await.contains(&matter));
    let seen = history(&mut outsider).await;
    assert!(
        seen.iter()
            .all(|e| e.resource_id != Some(matter) && e.resource_id != Some(entry)),
        "the outsider reads the walled matter's history: {seen:?}"
    );
    assert!(matter_history(&mut outsider, matter).await.is_empty());
    // Recording time on it is refused as on an unknown matter.
    let res = outsider
        .post(
            "/api/time/create",
            &[
                ("form[matter]", m.as_str()),
                ("form[work_date]", "2026-11-03"),
                ("form[duration]", "1h"),
                ("form[description]", "Looked around"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.error().fields().unwrap().get("matter").is_some());
    // Nor can the outsider change who sees it.
    let res = wall(
        &mut outsider,
        matter,
        version(&app, matter).await,
        &[outsider_id],
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // The database itself hides it from the app role, for every table about the matter.
    for table in ["matters", "time_entries", "activity_logs", "matter_access"] {
        assert_eq!(
            rows_seen(&app, outsider_id, table, matter).await,
            0,
            "{table}"
        );
        assert!(
            rows_seen(&app, app.a.attorney, table, matter).await > 0,
            "{table}"
        );
    }
    // A new matter still gets the next number (the walled one's is not reused).
    let client = crate::clients::create(&mut outsider, "Another Client").await;
    assert!(
        crate::matters::create(&mut outsider, client, "Next matter", None)
            .await
            .is_ok()
    );

    // Lifted: everyone sees it again.
    let v = version(&app, matter).await;
    let res = wall(&mut admin, matter, v, &[]).await;
    assert!(res.status.is_success(), "{res:?}");
    assert!(listed(&mut outsider, "Conflicted").await.contains(&matter));
    assert!(wip_matters(&mut outsider).await.contains(&matter));
    assert_eq!(app.count("SELECT count(*) FROM matter_access").await, 0);
}

#[tokio::test]
async fn only_administrators_named_on_it_change_a_wall_and_never_another_firms() {
    let app = TestApp::spawn().await;
    let mut attorney = app.signed_in(app.a.attorney).await;
    let (matter, _) = walled_matter(&app, &mut attorney).await;
    let v = version(&app, matter).await;

    // Not staff, and not an attorney, even the matter's own (who could otherwise make
    // themselves responsible for a colleague's matter and take it from the firm).
    let mut staff = app.signed_in(app.a.staff).await;
    let res = wall(&mut staff, matter, v, &[app.a.staff]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = wall(&mut attorney, matter, v, &[app.a.attorney]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // An administrator may not leave themselves out, or name someone of another firm.
    let mut admin = app.signed_in(app.a.admin).await;
    let res = wall(&mut admin, matter, v, &[app.a.attorney]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.error().fields().unwrap().get("members").is_some());
    let res = wall(&mut admin, matter, v, &[app.a.admin, app.b.admin]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("SELECT count(*) FROM matter_access").await, 0);
    // Firm B's administrator, with firm A's matter id: a missing matter; with firm A's form:
    // the wrong firm.
    let mut other = app.signed_in(app.b.admin).await;
    let res = wall(&mut other, matter, v, &[app.b.admin]).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = wall(&mut other, Uuid::new_v4(), v, &[app.b.admin]).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let org = app.a.id.to_string();
    let mut form_for_a = vec![
        ("matter".to_string(), matter.to_string()),
        ("version".to_string(), v.to_string()),
        ("org".to_string(), org),
        ("form[restricted]".to_string(), "named".to_string()),
        (
            docket::matters::wall::AccessForm::member_key(app.b.admin),
            "on".to_string(),
        ),
    ];
    let pairs: Vec<(&str, &str)> = form_for_a
        .iter_mut()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let res = other.post("/api/matters/set_access", &pairs).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(matches!(res.error(), AppError::WrongFirm(_)));
    assert!(
        !sqlx::query_scalar::<_, bool>("SELECT restricted FROM matters WHERE id = $1")
            .bind(matter)
            .fetch_one(&app.admin_pool)
            .await
            .unwrap()
    );

    // Walled to the administrator and the attorney; then a form from before that is stale.
    let res = wall(&mut admin, matter, v, &[app.a.admin, app.a.attorney]).await;
    assert!(res.status.is_success(), "{res:?}");
    let res = wall(&mut admin, matter, v, &[app.a.admin]).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(matches!(res.error(), AppError::Stale(_)));
    assert_eq!(app.count("SELECT count(*) FROM matter_access").await, 2);
    // Billing, not named, cannot even find it.
    let mut billing = app.signed_in(app.a.billing).await;
    let res = billing
        .post("/api/matters/access", &[("matter", &matter.to_string())])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // The administrator takes the attorney off.
    let v = version(&app, matter).await;
    let res = wall(&mut admin, matter, v, &[app.a.admin]).await;
    assert!(res.status.is_success(), "{res:?}");
    let res = attorney
        .post("/api/matters/get", &[("id", &matter.to_string())])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("SELECT count(*) FROM activity_logs WHERE action = 'matter.access'")
            .await,
        2
    );
}

#[tokio::test]
async fn a_timer_running_on_a_matter_keeps_its_person_named() {
    let app = TestApp::spawn().await;
    let mut attorney = app.signed_in(app.a.attorney).await;
    let (matter, _) = walled_matter(&app, &mut attorney).await;
    let mut staff = app.signed_in(app.a.staff).await;
    let m = matter.to_string();
    let res = staff
        .post(
            "/api/time/timer_start",
            &[("form[matter]", m.as_str()), ("form[description]", "Call")],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let mut admin = app.signed_in(app.a.admin).await;
    let v = version(&app, matter).await;
    let res = wall(&mut admin, matter, v, &[app.a.admin]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = res
        .error()
        .fields()
        .unwrap()
        .get("members")
        .unwrap()
        .to_string();
    assert!(message.contains("timer running"), "{message}");
    let res = wall(&mut admin, matter, v, &[app.a.admin, app.a.staff]).await;
    assert!(res.status.is_success(), "{res:?}");
}

async fn remove_member(admin: &mut Http, user: Uuid) {
    let members: Vec<docket::team::Member> = admin.post("/api/team/members", &[]).await.json();
    let m = members.into_iter().find(|m| m.user_id == user).unwrap();
    let res = admin
        .post(
            "/api/team/remove",
            &[
                ("user", &user.to_string()),
                ("version", &m.version.to_string()),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
}

/// A draft invoice of the client's or of the matter's (`scope`) unbilled work.
async fn draft(c: &mut Http, scope: &str, id: Uuid) -> Res {
    let (request, id) = (Uuid::new_v4().to_string(), id.to_string());
    let key = format!("form[{scope}]");
    c.post(
        "/api/invoices/create",
        &[
            ("request", request.as_str()),
            (key.as_str(), id.as_str()),
            ("form[from]", ""),
            ("form[to]", ""),
        ],
    )
    .await
}

async fn delete_draft(app: &TestApp, c: &mut Http, invoice: Uuid) {
    let version: i32 = sqlx::query_scalar("SELECT version FROM invoices WHERE id = $1")
        .bind(invoice)
        .fetch_one(&app.admin_pool)
        .await
        .unwrap();
    let (id, version) = (invoice.to_string(), version.to_string());
    let res = c
        .post(
            "/api/invoices/delete_draft",
            &[("id", id.as_str()), ("version", version.as_str())],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
}

#[tokio::test]
async fn client_invoices_deleted_drafts_and_departures_keep_the_wall_whole() {
    let app = TestApp::spawn().await;
    let mut attorney = app.signed_in(app.a.attorney).await;
    let (matter, _) = walled_matter(&app, &mut attorney).await;
    let client: Uuid = sqlx::query_scalar("SELECT client_id FROM matters WHERE id = $1")
        .bind(matter)
        .fetch_one(&app.admin_pool)
        .await
        .unwrap();
    let mut billing = app.signed_in(app.a.billing).await;
    let mut admin = app.signed_in(app.a.admin).await;
    let (waller_id, mut waller) = another_admin(&app).await;
    let named = [waller_id, app.a.billing];

    // Its work on a client-wide draft: walling it off is refused until that draft is gone.
    let res = draft(&mut billing, "client", client).await;
    assert!(res.status.is_success(), "{res:?}");
    let invoice: Uuid = res.json();
    let v = version(&app, matter).await;
    let res = wall(&mut waller, matter, v, &named).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = res
        .error()
        .fields()
        .unwrap()
        .get("restricted")
        .unwrap()
        .to_string();
    assert!(message.contains("client's invoice"), "{message}");
    delete_draft(&app, &mut billing, invoice).await;
    let res = wall(&mut waller, matter, v, &named).await;
    assert!(res.status.is_success(), "{res:?}");

    // A draft of the matter's own, deleted: its history stays behind the wall.
    let res = draft(&mut billing, "matter", matter).await;
    assert!(res.status.is_success(), "{res:?}");
    let invoice: Uuid = res.json();
    delete_draft(&app, &mut billing, invoice).await;
    let seen = history(&mut admin).await;
    assert!(
        seen.iter().all(|e| e.resource_id != Some(invoice)),
        "the deleted draft of a walled matter shows in the firm's activity: {seen:?}"
    );
    // A client invoice made now leaves the walled matter's work to its own invoices.
    let res = draft(&mut billing, "client", client).await;
    assert_eq!(
        app.count("SELECT count(*) FROM time_entries WHERE invoice_id IS NOT NULL")
            .await,
        0,
        "{res:?}"
    );

    // Someone removed from the firm is named nowhere any more.
    remove_member(&mut admin, app.a.billing).await;
    assert_eq!(app.count("SELECT count(*) FROM matter_access").await, 1);
    // When no one named is left, the firm's administrators keep the matter (nobody else), and
    // its history says so.
    assert!(!listed(&mut admin, "Conflicted").await.contains(&matter));
    remove_member(&mut admin, waller_id).await;
    assert!(listed(&mut admin, "Conflicted").await.contains(&matter));
    assert!(matter_history(&mut admin, matter)
        .await
        .iter()
        .any(|e| e.summary.contains("No one named")));
    let mut staff = app.signed_in(app.a.staff).await;
    assert!(listed(&mut staff, "Conflicted").await.is_empty());
    assert!(listed(&mut attorney, "Conflicted").await.is_empty());
    // An administrator names people on it again.
    let v = version(&app, matter).await;
    let res = wall(&mut admin, matter, v, &[app.a.admin]).await;
    assert!(res.status.is_success(), "{res:?}");
}
