use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::invoices::api::list_invoices;
use crate::invoices::{InvoiceQuery, InvoiceRow, InvoiceStatus};
use crate::kernel::{format_money, Choice, PageRequest};
use crate::ui::{loaded, page_href, session_info, Loading, Pager};

/// `/invoices`: the firm's invoices (billing staff and admins), or those of one's own matters.
#[component]
pub fn InvoiceListPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params.with(|p| InvoiceQuery {
            status: p.get("status").unwrap_or_default(),
            matter: p.get("matter").unwrap_or_default(),
            client: p.get("client").unwrap_or_default(),
            paging: PageRequest::from_query(|k| p.get(k)),
        })
    });
    let invoices = Resource::new(move || query.get(), list_invoices);
    let statuses: Vec<(String, String)> = [
        ("", "Any"),
        ("open", "Open (sent, not paid)"),
        ("overdue", "Overdue"),
    ]
    .into_iter()
    .map(|(v, l)| (v.to_string(), l.to_string()))
    .chain(
        InvoiceStatus::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), s.label().to_string())),
    )
    .collect();
    view! {
        <Title text="Invoices · Docket"/>
        <div class="page-head"><h1>"Invoices"</h1></div>
        <Form method="GET" action="/invoices" attr:class="filters" attr:role="search">
            <div class="field">
                <label for="i-status">"Status"</label>
                <select id="i-status" name="status">
                    {statuses.into_iter().map(|(v, l)| {
                        let v2 = v.clone();
                        view! { <option value=v selected=move || query.get().status == v2>{l}</option> }
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="secondary">"Apply"</button>
        </Form>
        <Transition fallback=Loading>
            {loaded(invoices, move |page| {
                let q = query.get();
                let href = page_href("/invoices", vec![("status", q.status), ("matter", q.matter), ("client", q.client)]);
                view! { <InvoiceTable items=page.items.clone()/> <Pager page href/> }
            })}
        </Transition>
    }
}

#[component]
pub fn InvoiceTable(items: Vec<InvoiceRow>) -> impl IntoView {
    let currency = session_info().map(|s| s.currency).unwrap_or_default();
    let money = move |d| format_money(d, &currency);
    view! {
        <table class="data">
            <caption class="visually-hidden">"Invoices"</caption>
            <thead><tr>
                <th scope="col">"Number"</th><th scope="col">"Client"</th><th scope="col">"Matter"</th>
                <th scope="col">"Issued"</th><th scope="col">"Due"</th><th scope="col">"Status"</th>
                <th scope="col" class="num">"Total"</th><th scope="col" class="num">"Balance"</th>
            </tr></thead>
            <tbody>
                {items.iter().map(|i| {
                    let name = i.number.clone().unwrap_or_else(|| "Draft".into());
                    view! {
                        <tr>
                            <td class="mono"><a href=format!("/invoices/{}", i.id)>{name}</a></td>
                            <td><a href=format!("/clients/{}", i.client_id)>{i.client_name.clone()}</a></td>
                            <td class="mono">{i.matter_number.clone().unwrap_or_else(|| "Several".into())}</td>
                            <td class="mono">{i.issue_date.map(|d| d.to_string()).unwrap_or_default()}</td>
                            <td class="mono">{i.due_date.map(|d| d.to_string()).unwrap_or_default()}</td>
                            <td>{i.shown.clone()}</td>
                            <td class="num">{money(i.total)}</td>
                            <td class="num">{money(i.balance)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {items.is_empty().then(|| view! { <p class="empty">"No invoices here."</p> })}
    }
}
