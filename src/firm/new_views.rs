//! `/firms/new`: create another firm.

use leptos::prelude::*;
use leptos_meta::Title;

use super::new_api::CreateFirm;
use crate::ui::{form_errors, post_error, FormAlert, FormStamp, TextField};

#[component]
pub fn NewFirmPage() -> impl IntoView {
    // A plain form: creating a firm switches into it, and the whole frame (the firm's name, the
    // switcher) is rendered anew.
    let create_url = <CreateFirm as leptos::server_fn::ServerFn>::PATH;
    let error = post_error::<CreateFirm>();
    let errors = form_errors(error);
    view! {
        <Title text="New firm · Docket"/>
        <h1>"Create another firm"</h1>
        <section class="card">
            <p class="hint">"You become its administrator. Its clients, matters and people are apart from every other firm's; switch between your firms at the top of the page."</p>
            <form method="post" action=create_url class="form-grid">
                <FormStamp errors/>
                <FormAlert error=Signal::derive(move || error.get().filter(|e| e.fields().is_none()))/>
                <TextField label="Firm name" key="name" errors required=true autocomplete="organization"/>
                <TextField label="Time zone" key="timezone" value="America/New_York" errors required=true
                    hint="Deadlines and \"today\" follow it, e.g. America/Chicago, Europe/London."/>
                <TextField label="Currency" key="currency" value="USD" errors required=true hint="Three letters, e.g. USD, EUR, GBP."/>
                <div class="actions"><button type="submit" class="primary">"Create firm"</button></div>
            </form>
        </section>
    }
}
