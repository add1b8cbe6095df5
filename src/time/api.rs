//! Time server functions: who is calling → validate → repo → activity log → result.

use leptos::prelude::*;
use uuid::Uuid;

use super::{TimeDefaults, TimeEntry, TimeForm, TimeQuery, TimeRow, Timer, TimerForm};
use crate::error::AppError;
use crate::kernel::Page;

/// A firm's time: one matter's (`query.matter`), or one person's (the caller's by default).
#[server(endpoint = "time/list")]
pub async fn list_time(query: TimeQuery) -> Result<Page<TimeRow>, AppError> {
    crate::server::endpoint("time.list", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        // A person's own time is theirs to see; everyone's, billing staff's and admins'.
        let other = Uuid::parse_str(&query.person).is_ok_and(|p| p != caller.user_id);
        if other && !super::may_manage_time(caller.role) {
            return Err(AppError::Forbidden);
        }
        let mut page = super::repo::list(&mut tx, &query, caller.user_id).await?;
        // Staff see the rates and amounts of their own time only.
        if !super::sees_amounts(caller.role) {
            for t in page
                .items
                .iter_mut()
                .filter(|t| t.user_id != caller.user_id)
            {
                t.rate = None;
                t.amount = None;
            }
        }
        tx.commit().await?;
        Ok(page)
    })
    .await
}

/// What the time form starts from: the matter named by id (empty: none yet), today and the
/// caller's rate on it.
#[server(endpoint = "time/defaults")]
pub async fn time_form_defaults(matter: String) -> Result<TimeDefaults, AppError> {
    crate::server::endpoint("time.defaults", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let named = match Uuid::parse_str(matter.trim()) {
            Ok(_) => crate::matters::repo::find(&mut tx, &matter, false).await?,
            Err(_) => None,
        };
        let defaults = super::repo::defaults(&mut tx, &caller, named).await?;
        tx.commit().await?;
        Ok(defaults)
    })
    .await
}

#[server(endpoint = "time/get")]
pub async fn get_time(id: Uuid) -> Result<TimeEntry, AppError> {
    crate::server::endpoint("time.get", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let entry = super::repo::get(&mut tx, id).await?;
        if entry.user_id != caller.user_id && !super::may_manage_time(caller.role) {
            return Err(AppError::Forbidden);
        }
        tx.commit().await?;
        Ok(entry)
    })
    .await
}

/// Record the caller's time on a matter. The rate is the one that applies (see `rates`) unless
/// billing staff or an admin typed another.
#[server(endpoint = "time/create")]
pub async fn create_time(org: Uuid, form: TimeForm) -> Result<Uuid, AppError> {
    crate::server::endpoint("time.create", async move {
        let (caller, mut tx) =
            crate::auth::caller::Caller::begin_write_if(org, super::may_record_time)
                .await
                .map_err(|e| e.keeping(form.values()))?;
        let typed = form.values();
        let refused =
            |e: crate::kernel::FieldErrors| AppError::Invalid(e.with_values(typed.clone()));
        let (today, currency, _) = super::repo::firm(&mut tx).await?;
        let valid = form.validate(today, &currency).map_err(refused)?;
        let matter = crate::matters::repo::find(&mut tx, &form.matter, true)
            .await?
            .ok_or_else(|| {
                refused(crate::kernel::FieldErrors::one(
                    "matter",
                    "No matter of this firm has this number.",
                ))
            })?;
        if matter.closed && valid.billable {
            return Err(refused(crate::kernel::FieldErrors::one(
                "billable",
                "This matter is closed: time on it cannot be billed.",
            )));
        }
        let id = record_entry(&mut tx, &caller, &matter, &valid, "")
            .await
            .map_err(|e| match e {
                AppError::Invalid(f) => refused(f),
                e => e,
            })?;
        tx.commit().await?;
        leptos_axum::redirect(&format!("/matters/{}", matter.id));
        Ok(id)
    })
    .await
}

