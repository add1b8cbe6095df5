use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use super::api::{firm_activity, history};
use super::{ActivityEntry, ActivityQuery, ACTIONS};
use crate::auth::api::list_people;
use crate::kernel::PageRequest;
use crate::ui::{loaded, page_href, query_string, Loading, Pager};

/// The activity history of a client or matter, newest first.
#[component]
pub fn History(resource_type: &'static str, id: Uuid, version: Signal<usize>) -> impl IntoView {
    let entries = crate::ui::once(format!("history:{resource_type}:{id}"), || {
        Resource::new(
            move || version.get(),
            move |_| history(resource_type.to_string(), id),
        )
    });
    view! {
        <section class="card" aria-labelledby="history-h">
            <h2 id="history-h">"History"</h2>
            <Transition fallback=crate::ui::Loading>
                {move || entries.get().map(|r| match r {
                    Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                    Ok(rows) if rows.is_empty() => view! { <p class="empty">"No activity yet."</p> }.into_any(),
                    Ok(rows) => view! {
                        <ol class="history">
                            {rows.into_iter().map(|e| view! { <HistoryItem entry=e/> }).collect_view()}
                        </ol>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn HistoryItem(entry: ActivityEntry) -> impl IntoView {
    view! {
        <li>
            <div class="when">{entry.at.clone()}</div>
            <div>
                <strong>{entry.verb()}</strong>" "{entry.summary.clone()}
                <span class="muted">" by "{entry.user_name.clone()}</span>
                {entry.ip_address.clone().map(|ip| view! { <span class="muted">" from "{ip}</span> })}
                <Changes entry/>
            </div>
        </li>
    }
}

#[component]
fn Changes(entry: ActivityEntry) -> impl IntoView {
    (!entry.changes.is_empty()).then(|| {
        view! {
            <ul class="changes">
                {entry.changes.into_iter().map(|c| view! {
                    <li><span class="field-name">{c.field}</span>": "<del>{c.from}</del>" → "<ins>{c.to}</ins></li>
                }).collect_view()}
            </ul>
        }
    })
}

fn query_pairs(q: &ActivityQuery) -> Vec<(&'static str, String)> {
    vec![
        ("person", q.person.clone()),
        ("action", q.action.clone()),
        ("resource", q.resource.clone()),
        ("from", q.from.clone()),
        ("to", q.to.clone()),
    ]
}

/// `/activity`: the firm's activity log for administrators: who did what, filtered by person,
/// action, record type and dates, with a CSV export of the same selection.
#[component]
pub fn ActivityLogPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params.with(|p| {
            let g = |k: &str| p.get(k).unwrap_or_default();
            ActivityQuery {
                person: g("person"),
                action: g("action"),
                resource: g("resource"),
                from: g("from"),
                to: g("to"),
                paging: PageRequest::from_query(|k| p.get(k)),
            }
        })
    });
    let page = Resource::new(move || query.get(), firm_activity);
    let people = Resource::new(|| (), |_| list_people());
    let export = move || {
        format!(
            "/activity/export.csv{}",
            query.with(|q| query_string(&query_pairs(q)))
        )
    };
    view! {
        <Title text="Activity · Docket"/>
        <div class="page-head">
            <h1>"Activity"</h1>
            <a class="button secondary" href=export rel="external" download="">"Export CSV"</a>
        </div>
        <Form method="GET" action="/activity" attr:class="filters" attr:role="search">
            <div class="field">
                <label for="a-person">"Person"</label>
                <select id="a-person" name="person">
                    <option value="">"Anyone"</option>
                    <Suspense fallback=|| ()>
                        {move || people.get().and_then(Result::ok).map(|ps| ps.into_iter().map(|p| {
                            let v = p.id.to_string();
                            let v2 = v.clone();
                            view! { <option value=v selected=move || query.with(|q| q.person == v2)>{p.name}</option> }
                        }).collect_view())}
                    </Suspense>
                </select>
            </div>
            <div class="field">
                <label for="a-action">"Action"</label>
                <select id="a-action" name="action">
                    <option value="">"Any action"</option>
                    {ACTIONS.iter().map(|(v, l)| view! {
                        <option value=*v selected=move || query.with(|q| q.action == *v)>{*l}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="a-resource">"Record"</label>
                <select id="a-resource" name="resource">
                    <option value="">"Any record"</option>
                    {[("client", "Clients"), ("matter", "Matters"), ("user", "People")].into_iter().map(|(v, l)| view! {
                        <option value=v selected=move || query.with(|q| q.resource == v)>{l}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="a-from">"From"</label>
                <input id="a-from" type="date" name="from" value=move || query.get().from/>
            </div>
            <div class="field">
                <label for="a-to">"To"</label>
                <input id="a-to" type="date" name="to" value=move || query.get().to/>
            </div>
            <button type="submit" class="secondary">"Apply"</button>
        </Form>
        <Transition fallback=Loading>
            {loaded(page, move |page| {
                let href = page_href("/activity", query.with(query_pairs));
                view! {
                    <ActivityTable items=page.items.clone()/>
                    <Pager page href/>
                }
            })}
        </Transition>
    }
}

#[component]
fn ActivityTable(items: Vec<ActivityEntry>) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="empty">"No activity matches these filters."</p> }.into_any();
    }
    view! {
        <table class="data">
            <caption class="visually-hidden">"Activity"</caption>
            <thead><tr>
                <th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"What"</th>
                <th scope="col">"Changes"</th><th scope="col">"Address"</th>
            </tr></thead>
            <tbody>
                {items.into_iter().map(|e| {
                    let what = match e.link() {
                        Some(href) => view! { <a href=href>{e.summary.clone()}</a> }.into_any(),
                        None => view! { <span>{e.summary.clone()}</span> }.into_any(),
                    };
                    view! {
                        <tr>
                            <td class="mono">{e.at.clone()}</td>
                            <td>{e.user_name.clone()}</td>
                            <td><strong>{e.verb()}</strong>" "{what}</td>
                            <td><Changes entry=e.clone()/></td>
                            <td class="mono">{e.ip_address.clone().unwrap_or_default()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
