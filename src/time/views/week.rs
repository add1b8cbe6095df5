use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::time::api::time_week;
use crate::time::duration::format_minutes;
use crate::time::Week;
use crate::ui::{loaded, query_string, Loading};

/// `/time/week?week=…&person=…`: hours per day, billable and not, with the week's totals.
#[component]
pub fn TimeWeekPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params.with(|p| {
            (
                p.get("week").unwrap_or_default(),
                p.get("person").unwrap_or_default(),
            )
        })
    });
    let week = Resource::new(move || query.get(), |(w, p)| time_week(w, p));
    view! {
        <Title text="Week · Docket"/>
        <Transition fallback=Loading>
            {loaded(week, move |w| view! { <WeekTable week=w person=query.get().1/> })}
        </Transition>
    }
}

#[component]
fn WeekTable(week: Week, person: String) -> impl IntoView {
    let link = |start: chrono::NaiveDate| {
        format!(
            "/time/week{}",
            query_string(&[("week", start.to_string()), ("person", person.clone())])
        )
    };
    let prev = link(week.start - chrono::Days::new(7));
    let next = link(week.start + chrono::Days::new(7));
    let hours = |m: u32| {
        if m == 0 {
            "—".to_string()
        } else {
            format_minutes(m)
        }
    };
    let row = |label: &'static str, f: fn(&crate::time::DayTotals) -> u32, total: u32| {
        view! {
            <tr>
                <th scope="row">{label}</th>
                {week.days.iter().map(|d| view! { <td class="num mono">{hours(f(d))}</td> }).collect_view()}
                <td class="num mono"><strong>{hours(total)}</strong></td>
            </tr>
        }
    };
    let (b, n) = (week.billable_minutes(), week.non_billable_minutes());
    view! {
        <div class="page-head">
            <div>
                <p class="crumbs"><a href="/time">"Time"</a></p>
                <h1>{format!("Week of {}", week.start)}</h1>
                <p class="muted">{week.person_name.clone()}</p>
            </div>
            <nav class="pager" aria-label="Weeks">
                <a href=prev rel="prev">"← Previous week"</a>
                <a href=next rel="next">"Next week →"</a>
            </nav>
        </div>
        <table class="data week">
            <caption class="visually-hidden">"Hours per day"</caption>
            <thead><tr>
                <td></td>
                {week.days.iter().map(|d| view! {
                    <th scope="col">{d.date.format("%a %d %b").to_string()}</th>
                }).collect_view()}
                <th scope="col">"Total"</th>
            </tr></thead>
            <tbody>
                {row("Billable", |d| d.billable_minutes, b)}
                {row("Non-billable", |d| d.non_billable_minutes, n)}
                {row("Total", |d| d.billable_minutes + d.non_billable_minutes, b + n)}
            </tbody>
        </table>
    }
}
