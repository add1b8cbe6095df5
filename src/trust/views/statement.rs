//! `/clients/{id}/trust`: a client's trust statement for a period (printable), and
//! `/trust/accounts/{id}`: an account's journal. One view: a period (GET form), the opening
//! balance, each entry with the balance after it, the closing balance, and the CSV.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::error::AppError;
use crate::kernel::{format_money, Choice};
use crate::trust::ledgers::{account_journal, client_trust_ledger};
use crate::trust::{LedgerFilter, TrustStatement};
use crate::ui::{loaded, Loading};

/// The page's id and period from the URL.
fn input() -> Memo<(Option<Uuid>, LedgerFilter)> {
    let params = use_params_map();
    let query = use_query_map();
    Memo::new(move |_| {
        let id = params.with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()));
        let filter = query.with(|q| LedgerFilter {
            from: q.get("from").unwrap_or_default(),
            to: q.get("to").unwrap_or_default(),
        });
        (id, filter)
    })
}

#[component]
pub fn ClientTrustPage() -> impl IntoView {
    let input = input();
    let data = Resource::new(
        move || input.get(),
        |(id, filter)| async move {
            match id {
                Some(id) => client_trust_ledger(id, filter).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=Loading>
            {loaded(data, move |s| view! { <Statement s/> })}
        </Transition>
    }
}

#[component]
pub fn JournalPage() -> impl IntoView {
    let input = input();
    let data = Resource::new(
        move || input.get(),
        |(id, filter)| async move {
            match id {
                Some(id) => account_journal(id, filter).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=Loading>
            {loaded(data, move |s| view! { <Statement s/> })}
        </Transition>
    }
}

#[component]
fn Statement(s: TrustStatement) -> impl IntoView {
    let money = {
        let c = s.currency.clone();
        move |d| format_money(d, &c)
    };
    let (here, csv, title, back, back_label) = if s.client {
        (
            format!("/clients/{}/trust", s.id),
            format!("/clients/{}/trust.csv{}", s.id, s.filter.query()),
            format!("Trust statement: {}", s.name),
            format!("/clients/{}", s.id),
            s.name.clone(),
        )
    } else {
        (
            format!("/trust/accounts/{}", s.id),
            format!("/trust/accounts/{}/journal.csv{}", s.id, s.filter.query()),
            format!("Trust journal: {}", s.name),
            "/trust".to_string(),
            "Trust accounts".to_string(),
        )
    };
    let period = match (s.from, s.to) {
        (None, None) => "All dates".to_string(),
        (Some(f), None) => format!("From {f}"),
        (None, Some(t)) => format!("Through {t}"),
        (Some(f), Some(t)) => format!("{f} to {t}"),
    };
    let problem = |key: &str| {
        s.problems
            .as_ref()
            .and_then(|p| p.get(key).map(str::to_string))
            .map(|m| view! { <p class="error" id=format!("{key}-error")>{m}</p> })
    };
    let (from_problem, to_problem) = (problem("from"), problem("to"));
    let (from, to) = (s.filter.from.clone(), s.filter.to.clone());
    let client = s.client;
    let empty = s.lines.is_empty();
    view! {
        <Title text=format!("{title} · Docket")/>
        <div class="page-head"><div>
            <p class="crumbs no-print"><a href=back>{back_label}</a></p>
            <p class="print-only">{s.firm_name.clone()}</p>
            <h1>{title}</h1>
            <p class="muted">{period.clone()}" · opening balance "{money(s.opening)}" · closing balance "
                <strong data-testid="closing-balance">{money(s.closing)}</strong></p>
        </div></div>
        <section class="card no-print" aria-labelledby="period-h">
            <h2 id="period-h">"Period"</h2>
            <Form method="GET" action=here attr:role="search">
                <div class="grid">
                    <div class="field">
                        <label for="from">"From"</label>
                        <input id="from" type="date" name="from" value=from aria-describedby="from-error"/>
                        {from_problem}
                    </div>
                    <div class="field">
                        <label for="to">"To"</label>
                        <input id="to" type="date" name="to" value=to aria-describedby="to-error"/>
                        {to_problem}
                    </div>
                </div>
                <div class="actions">
                    <button type="submit" class="secondary">"Show"</button>
                    <a href=csv download="">"Download CSV"</a>
                    <span class="hint">"To print the statement or save it as PDF, use the browser's Print."</span>
                </div>
            </Form>
        </section>
        {s.truncated.then(|| view! {
            <p class="hint">{format!("The first {} entries of the period: the CSV has them all, or choose a shorter period.", crate::trust::STATEMENT_ROWS)}</p>
        })}
        <table class="data">
            <caption class="visually-hidden">{format!("Trust entries, {period}")}</caption>
            <thead><tr>
                <th scope="col">"Date"</th>
                {(!client).then(|| view! { <th scope="col">"Client"</th> })}
                <th scope="col">"Matter"</th><th scope="col">"Account"</th><th scope="col">"Entry"</th>
                <th scope="col">"From / to · purpose"</th><th scope="col">"Reference"</th>
                <th scope="col" class="num">"Amount"</th><th scope="col" class="num">"Balance"</th>
            </tr></thead>
            <tbody>
                <tr><td colspan=if client { "7" } else { "8" }>"Opening balance"</td><td class="num">{money(s.opening)}</td></tr>
                {s.lines.iter().map(|l| {
                    let detail = [l.counterparty.as_str(), l.purpose.as_str()]
                        .into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ");
                    view! {
                        <tr>
                            <td class="mono">{l.occurred_on.to_string()}</td>
                            {(!client).then(|| view! { <td>{l.client_name.clone()}</td> })}
                            <td>{l.matter_number.clone()}</td>
                            <td>{l.account_name.clone()}</td>
                            <td>{l.kind.label()}</td>
                            <td>{detail}</td>
                            <td class="mono">{l.reference.clone()}</td>
                            <td class="num">{money(l.amount)}</td>
                            <td class="num">{money(l.balance)}</td>
                        </tr>
                    }
                }).collect_view()}
                <tr><td colspan=if client { "7" } else { "8" }>"Closing balance"</td><td class="num"><strong>{money(s.closing)}</strong></td></tr>
            </tbody>
        </table>
        {empty.then(|| view! { <p class="empty">"No trust money moved in this period."</p> })}
    }
    .into_any()
}
