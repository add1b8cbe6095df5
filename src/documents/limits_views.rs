//! The "Documents" section of the firm's Settings: the largest file and the kinds accepted.

use leptos::prelude::*;

use super::limits::{LimitsPage, MAX_MB_HINT};
use super::limits_api::{document_limits, SetDocumentLimits};
use super::DocKind;
use crate::kernel::Choice;
use crate::ui::{
    action_error, form_errors, loaded, reload_on_success, FormAlert, FormStamp, Loading, TextField,
};

/// `version`: the Settings page's, so a save here reloads the firm's other settings too (they
/// share the firm's row version).
#[component]
pub fn DocumentLimitsSettings(version: RwSignal<usize>) -> impl IntoView {
    let page = Resource::new(move || version.get(), |_| document_limits());
    view! {
        <Transition fallback=Loading>
            {loaded(page, move |p| view! { <LimitsForm page=p version/> })}
        </Transition>
    }
}

#[component]
fn LimitsForm(page: LimitsPage, version: RwSignal<usize>) -> impl IntoView {
    let save = ServerAction::<SetDocumentLimits>::new();
    reload_on_success(save, version);
    let error = action_error(save);
    let errors = form_errors(error);
    let saved = move || save.value().with(|r| matches!(r, Some(Ok(_))));
    let stored: Vec<DocKind> = page.limits.kinds.clone();
    // After a refused save: what was ticked then.
    let ticked = move |k: DocKind| {
        errors
            .with(|e| {
                e.as_ref().and_then(|e| {
                    e.value("kinds")
                        .map(|v| v.split(',').any(|t| t == k.as_str()))
                })
            })
            .unwrap_or_else(|| stored.contains(&k))
    };
    let kinds_error =
        move || errors.with(|e| e.as_ref().and_then(|e| e.get("kinds").map(str::to_string)));
    view! {
        <section class="card" aria-labelledby="document-limits-h">
            <h2 id="document-limits-h">"Documents"</h2>
            <FormAlert error/>
            {move || saved().then(|| view! { <p class="alert ok" role="status">"Upload limits saved."</p> })}
            <ActionForm action=save>
                <FormStamp errors version=page.version/>
                <TextField label="Largest file (MB)" key="max_mb" value=page.limits.max_mb.to_string() errors
                    required=true hint=MAX_MB_HINT/>
                <fieldset class="kinds" aria-describedby=move || kinds_error().map(|_| "kinds-error")>
                    <legend>"Kinds of file accepted"</legend>
                    {DocKind::ALL.iter().copied().map(|k| {
                        let id = format!("kind-{}", k.as_str());
                        let ticked = ticked.clone();
                        view! {
                            <div class="field check">
                                <input id=id.clone() type="checkbox" name=format!("form[kinds][{}]", k.as_str())
                                    checked=move || ticked(k)/>
                                <label for=id>{k.label()}</label>
                            </div>
                        }
                    }).collect_view()}
                    {move || kinds_error().map(|m| view! { <p class="field-error" id="kinds-error">{m}</p> })}
                </fieldset>
                <p class="hint">"A file's kind is read from its bytes, whatever its name says."</p>
                <div class="actions"><button type="submit" class="primary">"Save upload limits"</button></div>
            </ActionForm>
        </section>
    }
}
