//! The dashboard: the caller's own time today and this week, their timer, unbilled work on
//! their matters, and for billing staff and administrators the firm's receivables.

mod money;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::time::api::{my_timer, time_week};
use crate::time::duration::format_minutes;
use crate::time::{Timer, Week};
use crate::ui::Loading;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let data = Resource::new(
        || (),
        |_| async {
            Ok::<_, crate::error::AppError>((
                time_week(String::new(), String::new()).await?,
                my_timer().await?,
                crate::reports::api::dashboard_money().await?,
            ))
        },
    );
    view! {
        <Title text="Dashboard · Docket"/>
        <h1>"Dashboard"</h1>
        <Suspense fallback=Loading>
            {move || data.get().map(|r| match r {
                Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                Ok((week, timer, money)) => view! {
                    <MyTime week timer/>
                    <money::MoneyFigures money/>
                }.into_any(),
            })}
        </Suspense>
        <section class="card">
            <ul>
                <li><a href="/clients">"Clients"</a>" — find a client, add contacts, open a matter."</li>
                <li><a href="/matters">"Matters"</a>" — filter by status, practice area or attorney."</li>
                <li><a href="/time">"Time"</a>" — record time, by hand or with the timer."</li>
                <li><a href="/invoices">"Invoices"</a>" — drafts, issued invoices and payments."</li>
            </ul>
        </section>
    }
}

#[component]
fn MyTime(week: Week, timer: Option<Timer>) -> impl IntoView {
    let today = week.days.iter().find(|d| d.date == week.today).copied();
    let (today_billable, today_other) = today
        .map(|d| (d.billable_minutes, d.non_billable_minutes))
        .unwrap_or((0, 0));
    let hours = |m: u32| format_minutes(m);
    view! {
        <section class="card" aria-labelledby="my-time-h">
            <h2 id="my-time-h">"My time"</h2>
            <dl class="facts">
                <dt>"Today, billable"</dt><dd class="mono">{hours(today_billable)}</dd>
                <dt>"Today, non-billable"</dt><dd class="mono">{hours(today_other)}</dd>
                <dt>"This week, billable"</dt><dd class="mono">{hours(week.billable_minutes())}</dd>
                <dt>"This week, non-billable"</dt><dd class="mono">{hours(week.non_billable_minutes())}</dd>
                <dt>"Timer"</dt>
                <dd>{match timer {
                    Some(t) => view! {
                        <span class="mono">{t.clock()}</span>
                        {if t.running { " running on " } else { " paused on " }}
                        <a href=format!("/matters/{}", t.matter_id)>{t.matter_number.clone()}</a>
                    }.into_any(),
                    None => view! { "Not running" }.into_any(),
                }}</dd>
            </dl>
            <p><a href="/time/week">"Week view"</a>" · "<a href="/time">"All my time"</a></p>
        </section>
    }
}
