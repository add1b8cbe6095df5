use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::kernel::format_money;
use crate::reports::api::{billed_and_collected, receivables_aging, work_in_progress};
use crate::reports::{AgingReport, BilledReport, MonthsQuery, ReportQuery, WipReport, WipRow};
use crate::time::duration::format_minutes;
use crate::ui::{loaded, query_string, Loading};

fn report_query() -> Memo<ReportQuery> {
    let params = use_query_map();
    Memo::new(move |_| {
        params.with(|p| ReportQuery {
            as_of: p.get("as_of").unwrap_or_default(),
        })
    })
}

/// The "as of" form and the CSV link of a report.
#[component]
fn AsOf(action: &'static str, query: Memo<ReportQuery>) -> impl IntoView {
    view! {
        <Form method="GET" action=action attr:class="filters" attr:role="search">
            <div class="field">
                <label for="r-as-of">"As of"</label>
                <input id="r-as-of" type="date" name="as_of" value=move || query.get().as_of/>
            </div>
            <button type="submit" class="secondary">"Show"</button>
            <a href=move || format!("{action}.csv{}", query_string(&[("as_of", query.get().as_of)]))>"Download CSV"</a>
        </Form>
    }
}

/// `/reports/aging`: what each client owes, by how long past due.
#[component]
pub fn AgingPage() -> impl IntoView {
    let query = report_query();
    let report = Resource::new(move || query.get(), receivables_aging);
    view! {
        <Title text="Receivables aging · Docket"/>
        <div class="page-head"><h1>"Receivables aging"</h1><ReportLinks/></div>
        <AsOf action="/reports/aging" query/>
        <Transition fallback=Loading>
            {loaded(report, move |r| view! { <AgingTable report=r/> })}
        </Transition>
    }
}

