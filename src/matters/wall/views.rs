//! The matter page's "Who can see this matter" card.

use leptos::prelude::*;
use uuid::Uuid;

use super::api::{get_access, SetAccess};
use super::MatterAccess;
use crate::kernel::Choice;
use crate::ui::{action_error, form_errors, loaded, reload_on_success, FormAlert, FormStamp};

/// Everyone who sees the matter sees who else does; its lawyers can change it. `version` is the
/// matter page's: a change reloads the page's form and history.
#[component]
pub fn MatterAccessCard(matter: Uuid, version: RwSignal<usize>) -> impl IntoView {
    let data = crate::ui::once(format!("access:matter:{matter}"), || {
        Resource::new(move || version.get(), move |_| get_access(matter))
    });
    view! {
        <section class="card" aria-labelledby="access-h">
            <h2 id="access-h">"Who can see this matter"</h2>
            <Transition fallback=|| ()>
                {loaded(data, move |a| view! { <AccessForm matter access=a version/> })}
            </Transition>
        </section>
    }
}

#[component]
fn AccessForm(matter: Uuid, access: MatterAccess, version: RwSignal<usize>) -> impl IntoView {
    let MatterAccess {
        restricted,
        named,
        mut people,
        version: row_version,
        may_change,
    } = access;
    let now = if restricted {
        let names: Vec<String> = named.iter().map(|p| p.name.clone()).collect();
        format!("Only the people named: {}.", names.join(", "))
    } else {
        "Everyone in the firm.".to_string()
    };
    if !may_change {
        return view! { <p>{now}</p> }.into_any();
    }
    // Someone named who has left the firm stays listed (and named) until unticked.
    for p in &named {
        if !people.iter().any(|q| q.id == p.id) {
            people.push(p.clone());
        }
    }
    let save = ServerAction::<SetAccess>::new();
    reload_on_success(save, version);
    let error = action_error(save);
    let errors = form_errors(error);
    let message = move |key: &'static str| {
        move || {
            errors.with(|e| {
                e.as_ref().and_then(|e| e.get(key)).map(|m| {
                    view! { <p class="field-error" id=format!("access-{key}-error")>{m.to_string()}</p> }
                })
            })
        }
    };
    // After a refused save, what the user chose; else what is stored.
    let choice = move || {
        errors
            .with(|e| {
                e.as_ref()
                    .and_then(|e| e.value("restricted").map(str::to_string))
            })
            .unwrap_or_else(|| if restricted { "named" } else { "everyone" }.to_string())
    };
    let boxes = people
        .into_iter()
        .map(|p| {
            let id = p.id.to_string();
            let ticked_now = named.iter().any(|n| n.id == p.id);
            let ticked = move || {
                errors
                    .with(|e| e.as_ref().and_then(|e| e.value("members").map(str::to_string)))
                    .map(|v| v.split(',').any(|m| m == id))
                    .unwrap_or(ticked_now)
            };
            let box_id = format!("access-{}", p.id);
            view! {
                <div class="field check">
                    <input id=box_id.clone() type="checkbox" name=super::AccessForm::member_key(p.id) value="on" checked=ticked/>
                    <label for=box_id>{p.name.clone()}" "<span class="muted">"("{p.role.label()}")"</span></label>
                </div>
            }
        })
        .collect_view();
    view! {
        <p>{now}</p>
        <FormAlert error/>
        <ActionForm action=save>
            <FormStamp errors version=row_version/>
            <input type="hidden" name="matter" value=matter.to_string()/>
            <fieldset aria-describedby="access-restricted-error">
                <legend>"Visible to"</legend>
                <div class="field check">
                    <input id="access-everyone" type="radio" name="form[restricted]" value="everyone"
                        checked=move || choice() == "everyone"/>
                    <label for="access-everyone">"Everyone in the firm"</label>
                </div>
                <div class="field check">
                    <input id="access-named" type="radio" name="form[restricted]" value="named"
                        checked=move || choice() == "named"/>
                    <label for="access-named">"Only the people named below"</label>
                </div>
                {message("restricted")}
            </fieldset>
            <fieldset aria-describedby="access-members-error">
                <legend>"People named"</legend>
                {boxes}
                {message("members")}
            </fieldset>
            <div class="actions"><button type="submit" class="secondary">"Save who can see this matter"</button></div>
        </ActionForm>
    }
    .into_any()
}
