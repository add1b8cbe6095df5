//! `/profile`: one's name, password and open sessions.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{my_profile, ChangePassword, SignOutOthers, UpdateName};
use super::{OpenSession, Profile};
use crate::ui::{
    action_error, form_errors, loaded, reload_on_success, FormAlert, FormStamp, Loading, TextField,
};

#[component]
pub fn ProfilePage() -> impl IntoView {
    let version = RwSignal::new(0usize);
    let profile = Resource::new(move || version.get(), |_| my_profile());
    // The actions whose success reloads the profile live here, above the reloaded sections: a
    // section made anew with the new data would otherwise lose the "done" message at once.
    let actions = Actions {
        rename: ServerAction::<UpdateName>::new(),
        end: ServerAction::<SignOutOthers>::new(),
    };
    reload_on_success(actions.rename, version);
    reload_on_success(actions.end, version);
    view! {
        <Title text="Your profile · Docket"/>
        <h1>"Your profile"</h1>
        <Transition fallback=Loading>
            {loaded(profile, move |p| view! { <Sections profile=p actions/> })}
        </Transition>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    rename: ServerAction<UpdateName>,
    end: ServerAction<SignOutOthers>,
}

#[component]
fn Sections(profile: Profile, actions: Actions) -> impl IntoView {
    view! {
        <NameSection name=profile.full_name.clone() email=profile.email.clone() save=actions.rename/>
        <PasswordSection has_password=profile.has_password/>
        <crate::auth::two_factor::views::TwoFactorSection has_password=profile.has_password/>
        <Sessions all=profile.sessions end=actions.end/>
        <Firms/>
    }
}

#[component]
fn NameSection(name: String, email: String, save: ServerAction<UpdateName>) -> impl IntoView {
    let error = action_error(save);
    let errors = form_errors(error);
    let shown = move || {
        errors
            .with(|e| {
                e.as_ref()
                    .and_then(|e| e.value("shown").map(str::to_string))
            })
            .unwrap_or_else(|| name.clone())
    };
    let initial = shown();
    view! {
        <section class="card" aria-labelledby="name-h">
            <h2 id="name-h">"Name"</h2>
            <p class="muted">{format!("You sign in as {email}.")}</p>
            <ActionForm action=save attr:class="form-grid">
                <FormStamp errors/>
                <input type="hidden" name="shown" value=shown/>
                <FormAlert error=Signal::derive(move || error.get().filter(|e| e.fields().is_none()))/>
                <TextField label="Your name" key="full_name" value=initial errors required=true autocomplete="name" id_prefix="me-"/>
                <div class="actions"><button type="submit" class="primary">"Save name"</button></div>
            </ActionForm>
            {move || save.value().with(|v| matches!(v, Some(Ok(_)))).then(|| view! { <p class="notice" role="status">"Saved."</p> })}
        </section>
    }
}

#[component]
fn PasswordSection(has_password: bool) -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let error = action_error(change);
    let errors = form_errors(error);
    let done = move || change.value().with(|v| matches!(v, Some(Ok(_))));
    view! {
        <section class="card" aria-labelledby="password-h">
            <h2 id="password-h">"Password"</h2>
            {if has_password {
                view! {
                    <ActionForm action=change attr:class="form-grid">
                        <FormStamp errors/>
                        <FormAlert error=Signal::derive(move || error.get().filter(|e| e.fields().is_none()))/>
                        <TextField label="Current password" key="current" kind="password" errors required=true autocomplete="current-password" id_prefix="pw-"/>
                        <TextField label="New password" key="password" kind="password" errors required=true autocomplete="new-password" id_prefix="pw-" hint="At least 12 characters."/>
                        <TextField label="New password again" key="confirm" kind="password" errors required=true autocomplete="new-password" id_prefix="pw-"/>
                        <div class="actions"><button type="submit" class="primary">"Change password"</button></div>
                    </ActionForm>
                    {move || done().then(|| view! { <p class="notice" role="status">"Password changed. Your other sessions were signed out."</p> })}
                }.into_any()
            } else {
                view! { <p class="muted">"You sign in through a provider (such as Google): there is no Docket password to change."</p> }.into_any()
            }}
        </section>
    }
}

#[component]
fn Sessions(all: Vec<OpenSession>, end: ServerAction<SignOutOthers>) -> impl IntoView {
    let error = action_error(end);
    let others = all.iter().filter(|s| !s.current).count();
    let ended = move || {
        end.value()
            .with(|v| v.as_ref().and_then(|r| r.as_ref().ok().copied()))
            .map(|n| {
                format!(
                    "Signed out {n} other session{}.",
                    if n == 1 { "" } else { "s" }
                )
            })
    };
    view! {
        <section class="card" aria-labelledby="sessions-h">
            <h2 id="sessions-h">"Where you are signed in"</h2>
            <table class="data">
                <caption class="visually-hidden">"Your open sessions"</caption>
                <thead><tr>
                    <th scope="col">"Device"</th><th scope="col">"Address"</th><th scope="col">"Signed in"</th>
                    <th scope="col">"Last seen"</th><th scope="col">"With"</th>
                </tr></thead>
                <tbody>
                    {all.into_iter().map(|s| view! {
                        <tr>
                            <th scope="row">{s.device.clone()}{s.current.then(|| view! { " " <span class="badge">"This session"</span> })}</th>
                            <td>{s.ip.clone()}</td>
                            <td>{s.signed_in.clone()}</td>
                            <td>{s.last_seen.clone()}</td>
                            <td>{s.method.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <FormAlert error/>
            <ActionForm action=end>
                <FormStamp errors=Signal::derive(|| None)/>
                <button type="submit" class="secondary" disabled=others == 0>"Sign out other sessions"</button>
            </ActionForm>
            {move || ended().map(|m| view! { <p class="notice" role="status">{m}</p> })}
        </section>
    }
}

/// The firms one belongs to, and a way to create another.
#[component]
fn Firms() -> impl IntoView {
    use crate::kernel::Choice;
    let orgs = crate::ui::session_info()
        .map(|s| s.orgs)
        .unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="firms-h">
            <h2 id="firms-h">"Your firms"</h2>
            <ul>
                {orgs.into_iter().map(|o| view! { <li>{o.name}" · "{o.role.label()}</li> }).collect_view()}
            </ul>
            <p><a class="button secondary" href="/firms/new">"Create another firm"</a></p>
        </section>
    }
}
