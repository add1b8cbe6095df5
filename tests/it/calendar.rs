//! The calendar: events and computed deadlines on matters, tasks, and the calendar feed a
//! calendar application subscribes to.

use axum::http::StatusCode;
use docket::calendar::{CalendarPage, MatterCalendar, Task};
use docket::error::AppError;
use uuid::Uuid;

use crate::support::{Client as Http, TestApp};

/// A matter of firm A (responsible: the attorney), as the attorney.
async fn matter(app: &TestApp) -> (Http, Uuid) {
    let mut c = app.signed_in(app.a.attorney).await;
    let client = crate::clients::create(&mut c, "Calendar Client").await;
    let m = crate::matters::create(&mut c, client, "Calendar matter", Some(app.a.attorney))
        .await
        .unwrap();
    (c, m)
}

async fn calendar_of(c: &mut Http, matter: Uuid) -> MatterCalendar {
    let res = c
        .post("/api/calendar/matter", &[("matter", &matter.to_string())])
        .await;
    assert!(res.status.is_success(), "{res:?}");
    res.json()
}

async fn week(c: &mut Http, who: &str, day: &str) -> CalendarPage {
    let res = c
        .post(
            "/api/calendar/page",
            &[
                ("query[view]", "week"),
                ("query[who]", who),
                ("query[day]", day),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    res.json()
}

async fn rule_id(c: &mut Http, matter: Uuid, starts: &str) -> Uuid {
    calendar_of(c, matter)
        .await
        .rules
        .into_iter()
        .find(|r| r.name.starts_with(starts))
        .unwrap()
        .id
}

#[tokio::test]
async fn a_hearing_is_on_the_matter_and_on_its_attendees_calendars_in_the_firm_time_zone() {
    let app = TestApp::spawn().await;
    sqlx::query("UPDATE organizations SET timezone = 'America/New_York' WHERE id = $1")
        .bind(app.a.id)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let (mut c, m) = matter(&app).await;
    let staff = app.a.staff.to_string();
    let res = c
        .post(
            "/api/calendar/create_event",
            &[
                ("matter", &m.to_string()),
                ("form[kind]", "hearing"),
                ("form[title]", "Motion hearing"),
                ("form[date]", "2030-03-05"),
                ("form[start]", "09:30"),
                ("form[end]", "10:15"),
                ("form[location]", "Courtroom 4B"),
                (
                    &docket::calendar::EventForm::attendee_key(app.a.staff),
                    "on",
                ),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    // Stored as the instant 09:30 in New York (EST, UTC-5).
    let starts: String =
        sqlx::query_scalar("SELECT to_char(starts_at AT TIME ZONE 'UTC', 'HH24:MI') FROM events")
            .fetch_one(&app.admin_pool)
            .await
            .unwrap();
    assert_eq!(starts, "14:30");
    let cal = calendar_of(&mut c, m).await;
    assert_eq!(cal.upcoming.len(), 1);
    let e = &cal.upcoming[0];
    assert_eq!(
        (e.start.as_deref(), e.end.as_deref()),
        (Some("09:30"), Some("10:15"))
    );
    assert_eq!(e.attendees, vec!["Alpha Law staff".to_string()]);
    // On the staff member's week, not on the attorney's own (they do not attend).
    let mut staff_client = app.signed_in(app.a.staff).await;
    assert_eq!(
        week(&mut staff_client, "", "2030-03-07").await.events.len(),
        1
    );
    assert!(week(&mut c, "", "2030-03-05").await.events.is_empty());
    assert_eq!(week(&mut c, "firm", "2030-03-05").await.events.len(), 1);
    assert_eq!(week(&mut c, &staff, "2030-03-05").await.events.len(), 1);
    assert!(
        week(&mut c, "firm", "2030-03-12").await.events.is_empty(),
        "the next week"
    );

    // Bad input comes back beside its field, with what was typed.
    let res = c
        .post(
            "/api/calendar/create_event",
            &[
                ("matter", &m.to_string()),
                ("form[kind]", "meeting"),
                ("form[title]", "Call"),
                ("form[date]", "2030-03-05"),
                ("form[start]", "25:00"),
            ],
        )
        .await;
    match res.error() {
        AppError::Invalid(e) => {
            assert!(e.get("start").is_some());
            assert_eq!(e.value("title"), Some("Call"));
        }
        other => panic!("{other:?}"),
    }
    // Another firm's member as attendee: refused, nothing written.
    let res = c
        .post(
            "/api/calendar/create_event",
            &[
                ("matter", &m.to_string()),
                ("form[kind]", "meeting"),
                ("form[title]", "Call"),
                ("form[date]", "2030-03-05"),
                ("form[all_day]", "on"),
                (
                    &docket::calendar::EventForm::attendee_key(app.b.admin),
                    "on",
                ),
            ],
        )
        .await;
    assert!(matches!(res.error(), AppError::Invalid(_)), "{res:?}");
    assert_eq!(app.count("SELECT count(*) FROM events").await, 1);
    // Another firm's people cannot put anything on this matter, or read its calendar.
    let mut other = app.signed_in(app.b.admin).await;
    let res = other
        .post(
            "/api/calendar/create_event",
            &[
                ("matter", &m.to_string()),
                ("form[kind]", "meeting"),
                ("form[title]", "X"),
                ("form[date]", "2030-03-05"),
                ("form[all_day]", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
    let res = other
        .post("/api/calendar/matter", &[("matter", &m.to_string())])
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(week(&mut other, "firm", "2030-03-05")
        .await
        .events
        .is_empty());
    // Billing staff keep the books, not the calendar.
    let mut billing = app.signed_in(app.a.billing).await;
    let res = billing
        .post(
            "/api/calendar/create_event",
            &[
                ("matter", &m.to_string()),
                ("form[kind]", "meeting"),
                ("form[title]", "X"),
                ("form[date]", "2030-03-05"),
                ("form[all_day]", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_computed_deadline_shows_its_working_and_follows_its_trigger_date() {
    let app = TestApp::spawn().await;
    let (mut c, m) = matter(&app).await;
    let rule = rule_id(&mut c, m, "Answer to complaint").await;
    // Served Saturday 13 June 2026: day 21 is Saturday 4 July (observed on Friday the 3rd).
    let res = c
        .post(
            "/api/calendar/add_deadline",
            &[
                ("matter", &m.to_string()),
                ("form[trigger]", "2026-06-13"),
                ("form[rule]", &rule.to_string()),
                ("form[title]", ""),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let event: Uuid = res.json();
    let (due, version): (chrono::NaiveDate, i32) =
        sqlx::query_as("SELECT on_date, version FROM events WHERE id = $1")
            .bind(event)
            .fetch_one(&app.admin_pool)
            .await
            .unwrap();
    assert_eq!(due.to_string(), "2026-07-06");
    let explanation: Vec<String> =
        sqlx::query_scalar("SELECT computation FROM events WHERE id = $1")
            .bind(event)
            .fetch_one(&app.admin_pool)
            .await
            .unwrap();
    assert!(
        explanation
            .iter()
            .any(|l| l.contains("2026-07-04 is a Saturday")),
        "{explanation:?}"
    );
    // On the calendars of who added it and the responsible attorney (the same person here).
    assert_eq!(week(&mut c, "", "2026-07-06").await.events.len(), 1);

    // A later edit of the rule changes no deadline; a new trigger date recomputes this one.
    sqlx::query("UPDATE deadline_rules SET days = 5 WHERE id = $1")
        .bind(rule)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    let (id, v) = (event.to_string(), version.to_string());
    let res = c
        .post(
            "/api/calendar/change_trigger",
            &[
                ("id", &id),
                ("version", &v),
                ("form[trigger]", "2026-11-05"),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    // 21 days after Thursday 5 November 2026 is Thursday 26 November: Thanksgiving.
    let due: chrono::NaiveDate = sqlx::query_scalar("SELECT on_date FROM events WHERE id = $1")
        .bind(event)
        .fetch_one(&app.admin_pool)
        .await
        .unwrap();
    assert_eq!(due.to_string(), "2026-11-27");
    // The page that showed the old version is refused, not applied over the new one.
    let res = c
        .post(
            "/api/calendar/change_trigger",
            &[
                ("id", &id),
                ("version", &v),
                ("form[trigger]", "2026-01-02"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{res:?}");
    assert_eq!(
        app.count(
            "SELECT count(*) FROM activity_logs WHERE action IN ('event.deadline', 'event.update')"
        )
        .await,
        2
    );
    // Another firm cannot move it.
    let mut other = app.signed_in(app.b.admin).await;
    let res = other
        .post(
            "/api/calendar/change_trigger",
            &[
                ("id", &id),
                ("version", &(version + 1).to_string()),
                ("form[trigger]", "2026-01-02"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
    // Nor use its rules: firm A's rule id is not firm B's.
    let client = crate::clients::create(&mut other, "B client").await;
    let theirs = crate::matters::create(&mut other, client, "B matter", None)
        .await
        .unwrap();
    let res = other
        .post(
            "/api/calendar/add_deadline",
            &[
                ("matter", &theirs.to_string()),
                ("form[trigger]", "2026-06-13"),
                ("form[rule]", &rule.to_string()),
                ("form[title]", ""),
            ],
        )
        .await;
    assert!(matches!(res.error(), AppError::Invalid(_)), "{res:?}");
}

#[tokio::test]
async fn tasks_are_assigned_shown_overdue_and_completed_once() {
    let app = TestApp::spawn().await;
    let (mut c, m) = matter(&app).await;
    for (title, due) in [
        ("File the answer", "2020-01-02"),
        ("Draft discovery", "2099-01-02"),
    ] {
        let res = c
            .post(
                "/api/calendar/create_task",
                &[
                    ("matter", &m.to_string()),
                    ("form[title]", title),
                    ("form[assignee]", &app.a.staff.to_string()),
                    ("form[due_on]", due),
                    ("form[priority]", "high"),
                ],
            )
            .await;
        assert!(res.status.is_success(), "{res:?}");
    }
    let mut staff = app.signed_in(app.a.staff).await;
    let mine: Vec<Task> = staff.post("/api/calendar/my_tasks", &[]).await.json();
    assert_eq!(mine.len(), 2);
    assert_eq!(
        (mine[0].title.as_str(), mine[0].overdue),
        ("File the answer", true)
    );
    assert!(!mine[1].overdue);
    assert!(c
        .post("/api/calendar/my_tasks", &[])
        .await
        .json::<Vec<Task>>()
        .is_empty());

    // Someone of another firm as assignee: refused.
    let res = c
        .post(
            "/api/calendar/create_task",
            &[
                ("matter", &m.to_string()),
                ("form[title]", "X"),
                ("form[assignee]", &app.b.staff.to_string()),
                ("form[due_on]", ""),
                ("form[priority]", ""),
            ],
        )
        .await;
    assert!(matches!(res.error(), AppError::Invalid(_)), "{res:?}");

    let t = &mine[0];
    let (id, v) = (t.id.to_string(), t.version.to_string());
    let mut other = app.signed_in(app.b.admin).await;
    let res = other
        .post(
            "/api/calendar/complete_task",
            &[("id", &id), ("version", &v)],
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = staff
        .post(
            "/api/calendar/complete_task",
            &[("id", &id), ("version", &v)],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    // The same form again: already done, nothing more written.
    let res = staff
        .post(
            "/api/calendar/complete_task",
            &[("id", &id), ("version", &v)],
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::CONFLICT,
        "an older version: {res:?}"
    );
    assert_eq!(
        app.count("SELECT count(*) FROM activity_logs WHERE action = 'task.complete'")
            .await,
        1
    );
    let mine: Vec<Task> = staff.post("/api/calendar/my_tasks", &[]).await.json();
    assert_eq!(mine[0].title, "Draft discovery", "open tasks first");
    assert!(mine
        .iter()
        .any(|t| t.title == "File the answer" && !t.overdue));
}

/// The events of an iCalendar text, as (UID, SEQUENCE, DTSTART, SUMMARY), read by a standard
/// parser.
fn feed_events(ics: &str) -> Vec<(String, String, String, String)> {
    use icalendar::parser::{read_calendar, unfold};
    let unfolded = unfold(ics);
    let cal = read_calendar(&unfolded).expect("a valid iCalendar file");
    cal.components
        .iter()
        .filter(|c| c.name.as_str() == "VEVENT")
        .map(|c| {
            let p = |n: &str| {
                c.find_prop(n)
                    .map(|p| p.val.as_str().to_string())
                    .unwrap_or_default()
            };
            (p("UID"), p("SEQUENCE"), p("DTSTART"), p("SUMMARY"))
        })
        .collect()
}

#[tokio::test]
async fn the_calendar_feed_is_private_revocable_and_keeps_its_uids() {
    let app = TestApp::spawn().await;
    let (mut c, m) = matter(&app).await;
    let rule = rule_id(&mut c, m, "Answer to complaint").await;
    let today = chrono::Utc::now().date_naive();
    let trigger = (today + chrono::Duration::days(3)).to_string();
    let res = c
        .post(
            "/api/calendar/add_deadline",
            &[
                ("matter", &m.to_string()),
                ("form[trigger]", &trigger),
                ("form[rule]", &rule.to_string()),
                ("form[title]", "Answer due"),
            ],
        )
        .await;
    let event: Uuid = res.json();
    let res = c
        .post(
            "/api/calendar/create_task",
            &[
                ("matter", &m.to_string()),
                ("form[title]", "Call the client"),
                ("form[assignee]", &app.a.attorney.to_string()),
                ("form[due_on]", &trigger),
                ("form[priority]", ""),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");

    assert!(week(&mut c, "", "").await.feed_url.is_none());
    assert!(c
        .post("/api/calendar/reset_feed", &[])
        .await
        .status
        .is_success());
    let url = week(&mut c, "", "").await.feed_url.expect("a feed URL");
    let path = url.strip_prefix("https://docket.test").unwrap().to_string();
    let mut anonymous = app.anonymous();
    let res = anonymous.get(&path).await;
    assert_eq!(res.status, StatusCode::OK, "{res:?}");
    assert!(res.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let events = feed_events(&res.body);
    assert_eq!(events.len(), 2, "{}", res.body);
    let deadline = events
        .iter()
        .find(|e| e.0 == format!("{event}@docket"))
        .expect("the deadline");
    assert!(deadline.3.starts_with("Deadline: Answer due"));
    assert!(events
        .iter()
        .any(|e| e.0.starts_with("task-") && e.3.starts_with("Task: Call the client")));

    // An edit keeps the UID and raises the SEQUENCE: the subscribed calendar updates it.
    let version: i32 = sqlx::query_scalar("SELECT version FROM events WHERE id = $1")
        .bind(event)
        .fetch_one(&app.admin_pool)
        .await
        .unwrap();
    let res = c
        .post(
            "/api/calendar/change_trigger",
            &[
                ("id", &event.to_string()),
                ("version", &version.to_string()),
                (
                    "form[trigger]",
                    &(today + chrono::Duration::days(10)).to_string(),
                ),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let after = feed_events(&anonymous.get(&path).await.body);
    let moved = after.iter().find(|e| e.0 == deadline.0).unwrap();
    assert!(moved.1.parse::<i32>().unwrap() > deadline.1.parse::<i32>().unwrap());
    assert_ne!(moved.2, deadline.2);

    // Another person's feed holds only theirs; a made-up token opens nothing; a new URL
    // retires the old one.
    let mut staff = app.signed_in(app.a.staff).await;
    assert!(staff
        .post("/api/calendar/reset_feed", &[])
        .await
        .status
        .is_success());
    let staff_url = week(&mut staff, "", "").await.feed_url.unwrap();
    let staff_path = staff_url
        .strip_prefix("https://docket.test")
        .unwrap()
        .to_string();
    assert!(feed_events(&anonymous.get(&staff_path).await.body).is_empty());
    assert_eq!(
        anonymous
            .get(&format!("/calendar/feed/{}.ics", "x".repeat(43)))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert!(c
        .post("/api/calendar/reset_feed", &[])
        .await
        .status
        .is_success());
    assert_eq!(anonymous.get(&path).await.status, StatusCode::NOT_FOUND);
    // A member who leaves the firm: their feed stops.
    let new_url = week(&mut c, "", "").await.feed_url.unwrap();
    let new_path = new_url
        .strip_prefix("https://docket.test")
        .unwrap()
        .to_string();
    sqlx::query("UPDATE user_organizations SET status = 'removed', removed_at = now() WHERE user_id = $1 AND organization_id = $2")
        .bind(app.a.attorney)
        .bind(app.a.id)
        .execute(&app.admin_pool)
        .await
        .unwrap();
    assert_eq!(anonymous.get(&new_path).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_firm_keeps_its_own_deadline_rules() {
    let app = TestApp::spawn().await;
    let mut admin = app.signed_in(app.a.admin).await;
    let add = |name: &'static str| {
        vec![
            ("form[name]", name),
            ("form[days]", "10"),
            ("form[counting]", "court"),
            ("form[direction]", "after"),
        ]
    };
    let res = admin
        .post("/api/calendar/add_rule", &add("Local rule 7.1 reply"))
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let res = admin
        .post("/api/calendar/add_rule", &add("local RULE 7.1 reply"))
        .await;
    match res.error() {
        AppError::Invalid(e) => assert!(e.get("name").is_some()),
        other => panic!("{other:?}"),
    }
    let res = admin
        .post(
            "/api/calendar/add_rule",
            &[
                ("form[name]", "X"),
                ("form[days]", "0"),
                ("form[counting]", "court"),
                ("form[direction]", "after"),
            ],
        )
        .await;
    assert!(matches!(res.error(), AppError::Invalid(_)));
    let mut attorney = app.signed_in(app.a.attorney).await;
    assert_eq!(
        attorney
            .post("/api/calendar/add_rule", &add("Mine"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Firm B does not see firm A's rule.
    let mut other = app.signed_in(app.b.admin).await;
    let theirs: Vec<docket::calendar::RuleRow> =
        other.post("/api/calendar/rules", &[]).await.json();
    assert!(!theirs.is_empty(), "the defaults");
    assert!(theirs.iter().all(|r| !r.name.starts_with("Local rule")));

    // Changed, then no longer offered: not for new deadlines, and not by another firm or an
    // older page.
    let ours: Vec<docket::calendar::RuleRow> = admin.post("/api/calendar/rules", &[]).await.json();
    let rule = ours
        .iter()
        .find(|r| r.name == "Local rule 7.1 reply")
        .unwrap()
        .clone();
    let taken = ours.iter().find(|r| r.id != rule.id).unwrap().name.clone();
    let change = |version: i32, name: &str, offered: bool| {
        let mut form = vec![
            ("id".to_string(), rule.id.to_string()),
            ("version".to_string(), version.to_string()),
            ("form[name]".to_string(), name.to_string()),
            ("form[days]".to_string(), "14".to_string()),
            ("form[counting]".to_string(), "calendar".to_string()),
            ("form[direction]".to_string(), "after".to_string()),
        ];
        if offered {
            form.push(("form[offered]".to_string(), "on".to_string()));
        }
        form
    };
    let post = |c: &Http, form: Vec<(String, String)>| {
        let mut c = c.clone();
        async move {
            let pairs: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            c.post("/api/calendar/update_rule", &pairs).await
        }
    };
    let res = post(&admin, change(rule.version, &taken.to_uppercase(), true)).await;
    match res.error() {
        AppError::Invalid(e) => assert!(e.get("name").is_some(), "{e:?}"),
        other => panic!("{other:?}"),
    }
    let res = post(&other, change(rule.version, "Theirs now", true)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
    let res = post(&attorney, change(rule.version, "Mine now", true)).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");
    let res = post(
        &admin,
        change(rule.version, "Local rule 7.1 reply (14 days)", true),
    )
    .await;
    assert!(res.status.is_success(), "{res:?}");
    let res = post(&admin, change(rule.version, "Stale", false)).await;
    assert!(matches!(res.error(), AppError::Stale(_)), "{res:?}");
    let res = post(
        &admin,
        change(rule.version + 1, "Local rule 7.1 reply (14 days)", false),
    )
    .await;
    assert!(res.status.is_success(), "{res:?}");
    let ours: Vec<docket::calendar::RuleRow> = admin.post("/api/calendar/rules", &[]).await.json();
    let now = ours.iter().find(|r| r.id == rule.id).unwrap();
    assert_eq!((now.days, now.active), (14, false));
    // Not offered for a new deadline.
    let (mut c, m) = matter(&app).await;
    let offered = calendar_of(&mut c, m).await.rules;
    assert!(offered.iter().all(|r| r.id != rule.id));
    let res = c
        .post(
            "/api/calendar/add_deadline",
            &[
                ("matter", &m.to_string()),
                ("form[trigger]", "2030-01-02"),
                ("form[rule]", &rule.id.to_string()),
            ],
        )
        .await;
    assert!(matches!(res.error(), AppError::Invalid(_)), "{res:?}");
}

#[tokio::test]
async fn the_daily_digest_tells_each_person_what_is_coming_and_no_one_else() {
    let app = TestApp::spawn().await;
    let (mut c, m) = matter(&app).await;
    let busy = crate::support::unique_email("busy");
    let idle = crate::support::unique_email("idle");
    let busy_id = app.add_member(app.a.id, &busy, "staff").await;
    app.add_member(app.a.id, &idle, "staff").await;
    let today = chrono::Utc::now().date_naive();
    let res = c
        .post(
            "/api/calendar/create_task",
            &[
                ("matter", &m.to_string()),
                ("form[title]", "Prepare the exhibit binder"),
                ("form[assignee]", &busy_id.to_string()),
                (
                    "form[due_on]",
                    &(today + chrono::Duration::days(2)).to_string(),
                ),
                ("form[priority]", ""),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    sqlx::query(
        "INSERT INTO jobs (organization_id, kind, unique_key, payload)
         VALUES ($1, 'daily_digest', 'test-digest', jsonb_build_object('day', $2::text))",
    )
    .bind(app.a.id)
    .bind(today.to_string())
    .execute(&app.admin_pool)
    .await
    .unwrap();
    let ran = docket::jobs::worker::run_due(&app.state, "w/0")
        .await
        .unwrap()
        .unwrap();
    assert!(ran.result.is_ok(), "{ran:?}");
    // Run again (its process died after writing): nothing is sent twice.
    sqlx::query("UPDATE jobs SET status = 'queued' WHERE unique_key = 'test-digest'")
        .execute(&app.admin_pool)
        .await
        .unwrap();
    docket::jobs::worker::run_due(&app.state, "w/0")
        .await
        .unwrap()
        .unwrap();
    let mail = crate::support::messages_to(&busy, 1).await;
    assert_eq!(mail.len(), 1);
    assert_eq!(
        mail[0]["subject"].as_str().unwrap(),
        "Your week at Alpha Law: 0 deadlines, 1 task"
    );
    assert!(mail[0]["text"]
        .as_str()
        .unwrap()
        .contains("Prepare the exhibit binder"));
    assert!(
        crate::support::messages_to(&idle, 0).await.is_empty(),
        "nothing coming, no message"
    );
}

#[tokio::test]
async fn a_hearing_is_rescheduled_and_cancelled_once_with_its_version_and_never_by_another_firm() {
    let app = TestApp::spawn().await;
    let (mut c, m) = matter(&app).await;
    let staff = docket::calendar::EventForm::attendee_key(app.a.staff);
    let res = c
        .post(
            "/api/calendar/create_event",
            &[
                ("matter", &m.to_string()),
                ("form[kind]", "hearing"),
                ("form[title]", "Motion hearing"),
                ("form[date]", "2030-03-05"),
                ("form[start]", "09:30"),
                ("form[location]", "Courtroom 4B"),
                (&staff, "on"),
            ],
        )
        .await;
    assert!(res.status.is_success(), "{res:?}");
    let event = calendar_of(&mut c, m).await.upcoming.remove(0);
    assert_eq!(event.attendee_ids, vec![app.a.staff]);
    let form = event.form();
    assert_eq!((form.start.as_str(), form.all_day.as_str()), ("09:30", ""));

    // Moved to another day and time, the attorney attending instead of staff.
    let id = event.id.to_string();
    let attorney = docket::calendar::EventForm::attendee_key(app.a.attorney);
    let change = |version: &str, date: &str, who: &str| {
        let (id, who) = (id.clone(), who.to_string());
        vec![
            ("id".to_string(), id),
            ("version".to_string(), version.to_string()),
            ("form[kind]".to_string(), "hearing".to_string()),
            (
                "form[title]".to_string(),
                "Motion hearing (moved)".to_string(),
            ),
            ("form[date]".to_string(), date.to_string()),
            ("form[start]".to_string(), "14:00".to_string()),
            ("form[location]".to_string(), "Courtroom 2".to_string()),
            (who, "on".to_string()),
        ]
    };
    let post = |c: &mut Http, form: Vec<(String, String)>, what: &'static str| {
        let mut c = c.clone();
        async move {
            let pairs: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            c.post(&format!("/api/calendar/{what}"), &pairs).await
        }
    };
    let attorney_key = attorney.as_str();
    let res = post(
        &mut c,
        change("1", "2030-03-12", attorney_key),
        "update_event",
    )
    .await;
    assert!(res.status.is_success(), "{res:?}");
    let moved = calendar_of(&mut c, m).await.upcoming.remove(0);
    assert_eq!(moved.date.to_string(), "2030-03-12");
    assert_eq!(moved.start.as_deref(), Some("14:00"));
    assert_eq!(moved.location, "Courtroom 2");
    assert_eq!(moved.attendee_ids, vec![app.a.attorney]);
    // The same form again: the page showed an older version.
    let res = post(
        &mut c,
        change("1", "2030-03-19", attorney_key),
        "update_event",
    )
    .await;
    assert!(matches!(res.error(), AppError::Stale(_)), "{res:?}");
    // An attendee of another firm: refused beside the field, nothing changed.
    let other_key = docket::calendar::EventForm::attendee_key(app.b.admin);
    let res = post(
        &mut c,
        change("2", "2030-03-19", &other_key),
        "update_event",
    )
    .await;
    match res.error() {
        AppError::Invalid(e) => assert!(e.get("attendees").is_some(), "{e:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        calendar_of(&mut c, m).await.upcoming[0].date.to_string(),
        "2030-03-12"
    );
    // Another firm's administrator: not found, whatever the form says.
    let mut beta = app.signed_in(app.b.admin).await;
    let res = post(
        &mut beta,
        change("2", "2030-03-19", attorney_key),
        "update_event",
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
    let cancel = |version: &str| {
        vec![
            ("id".to_string(), id.clone()),
            ("version".to_string(), version.to_string()),
        ]
    };
    let res = post(&mut beta, cancel("2"), "cancel_event").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
    // Billing staff do not schedule.
    let mut billing = app.signed_in(app.a.billing).await;
    let res = post(&mut billing, cancel("2"), "cancel_event").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{res:?}");

    // Cancelled: off the calendar, in the activity log, once.
    let res = post(&mut c, cancel("1"), "cancel_event").await;
    assert!(matches!(res.error(), AppError::Stale(_)), "{res:?}");
    let res = post(&mut c, cancel("2"), "cancel_event").await;
    assert!(res.status.is_success(), "{res:?}");
    assert!(calendar_of(&mut c, m).await.upcoming.is_empty());
    assert_eq!(app.count("SELECT count(*) FROM event_attendees").await, 0);
    assert_eq!(
        app.count(
            "SELECT count(*) FROM activity_logs WHERE action IN ('event.update', 'event.cancel')"
        )
        .await,
        2
    );
    let res = post(&mut c, cancel("2"), "cancel_event").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{res:?}");
}

#[tokio::test]
async fn without_javascript_a_refused_change_comes_back_in_its_own_events_form_only() {
    let app = TestApp::spawn().await;
    let (mut c, m) = matter(&app).await;
    for (title, date) in [
        ("First hearing", "2030-03-05"),
        ("Second hearing", "2030-03-06"),
    ] {
        let res = c
            .post(
                "/api/calendar/create_event",
                &[
                    ("matter", &m.to_string()),
                    ("form[kind]", "hearing"),
                    ("form[title]", title),
                    ("form[date]", date),
                    ("form[start]", "09:30"),
                ],
            )
            .await;
        assert!(res.status.is_success(), "{res:?}");
    }
    let events = calendar_of(&mut c, m).await.upcoming;
    let first = events.iter().find(|e| e.title == "First hearing").unwrap();
    let page = format!("/matters/{m}");
    let (org, id, version) = (
        app.a.id.to_string(),
        first.id.to_string(),
        first.version.to_string(),
    );
    let res = c
        .plain_post(
            "/api/calendar/update_event",
            &[
                ("org", &org),
                ("id", &id),
                ("version", &version),
                ("form[kind]", "hearing"),
                ("form[title]", "Typed but refused"),
                ("form[date]", "2030-03-05"),
                ("form[start]", "25:00"),
            ],
            &page,
        )
        .await;
    assert!(res.status.is_redirection(), "{res:?}");
    let shown = c.page(&page).await.body;
    assert_eq!(
        shown.matches("value=\"Typed but refused\"").count(),
        1,
        "only in the first event's form"
    );
    // The refusal is shown in the first event's form (beside the field and above it), not in
    // the second's, which comes after it.
    let second = shown.find("value=\"Second hearing\"").unwrap();
    let refusals: Vec<usize> = shown
        .match_indices("Enter a time such as 14:30.")
        .map(|(i, _)| i)
        .collect();
    assert!(
        !refusals.is_empty() && refusals.iter().all(|i| *i < second),
        "{refusals:?}"
    );
    assert_eq!(
        shown.matches("<details open").count(),
        1,
        "its form is open"
    );
}
