use axum::http::StatusCode;
use docket::error::AppError;
use docket::kernel::Page;
use docket::time::rates::RateSource;
use docket::time::{TimeDefaults, TimeEntry, TimeRow};
use rust_decimal::Decimal;
use std::str::FromStr;
use uuid::Uuid;

use crate::clients::create as create_client;
use crate::matters::create as create_matter;
use crate::support::{Client as Http, Res, TestApp};

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

async fn record(c: &mut Http, matter: &str, duration: &str, extra: &[(&str, &str)]) -> Res {
    let mut form = vec![
        ("form[matter]", matter),
        ("form[work_date]", "2026-11-02"),
        ("form[duration]", duration),
        ("form[description]", "Drafted the complaint"),
        ("form[billable]", "on"),
    ];
    form.extend_from_slice(extra);
    c.post("/api/time/create", &form).await
}

async fn time_of(c: &mut Http, matter: Uuid) -> Page<TimeRow> {
    c.post("/api/time/list", &[("query[matter]", &matter.to_string())])
        .await
        .json()
}

/// A client and a matter of firm A (at 350.50/h), opened by its attorney.
async fn matter(app: &TestApp, c: &mut Http) -> Uuid {
    let client = create_client(c, "Time Client").await;
    let m = create_matter(c, client, "Smith v. Jones", Some(app.a.attorney))
        .await
        .unwrap();
    // Rates are an administrator's to set.
    admin_sql(
        app,
        "UPDATE matters SET hourly_rate = 350.50 WHERE id = $1",
        m,
    )
    .await;
    m
}

#[tokio::test]
async fn time_is_recorded_on_a_matter_in_raw_minutes_at_the_rate_that_applies() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.attorney).await;
    let m = matter(&app, &mut c).await;
    let res = record(&mut c, &m.to_string(), "1h 30m", &[]).await;
    assert!(res.status.is_success(), "{res:?}");
    let number: String = sqlx::query_scalar("SELECT matter_number FROM matters WHERE id = $1")
        .bind(m)
        .fetch_one(&app.admin_pool)
        .await
        .unwrap();
    // By the matter's number, as typed into the global form; 7 minutes bill as 12.
    let res = record(&mut c, &format!(" {number} "), "7m", &[]).await;
    assert!(res.status.is_success(), "{res:?}");

    let page = time_of(&mut c, m).await;
    assert_eq!(page.items.len(), 2);
    let by_minutes = |n: u32| page.items.iter().find(|t| t.minutes == n).unwrap();
    let long = by_minutes(90);
    assert_eq!(long.rate, Some(dec("350.50")), "the matter's rate");
    assert_eq!(long.amount, Some(dec("525.75")));
    let short = by_minutes(7);
    assert_eq!(
        short.billed_minutes, 12,
        "rounded up to the firm's 6-minute step"
    );
    assert_eq!(short.amount, Some(dec("70.10")));
    assert_eq!(
        app.count("SELECT count(*) FROM activity_logs WHERE action = 'time.create'")
            .await,
        2,
        "each entry is in the activity log"
    );

    // A firm that bills in quarter hours prices the same entries anew; the entries are as worked.
    sqlx::query("UPDATE organizations SET billing_increment_minutes = 15 WHERE id = $1")
        .bind(app.a.id)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let page = time_of(&mut c, m).await;
    let short = page.items.iter().find(|t| t.minutes == 7).unwrap();
    assert_eq!(
        (short.billed_minutes, short.amount),
        (15, Some(dec("87.63")))
    );
}

async fn defaults(c: &mut Http, matter: Uuid) -> (Decimal, RateSource) {
    let d: TimeDefaults = c
        .post("/api/time/defaults", &[("matter", &matter.to_string())])
        .await
        .json();
    (d.rate, d.rate_source)
}

