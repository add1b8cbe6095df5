use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use super::contacts::Contacts;
use super::form::ClientFields;
use crate::audit::views::History;
use crate::clients::api::{get_client, DeactivateClient, UpdateClient};
use crate::clients::{Client, ClientStatus};
use crate::kernel::Choice;
use crate::matters::views::MatterTable;
use crate::matters::MatterQuery;
use crate::ui::{
    action_error, form_errors, loaded, reload_on_success, Badge, FormAlert, FormStamp, Loading,
    NotFound,
};

/// `/clients/{id}`: details, contacts, matters and history.
#[component]
pub fn ClientDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok())));
    let update = ServerAction::<UpdateClient>::new();
    let deactivate = ServerAction::<DeactivateClient>::new();
    let version = RwSignal::new(0usize);
    reload_on_success(update, version);
    reload_on_success(deactivate, version);
    let client = Resource::new(
        move || (id.get(), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_client(id).await,
                None => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=Loading>
            {loaded(client, move |c| view! { <ClientView client=c update deactivate version/> })}
        </Transition>
        {move || id.get().is_none().then(|| view! { <NotFound/> })}
    }
}

#[component]
fn ClientView(
    client: Client,
    update: ServerAction<UpdateClient>,
    deactivate: ServerAction<DeactivateClient>,
    version: RwSignal<usize>,
) -> impl IntoView {
    let errors = form_errors(action_error(update));
    let id = client.id;
    let saved = move || update.value().with(|v| matches!(v, Some(Ok(()))));
    let matters_query = MatterQuery {
        client: id.to_string(),
        ..Default::default()
    };
    view! {
        <Title text=format!("{} · Docket", client.name)/>
        <div class="page-head">
            <div>
                <p class="crumbs"><a href="/clients">"Clients"</a></p>
                <h1>{client.name.clone()}</h1>
                <p class="muted">{client.client_type.label()}" · client since "{client.created_on.clone()}" "
                    <Badge kind="status" value=client.status.as_str() label=client.status.label()/></p>
            </div>
            <div class="head-actions">
                <a class="button primary" href=format!("/matters/new?client_id={id}")>"New matter"</a>
                <a class="button secondary" href=format!("/clients/{id}/documents")>"Documents"</a>
                {crate::ui::session_info().is_some_and(|s| crate::invoices::may_bill(s.role)).then(|| view! {
                    <a href=format!("/invoices?client={id}")>"Invoices"</a>
                    <a href=format!("/clients/{id}/trust")>"Trust statement"</a>
                    <form method="get" action="/invoices/new" class="inline">
                        <input type="hidden" name="client" value=id.to_string()/>
                        <button type="submit" class="secondary">"Invoice all matters"</button>
                    </form>
                })}
                {(client.status != ClientStatus::Inactive).then(|| view! {
                    <ActionForm action=deactivate attr:class="inline">
                        <FormStamp errors=form_errors(action_error(deactivate)) version=client.version/>
                        <input type="hidden" name="id" value=id.to_string()/>
                        <button type="submit" class="secondary">"Deactivate"</button>
                    </ActionForm>
                })}
            </div>
        </div>
        <FormAlert error=action_error(deactivate)/>
        <div class="columns">
            <section class="card" aria-labelledby="details-h">
                <h2 id="details-h">"Details"</h2>
                <FormAlert error=action_error(update)/>
                {move || saved().then(|| view! { <div class="alert ok" role="status">"Saved."</div> })}
                <ActionForm action=update>
                    <FormStamp errors version=client.version/>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <ClientFields errors name=client.name.clone() client_type=client.client_type
                        status=client.status notes=client.notes.clone()/>
                    <div class="actions"><button type="submit" class="primary">"Save client"</button></div>
                </ActionForm>
            </section>
            <Contacts client_id=id contacts=client.contacts.clone() version/>
        </div>
        <crate::rates::views::ClientRateCard client=id version/>
        <section class="card" aria-labelledby="matters-h">
            <h2 id="matters-h">"Matters"</h2>
            <MatterTable query=matters_query show_client=false/>
        </section>
        <History resource_type="client" id version=version.into()/>
    }
}
