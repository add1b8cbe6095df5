//! Calendar server functions: who is calling → validate → repo → activity log. Each change is
//! one transaction with its activity row; a change to an existing event or task starts by
//! locking it and checking the version the page showed (409 otherwise).

use leptos::prelude::*;
use uuid::Uuid;

use super::{
    CalendarPage, CalendarQuery, DeadlineForm, EventForm, MatterCalendar, RuleForm, Task, TaskForm,
    TriggerForm,
};
use crate::error::AppError;

/// A matter's upcoming events and its tasks, with what the forms offer.
#[server(endpoint = "calendar/matter")]
pub async fn get_matter_calendar(matter: Uuid) -> Result<MatterCalendar, AppError> {
    use super::repo::{self, Whose};
    crate::server::endpoint("calendar.matter", async move {
        let (_caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        repo::matter_number(&mut tx, matter).await?;
        let today = repo::today(&mut tx).await?;
        let far = today + chrono::Duration::days(3660);
        let upcoming =
            repo::events_between(&mut tx, today, far, Whose::Firm, Some(matter), 50).await?;
        let tasks = repo::matter_tasks(&mut tx, matter).await?;
        let rules = repo::rules(&mut tx, true).await?;
        let people = crate::auth::repo::people(&mut tx).await?;
        tx.commit().await?;
        Ok(MatterCalendar {
            today,
            upcoming,
            tasks,
            rules,
            people,
        })
    })
    .await
}

#[cfg(feature = "ssr")]
async fn begin(
    org: Uuid,
    typed: &[(String, String)],
) -> Result<(crate::auth::caller::Caller, crate::server::db::Tx), AppError> {
    crate::auth::caller::Caller::begin_write_if(org, super::may_schedule)
        .await
        .map_err(|e| e.keeping(typed.to_vec()))
}

/// "New event" on a matter.
#[server(endpoint = "calendar/create_event")]
pub async fn create_event(org: Uuid, matter: Uuid, form: EventForm) -> Result<Uuid, AppError> {
    use crate::audit::{record, Entry};
    use crate::kernel::{Choice, FieldErrors};
    crate::server::endpoint("calendar.create_event", async move {
        let typed = form.values();
        let (caller, mut tx) = begin(org, &typed).await?;
        let valid = form
            .validate()
            .map_err(|e| AppError::Invalid(e.with_values(typed.clone())))?;
        let number = super::repo::matter_number(&mut tx, matter).await?;
        let id = super::repo::insert_event(&mut tx, matter, &valid, None).await?;
        let added = super::repo::add_attendees(&mut tx, id, matter, &valid.attendees).await?;
        if added != valid.attendees.len() {
            return Err(AppError::Invalid(
                FieldErrors::one(
                    "attendees",
                    "Choose attendees among the firm's active members.",
                )
                .with_values(typed),
            ));
        }
        let when = when(&valid);
        record(
            &mut tx,
            &caller,
            Entry::new("event.create", "event", id)
                .on_matter(Some(matter))
                .summary(format!(
                    "{} “{}” on {when}, matter {number}",
                    valid.kind.label(),
                    valid.title
                )),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    })
    .await
}

/// A change refused: the page showed an older version of the row (`current` now); what was
/// typed stays in the form.
#[cfg(feature = "ssr")]
fn stale(typed: Vec<(String, String)>, current: i32) -> AppError {
    AppError::Stale(
        crate::kernel::FieldErrors::default()
            .with_values(typed)
            .with_value("version", current.to_string()),
    )
}

/// A field error from the database's own check, with what was typed.
#[cfg(feature = "ssr")]
fn with_typed(e: AppError, typed: &[(String, String)]) -> AppError {
    match e {
        AppError::Invalid(f) => AppError::Invalid(f.with_values(typed.to_vec())),
        other => other,
    }
}

/// The words of an event's day and time, for the activity log.
#[cfg(feature = "ssr")]
fn when(e: &super::ValidEvent) -> String {
    match e.times {
        None => format!("{} (all day)", e.date),
        Some((s, _)) => format!("{} {}", e.date, s.format("%H:%M")),
    }
}

/// "Change" an event: its kind, title, day and times, place and attendees. A computed deadline
/// stays an all-day deadline on the day its rule gives (its trigger date changes that).
#[server(endpoint = "calendar/update_event")]
pub async fn update_event(
    org: Uuid,
    id: Uuid,
    version: i32,
    form: EventForm,
) -> Result<(), AppError> {
    use super::EventKind;
    use crate::audit::{record, Entry};
    use crate::kernel::{Choice, FieldErrors};
    crate::server::endpoint("calendar.update_event", async move {
        let mut typed = form.values();
        // Which row's form this was: a page has one per event (see `ui::row_action_error`).
        typed.push(("event".to_string(), id.to_string()));
        let (caller, mut tx) = begin(org, &typed).await?;
        let mut valid = form
            .validate()
            .map_err(|e| AppError::Invalid(e.with_values(typed.clone())))?;
        let (event, _) = super::repo::lock_event(&mut tx, id).await?;
        if event.version != version {
            return Err(stale(typed, event.version));
        }
        if event.computation.is_some() {
            if valid.date != event.date {
                return Err(AppError::Invalid(
                    FieldErrors::one(
                        "date",
                        "A computed deadline falls on the day its rule gives: change its trigger date instead.",
                    )
                    .with_values(typed),
                ));
            }
            valid.kind = EventKind::Deadline;
            valid.times = None;
        } else if valid.kind == EventKind::Deadline {
            return Err(AppError::Invalid(
                FieldErrors::one(
                    "kind",
                    "A deadline is computed from its rule: use “Add deadline”.",
                )
                .with_values(typed),
            ));
        }
        super::repo::update_event(&mut tx, id, &valid).await?;
        let added =
            super::repo::set_attendees(&mut tx, id, event.matter_id, &valid.attendees).await?;
        if added != valid.attendees.len() {
            return Err(AppError::Invalid(
                FieldErrors::one(
                    "attendees",
                    "Choose attendees among the firm's active members.",
                )
                .with_values(typed),
            ));
        }
        record(
            &mut tx,
            &caller,
            Entry::new("event.update", "event", id)
                .on_matter(Some(event.matter_id))
                .summary(format!(
                    "{} “{}” changed: {}, matter {}",
                    valid.kind.label(),
                    valid.title,
                    when(&valid),
                    event.matter_number
                )),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// "Cancel" an event: it leaves the calendars (and the feeds); the activity log keeps it.
#[server(endpoint = "calendar/cancel_event")]
pub async fn cancel_event(org: Uuid, id: Uuid, version: i32) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    use crate::kernel::Choice;
    crate::server::endpoint("calendar.cancel_event", async move {
        let typed = vec![("event".to_string(), id.to_string())];
        let (caller, mut tx) = begin(org, &typed).await?;
        let (event, _) = super::repo::lock_event(&mut tx, id).await?;
        if event.version != version {
            return Err(stale(typed, event.version));
        }
        super::repo::delete_event(&mut tx, id).await?;
        record(
            &mut tx,
            &caller,
            Entry::new("event.cancel", "event", id)
                .on_matter(Some(event.matter_id))
                .summary(format!(
                    "Cancelled {} “{}” of {}, matter {}",
                    event.kind.label().to_lowercase(),
                    event.title,
                    event.date,
                    event.matter_number
                )),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// "Add deadline": a deadline computed from a trigger date and one of the firm's rules.
#[server(endpoint = "calendar/add_deadline")]
pub async fn add_deadline(org: Uuid, matter: Uuid, form: DeadlineForm) -> Result<Uuid, AppError> {
    use super::deadline::{compute, Rule};
    use super::{EventKind, ValidEvent};
    use crate::audit::{record, Entry};
    use crate::kernel::FieldErrors;
    crate::server::endpoint("calendar.add_deadline", async move {
        let typed = form.values();
        let (caller, mut tx) = begin(org, &typed).await?;
        let (trigger, rule_id, title) = form
            .validate()
            .map_err(|e| AppError::Invalid(e.with_values(typed.clone())))?;
        let number = super::repo::matter_number(&mut tx, matter).await?;
        let Some(rule) = super::repo::rules(&mut tx, true)
            .await?
            .into_iter()
            .find(|r| r.id == rule_id)
        else {
            return Err(AppError::Invalid(
                FieldErrors::one("rule", "Choose one of the firm's rules.").with_values(typed),
            ));
        };
        let rule = Rule {
            name: rule.name,
            days: rule.days,
            counting: rule.counting,
            direction: rule.direction,
        };
        let computed = compute(trigger, &rule);
        let title = if title.is_empty() {
            rule.name.clone()
        } else {
            title
        };
        let event = ValidEvent {
            kind: EventKind::Deadline,
            title: title.clone(),
            date: computed.due,
            times: None,
            location: String::new(),
            attendees: vec![],
        };
        let id = super::repo::insert_event(
            &mut tx,
            matter,
            &event,
            Some((&rule, Some(rule_id), trigger, &computed.explanation)),
        )
        .await?;
        // On the calendars of whoever added it and the matter's responsible attorney.
        let mut people = vec![caller.user_id];
        people.extend(super::repo::responsible(&mut tx, matter).await?);
        super::repo::add_attendees(&mut tx, id, matter, &people).await?;
        record(
            &mut tx,
            &caller,
            Entry::new("event.deadline", "event", id)
                .on_matter(Some(matter))
                .summary(format!(
                    "Deadline “{title}” due {} ({} from {trigger}), matter {number}",
                    computed.due, rule.name
                )),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    })
    .await
}

/// A computed deadline's trigger date changed: the due date is computed again by its rule.
#[server(endpoint = "calendar/change_trigger")]
pub async fn change_trigger(
    org: Uuid,
    id: Uuid,
    version: i32,
    form: TriggerForm,
) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    use crate::kernel::{parse_date, FieldErrors};
    crate::server::endpoint("calendar.change_trigger", async move {
        let typed = vec![
            ("trigger".to_string(), form.trigger.clone()),
            ("event".to_string(), id.to_string()),
        ];
        let (caller, mut tx) = begin(org, &typed).await?;
        let trigger = parse_date(&form.trigger).map_err(|m| {
            AppError::Invalid(FieldErrors::one("trigger", m).with_values(typed.clone()))
        })?;
        let (event, rule) = super::repo::lock_event(&mut tx, id).await?;
        if event.version != version {
            return Err(stale(typed, event.version));
        }
        let (Some(rule), Some(before)) = (rule, event.computation.as_ref()) else {
            return Err(AppError::Conflict(
                "This event was not computed from a rule: change its date instead.".into(),
            ));
        };
        let computed = super::deadline::compute(trigger, &rule);
        super::repo::recompute(&mut tx, id, trigger, computed.due, &computed.explanation).await?;
        record(
            &mut tx,
            &caller,
            Entry::new("event.update", "event", id)
                .on_matter(Some(event.matter_id))
                .summary(format!(
                    "Deadline “{}”: trigger {} → {trigger}, due {} → {}",
                    event.title, before.trigger_date, event.date, computed.due
                ))
                .changes(serde_json::json!({
                    "trigger_date": { "from": before.trigger_date, "to": trigger },
                    "due": { "from": event.date, "to": computed.due },
                })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// "New task" on a matter.
#[server(endpoint = "calendar/create_task")]
pub async fn create_task(org: Uuid, matter: Uuid, form: TaskForm) -> Result<Uuid, AppError> {
    use crate::audit::{record, Entry};
    use crate::kernel::FieldErrors;
    crate::server::endpoint("calendar.create_task", async move {
        let typed = form.values();
        let (caller, mut tx) = begin(org, &typed).await?;
        let (title, assignee, due_on, priority) = form
            .validate()
            .map_err(|e| AppError::Invalid(e.with_values(typed.clone())))?;
        let number = super::repo::matter_number(&mut tx, matter).await?;
        if let Some(a) = assignee {
            if !super::repo::is_member(&mut tx, a).await? {
                return Err(AppError::Invalid(
                    FieldErrors::one("assignee", "Choose one of the firm's active members.")
                        .with_values(typed),
                ));
            }
        }
        let id =
            super::repo::insert_task(&mut tx, matter, &title, assignee, due_on, priority).await?;
        record(
            &mut tx,
            &caller,
            Entry::new("task.create", "task", id)
                .on_matter(Some(matter))
                .summary(format!("Task “{title}” on matter {number}")),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    })
    .await
}

/// Mark a task done. Anyone who may schedule on the matter may, as may its assignee.
#[server(endpoint = "calendar/complete_task")]
pub async fn complete_task(org: Uuid, id: Uuid, version: i32) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("calendar.complete_task", async move {
        let typed = vec![("task".to_string(), id.to_string())];
        let (caller, mut tx) = crate::auth::caller::Caller::begin_write_if(org, |_| true)
            .await
            .map_err(|e| e.keeping(typed.clone()))?;
        let (title, matter, assignee, status, current) =
            super::repo::lock_task(&mut tx, id).await?;
        if !super::may_schedule(caller.role) && assignee != Some(caller.user_id) {
            return Err(AppError::Forbidden);
        }
        if current != version {
            return Err(stale(typed, current));
        }
        if status == "done" {
            tx.commit().await?;
            return Ok(());
        }
        super::repo::complete_task(&mut tx, id).await?;
        record(
            &mut tx,
            &caller,
            Entry::new("task.complete", "task", id)
                .on_matter(Some(matter))
                .summary(format!("Completed task “{title}”"))
                .changes(serde_json::json!({ "status": { "from": "open", "to": "done" } })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// The caller's tasks: open ones by due date, then those done lately.
#[server(endpoint = "calendar/my_tasks")]
pub async fn my_tasks() -> Result<Vec<Task>, AppError> {
    crate::server::endpoint("calendar.my_tasks", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let tasks = super::repo::tasks_of(&mut tx, caller.user_id).await?;
        tx.commit().await?;
        Ok(tasks)
    })
    .await
}

/// A month, week or agenda of events: mine, a person's, or the firm's.
#[server(endpoint = "calendar/page")]
pub async fn get_calendar(query: CalendarQuery) -> Result<CalendarPage, AppError> {
    use super::repo::{self, Whose};
    use chrono::{Datelike, Duration};
    crate::server::endpoint("calendar.page", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let today = repo::today(&mut tx).await?;
        let day = crate::kernel::parse_date(&query.day).unwrap_or(today);
        let view = match query.view.as_str() {
            "month" | "agenda" => query.view.clone(),
            _ => "week".to_string(),
        };
        let (from, to, previous, next) = match view.as_str() {
            "month" => {
                let first = day.with_day(1).unwrap_or(day);
                let next = (first + Duration::days(32)).with_day(1).unwrap_or(first);
                let previous = (first - Duration::days(1)).with_day(1).unwrap_or(first);
                (first, next - Duration::days(1), previous, next)
            }
            "agenda" => (
                day,
                day + Duration::days(29),
                day - Duration::days(30),
                day + Duration::days(30),
            ),
            _ => {
                let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
                (
                    monday,
                    monday + Duration::days(6),
                    monday - Duration::days(7),
                    monday + Duration::days(7),
                )
            }
        };
        let (whose, who) = match query.who.as_str() {
            "firm" => (Whose::Firm, "firm".to_string()),
            s => match uuid::Uuid::parse_str(s) {
                Ok(p) if p != caller.user_id => (Whose::Person(p), p.to_string()),
                _ => (Whose::Person(caller.user_id), String::new()),
            },
        };
        let events = repo::events_between(&mut tx, from, to, whose, None, 1000).await?;
        let people = crate::auth::repo::people(&mut tx).await?;
        let origin = crate::server::AppState::current()?
            .config
            .public_origin
            .clone();
        let feed_url = repo::feed_token(&mut tx)
            .await?
            .map(|t| format!("{}/calendar/feed/{t}.ics", origin));
        tx.commit().await?;
        Ok(CalendarPage {
            view,
            who,
            from,
            to,
            today,
            previous,
            next,
            events,
            people,
            feed_url,
        })
    })
    .await
}

/// A new calendar feed URL for the caller (the previous one stops working).
#[server(endpoint = "calendar/reset_feed")]
pub async fn reset_feed(org: Uuid) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("calendar.reset_feed", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin_write_if(org, |_| true).await?;
        let (token, _) = crate::server::token::new();
        super::repo::reset_feed(&mut tx, &token).await?;
        record(
            &mut tx,
            &caller,
            Entry::new("calendar.feed", "user", caller.user_id)
                .summary("Made a new calendar feed URL"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// A new deadline rule of the firm (administrators).
#[server(endpoint = "calendar/add_rule")]
pub async fn add_rule(org: Uuid, form: RuleForm) -> Result<Uuid, AppError> {
    use crate::audit::{record, Entry};
    use crate::kernel::FieldErrors;
    crate::server::endpoint("calendar.add_rule", async move {
        let typed = form.values();
        let (caller, mut tx) =
            crate::auth::caller::Caller::begin_write_if(org, super::may_edit_rules)
                .await
                .map_err(|e| e.keeping(typed.clone()))?;
        let rule = form
            .validate()
            .map_err(|e| AppError::Invalid(e.with_values(typed.clone())))?;
        if super::repo::rule_named(&mut tx, &rule.name, None).await? {
            return Err(AppError::Invalid(
                FieldErrors::one("name", "The firm has a rule of that name.").with_values(typed),
            ));
        }
        let id = super::repo::insert_rule(&mut tx, &rule)
            .await
            .map_err(|e| with_typed(e, &typed))?;
        record(
            &mut tx,
            &caller,
            Entry::new("calendar.rule", "deadline_rule", id)
                .summary(format!("Deadline rule “{}”: {} days", rule.name, rule.days)),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    })
    .await
}

/// A rule of the firm changed, or no longer offered for new deadlines (administrators). The
/// deadlines computed by it keep the copy they were computed with.
#[server(endpoint = "calendar/update_rule")]
pub async fn update_rule(
    org: Uuid,
    id: Uuid,
    version: i32,
    form: RuleForm,
) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    use crate::kernel::FieldErrors;
    crate::server::endpoint("calendar.update_rule", async move {
        let mut typed = form.values();
        typed.push(("rule".to_string(), id.to_string()));
        let (caller, mut tx) =
            crate::auth::caller::Caller::begin_write_if(org, super::may_edit_rules)
                .await
                .map_err(|e| e.keeping(typed.clone()))?;
        let rule = form
            .validate()
            .map_err(|e| AppError::Invalid(e.with_values(typed.clone())))?;
        let (current, before) = super::repo::lock_rule(&mut tx, id).await?;
        if current != version {
            return Err(stale(typed, current));
        }
        if super::repo::rule_named(&mut tx, &rule.name, Some(id)).await? {
            return Err(AppError::Invalid(
                FieldErrors::one("name", "The firm has a rule of that name.").with_values(typed),
            ));
        }
        let offered = form.offered();
        super::repo::update_rule(&mut tx, id, &rule, offered)
            .await
            .map_err(|e| with_typed(e, &typed))?;
        record(
            &mut tx,
            &caller,
            Entry::new("calendar.rule", "deadline_rule", id).summary(format!(
                "Deadline rule “{before}” is now “{}”: {} days{}",
                rule.name,
                rule.days,
                if offered { "" } else { ", no longer offered" }
            )),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// The firm's deadline rules, those no longer offered included (marked).
#[server(endpoint = "calendar/rules")]
pub async fn deadline_rules() -> Result<Vec<super::RuleRow>, AppError> {
    crate::server::endpoint("calendar.rules", async move {
        let (_caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let rules = super::repo::rules(&mut tx, false).await?;
        tx.commit().await?;
        Ok(rules)
    })
    .await
}