async fn admin_sql(app: &TestApp, sql: &'static str, id: Uuid) {
    sqlx::query(sql)
        .bind(id)
        .execute(&app.admin_pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_most_specific_rate_applies() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.attorney).await;
    let m = matter(&app, &mut c).await;
    admin_sql(
        &app,
        "UPDATE organizations SET default_hourly_rate = 100 WHERE id = $1",
        app.a.id,
    )
    .await;
    admin_sql(
        &app,
        "UPDATE matters SET hourly_rate = NULL WHERE id = $1",
        m,
    )
    .await;
    assert_eq!(defaults(&mut c, m).await, (dec("100"), RateSource::Firm));
    admin_sql(
        &app,
        "UPDATE user_organizations SET hourly_rate = 200 WHERE user_id = $1",
        app.a.attorney,
    )
    .await;
    assert_eq!(defaults(&mut c, m).await, (dec("200"), RateSource::Person));
    admin_sql(&app, "UPDATE clients SET hourly_rate = 300 WHERE id = (SELECT client_id FROM matters WHERE id = $1)", m).await;
    assert_eq!(defaults(&mut c, m).await, (dec("300"), RateSource::Client));
    admin_sql(
        &app,
        "UPDATE matters SET hourly_rate = 400 WHERE id = $1",
        m,
    )
    .await;
    assert_eq!(defaults(&mut c, m).await, (dec("400"), RateSource::Matter));
    sqlx::query("INSERT INTO matter_rates (organization_id, matter_id, user_id, hourly_rate) VALUES ($1, $2, $3, 500)")
        .bind(app.a.id)
        .bind(m)
        .bind(app.a.attorney)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    assert_eq!(
        defaults(&mut c, m).await,
        (dec("500"), RateSource::MatterPerson)
    );
    let res = record(&mut c, &m.to_string(), "1", &[]).await;
    assert!(res.status.is_success(), "{res:?}");
    assert_eq!(time_of(&mut c, m).await.items[0].rate, Some(dec("500")));
    // Another person on the same matter gets the matter's rate.
    let mut admin = app.signed_in(app.a.admin).await;
    assert_eq!(
        defaults(&mut admin, m).await,
        (dec("400"), RateSource::Matter)
    );
}

#[tokio::test]
async fn only_an_administrator_changes_the_rate_of_an_entry() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.attorney).await;
    let m = matter(&app, &mut c).await;
    let res = record(&mut c, &m.to_string(), "1", &[("form[rate]", "999")]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    let e = res.error();
    assert!(e.fields().unwrap().get("rate").is_some(), "{e:?}");
    assert_eq!(
        e.fields().unwrap().value("duration"),
        Some("1"),
        "what was typed comes back"
    );
    // Typing the rate that applies anyway is no change.
    let res = record(&mut c, &m.to_string(), "1", &[("form[rate]", "350.5")]).await;
    assert!(res.status.is_success(), "{res:?}");

    let mut billing = app.signed_in(app.a.billing).await;
    let res = record(
        &mut billing,
        &m.to_string(),
        "1",
        &[("form[rate]", "99.99")],
    )
    .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "billing staff do not set rates"
    );
    let mut admin = app.signed_in(app.a.admin).await;
    let res = record(&mut admin, &m.to_string(), "1", &[("form[rate]", "99.99")]).await;
    assert!(res.status.is_success(), "{res:?}");
    let rates: Vec<Option<Decimal>> = time_of(&mut admin, m)
        .await
        .items
        .iter()
        .map(|t| t.rate)
        .collect();
    assert!(
        rates.contains(&Some(dec("99.99"))) && rates.contains(&Some(dec("350.50"))),
        "{rates:?}"
    );
}

#[tokio::test]
async fn time_is_seen_by_its_person_billing_and_admins() {
    let app = TestApp::spawn().await;
    let mut attorney = app.signed_in(app.a.attorney).await;
    let m = matter(&app, &mut attorney).await;
    let id: Uuid = record(&mut attorney, &m.to_string(), "1", &[]).await.json();
    let sid = id.to_string();
    let person = app.a.attorney.to_string();

    let mut staff = app.signed_in(app.a.staff).await;
    let res = staff
        .post("/api/time/list", &[("query[person]", person.as_str())])
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "a colleague's timesheet");
    let res = staff.post("/api/time/get", &[("id", sid.as_str())]).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // On the matter, staff see the work but not its rate or amount.
    let row = &time_of(&mut staff, m).await.items[0];
    assert_eq!((row.rate, row.amount), (None, None));

    let mut billing = app.signed_in(app.a.billing).await;
    let page: Page<TimeRow> = billing
        .post("/api/time/list", &[("query[person]", person.as_str())])
        .await
        .json();
    assert_eq!(page.items[0].amount, Some(dec("350.50")));
    // Billing staff correct anyone's unbilled time.
    let res = billing
        .post("/api/time/update", &edit(&sid, "1", "", "2"))
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let entry: TimeEntry = attorney
        .post("/api/time/get", &[("id", sid.as_str())])
        .await
        .json();
    assert_eq!(
        (entry.fields.minutes, entry.rate),
        (120, dec("350.50")),
        "the rate stays as recorded"
    );
}

