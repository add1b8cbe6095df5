//! A draft line's own controls: edit it (in a disclosure, so the table stays a table), or take
//! it off the draft.

use leptos::prelude::*;
use uuid::Uuid;

use crate::invoices::api::{EditLine as EditLineFn, RemoveLine};
use crate::invoices::{InvoiceLine, LineType};
use crate::kernel::FieldErrors;
use crate::time::duration::format_minutes;
use crate::ui::{action_error, form_errors, reload_on_success, FormStamp};

/// Edit a line's description, hours (or quantity) and rate. Errors are shown beside the line
/// they belong to (a refused save names its line), with what was typed.
#[component]
pub fn EditLine(
    id: Uuid,
    version: i32,
    line: InvoiceLine,
    version_signal: RwSignal<usize>,
) -> impl IntoView {
    let action = ServerAction::<EditLineFn>::new();
    reload_on_success(action, version_signal);
    let error = action_error(action);
    let key = line.id.to_string();
    let errors: Signal<Option<FieldErrors>> = {
        let all = form_errors(error);
        let key = key.clone();
        Signal::derive(move || all.get().filter(|e| e.value("line") == Some(key.as_str())))
    };
    // A refusal that is not about a field (the invoice was issued meanwhile) is shown here too,
    // when it is this line's.
    let message = {
        let key = key.clone();
        move || {
            error.get().and_then(|e| {
                let mine = match e.fields() {
                    Some(f) => f.value("line") == Some(key.as_str()),
                    None => action.version().get() > 0,
                };
                mine.then(|| e.to_string())
            })
        }
    };
    let time = line.line_type == LineType::Time;
    let quantity = match line.minutes {
        Some(m) => format_minutes(m),
        None => line.quantity.normalize().to_string(),
    };
    let field = move |name: &'static str, label: &'static str, initial: String| {
        let fid = format!("line-{key}-{name}");
        let eid = format!("{fid}-error");
        let value = move || {
            errors
                .with(|e| e.as_ref().and_then(|e| e.value(name).map(str::to_string)))
                .unwrap_or_else(|| initial.clone())
        };
        let problem =
            move || errors.with(|e| e.as_ref().and_then(|e| e.get(name).map(str::to_string)));
        view! {
            <div class="field">
                <label for=fid.clone()>{label}</label>
                <input id=fid type="text" name=format!("form[{name}]") value=value autocomplete="off"
                    aria-invalid=move || problem().is_some().then_some("true") aria-describedby=eid.clone()/>
                <p class="field-error" id=eid>{problem}</p>
            </div>
        }
    };
    view! {
        <details class="line-edit" open=move || errors.with(Option::is_some)>
            <summary>"Edit"<span class="visually-hidden">{format!(" “{}”", line.description)}</span></summary>
            <ActionForm action>
                <FormStamp errors version/>
                <input type="hidden" name="id" value=id.to_string()/>
                <input type="hidden" name="line" value=line.id.to_string()/>
                {field("description", "Description", line.description.clone())}
                {field("quantity", if time { "Hours" } else { "Quantity" }, quantity)}
                {field("rate", if time { "Hourly rate" } else { "Unit price" }, line.rate.normalize().to_string())}
                <button type="submit" class="secondary small">"Save line"</button>
            </ActionForm>
            {move || message().map(|m| view! { <p class="error" role="alert">{m}</p> })}
        </details>
    }
}

#[component]
pub fn RemoveLineButton(
    id: Uuid,
    version: i32,
    line: Uuid,
    label: String,
    version_signal: RwSignal<usize>,
) -> impl IntoView {
    let action = ServerAction::<RemoveLine>::new();
    reload_on_success(action, version_signal);
    let error = action_error(action);
    let errors = form_errors(error);
    view! {
        <ActionForm action attr:class="inline">
            <FormStamp errors version/>
            <input type="hidden" name="id" value=id.to_string()/>
            <input type="hidden" name="line" value=line.to_string()/>
            <button type="submit" class="secondary small" aria-label=label>"Remove"</button>
        </ActionForm>
        {move || error.get().map(|e| view! { <span class="error" role="alert">{e.to_string()}</span> })}
    }
}
