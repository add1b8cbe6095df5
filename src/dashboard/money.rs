//! The dashboard's money: unbilled work on my matters, and for billing staff and
//! administrators what clients owe by age, each linking to the list or report behind it.

use leptos::prelude::*;
use rust_decimal::Decimal;

use crate::kernel::format_money;
use crate::reports::DashboardMoney;

#[component]
pub fn MoneyFigures(money: DashboardMoney) -> impl IntoView {
    let DashboardMoney {
        currency,
        mine,
        aging,
        overdue,
    } = money;
    let money = move |d: Decimal| format_money(d, &currency);
    let m2 = money.clone();
    view! {
        <section class="card" aria-labelledby="money-h">
            <h2 id="money-h">"Billing"</h2>
            {mine.map(|m| view! {
                <dl class="facts">
                    <dt>"Unbilled work on my matters"</dt><dd>{money(m)}</dd>
                </dl>
            })}
            {aging.map(|a| view! {
                <h3>"Receivables"</h3>
                <dl class="facts">
                    <dt>"Current"</dt><dd>{m2(a.current)}</dd>
                    <dt>"1–30 days overdue"</dt><dd>{m2(a.days_1_30)}</dd>
                    <dt>"31–60 days overdue"</dt><dd>{m2(a.days_31_60)}</dd>
                    <dt>"61–90 days overdue"</dt><dd>{m2(a.days_61_90)}</dd>
                    <dt>"Over 90 days overdue"</dt><dd>{m2(a.over_90)}</dd>
                    <dt>"Total owed"</dt><dd>{m2(a.total)}</dd>
                </dl>
                <p>
                    <a href="/invoices?status=overdue">{match overdue.unwrap_or(0) {
                        0 => "No invoice is overdue".to_string(),
                        1 => "1 invoice overdue".to_string(),
                        n => format!("{n} invoices overdue"),
                    }}</a>" · "
                    <a href="/reports/aging">"Receivables aging"</a>" · "
                    <a href="/reports/wip">"Work in progress"</a>
                </p>
            })}
        </section>
    }
}
