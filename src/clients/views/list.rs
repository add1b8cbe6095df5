use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::clients::api::list_clients;
use crate::clients::{ClientQuery, ClientStatus};
use crate::kernel::Choice;
use crate::kernel::PageRequest;
use crate::ui::{loaded, page_href, Badge, Loading, Pager};

/// `/clients`: search by name, filter by status, paginated.
#[component]
pub fn ClientListPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params.with(|p| ClientQuery {
            q: p.get("q").unwrap_or_default(),
            status: p.get("status").unwrap_or_default(),
            paging: PageRequest::from_query(|k| p.get(k)),
        })
    });
    let clients = Resource::new(move || query.get(), list_clients);
    view! {
        <Title text="Clients · Docket"/>
        <div class="page-head">
            <h1>"Clients"</h1>
            <a class="button primary" href="/clients/new">"New client"</a>
        </div>
        <Form method="GET" action="/clients" attr:class="filters" attr:role="search">
            <div class="field">
                <label for="client-q">"Search by name"</label>
                <input id="client-q" type="search" name="q" value=move || query.get().q/>
            </div>
            <div class="field">
                <label for="client-status">"Status"</label>
                <select id="client-status" name="status">
                    <option value="">"All statuses"</option>
                    {ClientStatus::ALL.iter().map(|s| view! {
                        <option value=s.as_str() selected=move || query.get().status == s.as_str()>{s.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="secondary">"Apply"</button>
        </Form>
        <Transition fallback=Loading>
            {loaded(clients, move |page| {
                let q = query.get();
                let href = page_href("/clients", vec![("q", q.q), ("status", q.status)]);
                view! {
                    <table class="data">
                        <caption class="visually-hidden">"Clients"</caption>
                        <thead><tr>
                            <th scope="col">"Name"</th><th scope="col">"Type"</th><th scope="col">"Status"</th>
                            <th scope="col">"Email"</th><th scope="col">"Phone"</th><th scope="col" class="num">"Open matters"</th>
                        </tr></thead>
                        <tbody>
                            {page.items.iter().map(|c| view! {
                                <tr>
                                    <td><a href=format!("/clients/{}", c.id)>{c.name.clone()}</a></td>
                                    <td>{c.client_type.label()}</td>
                                    <td><Badge kind="status" value=c.status.as_str() label=c.status.label()/></td>
                                    <td>{c.email.clone().unwrap_or_default()}</td>
                                    <td>{c.phone.clone().unwrap_or_default()}</td>
                                    <td class="num">{c.open_matters}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    {page.items.is_empty().then(|| view! { <p class="empty">"No clients match these filters."</p> })}
                    <Pager page href/>
                }
            })}
        </Transition>
    }
}