#[component]
fn AgingTable(report: AgingReport) -> impl IntoView {
    let cur = report.currency.clone();
    let money = move |d| format_money(d, &cur);
    let m2 = money.clone();
    let totals = report.totals.clone();
    view! {
        <p>{format!("As of {}", report.as_of)}</p>
        <table class="data">
            <caption class="visually-hidden">"Receivables by client and age"</caption>
            <thead><tr>
                <th scope="col">"Client"</th><th scope="col" class="num">"Current"</th>
                <th scope="col" class="num">"1–30 days"</th><th scope="col" class="num">"31–60 days"</th>
                <th scope="col" class="num">"61–90 days"</th><th scope="col" class="num">"Over 90 days"</th>
                <th scope="col" class="num">"Total"</th>
            </tr></thead>
            <tbody>
                {report.rows.iter().map(|r| {
                    let href = format!("/invoices?status=open&client={}", r.client_id.unwrap_or_default());
                    view! {
                        <tr>
                            <th scope="row"><a href=href>{r.client_name.clone()}</a></th>
                            {r.buckets().into_iter().map(|d| view! { <td class="num">{money(d)}</td> }).collect_view()}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
            <tfoot><tr>
                <th scope="row">"All clients"</th>
                {totals.buckets().into_iter().map(|d| view! { <td class="num">{m2(d)}</td> }).collect_view()}
            </tr></tfoot>
        </table>
        {report.rows.is_empty().then(|| view! { <p class="empty">"Nothing is owed."</p> })}
    }
}

/// `/reports/wip`: unbilled billable work, by matter and by person.
#[component]
pub fn WipPage() -> impl IntoView {
    let query = report_query();
    let report = Resource::new(move || query.get(), work_in_progress);
    view! {
        <Title text="Work in progress · Docket"/>
        <div class="page-head"><h1>"Work in progress"</h1><ReportLinks/></div>
        <AsOf action="/reports/wip" query/>
        <Transition fallback=Loading>
            {loaded(report, move |r| view! { <WipTables report=r/> })}
        </Transition>
    }
}

#[component]
fn WipTables(report: WipReport) -> impl IntoView {
    let cur = report.currency.clone();
    view! {
        <p>{format!("Unbilled billable work dated up to {}: {}", report.as_of, format_money(report.total, &cur))}</p>
        <section class="card" aria-labelledby="wip-matters-h">
            <h2 id="wip-matters-h">"By matter"</h2>
            <WipTable rows=report.matters.clone() currency=cur.clone() caption="Work in progress by matter" matters=true/>
            {report.more.then(|| view! { <p class="hint">"The 200 largest are shown; the CSV has every matter."</p> })}
        </section>
        <section class="card" aria-labelledby="wip-people-h">
            <h2 id="wip-people-h">"By person"</h2>
            <WipTable rows=report.people.clone() currency=cur caption="Work in progress by person" matters=false/>
        </section>
    }
}

#[component]
fn WipTable(
    rows: Vec<WipRow>,
    currency: String,
    caption: &'static str,
    matters: bool,
) -> impl IntoView {
    let money = move |d| format_money(d, &currency);
    view! {
        <table class="data">
            <caption class="visually-hidden">{caption}</caption>
            <thead><tr>
                <th scope="col">{if matters { "Matter" } else { "Person" }}</th>
                {matters.then(|| view! { <th scope="col">"Client"</th> })}
                <th scope="col" class="num">"Hours"</th><th scope="col" class="num">"Time"</th>
                <th scope="col" class="num">"Expenses"</th><th scope="col" class="num">"Total"</th>
            </tr></thead>
            <tbody>
                {rows.iter().map(|r| view! {
                    <tr>
                        <th scope="row">{if matters {
                            view! { <a href=format!("/matters/{}", r.id)>{r.name.clone()}</a> }.into_any()
                        } else {
                            view! { {r.name.clone()} }.into_any()
                        }}</th>
                        {matters.then(|| view! { <td>{r.client_name.clone()}</td> })}
                        <td class="num mono">{format_minutes(r.minutes)}</td>
                        <td class="num">{money(r.time_amount)}</td>
                        <td class="num">{money(r.expense_amount)}</td>
                        <td class="num">{money(r.total())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {rows.is_empty().then(|| view! { <p class="empty">"No unbilled work."</p> })}
    }
}

#[component]
fn ReportLinks() -> impl IntoView {
    view! {
        <nav class="actions" aria-label="Reports">
            <a href="/reports/aging">"Receivables aging"</a>
            <a href="/reports/wip">"Work in progress"</a>
            <a href="/reports/billed">"Billed and collected"</a>
        </nav>
    }
}

/// `/reports/billed`: hours and amounts billed and collected per person per month.
#[component]
pub fn BilledPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params.with(|p| MonthsQuery {
            from: p.get("from").unwrap_or_default(),
            to: p.get("to").unwrap_or_default(),
        })
    });
    let report = Resource::new(move || query.get(), billed_and_collected);
    view! {
        <Title text="Billed and collected · Docket"/>
        <div class="page-head"><h1>"Billed and collected"</h1><ReportLinks/></div>
        <Form method="GET" action="/reports/billed" attr:class="filters" attr:role="search">
            <div class="field">
                <label for="b-from">"From month"</label>
                <input id="b-from" type="month" name="from" placeholder="2026-01" value=move || query.get().from/>
            </div>
            <div class="field">
                <label for="b-to">"To month"</label>
                <input id="b-to" type="month" name="to" placeholder="2026-12" value=move || query.get().to/>
            </div>
            <button type="submit" class="secondary">"Show"</button>
            <a href=move || { let q = query.get(); format!("/reports/billed.csv{}", query_string(&[("from", q.from), ("to", q.to)])) }>"Download CSV"</a>
        </Form>
        <Transition fallback=Loading>
            {loaded(report, move |r| view! { <BilledTable report=r/> })}
        </Transition>
    }
}

#[component]
fn BilledTable(report: BilledReport) -> impl IntoView {
    let cur = report.currency.clone();
    let money = move |d| format_money(d, &cur);
    view! {
        <table class="data">
            <caption class="visually-hidden">"Billed and collected per person per month"</caption>
            <thead><tr>
                <th scope="col">"Month"</th><th scope="col">"Person"</th><th scope="col" class="num">"Hours billed"</th>
                <th scope="col" class="num">"Billed"</th><th scope="col" class="num">"Collected"</th>
            </tr></thead>
            <tbody>
                {report.rows.iter().map(|r| view! {
                    <tr>
                        <td class="mono">{r.month.clone()}</td>
                        <td>{r.name.clone()}</td>
                        <td class="num mono">{format_minutes(r.billed_minutes)}</td>
                        <td class="num">{money(r.billed)}</td>
                        <td class="num">{money(r.collected)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {report.rows.is_empty().then(|| view! { <p class="empty">"Nothing billed or collected in these months."</p> })}
    }
}
