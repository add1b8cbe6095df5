use leptos::prelude::*;
use leptos_meta::Title;

use crate::clients::api::CreateClient;
use crate::clients::{ClientStatus, ClientType};
use crate::kernel::{Choice, FieldErrors};
use crate::ui::{
    action_error, choices, form_errors, FormAlert, FormStamp, SelectField, TextArea, TextField,
};

/// The fields of a client, shared by the new and edit forms.
#[component]
pub fn ClientFields(
    errors: Signal<Option<FieldErrors>>,
    #[prop(optional)] name: String,
    #[prop(optional)] client_type: Option<ClientType>,
    #[prop(optional)] status: Option<ClientStatus>,
    #[prop(optional)] notes: String,
) -> impl IntoView {
    view! {
        <div class="grid">
            <TextField label="Name" key="name" value=name errors required=true autocomplete="off"/>
            <SelectField label="Type" key="client_type" options={choices::<ClientType>()}
                value=client_type.map(|t| t.as_str().to_string()).unwrap_or_default() errors blank="Choose…" required=true/>
            <SelectField label="Status" key="status" options={choices::<ClientStatus>()}
                value=status.unwrap_or(ClientStatus::Active).as_str().to_string() errors/>
            <TextArea label="Notes" key="notes" value=notes errors/>
        </div>
    }
}

/// `/clients/new`
#[component]
pub fn NewClientPage() -> impl IntoView {
    let action = ServerAction::<CreateClient>::new();
    let errors = form_errors(action_error(action));
    view! {
        <Title text="New client · Docket"/>
        <h1>"New client"</h1>
        <section class="card">
            <FormAlert error=action_error(action)/>
            <ActionForm action>
                <FormStamp errors/>
                <ClientFields errors/>
                <div class="actions">
                    <button type="submit" class="primary">"Create client"</button>
                    <a href="/clients">"Cancel"</a>
                </div>
            </ActionForm>
        </section>
    }
}
