use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::error::AppError;
use crate::kernel::{format_money, Choice, FieldErrors};
use crate::time::api::{get_time, time_form_defaults, CreateTime, UpdateTime};
use crate::time::duration::format_minutes;
use crate::time::rates::RateSource;
use crate::time::{may_manage_time, may_set_rates, TimeDefaults, TimeEntry, TimeStatus, ValidTime};
use crate::ui::{
    action_error, form_errors, loaded, reload_on_success, session_info, CheckboxField, FormAlert,
    FormStamp, Loading, TextArea, TextField,
};

/// `/time/new?matter=…`: record time, on the named matter or on one typed by number.
#[component]
pub fn NewTimePage() -> impl IntoView {
    let params = use_query_map();
    let matter = Memo::new(move |_| params.with(|p| p.get("matter").unwrap_or_default()));
    let defaults = Resource::new(move || matter.get(), time_form_defaults);
    view! {
        <Title text="New time entry · Docket"/>
        <h1>"New time entry"</h1>
        <Suspense fallback=Loading>
            {loaded(defaults, move |d| view! { <NewTimeForm defaults=d/> })}
        </Suspense>
    }
}

#[component]
fn NewTimeForm(defaults: TimeDefaults) -> impl IntoView {
    let action = ServerAction::<CreateTime>::new();
    let error = action_error(action);
    let errors = form_errors(error);
    let d = defaults;
    let rate_note = match d.rate_source {
        RateSource::Unset if d.matter_id.is_none() => {
            "the rate that applies to you on the matter.".to_string()
        }
        source => format!(
            "{}/h, {}.",
            format_money(d.rate, &d.currency),
            source.label()
        ),
    };
    let cancel = d
        .matter_id
        .map(|m| format!("/matters/{m}"))
        .unwrap_or_else(|| "/time".into());
    view! {
        <section class="card">
            {d.matter_id.map(|_| view! {
                <p>"Matter: "<span class="mono">{d.matter_number.clone()}</span>" "{d.matter_title.clone()}</p>
            })}
            {d.matter_closed.then(|| view! {
                <p class="alert warn" role="note">"This matter is closed: time on it can be recorded as non-billable only."</p>
            })}
            <FormAlert error/>
            <ActionForm action>
                <FormStamp errors/>
                {match d.matter_id {
                    Some(id) => view! { <input type="hidden" name="form[matter]" value=id.to_string()/> }.into_any(),
                    None => view! {
                        <TextField label="Matter" key="matter" errors required=true autocomplete="off"
                            hint="The matter's number, e.g. 2026-0001"/>
                    }.into_any(),
                }}
                <TimeFields errors current=None today=d.today billable=!d.matter_closed
                    can_set_rate=d.can_set_rate currency=d.currency.clone() rate_note/>
                <p class="hint">{format!("Billed in steps of {} minutes.", d.increment)}</p>
                <div class="actions">
                    <button type="submit" class="primary">"Save time"</button>
                    <a href=cancel>"Cancel"</a>
                </div>
            </ActionForm>
        </section>
    }
}

