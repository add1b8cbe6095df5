use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::api::Login;

/// `/login`: e-mail and password. A plain form post, so sign-in is a full page load with or
/// without JavaScript; a failure comes back as one generic message.
#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    let login_url = <Login as ServerFn>::PATH;
    let next = move || use_query_map().with(|q| q.get("next").unwrap_or_default());
    let failed = move || action.value().with(|v| matches!(v, Some(Err(_))));
    let message = move || {
        action.value().with(|v| {
            v.as_ref()
                .and_then(|r| r.as_ref().err())
                .map(|e| e.to_string())
        })
    };
    view! {
        <Title text="Sign in · Docket"/>
        <main class="standalone">
            <section class="card narrow login">
                <h1>"Sign in to Docket"</h1>
                {move || failed().then(|| view! { <div class="alert error" role="alert">{message()}</div> })}
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
                </form>
            </section>
        </main>
    }
}
