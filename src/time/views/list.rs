use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

use super::TimerPanel;
use crate::kernel::{format_money, Choice, PageRequest};
use crate::time::api::list_time;
use crate::time::duration::format_minutes;
use crate::time::{TimeQuery, TimeRow};
use crate::ui::{loaded, page_href, paging_pairs, query_string, session_info, Loading, Pager};

/// A GET form with one button: "New time entry" (for `matter`, if given). A real button that
/// works without JavaScript.
#[component]
fn NewTimeButton(#[prop(optional)] matter: Option<Uuid>) -> impl IntoView {
    view! {
        <form method="get" action="/time/new" class="inline">
            {matter.map(|m| view! { <input type="hidden" name="matter" value=m.to_string()/> })}
            <button type="submit" class="primary">"New time entry"</button>
        </form>
    }
}

/// `/time`: the caller's time, newest first, by date range.
#[component]
pub fn TimeListPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params.with(|p| TimeQuery {
            from: p.get("from").unwrap_or_default(),
            to: p.get("to").unwrap_or_default(),
            paging: PageRequest::from_query(|k| p.get(k)),
            ..Default::default()
        })
    });
    let version = RwSignal::new(0usize);
    let entries = Resource::new(move || (query.get(), version.get()), |(q, _)| list_time(q));
    view! {
        <Title text="My time · Docket"/>
        <div class="page-head">
            <h1>"My time"</h1>
            <div class="actions">
                <a href="/time/week">"Week view"</a>
                <NewTimeButton/>
            </div>
        </div>
        <TimerPanel version/>
        <Form method="GET" action="/time" attr:class="filters" attr:role="search">
            <div class="field">
                <label for="t-from">"From"</label>
                <input id="t-from" type="date" name="from" value=move || query.get().from/>
            </div>
            <div class="field">
                <label for="t-to">"To"</label>
                <input id="t-to" type="date" name="to" value=move || query.get().to/>
            </div>
            <button type="submit" class="secondary">"Apply"</button>
        </Form>
        <Transition fallback=Loading>
            {loaded(entries, move |page| {
                let q = query.get();
                let href = page_href("/time", vec![("from", q.from), ("to", q.to)]);
                view! { <TimeTable items=page.items.clone() on_matter=false/> <Pager page href/> }
            })}
        </Transition>
    }
}

/// A matter's time, on the matter's page: the newest entries and a button to record more.
#[component]
pub fn MatterTime(matter: Uuid) -> impl IntoView {
    let params = use_query_map();
    let paging = Memo::new(move |_| params.with(|p| PageRequest::from_query(|k| p.get(k))));
    let version = RwSignal::new(0usize);
    let entries = crate::ui::once(format!("time:matter:{matter}"), || {
        Resource::new(
            move || {
                let query = TimeQuery {
                    matter: matter.to_string(),
                    paging: paging.get(),
                    ..Default::default()
                };
                (query, version.get())
            },
            |(q, _)| list_time(q),
        )
    });
    view! {
        <section class="card" aria-labelledby="time-h">
            <div class="page-head">
                <h2 id="time-h">"Time"</h2>
                <div class="actions">
                    <a href=format!("/expenses?matter={matter}")>"Expenses"</a>
                    <NewTimeButton matter/>
                    {session_info().is_some_and(|s| crate::invoices::may_bill(s.role)).then(|| view! {
                        <a href=format!("/invoices?matter={matter}")>"Invoices"</a>
                        <form method="get" action="/invoices/new" class="inline">
                            <input type="hidden" name="matter" value=matter.to_string()/>
                            <button type="submit" class="secondary">"Create invoice"</button>
                        </form>
                    })}
                </div>
            </div>
            <TimerPanel version matter/>
            <Transition fallback=Loading>
                {move || entries.get().map(|r| match r {
                    Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                    Ok(page) => {
                        let href = move |at: PageRequest| {
                            format!("/matters/{matter}{}", query_string(&paging_pairs(&at)))
                        };
                        view! { <TimeTable items=page.items.clone() on_matter=true/> <Pager page href/> }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}

/// The time table; `on_matter` shows the person (on a matter's page) instead of the matter.
#[component]
fn TimeTable(items: Vec<TimeRow>, on_matter: bool) -> impl IntoView {
    let currency = session_info().map(|s| s.currency).unwrap_or_default();
    let money = move |d: Option<rust_decimal::Decimal>| {
        d.map(|d| format_money(d, &currency))
            .unwrap_or_else(|| "—".into())
    };
    view! {
        <table class="data">
            <caption class="visually-hidden">"Time entries"</caption>
            <thead><tr>
                <th scope="col">"Date"</th>
                <th scope="col">{if on_matter { "Person" } else { "Matter" }}</th>
                <th scope="col">"Description"</th>
                <th scope="col" class="num">"Hours"</th>
                <th scope="col">"Billable"</th>
                <th scope="col" class="num">"Rate"</th>
                <th scope="col" class="num">"Amount"</th>
                <th scope="col">"Status"</th>
            </tr></thead>
            <tbody>
                {items.iter().map(|t| view! {
                    <tr>
                        <td class="mono"><a href=format!("/time/{}", t.id) aria-label=format!("Time entry of {}", t.work_date)>{t.work_date.to_string()}</a></td>
                        <td>{if on_matter {
                            view! { {t.user_name.clone()} }.into_any()
                        } else {
                            view! { <a href=format!("/matters/{}", t.matter_id)>{t.matter_number.clone()}</a>" "{t.matter_title.clone()} }.into_any()
                        }}</td>
                        <td>{t.activity_code.clone().map(|c| view! { <span class="mono">{c}" "</span> })}{t.description.clone()}</td>
                        <td class="num mono" title=format!("billed as {}", format_minutes(t.billed_minutes))>{format_minutes(t.minutes)}</td>
                        <td>{if t.billable { "Yes" } else { "No" }}</td>
                        <td class="num">{money(t.rate)}</td>
                        <td class="num">{money(t.amount)}</td>
                        <td>{t.status.label()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {items.is_empty().then(|| view! { <p class="empty">"No time recorded here yet."</p> })}
    }
}
