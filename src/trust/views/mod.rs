//! The trust pages: the firm's accounts, a matter's trust page (its forms in `forms`, its ledger
//! in `ledger`).

mod forms;
mod ledger;
mod reconcile;
mod statement;

pub use reconcile::{ReconcilePage, ReconciliationPage};
pub use statement::{ClientTrustPage, JournalPage};

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use super::api::{get_matter_trust, list_trust_accounts, CreateTrustAccount};
use super::MatterTrust;
use crate::kernel::format_money;
use crate::ui::{
    action_error, form_errors, loaded, reload_on_success, session_info, FormAlert, FormStamp,
    Loading, TextField,
};
use forms::RecordForms;
use ledger::Ledger;
/// `/trust`: the firm's trust accounts, and (administrators) opening one.
#[component]
pub fn TrustPage() -> impl IntoView {
    let version = RwSignal::new(0usize);
    let open = ServerAction::<CreateTrustAccount>::new();
    reload_on_success(open, version);
    let data = Resource::new(move || version.get(), |_| list_trust_accounts());
    let admin = session_info().is_some_and(|s| super::may_open_accounts(s.role));
    let error = action_error(open);
    let errors = form_errors(error);
    view! {
        <Title text="Trust · Docket"/>
        <div class="page-head"><h1>"Trust accounts"</h1></div>
        <Transition fallback=Loading>
            {loaded(data, move |t| {
                let money = move |d| format_money(d, &t.currency);
                view! {
                    <table class="data">
                        <caption class="visually-hidden">"Trust accounts"</caption>
                        <thead><tr>
                            <th scope="col">"Account"</th><th scope="col">"Bank"</th>
                            <th scope="col">"Number"</th><th scope="col" class="num">"Held for clients"</th>
                            <th scope="col" class="num">"Not yet cleared"</th>
                            <th scope="col">"Reconciled through"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr></thead>
                        <tbody>
                            {t.accounts.iter().map(|a| view! {
                                <tr>
                                    <td><a href=format!("/trust/accounts/{}", a.id)>{a.name.clone()}</a></td><td>{a.bank_name.clone()}</td>
                                    <td class="mono">"…"{a.last4.clone()}</td>
                                    <td class="num">{money(a.balance)}</td>
                                    <td class="num">{money(a.uncleared)}</td>
                                    <td class="mono">{a.reconciled_through.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</td>
                                    <td>
                                        <form method="get" action=format!("/trust/accounts/{}/reconcile", a.id) class="inline">
                                            <button type="submit" class="secondary small">"Reconcile"</button>
                                        </form>
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    {t.accounts.is_empty().then(|| view! { <p class="empty">"No trust account yet."</p> })}
                }
            })}
        </Transition>
        {admin.then(|| view! {
            <section class="card" aria-labelledby="open-account-h">
                <h2 id="open-account-h">"Open a trust account"</h2>
                <FormAlert error/>
                <ActionForm action=open>
                    <FormStamp errors/>
                    <div class="grid">
                        <TextField label="Account name" key="name" errors required=true/>
                        <TextField label="Bank" key="bank_name" errors required=true/>
                        <TextField label="Last 4 digits of the account number" key="last4" errors required=true autocomplete="off"/>
                    </div>
                    <div class="actions"><button type="submit" class="primary">"Open account"</button></div>
                </ActionForm>
            </section>
        })}
    }
}

/// `/matters/{id}/trust`: what the matter holds in trust, its ledger, and recording money.
#[component]
pub fn MatterTrustPage() -> impl IntoView {
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok())));
    let version = RwSignal::new(0usize);
    let data = Resource::new(
        move || (id.get(), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_matter_trust(id).await,
                None => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=Loading>
            {loaded(data, move |t| view! { <MatterTrustView t version/> })}
        </Transition>
    }
}

#[component]
fn MatterTrustView(t: MatterTrust, version: RwSignal<usize>) -> impl IntoView {
    let money = {
        let currency = t.currency.clone();
        move |d| format_money(d, &currency)
    };
    let total: rust_decimal::Decimal = t.balances.iter().map(|b| b.balance).sum();
    let matter = t.matter_id;
    view! {
        <Title text=format!("Trust · {} · Docket", t.matter_number)/>
        <div class="page-head">
            <div>
                <p class="crumbs"><a href=format!("/matters/{matter}")>{format!("{} {}", t.matter_number, t.title)}</a></p>
                <h1>"Trust ledger"</h1>
                <p class="muted">{if t.may_record {
                    view! { <a href=format!("/clients/{}/trust", t.client_id)>{t.client_name.clone()}</a> }.into_any()
                } else {
                    t.client_name.clone().into_any()
                }}" · held in trust: "<strong data-testid="trust-balance">{money(total)}</strong></p>
            </div>
        </div>
        <section class="card" aria-labelledby="balances-h">
            <h2 id="balances-h">"Balances"</h2>
            <table class="data">
                <caption class="visually-hidden">"Balances by account"</caption>
                <thead><tr><th scope="col">"Account"</th><th scope="col" class="num">"Balance"</th>
                    <th scope="col" class="num">"Not yet cleared"</th><th scope="col" class="num">"Available"</th></tr></thead>
                <tbody>
                    {t.balances.iter().map(|b| view! {
                        <tr><td>{b.account_name.clone()}</td><td class="num">{money(b.balance)}</td>
                            <td class="num">{money(b.uncleared)}</td><td class="num">{money(b.available())}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            {t.balances.is_empty().then(|| view! { <p class="empty">"This matter holds no trust money."</p> })}
        </section>
        {(t.may_record && !t.closed).then(|| view! { <RecordForms t=t.clone() version/> })}
        {(t.may_record && t.closed).then(|| view! { <p class="hint">"This matter is closed: it takes no trust money."</p> })}
        <Ledger rows=t.ledger.clone() more=t.more currency=t.currency.clone() may_record=t.may_record version/>
    }
    .into_any()
}
