use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use crate::auth::api::list_people;
use crate::auth::Person;
use crate::clients::api::{get_client, list_clients};
use crate::clients::ClientQuery;
use crate::kernel::{Choice, FieldErrors};
use crate::matters::api::CreateMatter;
use crate::matters::{BillingType, MatterStatus, PracticeArea, Priority, Stage, ValidMatter};
use crate::ui::{
    action_error, choices, form_errors, loaded, session_info, ErrorPanel, FormAlert, FormStamp,
    Loading, SelectField, TextArea, TextField,
};

fn lawyers(people: &[Person]) -> Vec<(String, String)> {
    people
        .iter()
        .filter(|p| p.role.is_lawyer())
        .map(|p| (p.id.to_string(), p.name.clone()))
        .collect()
}

/// The editable fields of a matter (the client is fixed by the page).
#[component]
pub fn MatterFields(
    errors: Signal<Option<FieldErrors>>,
    people: Vec<Person>,
    #[prop(optional)] current: Option<ValidMatter>,
    /// The firm's currency code, named in the rate's label.
    currency: String,
) -> impl IntoView {
    let c = current.as_ref();
    let id = |v: Option<Uuid>| v.map(|v| v.to_string()).unwrap_or_default();
    let title = c.map(|m| m.title.clone()).unwrap_or_default();
    let area = c
        .map(|m| m.practice_area.as_str().to_string())
        .unwrap_or_default();
    let status = c
        .map(|m| m.status)
        .unwrap_or(MatterStatus::Open)
        .as_str()
        .to_string();
    let priority = c
        .map(|m| m.priority)
        .unwrap_or(Priority::Normal)
        .as_str()
        .to_string();
    let stage = c
        .map(|m| m.stage)
        .unwrap_or(Stage::Intake)
        .as_str()
        .to_string();
    let responsible = id(c.and_then(|m| m.responsible_attorney_id));
    let originating = id(c.and_then(|m| m.originating_attorney_id));
    let billing = c
        .map(|m| m.billing_type)
        .unwrap_or(BillingType::Hourly)
        .as_str()
        .to_string();
    let rate = c
        .and_then(|m| m.hourly_rate)
        .map(|r| r.to_string())
        .unwrap_or_default();
    let opened = c.map(|m| m.date_opened.to_string()).unwrap_or_default();
    let closed = c
        .and_then(|m| m.date_closed)
        .map(|d| d.to_string())
        .unwrap_or_default();
    let description = c.map(|m| m.description.clone()).unwrap_or_default();
    let lawyer_options = lawyers(&people);
    let can_set_rate = session_info().is_some_and(|s| crate::time::may_set_rates(s.role));
    view! {
        <div class="grid">
            <TextField label="Title" key="title" value=title errors required=true autocomplete="off"/>
            <SelectField label="Practice area" key="practice_area" options={choices::<PracticeArea>()} value=area errors blank="Choose…" required=true/>
            <SelectField label="Status" key="status" options={choices::<MatterStatus>()} value=status errors/>
            <SelectField label="Priority" key="priority" options={choices::<Priority>()} value=priority errors/>
            <SelectField label="Stage" key="stage" options={choices::<Stage>()} value=stage errors/>
            <SelectField label="Responsible attorney" key="responsible_attorney_id" options=lawyer_options.clone() value=responsible errors blank="Unassigned"/>
            <SelectField label="Originating attorney" key="originating_attorney_id" options=lawyer_options value=originating errors blank="Unassigned"/>
            <SelectField label="Billing" key="billing_type" options={choices::<BillingType>()} value=billing errors/>
            {if can_set_rate {
                view! { <TextField label=format!("Hourly rate ({currency})") key="hourly_rate" value=rate errors hint="e.g. 350.00"/> }.into_any()
            } else {
                view! { <p class="field hint">"Hourly rate: "{if rate.is_empty() { "not set".to_string() } else { format!("{rate} {currency}") }}" (set by an administrator)"</p> }.into_any()
            }}
            <TextField label="Date opened" key="date_opened" kind="date" value=opened errors hint="Defaults to today"/>
            <TextField label="Date closed" key="date_closed" kind="date" value=closed errors hint="Set automatically when the status becomes Closed"/>
            <TextArea label="Description" key="description" value=description errors/>
        </div>
    }
}

/// `/matters/new?client_id=…`: without a client, first pick one.
#[component]
pub fn NewMatterPage() -> impl IntoView {
    let params = use_query_map();
    let client_id = Memo::new(move |_| {
        params.with(|p| p.get("client_id").and_then(|v| Uuid::parse_str(&v).ok()))
    });
    view! {
        <Title text="New matter · Docket"/>
        <h1>"New matter"</h1>
        {move || match client_id.get() {
            Some(id) => view! { <NewMatterForm client_id=id/> }.into_any(),
            None => view! { <ClientPicker/> }.into_any(),
        }}
    }
}

#[component]
fn NewMatterForm(client_id: Uuid) -> impl IntoView {
    let action = ServerAction::<CreateMatter>::new();
    let errors = form_errors(action_error(action));
    let currency = session_info().map(|s| s.currency).unwrap_or_default();
    let data = Resource::new(
        move || client_id,
        |id| async move {
            Ok::<_, crate::error::AppError>((get_client(id).await?, list_people().await?))
        },
    );
    view! {
        <Suspense fallback=Loading>
            {move || data.get().map(|r| match r {
                Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                Ok((client, people)) => {
                    let currency = currency.clone();
                    view! {
                    <section class="card">
                        <p>"Client: "<a href=format!("/clients/{}", client.id)>{client.name.clone()}</a></p>
                        <FormAlert error=action_error(action)/>
                        <ActionForm action>
                            <FormStamp errors/>
                            <input type="hidden" name="form[client_id]" value=client.id.to_string()/>
                            <MatterFields errors people currency/>
                            <div class="actions">
                                <button type="submit" class="primary">"Open matter"</button>
                                <a href=format!("/clients/{}", client.id)>"Cancel"</a>
                            </div>
                        </ActionForm>
                    </section>
                    }.into_any()
                }
            })}
        </Suspense>
    }
}

#[component]
fn ClientPicker() -> impl IntoView {
    let params = use_query_map();
    let q = Memo::new(move |_| params.with(|p| p.get("q").unwrap_or_default()));
    let clients = Resource::new(
        move || q.get(),
        |q| {
            list_clients(ClientQuery {
                q,
                ..Default::default()
            })
        },
    );
    view! {
        <section class="card">
            <h2>"Which client is this matter for?"</h2>
            <Form method="GET" action="/matters/new" attr:class="filters" attr:role="search">
                <div class="field">
                    <label for="pick-q">"Client name"</label>
                    <input id="pick-q" type="search" name="q" value=move || q.get()/>
                </div>
                <button type="submit" class="secondary">"Find client"</button>
            </Form>
            <Transition fallback=Loading>
                {loaded(clients, move |page| view! {
                    <ul class="pick-list">
                        {page.items.into_iter().map(|c| view! {
                            <li><a href=format!("/matters/new?client_id={}", c.id)>{c.name}</a>
                                <span class="muted">" · "{c.status.label()}</span></li>
                        }).collect_view()}
                    </ul>
                })}
            </Transition>
        </section>
    }
}
