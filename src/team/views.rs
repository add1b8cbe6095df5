//! `/admin/people`: the firm's members for an administrator.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{list_members, RemoveMember, SetRole};
use super::{Member, MemberStatus};
use crate::auth::Role;
use crate::kernel::{Choice, FieldErrors};
use crate::ui::{action_error, form_errors, loaded, reload_on_success, FormStamp, Loading};

#[component]
pub fn PeoplePage() -> impl IntoView {
    let version = RwSignal::new(0usize);
    let members = Resource::new(move || version.get(), |_| list_members());
    view! {
        <Title text="People · Docket"/>
        <h1>"People"</h1>
        <Transition fallback=Loading>
            {loaded(members, move |all| view! { <Members all version/> })}
        </Transition>
        <crate::team::invite::views::Invitations/>
    }
}

#[component]
fn Members(all: Vec<Member>, version: RwSignal<usize>) -> impl IntoView {
    let (active, former): (Vec<_>, Vec<_>) = all
        .into_iter()
        .partition(|m| m.status == MemberStatus::Active);
    let me = crate::ui::session_info().map(|s| s.user_id);
    use leptos::server_fn::ServerFn;
    let kept = [
        crate::ui::flashed_error(<SetRole as ServerFn>::PATH),
        crate::ui::flashed_error(<RemoveMember as ServerFn>::PATH),
    ]
    .into_iter()
    .flatten()
    .find(|e| e.fields().is_none());
    view! {
        {kept.map(|e| view! { <p class="alert error" role="alert">{e.to_string()}</p> })}
        <section class="card" aria-labelledby="members-h">
            <h2 id="members-h">"Members"</h2>
            <table class="data">
                <caption class="visually-hidden">"Members of the firm"</caption>
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th>
                    <th scope="col">"Last sign-in"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>
                    {active.into_iter().map(|m| {
                        let mine = me == Some(m.user_id);
                        view! { <MemberRow member=m mine version/> }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        {(!former.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="former-h">
                <h2 id="former-h">"Former members"</h2>
                <p class="hint">"Their matters, time and history stay attributed to them."</p>
                <ul>
                    {former.into_iter().map(|m| view! { <li>{m.name}" · "{m.email}</li> }).collect_view()}
                </ul>
            </section>
        })}
    }
}

#[component]
fn MemberRow(member: Member, mine: bool, version: RwSignal<usize>) -> impl IntoView {
    let save = ServerAction::<SetRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    reload_on_success(save, version);
    reload_on_success(remove, version);
    let key = member.user_id.to_string();
    // A refusal names its member: it is shown on that member's row only.
    let role_error = action_error(save);
    let errors: Signal<Option<FieldErrors>> = {
        let all = form_errors(role_error);
        let key = key.clone();
        Signal::derive(move || all.get().filter(|e| e.value("user") == Some(key.as_str())))
    };
    // A refusal with no field (the last administrator, a member removed meanwhile) is this
    // row's when this row's form sent it; a kept one (JavaScript off) is shown atop the page.
    let remove_error = action_error(remove);
    let message = move || {
        [
            (role_error.get(), save.version().get()),
            (remove_error.get(), remove.version().get()),
        ]
        .into_iter()
        .find_map(|(e, sent)| {
            let e = e?;
            let mine = match e.fields() {
                Some(f) => f.value("user") == Some(key.as_str()),
                None => sent > 0,
            };
            mine.then(|| e.to_string())
        })
    };
    let id = format!("role-{}", member.user_id);
    let current = member.role;
    let chosen = move || {
        errors
            .with(|e| e.as_ref().and_then(|e| e.value("role").map(str::to_string)))
            .unwrap_or_else(|| current.as_str().to_string())
    };
    let name = member.name.clone();
    let role_label = format!("Role of {}", member.name);
    let remove_label = format!("Remove {} from the firm", member.name);
    view! {
        <tr>
            <th scope="row">{member.name.clone()}{mine.then_some(" (you)")}</th>
            <td>{member.email.clone()}</td>
            <td>
                <ActionForm action=save attr:class="inline">
                    <FormStamp errors version=member.version/>
                    <input type="hidden" name="user" value=member.user_id.to_string()/>
                    <label for=id.clone() class="visually-hidden">{role_label}</label>
                    <select id=id name="form[role]">
                        {Role::ALL.iter().map(|r| {
                            let v = r.as_str();
                            view! { <option value=v selected=move || chosen() == v>{r.label()}</option> }
                        }).collect_view()}
                    </select>
                    <button type="submit" class="secondary small" aria-label=format!("Save the role of {name}")>"Save"</button>
                </ActionForm>
            </td>
            <td>{if member.last_sign_in.is_empty() { "Never".to_string() } else { member.last_sign_in.clone() }}</td>
            <td>
                {(!mine).then(|| view! {
                    <ActionForm action=remove attr:class="inline">
                        <FormStamp errors=Signal::derive(|| None) version=member.version/>
                        <input type="hidden" name="user" value=member.user_id.to_string()/>
                        <button type="submit" class="danger small" aria-label=remove_label>"Remove"</button>
                    </ActionForm>
                })}
                {move || message().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            </td>
        </tr>
    }
}
