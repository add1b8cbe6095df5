//! The code after the password (`/login/two-factor`), the profile's two-factor section, and the
//! firm setting that requires it.

use leptos::prelude::*;
use leptos_meta::Title;

use super::api::{
    two_factor_state, BeginTwoFactor, ConfirmTwoFactor, DisableTwoFactor, RequireTwoFactor,
    SecondFactor,
};
use super::TwoFactorStatus;
use crate::ui::{
    action_error, form_errors, post_error, reload_on_success, ErrorPanel, FormAlert, FormStamp,
    Loading,
};

/// A labelled code field named `code`, with its error.
#[component]
fn CodeField(
    errors: Signal<Option<crate::kernel::FieldErrors>>,
    id: &'static str,
) -> impl IntoView {
    let err_id = format!("{id}-error");
    let message =
        move || errors.with(|e| e.as_ref().and_then(|e| e.get("code").map(str::to_string)));
    let hint_id = format!("{id}-hint");
    let (described, hint) = (err_id.clone(), hint_id.clone());
    view! {
        <div class="field">
            <label for=id>"Authentication code"</label>
            <input id=id name="code" type="text" inputmode="numeric" autocomplete="one-time-code" required
                aria-invalid=move || message().map(|_| "true")
                aria-describedby=move || match message() { Some(_) => format!("{hint} {described}"), None => hint.clone() }/>
            <p class="hint" id=hint_id>"The 6 digits your authenticator app shows, or one of your recovery codes."</p>
            {move || message().map(|m| view! { <p class="field-error" id=err_id.clone()>{m}</p> })}
        </div>
    }
}

#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let verify_url = <SecondFactor as leptos::server_fn::ServerFn>::PATH;
    let error = post_error::<SecondFactor>();
    let errors = form_errors(error);
    view! {
        <Title text="Two-factor sign-in · Docket"/>
        <main class="standalone">
            <section class="card narrow login">
                <h1>"Two-factor sign-in"</h1>
                <FormAlert error=Signal::derive(move || error.get().filter(|e| e.fields().is_none()))/>
                <form method="post" action=verify_url>
                    <CodeField errors id="code"/>
                    <button type="submit" class="primary">"Verify"</button>
                </form>
                <p><a href="/login" rel="external">"Start again"</a></p>
            </section>
        </main>
    }
}

