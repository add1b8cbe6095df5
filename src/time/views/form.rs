use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::kernel::{format_money, Choice};
use crate::time::api::{time_form_defaults, CreateTime};
use crate::time::rates::RateSource;
use crate::time::TimeDefaults;
use crate::ui::{
    action_error, form_errors, CheckboxField, ErrorPanel, FormAlert, FormStamp, Loading, TextArea,
    TextField,
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
            {move || defaults.get().map(|r| match r {
                Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                Ok(d) => view! { <NewTimeForm defaults=d/> }.into_any(),
            })}
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
            "The rate that applies to you on the matter.".to_string()
        }
        source => format!(
            "{}/h: {}.",
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
                <div class="grid">
                    {match d.matter_id {
                        Some(id) => view! { <input type="hidden" name="form[matter]" value=id.to_string()/> }.into_any(),
                        None => view! {
                            <TextField label="Matter" key="matter" errors required=true autocomplete="off"
                                hint="The matter's number, e.g. 2026-0001"/>
                        }.into_any(),
                    }}
                    <TextField label="Date" key="work_date" kind="date" value=d.today.to_string() errors required=true/>
                    <TextField label="Duration" key="duration" errors required=true autocomplete="off"
                        hint="1.5, 1:30, 1h 30m or 90m"/>
                    <CheckboxField label="Billable" key="billable" checked=!d.matter_closed errors/>
                    <TextField label="Activity code" key="activity_code" errors autocomplete="off" hint="UTBMS, optional: A101"/>
                    <TextField label="Task code" key="task_code" errors autocomplete="off" hint="UTBMS, optional: L120"/>
                    {if d.can_set_rate {
                        view! {
                            <TextField label=format!("Rate ({}/h)", d.currency) key="rate" errors autocomplete="off"
                                hint="Empty: the rate that applies"/>
                        }.into_any()
                    } else {
                        view! { <p class="field hint">"Rate: "{rate_note.clone()}</p> }.into_any()
                    }}
                    <TextArea label="Description" key="description" errors/>
                </div>
                <p class="hint">{format!("Billed in steps of {} minutes.", d.increment)}</p>
                <div class="actions">
                    <button type="submit" class="primary">"Save time"</button>
                    <a href=cancel>"Cancel"</a>
                </div>
            </ActionForm>
        </section>
    }
}
