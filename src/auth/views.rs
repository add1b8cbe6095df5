use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::api::Login;
use super::SignInProblem;
use crate::kernel::Choice;
use crate::ui::post_error;

/// `/login`: e-mail and password. A plain form post, so sign-in is a full page load with or
/// without JavaScript; a failure comes back as one generic message.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login_url = <Login as ServerFn>::PATH;
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next").unwrap_or_default());
    // From this page's own post (kept in the session for one view), never from the URL.
    let error = post_error::<Login>();
    let message = move || error.with(|e| e.as_ref().map(|e| e.to_string()));
    let ended = move || query.with(|q| q.get("next").is_some_and(|n| !n.is_empty() && n != "/"));
    // A failed sign-in at a provider comes back as a fixed code; its message is Docket's own.
    let problem = move || {
        query.with(|q| {
            q.get("problem")
                .and_then(|p| SignInProblem::parse(&p))
                .map(|p| p.label())
        })
    };
    let reset_done = move || query.with(|q| q.get("reset").as_deref() == Some("done"));
    let link_sent = move || query.with(|q| q.get("link").as_deref() == Some("sent"));
    let options = crate::ui::sign_in_options();
    let (providers, email_link) = (options.providers, options.email_link);
    let link_url = <super::magic_link::MagicLink as ServerFn>::PATH;
    let link_error = crate::ui::flashed_error(link_url).map(|e| e.to_string());
    view! {
        <Title text="Sign in · Docket"/>
        <main class="standalone">
            <section class="card narrow login">
                <h1>"Sign in to Docket"</h1>
                {move || message().map(|m| view! { <div class="alert error" role="alert">{m}</div> })}
                {move || (message().is_none()).then(problem).flatten().map(|m| view! { <div class="alert error" role="alert">{m}</div> })}
                {link_error.map(|m| view! { <div class="alert error" role="alert">{m}</div> })}
                {move || link_sent().then(|| view! {
                    <p class="notice" role="status">"If this address may sign in to Docket, a sign-in link is on its way. Open it in this browser within a few minutes."</p>
                })}
                {move || (message().is_none() && reset_done()).then(|| view! {
                    <p class="notice" role="status">"Your password was changed: sign in with the new one."</p>
                })}
                {move || (message().is_none() && ended()).then(|| view! {
                    <p class="muted">"Sign in to continue where you were."</p>
                })}
                <form method="post" action=login_url>
                    <input type="hidden" name="next" value=next/>
                    <div class="field">
                        <label for="email">"Email"</label>
                        <input id="email" name="email" type="email" autocomplete="username" required autofocus/>
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input id="password" name="password" type="password" autocomplete="current-password" required/>
                    </div>
                    <button type="submit" class="primary">"Sign in"</button>
                    {email_link.then(|| view! {
                        // The same e-mail field, no password: the link signs in instead.
                        <button type="submit" class="secondary wide" formaction=link_url formnovalidate>"E-mail me a sign-in link"</button>
                    })}
                </form>
                <p><a href="/forgot-password" rel="external">"Forgot password?"</a></p>
                {(!providers.is_empty()).then(|| view! {
                    <div class="providers">
                        <p class="muted">"Or"</p>
                        {providers.into_iter().map(|(id, label)| {
                            let href = move || {
                                let q = crate::ui::query_string(&[("provider", id.clone()), ("next", next())]);
                                format!("/auth/supabase/start{q}")
                            };
                            // A plain link (rel=external: a full page load, not the router).
                            view! { <a class="button secondary wide" rel="external" href=href>{format!("Continue with {label}")}</a> }
                        }).collect_view()}
                    </div>
                })}
            </section>
        </main>
    }
}
