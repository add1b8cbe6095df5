//! The People page's invitations (invite, open invitations, revoke) and the page an invitation
//! link opens (`/invite/{secret}`).

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::api::{
    list_invitations, open_invitation, AcceptInvitation, Invite, Join, RevokeInvitation,
};
use super::{Invitation, InvitationView, LinkState};
use crate::auth::Role;
use crate::kernel::Choice;
use crate::ui::{
    action_error, choices, form_errors, post_error, reload_on_success, ErrorPanel, FormAlert,
    FormStamp, Loading, SelectField, TextField,
};

/// "Invite" and the open invitations, on the People page.
#[component]
pub fn Invitations() -> impl IntoView {
    let version = RwSignal::new(0usize);
    let open = crate::ui::once("invitations", || {
        Resource::new(move || version.get(), |_| list_invitations())
    });
    let send = ServerAction::<Invite>::new();
    reload_on_success(send, version);
    let error = action_error(send);
    let errors = form_errors(error);
    let sent = move || send.value().with(|v| matches!(v, Some(Ok(_))));
    let roles = choices::<Role>();
    view! {
        <section class="card" aria-labelledby="invite-h">
            <h2 id="invite-h">"Invite someone"</h2>
            <p class="hint">"They get an e-mail with a link that works once, for 7 days."</p>
            <ActionForm action=send attr:class="form-grid">
                <FormStamp errors/>
                <FormAlert error=Signal::derive(move || error.get().filter(|e| e.fields().is_none()))/>
                <TextField label="Email" key="email" kind="email" errors required=true id_prefix="inv-" autocomplete="off"/>
                <SelectField label="Role" key="role" options=roles value="attorney" errors required=true id_prefix="inv-"/>
                <div class="actions"><button type="submit" class="primary">"Invite"</button></div>
            </ActionForm>
            {move || sent().then(|| view! { <p class="notice" role="status">"Invitation sent."</p> })}
            <Transition fallback=Loading>
                {move || open.get().map(|r| match r {
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    Ok(all) if all.is_empty() => view! { <p class="muted">"No open invitations."</p> }.into_any(),
                    Ok(all) => view! { <OpenInvitations all version/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn OpenInvitations(all: Vec<Invitation>, version: RwSignal<usize>) -> impl IntoView {
    let revoke = ServerAction::<RevokeInvitation>::new();
    reload_on_success(revoke, version);
    let error = action_error(revoke);
    view! {
        <FormAlert error/>
        <table class="data">
            <caption>"Open invitations"</caption>
            <thead><tr>
                <th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Invited by"</th>
                <th scope="col">"Expires"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
            </tr></thead>
            <tbody>
                {all.into_iter().map(|i| view! {
                    <tr>
                        <th scope="row">{i.email.clone()}</th>
                        <td>{i.role.label()}</td>
                        <td>{i.invited_by.clone()}</td>
                        <td>{if i.expired { format!("Expired {}", i.expires) } else { i.expires.clone() }}</td>
                        <td>
                            <ActionForm action=revoke attr:class="inline">
                                <FormStamp errors=Signal::derive(|| None) version=i.version/>
                                <input type="hidden" name="id" value=i.id.to_string()/>
                                <button type="submit" class="danger small" aria-label=format!("Revoke the invitation of {}", i.email)>"Revoke"</button>
                            </ActionForm>
                        </td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// `/invite/{secret}`: join a firm.
#[component]
pub fn InvitationPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.with(|p| p.get("token").unwrap_or_default());
    let found = Resource::new(token, open_invitation);
    view! {
        <Title text="Invitation · Docket"/>
        <main class="standalone">
            <section class="card narrow login">
                <Suspense fallback=Loading>
                    {move || found.get().map(|r| match r {
                        Ok(v) => view! { <Welcome view=v token=token()/> }.into_any(),
                        Err(crate::error::AppError::NotFound) => view! {
                            <h1>"Invitation"</h1>
                            <p class="alert error" role="alert">{LinkState::Unknown.label()}</p>
                        }.into_any(),
                        Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    })}
                </Suspense>
            </section>
        </main>
    }
}

#[component]
fn Welcome(view: InvitationView, token: String) -> impl IntoView {
    let heading = format!("Join {} on Docket", view.firm_name);
    let who = if view.invited_by.is_empty() {
        format!(
            "{} is invited to join {} as {}.",
            view.email,
            view.firm_name,
            view.role.label().to_lowercase()
        )
    } else {
        format!(
            "{} invited {} to join {} as {}.",
            view.invited_by,
            view.email,
            view.firm_name,
            view.role.label().to_lowercase()
        )
    };
    let body = match view.state {
        LinkState::Open => view! { <Accept view token/> }.into_any(),
        LinkState::Used => view! {
            <p class="alert" role="status">{LinkState::Used.label()}</p>
            <p><a class="button primary" href="/login" rel="external">"Sign in"</a></p>
        }
        .into_any(),
        other => view! { <p class="alert error" role="alert">{other.label()}</p> }.into_any(),
    };
    view! {
        <h1>{heading}</h1>
        <p>{who}</p>
        {body}
    }
}

#[component]
fn Accept(view: InvitationView, token: String) -> impl IntoView {
    let next = format!("/invite/{token}");
    match view.signed_in_as.clone() {
        Some(me) if me == view.email => {
            let join_url = <Join as ServerFn>::PATH;
            let error = post_error::<Join>();
            view! {
                <FormAlert error/>
                <form method="post" action=join_url>
                    <input type="hidden" name="token" value=token/>
                    <button type="submit" class="primary">"Accept invitation"</button>
                </form>
            }
            .into_any()
        }
        Some(me) => {
            let logout = <crate::auth::api::Logout as ServerFn>::PATH;
            view! {
                <p class="alert" role="status">{format!(
                    "You are signed in as {me}. To accept as {}, sign out, then open the link from the e-mail again.",
                    view.email
                )}</p>
                <form method="post" action=logout><button type="submit" class="secondary">"Sign out"</button></form>
            }
            .into_any()
        }
        None if view.has_account => {
            let login = format!("/login{}", crate::ui::query_string(&[("next", next)]));
            view! {
                <p>{format!("{} already has a Docket account: sign in with it to accept.", view.email)}</p>
                <p><a class="button primary" href=login rel="external">"Sign in to accept"</a></p>
                <Providers token/>
            }
            .into_any()
        }
        None => view! { <NewAccount view token/> }.into_any(),
    }
}

/// A person new to Docket: their name and a password (or a provider, below).
#[component]
fn NewAccount(view: InvitationView, token: String) -> impl IntoView {
    let accept_url = <AcceptInvitation as ServerFn>::PATH;
    let error = post_error::<AcceptInvitation>();
    let errors = form_errors(error);
    let hidden = token.clone();
    view! {
        <FormAlert error=Signal::derive(move || error.get().filter(|e| e.fields().is_none()))/>
        <form method="post" action=accept_url>
            <input type="hidden" name="token" value=hidden/>
            <div class="field">
                <label for="join-email">"Email"</label>
                <input id="join-email" type="email" value=view.email readonly/>
            </div>
            <TextField label="Your name" key="full_name" errors required=true autocomplete="name" id_prefix="join-"/>
            <TextField label="Choose a password" key="password" kind="password" errors required=true
                autocomplete="new-password" id_prefix="join-" hint="At least 12 characters."/>
            <TextField label="Password again" key="confirm" kind="password" errors required=true
                autocomplete="new-password" id_prefix="join-"/>
            <button type="submit" class="primary">"Create account and join"</button>
        </form>
        <Providers token/>
    }
}

/// "Continue with …": a provider whose verified e-mail is the invited one accepts too.
#[component]
fn Providers(token: String) -> impl IntoView {
    let providers = crate::ui::sign_in_options().providers;
    (!providers.is_empty()).then(|| {
        view! {
            <div class="providers">
                <p class="muted">"Or"</p>
                {providers.into_iter().map(|(id, label)| {
                    let q = crate::ui::query_string(&[("provider", id), ("invite", token.clone())]);
                    view! { <a class="button secondary wide" rel="external" href=format!("/auth/supabase/start{q}")>{format!("Continue with {label}")}</a> }
                }).collect_view()}
            </div>
        }
    })
}
