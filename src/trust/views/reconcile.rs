//! `/trust/accounts/{id}/reconcile`: a bank statement against the journal and the client
//! ledgers; `/trust/reconciliations/{id}`: a completed reconciliation, to read and print.
//! The statement form is a GET form: the figures are worked out from the URL, with or without
//! JavaScript; completing posts what the page showed.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use crate::kernel::{format_money, Choice};
use crate::trust::api::{get_reconcile_sheet, get_reconciliation, ReconcileAccount};
use crate::trust::{ClientLedger, ReconcileForm, ReconcileItem, ReconcileSheet, ThreeWay};
use crate::ui::{action_error, form_errors, loaded, FormAlert, FormStamp, Loading};

#[component]
pub fn ReconcilePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let input = Memo::new(move |_| {
        let id = params.with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok()));
        let form = query.with(|q| ReconcileForm {
            statement_date: q.get("statement_date").unwrap_or_default(),
            statement_balance: q.get("statement_balance").unwrap_or_default(),
            outstanding: q.get_all("out").unwrap_or_default().join(","),
            marked: q.get("marked").unwrap_or_default(),
            journal: String::new(),
        });
        (id, form)
    });
    let data = Resource::new(
        move || input.get(),
        |(id, form)| async move {
            match id {
                Some(id) => get_reconcile_sheet(id, form).await,
                None => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=Loading>
            {loaded(data, move |s| view! { <Sheet s/> })}
        </Transition>
    }
}

#[component]
fn Sheet(s: ReconcileSheet) -> impl IntoView {
    let money = {
        let c = s.currency.clone();
        move |d| format_money(d, &c)
    };
    let action = format!("/trust/accounts/{}/reconcile", s.account.id);
    let problem = |key: &str| {
        s.problems
            .as_ref()
            .and_then(|p| p.get(key).map(str::to_string))
            .map(|m| view! { <p class="error" id=format!("{key}-error")>{m}</p> })
    };
    let (date_problem, balance_problem) = (problem("statement_date"), problem("statement_balance"));
    let last = s
        .last_statement
        .map(|d| format!("reconciled through {d}"))
        .unwrap_or_else(|| "never reconciled".into());
    let ready =
        s.problems.is_none() && !s.walled && s.figures.as_ref().is_some_and(ThreeWay::balanced);
    let (items, currency, typed) = (
        s.items.clone(),
        s.currency.clone(),
        s.statement_balance.clone(),
    );
    let date = s.statement_date.to_string();
    view! {
        <Title text=format!("Reconcile {} · Docket", s.account.name)/>
        <div class="page-head"><div>
            <p class="crumbs"><a href="/trust">"Trust accounts"</a></p>
            <h1>{format!("Reconcile {}", s.account.name)}</h1>
            <p class="muted">{format!("{} …{} · {last}", s.account.bank_name, s.account.last4)}</p>
        </div></div>
        {s.walled.then(|| view! {
            <p class="error" role="alert">"Some of this account's matters are walled off from you: the journal you see is not the bank's. Someone who sees them all reconciles it."</p>
        })}
        <section class="card" aria-labelledby="statement-h">
            <h2 id="statement-h">"Bank statement"</h2>
            <Form method="GET" action=action>
                <input type="hidden" name="marked" value="1"/>
                <div class="grid">
                    <div class="field">
                        <label for="statement_date">"Statement date"</label>
                        <input id="statement_date" type="date" name="statement_date" value=date.clone()
                            aria-invalid=date_problem.is_some().then_some("true") aria-describedby="statement_date-error"/>
                        {date_problem}
                    </div>
                    <div class="field">
                        <label for="statement_balance">"Statement ending balance"</label>
                        <input id="statement_balance" type="text" name="statement_balance" value=typed
                            autocomplete="off" inputmode="decimal"
                            aria-invalid=balance_problem.is_some().then_some("true") aria-describedby="statement_balance-error"/>
                        {balance_problem}
                    </div>
                </div>
                <Items items=items currency=currency/>
                <div class="actions"><button type="submit" class="secondary">"Work out the figures"</button></div>
            </Form>
        </section>
        {s.figures.clone().map(|f| view! { <Figures f=f currency=s.currency.clone()/> })}
        <Clients clients=s.clients.clone() currency=s.currency.clone() date=s.statement_date.to_string()/>
        {ready.then(|| view! { <Complete s=s.clone()/> })}
        {(!s.history.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="history-h">
                <h2 id="history-h">"Earlier reconciliations"</h2>
                <ul>
                    {s.history.iter().map(|h| view! {
                        <li><a href=format!("/trust/reconciliations/{}", h.id)>{format!("Statement of {}", h.statement_date)}</a>
                            {format!(" · {} · by {}", money(h.statement_balance), h.reconciled_by)}</li>
                    }).collect_view()}
                </ul>
            </section>
        })}
    }
    .into_any()
}