/// Change an unbilled entry: its own person's, or anyone's for billing staff and admins.
#[server(endpoint = "time/update")]
pub async fn update_time(
    org: Uuid,
    id: Uuid,
    version: i32,
    form: TimeForm,
) -> Result<(), AppError> {
    use crate::audit::{changes_between, record, Entry};
    use crate::kernel::FieldErrors;
    crate::server::endpoint("time.update", async move {
        let (caller, mut tx) =
            crate::auth::caller::Caller::begin_write_if(org, super::may_record_time)
                .await
                .map_err(|e| e.keeping(form.values()))?;
        let before = super::repo::lock(&mut tx, id).await?;
        if before.user_id != caller.user_id && !super::may_manage_time(caller.role) {
            return Err(AppError::Forbidden);
        }
        match before.status {
            super::TimeStatus::Unbilled => {}
            super::TimeStatus::WrittenOff => {
                return Err(AppError::Conflict(
                    "This time was written off, so it cannot be changed.".into(),
                ))
            }
            super::TimeStatus::Billed => {
                return Err(AppError::Conflict(
                    "This time is on an invoice, so it cannot be changed.".into(),
                ))
            }
        }
        let typed = form.values();
        let refused = |e: FieldErrors| {
            AppError::Invalid(
                e.with_values(typed.clone())
                    .with_value("version", version.to_string()),
            )
        };
        // Time stays on its matter: moving it would be a new entry on the other one.
        let named = form.matter.trim();
        if !named.is_empty() && named != before.matter_id.to_string() {
            return Err(refused(crate::kernel::FieldErrors::one(
                "matter",
                "Time cannot move to another matter: record it there instead.",
            )));
        }
        let form = super::TimeForm {
            matter: before.matter_id.to_string(),
            ..form
        };
        let (today, currency, _) = super::repo::firm(&mut tx).await?;
        let after = form.validate(today, &currency).map_err(refused)?;
        if version != before.version {
            // A form without a rate field (only administrators get one) keeps the stored rate.
            let submitted = super::ValidTime {
                rate: after.rate.or(Some(before.rate)),
                ..after.clone()
            };
            let fields = FieldErrors::stale(
                &shown(&before.fields),
                &shown(&submitted),
                typed,
                before.version,
            );
            return Err(AppError::Stale(fields));
        }
        let matter = crate::matters::repo::find(&mut tx, &before.matter_id.to_string(), true)
            .await?
            .ok_or(AppError::NotFound)?;
        // What was billable before the matter closed stays editable; nothing becomes billable.
        if matter.closed && after.billable && !before.fields.billable {
            return Err(refused(crate::kernel::FieldErrors::one(
                "billable",
                "This matter is closed: time on it cannot be billed.",
            )));
        }
        // The rate stays as recorded unless someone who may set rates typed another.
        let rate = settle_rate(after.rate, before.rate, caller.role).map_err(refused)?;
        let stored = super::ValidTime {
            rate: Some(rate),
            ..after.clone()
        };
        let changes = changes_between(&before.fields, &stored);
        if changes.as_object().is_some_and(|c| !c.is_empty()) {
            super::repo::update(&mut tx, id, &after, rate).await?;
            record(
                &mut tx,
                &caller,
                Entry::new("time.update", "time_entry", id)
                    .summary(format!("{} {}", matter.number, after.work_date))
                    .changes(changes),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Write one entry of the caller's on `matter` at the rate that applies (or the one typed, by
/// those who may), with its activity row. `how` is added to the log's summary.
#[cfg(feature = "ssr")]
async fn record_entry(
    tx: &mut crate::server::db::Tx,
    caller: &crate::auth::caller::Caller,
    matter: &crate::matters::repo::MatterRef,
    valid: &super::ValidTime,
    how: &str,
) -> Result<Uuid, AppError> {
    use crate::audit::{changes_of_new, record, Entry};
    let (resolved, _) = super::repo::rates(tx, matter.id, caller.user_id)
        .await?
        .resolve();
    let rate = settle_rate(valid.rate, resolved, caller.role).map_err(AppError::Invalid)?;
    let id = super::repo::insert(tx, caller, matter.id, valid, rate).await?;
    let mut changes = changes_of_new(valid);
    changes["matter"] = serde_json::json!({ "to": matter.number });
    changes["rate"] = serde_json::json!({ "to": rate.to_string() });
    let entry = Entry::new("time.create", "time_entry", id)
        .summary(format!(
            "{} {} on {}{how}",
            super::duration::format_minutes(valid.minutes),
            matter.number,
            valid.work_date
        ))
        .changes(changes);
    record(tx, caller, entry).await?;
    Ok(id)
}

/// The rate an entry is recorded at: `current` (the resolved rate, or the one already recorded)
/// unless the form typed another, which only billing staff and admins may.
#[cfg(feature = "ssr")]
fn settle_rate(
    typed: Option<rust_decimal::Decimal>,
    current: rust_decimal::Decimal,
    role: crate::auth::Role,
) -> Result<rust_decimal::Decimal, crate::kernel::FieldErrors> {
    match typed {
        Some(r) if r == current => Ok(current),
        Some(_) if !super::may_set_rates(role) => Err(crate::kernel::FieldErrors::one(
            "rate",
            "Only an administrator can change the rate.",
        )),
        Some(r) => Ok(cents(r)),
        None => Ok(current),
    }
}

/// A rate as stored: two decimals ("350.5" and "350.50" are one rate).
#[cfg(feature = "ssr")]
fn cents(r: rust_decimal::Decimal) -> rust_decimal::Decimal {
    let mut r = r.round_dp(2);
    r.rescale(2);
    r
}

/// Each field as a person reads it, for the stale-form message.
#[cfg(feature = "ssr")]
fn shown(t: &super::ValidTime) -> Vec<(&'static str, String)> {
    vec![
        ("work_date", t.work_date.to_string()),
        ("duration", super::duration::format_minutes(t.minutes)),
        ("description", t.description.clone()),
        ("activity_code", t.activity_code.clone().unwrap_or_default()),
        ("task_code", t.task_code.clone().unwrap_or_default()),
        ("billable", if t.billable { "Yes" } else { "No" }.into()),
        (
            "rate",
            t.rate.map(|r| cents(r).to_string()).unwrap_or_default(),
        ),
    ]
}

/// The caller's timer, if one is running or paused.
#[server(endpoint = "time/timer")]
pub async fn my_timer() -> Result<Option<Timer>, AppError> {
    crate::server::endpoint("time.timer", async move {
        let (_caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let timer = super::repo::timer(&mut tx, false).await?;
        tx.commit().await?;
        Ok(timer)
    })
    .await
}

/// Start the caller's timer on a matter (one at a time).
#[server(endpoint = "time/timer_start")]
pub async fn start_timer(org: Uuid, form: TimerForm) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("time.timer_start", async move {
        let (caller, mut tx) =
            crate::auth::caller::Caller::begin_write_if(org, super::may_record_time)
                .await
                .map_err(|e| e.keeping(form.values()))?;
        let typed = form.values();
        let refused =
            |e: crate::kernel::FieldErrors| AppError::Invalid(e.with_values(typed.clone()));
        let description = form.validate().map_err(refused)?;
        if super::repo::timer(&mut tx, true).await?.is_some() {
            return Err(AppError::Conflict(
                "Your timer is already running: stop it before starting another.".into(),
            ));
        }
        let matter = crate::matters::repo::find(&mut tx, &form.matter, true)
            .await?
            .ok_or_else(|| {
                refused(crate::kernel::FieldErrors::one(
                    "matter",
                    "No matter of this firm has this number.",
                ))
            })?;
        if matter.closed {
            return Err(refused(crate::kernel::FieldErrors::one(
                "matter",
                "This matter is closed: record non-billable time on it with New time entry.",
            )));
        }
        if !super::repo::start_timer(&mut tx, &caller, matter.id, &description).await? {
            return Err(AppError::Conflict(
                "Your timer is already running: stop it before starting another.".into(),
            ));
        }
        record(
            &mut tx,
            &caller,
            Entry::new("time.timer_start", "timer", matter.id)
                .summary(format!("Timer started on {}", matter.number)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Pause, resume, stop (recording the time) or discard the caller's timer. `version` is the
/// timer's as the page showed it: a page older than the last change is refused.
#[server(endpoint = "time/timer_update")]
pub async fn update_timer(
    org: Uuid,
    timer: Uuid,
    version: i32,
    action: String,
) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("time.timer_update", async move {
        let (caller, mut tx) =
            crate::auth::caller::Caller::begin_write_if(org, super::may_record_time).await?;
        let shown = timer;
        let timer = super::repo::timer(&mut tx, true)
            .await?
            .filter(|t| t.id == shown)
            .ok_or_else(|| AppError::Conflict("That timer was already stopped.".into()))?;
        if timer.version != version {
            return Err(AppError::Conflict(
                "Your timer changed in another tab or device: this page now shows it as it is.".into(),
            ));
        }
        let log = |what: &str| {
            Entry::new("time.timer_update", "timer", timer.matter_id)
                .summary(format!("Timer {what} on {}", timer.matter_number))
        };
        match action.as_str() {
            "pause" | "resume" => {
                // Pausing a paused timer changes nothing, and says nothing in the log.
                if super::repo::set_timer_running(&mut tx, action == "resume").await? {
                    record(&mut tx, &caller, log(if action == "resume" { "resumed" } else { "paused" })).await?;
                }
            }
            "discard" => {
                super::repo::delete_timer(&mut tx).await?;
                record(&mut tx, &caller, log("discarded")).await?;
            }
            "stop" => {
                let minutes = Timer::minutes(timer.elapsed_seconds).ok_or_else(|| {
                    AppError::Conflict(
                        "The timer ran for more than a day, which one entry cannot hold: record the time with New time entry and discard the timer.".into(),
                    )
                })?;
                let matter = crate::matters::repo::find(&mut tx, &timer.matter_id.to_string(), true)
                    .await?
                    .ok_or(AppError::NotFound)?;
                // On the day the timer was started (the firm's day), however long it ran.
                let valid = super::ValidTime {
                    work_date: timer.started_on,
                    minutes,
                    description: timer.description.clone(),
                    activity_code: None,
                    task_code: None,
                    billable: !matter.closed,
                    rate: None,
                };
                super::repo::delete_timer(&mut tx).await?;
                record_entry(&mut tx, &caller, &matter, &valid, " (timer)").await?;
                tx.commit().await?;
                leptos_axum::redirect(&format!("/matters/{}", matter.id));
                return Ok(());
            }
            _ => return Err(AppError::BadRequest("unknown timer action".into())),
        }
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// One person's week of time (the caller's by default; anyone's for billing staff and admins).
/// `week` is any day of it; empty is this week in the firm's time zone.
#[server(endpoint = "time/week")]
pub async fn time_week(week: String, person: String) -> Result<super::Week, AppError> {
    crate::server::endpoint("time.week", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let person = Uuid::parse_str(person.trim()).unwrap_or(caller.user_id);
        if person != caller.user_id && !super::may_manage_time(caller.role) {
            return Err(AppError::Forbidden);
        }
        let today = super::repo::firm(&mut tx).await?.0;
        let day = crate::kernel::parse_date(&week).unwrap_or(today);
        let w = super::repo::week(&mut tx, person, super::Week::start_of(day), today).await?;
        tx.commit().await?;
        Ok(w)
    })
    .await
}