#[tokio::test]
async fn no_billable_time_on_a_closed_matter() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.attorney).await;
    let m = matter(&app, &mut c).await;
    sqlx::query("UPDATE matters SET status = 'closed', date_closed = date_opened WHERE id = $1")
        .bind(m)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let res = record(&mut c, &m.to_string(), "1", &[]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.error().fields().unwrap().get("billable").is_some());
    let res = c
        .post(
            "/api/time/create",
            &[
                ("form[matter]", m.to_string().as_str()),
                ("form[duration]", "0:20"),
                ("form[description]", "Closing letter"),
            ],
        )
        .await;
    assert!(
        res.status.is_success(),
        "non-billable time is fine: {res:?}"
    );
    // The database refuses it too, whoever writes: here the app's own role, in its firm.
    let mut tx = app.app_pool.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)")
        .bind(app.a.id.to_string())
        .bind(app.a.attorney.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    let direct = sqlx::query(
        "INSERT INTO time_entries (organization_id, matter_id, user_id, work_date, minutes, description, hourly_rate)
         VALUES ($1, $2, $3, '2026-11-02', 60, 'x', 100)",
    )
    .bind(app.a.id)
    .bind(m)
    .bind(app.a.attorney)
    .execute(&mut *tx)
    .await
    .unwrap_err();
    assert_eq!(
        direct.as_database_error().and_then(|d| d.constraint()),
        Some("time_entries_matter_open")
    );
}

#[tokio::test]
async fn another_firms_matters_and_time_read_as_unknown() {
    let app = TestApp::spawn().await;
    let mut a = app.signed_in(app.a.attorney).await;
    let m = matter(&app, &mut a).await;
    let id: Uuid = record(&mut a, &m.to_string(), "1", &[]).await.json();
    let entry: TimeEntry = a
        .post("/api/time/get", &[("id", &id.to_string())])
        .await
        .json();

    let mut b = app.signed_in(app.b.admin).await;
    let res = record(&mut b, &m.to_string(), "1", &[]).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.error().fields().unwrap().get("matter").is_some());
    assert!(time_of(&mut b, m).await.items.is_empty());
    let res = b.post("/api/time/get", &[("id", &id.to_string())]).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = b
        .post(
            "/api/time/update",
            &[
                ("id", id.to_string().as_str()),
                ("version", entry.version.to_string().as_str()),
                ("form[matter]", m.to_string().as_str()),
                ("form[duration]", "9"),
                ("form[description]", "Overwritten"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // A form rendered for firm A, posted after switching to firm B, is refused as such.
    let res = record(
        &mut b,
        &m.to_string(),
        "1",
        &[("org", &app.a.id.to_string())],
    )
    .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(matches!(res.error(), AppError::WrongFirm(_)));
    assert_eq!(app.count("SELECT count(*) FROM time_entries").await, 1);
}

/// An update form (`matter` empty: the form of the edit page, which does not name it).
fn edit<'a>(
    id: &'a str,
    version: &'a str,
    matter: &'a str,
    duration: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("id", id),
        ("version", version),
        ("form[matter]", matter),
        ("form[work_date]", "2026-11-03"),
        ("form[duration]", duration),
        ("form[description]", "Revised the complaint"),
        ("form[billable]", "on"),
    ]
}

