use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::auth::api::list_people;
use crate::kernel::{Choice, PageRequest};
use crate::matters::api::list_matters;
use crate::matters::{MatterQuery, MatterRow, MatterSort, MatterStatus, PracticeArea};
use crate::ui::{loaded, page_href, Badge, Loading, Pager};

fn query_pairs(q: &MatterQuery) -> Vec<(&'static str, String)> {
    vec![
        ("q", q.q.clone()),
        ("status", q.status.clone()),
        ("practice_area", q.practice_area.clone()),
        ("responsible", q.responsible.clone()),
        ("client", q.client.clone()),
        ("sort", q.sort.clone()),
        ("dir", q.dir.clone()),
    ]
}

/// `/matters`: filters, sorting and pages, all in the query string.
#[component]
pub fn MatterListPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params.with(|p| {
            let g = |k: &str| p.get(k).unwrap_or_default();
            MatterQuery {
                q: g("q"),
                status: g("status"),
                practice_area: g("practice_area"),
                responsible: g("responsible"),
                client: g("client"),
                sort: g("sort"),
                dir: g("dir"),
                paging: PageRequest::from_query(|k| p.get(k)),
            }
        })
    });
    let matters = Resource::new(move || query.get(), list_matters);
    let people = Resource::new(|| (), |_| list_people());
    let selected = move |key: &'static str, v: &'static str| {
        move || query.with(|q| query_pairs(q).iter().any(|(k, x)| *k == key && x == v))
    };
    view! {
        <Title text="Matters · Docket"/>
        <div class="page-head">
            <h1>"Matters"</h1>
            <a class="button primary" href="/matters/new">"New matter"</a>
        </div>
        <Form method="GET" action="/matters" attr:class="filters" attr:role="search">
            <input type="hidden" name="client" value=move || query.get().client/>
            <div class="field">
                <label for="m-q">"Search"</label>
                <input id="m-q" type="search" name="q" value=move || query.get().q/>
            </div>
            <div class="field">
                <label for="m-status">"Status"</label>
                <select id="m-status" name="status">
                    <option value="">"All statuses"</option>
                    {MatterStatus::ALL.iter().map(|s| view! { <option value=s.as_str() selected=selected("status", s.as_str())>{s.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="m-area">"Practice area"</label>
                <select id="m-area" name="practice_area">
                    <option value="">"All practice areas"</option>
                    {PracticeArea::ALL.iter().map(|s| view! { <option value=s.as_str() selected=selected("practice_area", s.as_str())>{s.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="m-resp">"Responsible attorney"</label>
                <select id="m-resp" name="responsible">
                    <option value="">"Anyone"</option>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            people.await.ok().map(|ps| ps.into_iter().filter(|p| p.role.is_lawyer()).map(|p| {
                                let v = p.id.to_string();
                                let v2 = v.clone();
                                view! { <option value=v selected=move || query.with(|q| q.responsible == v2)>{p.name}</option> }
                            }).collect_view())
                        })}
                    </Suspense>
                </select>
            </div>
            <div class="field">
                <label for="m-sort">"Sort by"</label>
                <select id="m-sort" name="sort">
                    {MatterSort::ALL.iter().map(|s| view! { <option value=s.as_str() selected=move || query.with(|q| q.sort() == *s)>{s.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="m-dir">"Order"</label>
                <select id="m-dir" name="dir">
                    <option value="">"Default"</option>
                    <option value="asc" selected=selected("dir", "asc")>"Ascending"</option>
                    <option value="desc" selected=selected("dir", "desc")>"Descending"</option>
                </select>
            </div>
            <button type="submit" class="secondary">"Apply"</button>
        </Form>
        <Transition fallback=Loading>
            {loaded(matters, move |page| {
                let href = page_href("/matters", query.with(query_pairs));
                view! { <Rows items=page.items.clone() show_client=true/> <Pager page href/> }
            })}
        </Transition>
    }
}

/// The matter table; `show_client` is false where every row has the same client.
#[component]
fn Rows(items: Vec<MatterRow>, show_client: bool) -> impl IntoView {
    view! {
        <table class="data">
            <caption class="visually-hidden">"Matters"</caption>
            <thead><tr>
                <th scope="col">"Number"</th><th scope="col">"Title"</th>
                {show_client.then(|| view! { <th scope="col">"Client"</th> })}
                <th scope="col">"Status"</th><th scope="col">"Priority"</th><th scope="col">"Practice area"</th>
                <th scope="col">"Responsible"</th><th scope="col">"Opened"</th>
            </tr></thead>
            <tbody>
                {items.iter().map(|m| view! {
                    <tr>
                        <td class="mono">{m.matter_number.clone()}</td>
                        <td>
                            <a href=format!("/matters/{}", m.id)>{m.title.clone()}</a>
                            {m.restricted.then(|| view! { " "<span class="badge walled" title="Seen only by the people named on it">"Restricted"</span> })}
                        </td>
                        {show_client.then(|| view! { <td><a href=format!("/clients/{}", m.client_id)>{m.client_name.clone()}</a></td> })}
                        <td><Badge kind="status" value=m.status.as_str() label=m.status.label()/></td>
                        <td><Badge kind="priority" value=m.priority.as_str() label=m.priority.label()/></td>
                        <td>{m.practice_area.label()}</td>
                        <td>{m.responsible_name.clone().unwrap_or_default()}</td>
                        <td class="mono">{m.date_opened.to_string()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {items.is_empty().then(|| view! { <p class="empty">"No matters match these filters."</p> })}
    }
}

/// A client's matters (first page), with a link to the full filtered list.
#[component]
pub fn MatterTable(query: MatterQuery, #[prop(default = true)] show_client: bool) -> impl IntoView {
    let client = query.client.clone();
    let key = format!("matters:{query:?}");
    let matters = crate::ui::once(key, || Resource::new(move || query.clone(), list_matters));
    view! {
        <Transition fallback=Loading>
            {move || matters.get().map(|r| match r {
                Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                Ok(page) => {
                    let more = page.next.is_some();
                    view! {
                        <Rows items=page.items show_client/>
                        {more.then(|| view! { <p><a href=format!("/matters?client={client}")>"All matters of this client"</a></p> })}
                    }.into_any()
                }
            })}
        </Transition>
    }
}