/// The fields of a time entry, new (`current` none) or recorded.
#[component]
fn TimeFields(
    errors: Signal<Option<FieldErrors>>,
    current: Option<ValidTime>,
    today: NaiveDate,
    billable: bool,
    can_set_rate: bool,
    currency: String,
    /// The rate as a sentence, for those who may not change it.
    rate_note: String,
) -> impl IntoView {
    let c = current.as_ref();
    let date = c.map(|t| t.work_date).unwrap_or(today).to_string();
    let duration = c.map(|t| format_minutes(t.minutes)).unwrap_or_default();
    let description = c.map(|t| t.description.clone()).unwrap_or_default();
    let activity = c.and_then(|t| t.activity_code.clone()).unwrap_or_default();
    let task = c.and_then(|t| t.task_code.clone()).unwrap_or_default();
    let billable = c.map(|t| t.billable).unwrap_or(billable);
    let rate = c
        .and_then(|t| t.rate)
        .map(|r| r.to_string())
        .unwrap_or_default();
    view! {
        <div class="grid">
            <TextField label="Date" key="work_date" kind="date" value=date errors required=true/>
            <TextField label="Duration" key="duration" value=duration errors required=true autocomplete="off"
                hint="1.5, 1:30, 1h 30m or 90m"/>
            <CheckboxField label="Billable" key="billable" checked=billable errors/>
            <TextField label="Activity code" key="activity_code" value=activity errors autocomplete="off" hint="UTBMS, optional: A101"/>
            <TextField label="Task code" key="task_code" value=task errors autocomplete="off" hint="UTBMS, optional: L120"/>
            {if can_set_rate {
                view! {
                    <TextField label=format!("Rate ({currency}/h)") key="rate" value=rate errors autocomplete="off"
                        hint="Empty: the rate that applies"/>
                }.into_any()
            } else {
                view! { <p class="field hint">"Rate: "{rate_note}</p> }.into_any()
            }}
            <TextArea label="Description" key="description" value=description errors/>
        </div>
    }
}

/// `/time/{id}`: a recorded entry; unbilled time can be changed by its person, billing staff and
/// administrators.
#[component]
pub fn EditTimePage() -> impl IntoView {
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok())));
    let update = ServerAction::<UpdateTime>::new();
    let version = RwSignal::new(0usize);
    reload_on_success(update, version);
    let entry = Resource::new(
        move || (id.get(), version.get()),
        |(id, _)| async move { get_time(id.ok_or(AppError::NotFound)?).await },
    );
    view! {
        <Title text="Time entry · Docket"/>
        <Transition fallback=Loading>
            {loaded(entry, move |t| view! { <EditTimeForm entry=t update/> })}
        </Transition>
    }
}

#[component]
fn EditTimeForm(entry: TimeEntry, update: ServerAction<UpdateTime>) -> impl IntoView {
    let error = action_error(update);
    let errors = form_errors(error);
    let session = session_info();
    let currency = session
        .as_ref()
        .map(|s| s.currency.clone())
        .unwrap_or_default();
    let me = session.as_ref().map(|s| s.user_id);
    let can_set_rate = session.as_ref().is_some_and(|s| may_set_rates(s.role));
    let manages = session.as_ref().is_some_and(|s| may_manage_time(s.role));
    let editable = entry.status == TimeStatus::Unbilled && (me == Some(entry.user_id) || manages);
    let saved = move || update.value().with(|v| matches!(v, Some(Ok(()))));
    let rate_note = format!("{}/h, as recorded.", format_money(entry.rate, &currency));
    let t = entry.fields.clone();
    view! {
        <div class="page-head">
            <div>
                <p class="crumbs"><a href=format!("/matters/{}", entry.matter_id)>
                    <span class="mono">{entry.matter_number.clone()}</span>" "{entry.matter_title.clone()}</a></p>
                <h1>"Time entry"</h1>
                <p class="muted">{entry.user_name.clone()}" · "{entry.status.label()}</p>
            </div>
        </div>
        <section class="card">
            {(!editable).then(|| view! {
                <p class="alert warn" role="note">{if entry.status == TimeStatus::Unbilled {
                    "Only its person, billing staff and administrators can change this entry."
                } else {
                    "This time is on an invoice, so it cannot be changed."
                }}</p>
            })}
            <FormAlert error/>
            {move || saved().then(|| view! { <div class="alert ok" role="status">"Saved."</div> })}
            <ActionForm action=update>
                <FormStamp errors version=entry.version/>
                <input type="hidden" name="id" value=entry.id.to_string()/>
                <input type="hidden" name="form[matter]" value=entry.matter_id.to_string()/>
                <fieldset disabled=!editable>
                    <legend class="visually-hidden">"Time entry"</legend>
                    <TimeFields errors current=Some(t) today=entry.fields.work_date billable=true
                        can_set_rate currency=currency.clone() rate_note/>
                    <div class="actions"><button type="submit" class="primary">"Save time"</button></div>
                </fieldset>
            </ActionForm>
        </section>
    }
}