#[tokio::test]
async fn a_stale_form_or_billed_time_is_never_overwritten() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.attorney).await;
    let m = matter(&app, &mut c).await;
    let ms = m.to_string();
    let id: Uuid = record(&mut c, &ms, "1", &[]).await.json();
    let sid = id.to_string();
    let res = c.post("/api/time/update", &edit(&sid, "1", &ms, "2")).await;
    assert!(res.status.is_success(), "{res:?}");
    let entry: TimeEntry = c.post("/api/time/get", &[("id", &sid)]).await.json();
    assert_eq!((entry.fields.minutes, entry.version), (120, 2));

    // The form still at version 1: refused, saying what is stored now.
    let res = c.post("/api/time/update", &edit(&sid, "1", &ms, "3")).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let AppError::Stale(f) = res.error() else {
        panic!("{res:?}")
    };
    assert_eq!(
        f.get("duration"),
        Some("Someone else saved this as “2:00”.")
    );
    assert_eq!(f.value("version"), Some("2"));

    // Someone else's time is not the attorney's colleague's to change.
    let mut staff = app.signed_in(app.a.staff).await;
    let res = staff
        .post("/api/time/update", &edit(&sid, "2", &ms, "3"))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    // Time on an invoice stays as billed.
    sqlx::query("UPDATE time_entries SET status = 'billed' WHERE id = $1")
        .bind(id)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let res = c.post("/api/time/update", &edit(&sid, "3", &ms, "3")).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let entry: TimeEntry = c.post("/api/time/get", &[("id", &sid)]).await.json();
    assert_eq!(entry.fields.minutes, 120);
    // The database keeps billed time as billed, whoever writes.
    let direct = sqlx::query("UPDATE time_entries SET minutes = 1 WHERE id = $1")
        .bind(id)
        .execute(&app.admin_pool)
        .await
        .unwrap_err();
    assert_eq!(
        direct.as_database_error().and_then(|d| d.constraint()),
        Some("time_entries_billed_fixed")
    );
}

#[tokio::test]
async fn a_matter_number_means_the_callers_firms_matter() {
    let app = TestApp::spawn().await;
    let mut a = app.signed_in(app.a.attorney).await;
    let ma = matter(&app, &mut a).await;
    let mut b = app.signed_in(app.b.admin).await;
    let client = create_client(&mut b, "Beta Client").await;
    let mb = create_matter(&mut b, client, "Beta matter", None)
        .await
        .unwrap();
    let number = |id: Uuid| {
        let pool = app.admin_pool.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT matter_number FROM matters WHERE id = $1")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        number(ma).await,
        number(mb).await,
        "both firms number from 0001"
    );
    let res = record(&mut b, &number(ma).await, "1", &[]).await;
    assert!(res.status.is_success(), "{res:?}");
    assert_eq!(
        time_of(&mut b, mb).await.items.len(),
        1,
        "firm B's matter of that number"
    );
    assert!(time_of(&mut a, ma).await.items.is_empty());
}

#[tokio::test]
async fn the_time_pages_render_without_javascript() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.attorney).await;
    let m = matter(&app, &mut c).await;
    let res = record(&mut c, &m.to_string(), "1:30", &[]).await;
    assert!(res.status.is_success(), "{res:?}");
    let page = c.page(&format!("/matters/{m}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("New time entry"),
        "the matter page offers it"
    );
    assert!(page.body.contains("Drafted the complaint"));
    let page = c.page(&format!("/time/new?matter={m}")).await;
    assert!(
        page.body.contains("Smith v. Jones") && page.body.contains("Duration"),
        "{}",
        &page.body[page.body.find("<main").unwrap_or(0)..]
    );
    // The dashboard shows today's time (an entry with no date is today's, in the firm's zone).
    let res = c
        .post(
            "/api/time/create",
            &[
                ("form[matter]", m.to_string().as_str()),
                ("form[duration]", "0:45"),
                ("form[description]", "Today's work"),
                ("form[billable]", "on"),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let page = c.page("/").await;
    assert!(page.body.contains("Today, billable") && page.body.contains("0:45"));
    assert!(page.body.contains("Not running"));
    let page = c.page("/time").await;
    assert!(page.body.contains("Drafted the complaint") && page.body.contains("1:30"));
}

async fn timer(c: &mut Http) -> Option<docket::time::Timer> {
    c.post("/api/time/timer", &[]).await.json()
}

async fn timer_action(c: &mut Http, t: &docket::time::Timer, action: &str) -> Res {
    c.post(
        "/api/time/timer_update",
        &[
            ("timer", t.id.to_string().as_str()),
            ("version", t.version.to_string().as_str()),
            ("action", action),
        ],
    )
    .await
}

async fn start_timer(c: &mut Http, matter: Uuid) -> Res {
    let m = matter.to_string();
    c.post(
        "/api/time/timer_start",
        &[
            ("form[matter]", m.as_str()),
            ("form[description]", "Call with opposing counsel"),
        ],
    )
    .await
}

async fn set_started(app: &TestApp, ago: &str) {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE timers SET started_at = now() - interval '{ago}'"
    )))
    .execute(&app.admin_pool)
    .await
    .unwrap();
}