/// The profile's section: turn it on (key, code, recovery codes) or off.
#[component]
pub fn TwoFactorSection(has_password: bool) -> impl IntoView {
    let version = RwSignal::new(0usize);
    let status = crate::ui::once("two-factor", || {
        Resource::new(move || version.get(), |_| two_factor_state())
    });
    view! {
        <section class="card" aria-labelledby="two-factor-h" id="two-factor">
            <h2 id="two-factor-h">"Two-factor sign-in"</h2>
            <Transition fallback=Loading>
                {move || status.get().map(|r| match r {
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    Ok(s) if !has_password => view! {
                        <p class="muted">{if s.firm_requires {
                            "You sign in through a provider: this firm requires its multi-factor sign-in."
                        } else {
                            "You sign in through a provider: its own multi-factor sign-in applies."
                        }}</p>
                    }.into_any(),
                    Ok(s) if s.enabled => view! { <TurnOff status=s version/> }.into_any(),
                    Ok(s) => view! { <TurnOn status=s version/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn TurnOn(status: TwoFactorStatus, version: RwSignal<usize>) -> impl IntoView {
    let begin = ServerAction::<BeginTwoFactor>::new();
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    let begin_error = action_error(begin);
    let error = action_error(confirm);
    let errors = form_errors(error);
    let setup = move || {
        begin
            .value()
            .with(|v| v.as_ref().and_then(|r| r.as_ref().ok().cloned()))
    };
    let codes = move || {
        confirm
            .value()
            .with(|v| v.as_ref().and_then(|r| r.as_ref().ok().cloned()))
    };
    view! {
        {status.must_enroll.then(|| view! {
            <p class="alert error" role="alert">"This firm requires two-factor sign-in: set it up to continue."</p>
        })}
        {move || match codes() {
            Some(codes) => view! {
                <p class="notice" role="status">"Two-factor sign-in is on."</p>
                <p>"Keep these recovery codes somewhere safe: each works once, if your phone is not at hand. They are not shown again."</p>
                <ul class="recovery-codes" aria-label="Recovery codes">
                    {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                </ul>
                <button type="button" class="secondary" on:click=move |_| version.update(|v| *v += 1)>"Done"</button>
            }.into_any(),
            None => view! {
                <p>"After your password, Docket asks for a code from an authenticator app on your phone."</p>
                <FormAlert error=begin_error/>
                <ActionForm action=begin>
                    <FormStamp errors=Signal::derive(|| None)/>
                    <button type="submit" class="secondary">"Set up two-factor sign-in"</button>
                </ActionForm>
                {move || setup().map(|s| view! {
                    <p>"In your authenticator app, scan this code, or add an account with the key below (or open the link on your phone):"</p>
                    {s.qr.clone().map(|(d, side)| view! {
                        <svg class="qr" viewBox=format!("0 0 {side} {side}") width="200" height="200" role="img"
                            aria-label="QR code for your authenticator app" shape-rendering="crispEdges">
                            <rect width="100%" height="100%" fill="#fff"/>
                            <path d=d fill="#000"/>
                        </svg>
                    })}
                    <p>"Setup key: "<code class="key">{s.key.clone()}</code></p>
                    <p><a href=s.uri.clone()>"Open in an authenticator app"</a></p>
                })}
                <FormAlert error=Signal::derive(move || error.get().filter(|e| e.fields().is_none()))/>
                <ActionForm action=confirm>
                    <FormStamp errors=Signal::derive(|| None)/>
                    <CodeField errors id="confirm-code"/>
                    <button type="submit" class="primary">"Turn on"</button>
                </ActionForm>
            }.into_any(),
        }}
    }
}

#[component]
fn TurnOff(status: TwoFactorStatus, version: RwSignal<usize>) -> impl IntoView {
    let off = ServerAction::<DisableTwoFactor>::new();
    reload_on_success(off, version);
    let error = action_error(off);
    let errors = form_errors(error);
    view! {
        <p class="notice">{format!(
            "Two-factor sign-in is on. {} recovery code{} left.",
            status.recovery_left,
            if status.recovery_left == 1 { "" } else { "s" }
        )}</p>
        {(!status.firm_requires).then(|| view! {
            <FormAlert error=Signal::derive(move || error.get().filter(|e| e.fields().is_none()))/>
            <ActionForm action=off>
                <FormStamp errors=Signal::derive(|| None)/>
                <CodeField errors id="off-code"/>
                <button type="submit" class="danger">"Turn off two-factor sign-in"</button>
            </ActionForm>
        })}
    }
}

/// On the firm's settings page: require a second factor of every member.
#[component]
pub fn RequireTwoFactorSetting() -> impl IntoView {
    let version = RwSignal::new(0usize);
    let status = Resource::new(move || version.get(), |_| two_factor_state());
    let save = ServerAction::<RequireTwoFactor>::new();
    reload_on_success(save, version);
    let error = action_error(save);
    view! {
        <section class="card" aria-labelledby="require-2fa-h">
            <h2 id="require-2fa-h">"Sign-in security"</h2>
            <Transition fallback=Loading>
                {move || status.get().map(|r| r.map(|s| view! {
                    <FormAlert error/>
                    <ActionForm action=save>
                        <FormStamp errors=Signal::derive(|| None)/>
                        <div class="field check">
                            <input id="require-2fa" type="checkbox" name="require" value="on" checked=s.firm_requires/>
                            <label for="require-2fa">"Require two-factor sign-in"</label>
                        </div>
                        <p class="hint">"Members with a password set up an authenticator app at their next sign-in; members who sign in through a provider need its multi-factor sign-in."</p>
                        <button type="submit" class="secondary">"Save sign-in security"</button>
                    </ActionForm>
                }))}
            </Transition>
        </section>
    }
}
