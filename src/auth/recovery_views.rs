//! `/forgot-password` and `/reset-password?token=…` (the link from the e-mail).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::recovery::{ForgotPassword, ResetPassword};
use crate::ui::{action_error, form_errors, FormAlert, TextField};

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let ask = ServerAction::<ForgotPassword>::new();
    let error = action_error(ask);
    let errors = form_errors(error);
    let query = use_query_map();
    let sent = move || {
        query.with(|q| q.get("sent").is_some()) || ask.value().with(|v| matches!(v, Some(Ok(_))))
    };
    let typed = move || {
        errors
            .with(|e| {
                e.as_ref()
                    .and_then(|e| e.value("email").map(str::to_string))
            })
            .unwrap_or_default()
    };
    let field_error =
        move || errors.with(|e| e.as_ref().and_then(|e| e.get("email").map(str::to_string)));
    view! {
        <Title text="Forgot password · Docket"/>
        <main class="standalone">
            <section class="card narrow login">
                <h1>"Forgot your password?"</h1>
                {move || if sent() {
                    view! {
                        <p class="notice" role="status">"If an account with a password uses that address, we sent it a link to choose a new password. The link works once, for an hour."</p>
                        <p><a href="/login" rel="external">"Back to sign in"</a></p>
                    }.into_any()
                } else {
                    view! {
                        <p>"Enter the e-mail address you sign in with: we send a link to choose a new password."</p>
                        <FormAlert error=Signal::derive(move || error.get().filter(|e| e.fields().is_none()))/>
                        <ActionForm action=ask>
                            <div class="field">
                                <label for="email">"Email"</label>
                                <input id="email" name="email" type="email" autocomplete="username" required value=typed
                                    aria-invalid=move || field_error().map(|_| "true") aria-describedby=move || field_error().map(|_| "email-error")/>
                                {move || field_error().map(|m| view! { <p class="field-error" id="email-error">{m}</p> })}
                            </div>
                            <button type="submit" class="primary">"Send reset link"</button>
                        </ActionForm>
                        <p><a href="/login" rel="external">"Back to sign in"</a></p>
                    }.into_any()
                }}
            </section>
        </main>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let reset = ServerAction::<ResetPassword>::new();
    let error = action_error(reset);
    let errors = form_errors(error);
    let query = use_query_map();
    let token = move || query.with(|q| q.get("token").unwrap_or_default());
    view! {
        <Title text="Choose a new password · Docket"/>
        <main class="standalone">
            <section class="card narrow login">
                <h1>"Choose a new password"</h1>
                <FormAlert error=Signal::derive(move || error.get().filter(|e| e.fields().is_none()))/>
                <ActionForm action=reset>
                    <input type="hidden" name="token" value=token/>
                    <TextField label="New password" key="password" kind="password" errors required=true
                        autocomplete="new-password" id_prefix="reset-" hint="At least 12 characters."/>
                    <TextField label="New password again" key="confirm" kind="password" errors required=true
                        autocomplete="new-password" id_prefix="reset-"/>
                    <button type="submit" class="primary">"Set password"</button>
                </ActionForm>
                <p><a href="/forgot-password" rel="external">"Ask for a new link"</a></p>
            </section>
        </main>
    }
}