/// The period's entries, each with a box to mark it outstanding (not on the statement).
#[component]
fn Items(items: Vec<ReconcileItem>, currency: String) -> impl IntoView {
    let empty = items.is_empty();
    view! {
        <table class="data">
            <caption>"Entries of the period: mark those the bank statement does not show"</caption>
            <thead><tr>
                <th scope="col">"Outstanding"</th><th scope="col">"Date"</th><th scope="col">"Entry"</th>
                <th scope="col">"Matter · from / to · purpose"</th><th scope="col">"Reference"</th>
                <th scope="col" class="num">"Amount"</th>
            </tr></thead>
            <tbody>
                {items.into_iter().map(|i| {
                    let label = format!("Outstanding: {} of {} for {}", i.kind.label(), i.occurred_on, format_money(i.amount.abs(), &currency));
                    view! {
                        <tr>
                            <td><input type="checkbox" name="out" value=i.id.to_string() checked=i.outstanding aria-label=label/></td>
                            <td class="mono">{i.occurred_on.to_string()}</td>
                            <td>{i.kind.label()}</td>
                            <td>{i.description.clone()}</td>
                            <td class="mono">{i.reference.clone()}</td>
                            <td class="num">{format_money(i.amount, &currency)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {empty.then(|| view! { <p class="empty">"No entries in this period."</p> })}
    }
    .into_any()
}

/// The three figures and their differences.
#[component]
pub fn Figures(f: ThreeWay, currency: String) -> impl IntoView {
    let money = move |d| format_money(d, &currency);
    let verdict = if f.balanced() {
        "Balanced: the adjusted bank balance, the journal and the client ledgers agree.".to_string()
    } else {
        format!(
            "Not balanced: the adjusted bank balance differs from the journal by {}, the journal from the client ledgers by {}.",
            money(f.bank_vs_journal),
            money(f.journal_vs_ledgers)
        )
    };
    view! {
        <section class="card" aria-labelledby="figures-h">
            <h2 id="figures-h">"Three-way reconciliation"</h2>
            <table class="data figures">
                <caption class="visually-hidden">"Three-way reconciliation"</caption>
                <tbody>
                    <tr><th scope="row">"Bank statement balance"</th><td class="num">{money(f.statement)}</td></tr>
                    <tr><th scope="row">"Plus deposits in transit"</th><td class="num">{money(f.deposits_in_transit)}</td></tr>
                    <tr><th scope="row">"Less outstanding payments"</th><td class="num">{money(f.outstanding_payments)}</td></tr>
                    <tr><th scope="row">"Adjusted bank balance"</th><td class="num" data-testid="adjusted-bank"><strong>{money(f.adjusted_bank)}</strong></td></tr>
                    <tr><th scope="row">"Trust journal balance"</th><td class="num" data-testid="journal"><strong>{money(f.journal)}</strong></td></tr>
                    <tr><th scope="row">"Sum of client ledgers"</th><td class="num" data-testid="client-ledgers"><strong>{money(f.client_ledgers)}</strong></td></tr>
                    <tr><th scope="row">"Difference, bank − journal"</th><td class="num">{money(f.bank_vs_journal)}</td></tr>
                    <tr><th scope="row">"Difference, journal − client ledgers"</th><td class="num">{money(f.journal_vs_ledgers)}</td></tr>
                </tbody>
            </table>
            <p role="status" class=if f.balanced() { "ok" } else { "error" }>{verdict}</p>
        </section>
    }
    .into_any()
}

#[component]
pub fn Clients(clients: Vec<ClientLedger>, currency: String, date: String) -> impl IntoView {
    let empty = clients.is_empty();
    view! {
        <section class="card" aria-labelledby="clients-h">
            <h2 id="clients-h">{format!("Client ledgers on {date}")}</h2>
            <table class="data">
                <caption class="visually-hidden">"Client ledgers"</caption>
                <thead><tr><th scope="col">"Client"</th><th scope="col" class="num">"Balance"</th></tr></thead>
                <tbody>
                    {clients.into_iter().map(|c| view! {
                        <tr><td>{c.client_name}</td><td class="num">{format_money(c.balance, &currency)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            {empty.then(|| view! { <p class="empty">"No client held money in this account."</p> })}
        </section>
    }
    .into_any()
}

/// Complete the reconciliation the page shows.
#[component]
fn Complete(s: ReconcileSheet) -> impl IntoView {
    let complete = ServerAction::<ReconcileAccount>::new();
    let error = action_error(complete);
    let errors = form_errors(error);
    let outstanding = s
        .items
        .iter()
        .filter(|i| i.outstanding)
        .map(|i| i.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let journal = s
        .figures
        .as_ref()
        .map(|f| f.journal.to_string())
        .unwrap_or_default();
    view! {
        <section class="card no-print" aria-labelledby="complete-h">
            <h2 id="complete-h">"Complete"</h2>
            <FormAlert error/>
            <ActionForm action=complete>
                <FormStamp errors/>
                <input type="hidden" name="account" value=s.account.id.to_string()/>
                <input type="hidden" name="form[statement_date]" value=s.statement_date.to_string()/>
                <input type="hidden" name="form[statement_balance]" value=s.statement_balance.clone()/>
                <input type="hidden" name="form[outstanding]" value=outstanding/>
                <input type="hidden" name="form[marked]" value="1"/>
                <input type="hidden" name="form[journal]" value=journal/>
                <p class="hint">"Completing saves these figures as they are and locks the entries the statement covers: reversing one then takes an administrator's override."</p>
                <div class="actions"><button type="submit" class="primary">"Complete reconciliation"</button></div>
            </ActionForm>
        </section>
    }
    .into_any()
}

/// `/trust/reconciliations/{id}`: a completed reconciliation, as it was saved.
#[component]
pub fn ReconciliationPage() -> impl IntoView {
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok())));
    let data = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_reconciliation(id).await,
                None => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=Loading>
            {loaded(data, move |r| {
                let when = r.reconciled_at.format("%Y-%m-%d %H:%M UTC").to_string();
                view! {
                    <Title text=format!("Reconciliation of {} · Docket", r.statement_date)/>
                    <div class="page-head"><div>
                        <p class="crumbs no-print"><a href=format!("/trust/accounts/{}/reconcile", r.account.id)>{format!("Reconcile {}", r.account.name)}</a></p>
                        <h1>{format!("Trust reconciliation: statement of {}", r.statement_date)}</h1>
                        <p class="muted">{format!("{} · {} …{} · reconciled by {} on {when}", r.account.name, r.account.bank_name, r.account.last4, r.reconciled_by)}</p>
                        <p class="hint no-print">"To print or save as PDF, use the browser's Print."</p>
                    </div></div>
                    <Figures f=r.figures.clone() currency=r.currency.clone()/>
                    <section class="card" aria-labelledby="outstanding-h">
                        <h2 id="outstanding-h">"Outstanding items"</h2>
                        <table class="data">
                            <caption class="visually-hidden">"Outstanding items"</caption>
                            <thead><tr><th scope="col">"Date"</th><th scope="col">"Entry"</th><th scope="col">"Matter · from / to · purpose"</th>
                                <th scope="col">"Reference"</th><th scope="col" class="num">"Amount"</th></tr></thead>
                            <tbody>
                                {r.items.iter().map(|i| view! {
                                    <tr><td class="mono">{i.occurred_on.to_string()}</td><td>{i.kind.label()}</td><td>{i.description.clone()}</td>
                                        <td class="mono">{i.reference.clone()}</td><td class="num">{format_money(i.amount, &r.currency)}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        {r.items.is_empty().then(|| view! { <p class="empty">"None: the statement showed every entry."</p> })}
                    </section>
                    <Clients clients=r.clients.clone() currency=r.currency.clone() date=r.statement_date.to_string()/>
                }
            })}
        </Transition>
    }
}