#[tokio::test]
async fn a_timer_runs_pauses_and_stops_into_a_time_entry() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.attorney).await;
    let m = matter(&app, &mut c).await;
    let res = start_timer(&mut c, m).await;
    assert!(res.status.is_success(), "{res:?}");
    let res = start_timer(&mut c, m).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "one timer at a time");

    // The timer is in the database: any later request (another tab, a restarted server) sees it.
    set_started(&app, "40 minutes").await;
    let t = timer(&mut c).await.unwrap();
    assert!(
        t.running && (2400..2410).contains(&t.elapsed_seconds),
        "{t:?}"
    );
    let res = timer_action(&mut c, &t, "pause").await;
    assert!(res.status.is_success(), "{res:?}");
    let paused = timer(&mut c).await.unwrap();
    assert!(!paused.running && (2400..2410).contains(&paused.elapsed_seconds));
    // A page showing the timer before the pause is refused.
    let res = timer_action(&mut c, &t, "resume").await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    // Pausing it again changes nothing and logs nothing.
    let res = timer_action(&mut c, &paused, "pause").await;
    assert!(res.status.is_success(), "{res:?}");
    let res = timer_action(&mut c, &paused, "resume").await;
    assert!(res.status.is_success(), "{res:?}");
    set_started(&app, "50 minutes").await; // 40 banked + 50 running

    // Colleagues do not see it, and cannot stop it.
    let mut staff = app.signed_in(app.a.staff).await;
    assert!(timer(&mut staff).await.is_none());
    let running = timer(&mut c).await.unwrap();
    let res = timer_action(&mut staff, &running, "stop").await;
    assert_eq!(res.status, StatusCode::CONFLICT);

    let res = timer_action(&mut c, &running, "stop").await;
    assert!(res.status.is_success(), "{res:?}");
    assert!(timer(&mut c).await.is_none());
    let page = time_of(&mut c, m).await;
    assert_eq!(page.items.len(), 1);
    let e = &page.items[0];
    assert!((90..=91).contains(&e.minutes), "{e:?}");
    assert_eq!(e.description, "Call with opposing counsel");
    assert!(e.billable);
    assert_eq!(
        app.count("SELECT count(*) FROM activity_logs WHERE action LIKE 'time.%'")
            .await,
        4,
        "start, pause, resume, and the entry its stop recorded"
    );
}

#[tokio::test]
async fn a_timer_left_running_past_a_day_is_not_silently_cut() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.attorney).await;
    let m = matter(&app, &mut c).await;
    let res = start_timer(&mut c, m).await;
    assert!(res.status.is_success(), "{res:?}");
    set_started(&app, "25 hours").await;
    let t = timer(&mut c).await.unwrap();
    let res = timer_action(&mut c, &t, "stop").await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(timer(&mut c).await.is_some(), "the timer is kept");
    let res = timer_action(&mut c, &t, "discard").await;
    assert!(res.status.is_success(), "{res:?}");
    assert!(timer(&mut c).await.is_none());
    assert_eq!(app.count("SELECT count(*) FROM time_entries").await, 0);
}

#[tokio::test]
async fn a_week_shows_hours_per_day_billable_and_not() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.attorney).await;
    let m = matter(&app, &mut c).await;
    let ms = m.to_string();
    for (date, duration, billable) in [
        ("2026-11-23", "1:30", "on"),
        ("2026-11-23", "0:30", ""),
        ("2026-11-25", "2", "on"),
        ("2026-11-22", "1", "on"), // the Sunday before
    ] {
        let res = c
            .post(
                "/api/time/create",
                &[
                    ("form[matter]", ms.as_str()),
                    ("form[work_date]", date),
                    ("form[duration]", duration),
                    ("form[description]", "Work"),
                    ("form[billable]", billable),
                ],
            )
            .await;
        assert!(res.status.is_success(), "{res:?}");
    }
    let w: docket::time::Week = c
        .post("/api/time/week", &[("week", "2026-11-26"), ("person", "")])
        .await
        .json();
    assert_eq!(w.start.to_string(), "2026-11-23");
    let per_day: Vec<(u32, u32)> = w
        .days
        .iter()
        .map(|d| (d.billable_minutes, d.non_billable_minutes))
        .collect();
    assert_eq!(
        per_day,
        vec![(90, 30), (0, 0), (120, 0), (0, 0), (0, 0), (0, 0), (0, 0)]
    );
    assert_eq!((w.billable_minutes(), w.non_billable_minutes()), (210, 30));

    let person = app.a.attorney.to_string();
    let mut staff = app.signed_in(app.a.staff).await;
    let res = staff
        .post(
            "/api/time/week",
            &[("week", ""), ("person", person.as_str())],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let mut billing = app.signed_in(app.a.billing).await;
    let w: docket::time::Week = billing
        .post(
            "/api/time/week",
            &[("week", "2026-11-23"), ("person", person.as_str())],
        )
        .await
        .json();
    assert_eq!(w.billable_minutes(), 210);
    // Another firm's person is nobody here.
    let mut b = app.signed_in(app.b.admin).await;
    let res = b
        .post(
            "/api/time/week",
            &[("week", ""), ("person", person.as_str())],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    let page = c.page("/time/week?week=2026-11-23").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Week of 2026-11-23") && page.body.contains("3:30"));
}

#[tokio::test]
async fn a_page_showing_an_old_timer_cannot_touch_the_next_one() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.attorney).await;
    let m = matter(&app, &mut c).await;
    // Two starts at once: one timer, and the other is told so (never a server error).
    let (mut c1, mut c2) = (c.clone(), c.clone());
    let (r1, r2) = tokio::join!(start_timer(&mut c1, m), start_timer(&mut c2, m));
    let mut codes = [r1.status, r2.status];
    codes.sort();
    assert_eq!(
        codes,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{r1:?} {r2:?}"
    );

    let old = timer(&mut c).await.unwrap();
    let res = timer_action(&mut c, &old, "stop").await;
    assert!(res.status.is_success(), "{res:?}");
    let res = start_timer(&mut c, m).await;
    assert!(res.status.is_success(), "{res:?}");
    let new = timer(&mut c).await.unwrap();
    assert_eq!(
        new.version, old.version,
        "versions alone would not tell them apart"
    );
    // The tab still showing the first timer: refused, and the new one runs on.
    let res = timer_action(&mut c, &old, "discard").await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(timer(&mut c).await.unwrap().id, new.id);

    // No timer on a closed matter.
    let res = timer_action(&mut c, &new, "discard").await;
    assert!(res.status.is_success(), "{res:?}");
    admin_sql(
        &app,
        "UPDATE matters SET status = 'closed', date_closed = date_opened WHERE id = $1",
        m,
    )
    .await;
    let res = start_timer(&mut c, m).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Colleagues cannot even see it in the table, through the app's role.
    let mut tx = app.app_pool.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)")
        .bind(app.a.id.to_string())
        .bind(app.a.staff.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    let res = start_timer(
        &mut app.signed_in(app.a.attorney).await,
        matter(&app, &mut c).await,
    )
    .await;
    assert!(res.status.is_success(), "{res:?}");
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM timers")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(seen, 0, "a timer is its person's alone");
}

/// Entries of one day list newest first (time-ordered ids), so a keyset page never puts one just
/// recorded behind older ones of the same date.
#[tokio::test]
async fn the_newest_entry_of_a_day_comes_first() {
    let app = TestApp::spawn().await;
    let mut c = app.signed_in(app.a.attorney).await;
    let m = matter(&app, &mut c).await;
    let mut ids = vec![];
    for _ in 0..30 {
        let res = record(&mut c, &m.to_string(), "6m", &[]).await;
        assert!(res.status.is_success(), "{res:?}");
        ids.push(res.json::<Uuid>());
    }
    let page = time_of(&mut c, m).await;
    let shown: Vec<Uuid> = page.items.iter().map(|r| r.id).collect();
    let newest: Vec<Uuid> = ids.iter().rev().take(shown.len()).copied().collect();
    assert_eq!(shown, newest);
}
