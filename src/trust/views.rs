use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use super::api::{
    get_matter_trust, list_trust_accounts, ClearTrustDeposit, CreateTrustAccount, RecordDeposit,
    RecordDisbursement, ReverseTrustEntry, TransferTrust,
};
use super::{EntryKind, LedgerRow, MatterTrust, TrustMethod};
use crate::kernel::{format_money, Choice};
use crate::ui::{
    action_error, choices, form_errors, reload_on_success, session_info, ErrorPanel, FormAlert,
    FormStamp, Loading, SelectField, TextField,
};

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
            {move || data.get().map(|r| match r {
                Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                Ok(t) => {
                    let money = move |d| format_money(d, &t.currency);
                    view! {
                        <table class="data">
                            <caption class="visually-hidden">"Trust accounts"</caption>
                            <thead><tr>
                                <th scope="col">"Account"</th><th scope="col">"Bank"</th>
                                <th scope="col">"Number"</th><th scope="col" class="num">"Held for clients"</th>
                                <th scope="col" class="num">"Not yet cleared"</th>
                            </tr></thead>
                            <tbody>
                                {t.accounts.iter().map(|a| view! {
                                    <tr>
                                        <td>{a.name.clone()}</td><td>{a.bank_name.clone()}</td>
                                        <td class="mono">"…"{a.last4.clone()}</td>
                                        <td class="num">{money(a.balance)}</td>
                                        <td class="num">{money(a.uncleared)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        {t.accounts.is_empty().then(|| view! { <p class="empty">"No trust account yet."</p> })}
                    }.into_any()
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
            {move || data.get().map(|r| match r {
                Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                Ok(t) => view! { <MatterTrustView t version/> }.into_any(),
            })}
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
                <p class="muted">{t.client_name.clone()}" · held in trust: "<strong data-testid="trust-balance">{money(total)}</strong></p>
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

#[component]
fn RecordForms(t: MatterTrust, version: RwSignal<usize>) -> impl IntoView {
    let deposit = ServerAction::<RecordDeposit>::new();
    let disburse = ServerAction::<RecordDisbursement>::new();
    let transfer = ServerAction::<TransferTrust>::new();
    reload_on_success(deposit, version);
    reload_on_success(disburse, version);
    reload_on_success(transfer, version);
    let accounts: Vec<(String, String)> = t
        .accounts
        .iter()
        .map(|(id, name)| (id.to_string(), name.clone()))
        .collect();
    let first = accounts
        .first()
        .map(|(id, _)| id.clone())
        .unwrap_or_default();
    let matter = t.matter_id.to_string();
    let siblings: Vec<(String, String)> = t
        .sibling_matters
        .iter()
        .map(|(id, n)| (id.to_string(), n.clone()))
        .collect();
    if accounts.is_empty() {
        return view! {
            <p class="empty">"The firm has no trust account yet: an administrator opens one under Trust."</p>
        }
        .into_any();
    }
    let (de, dd, dt) = (
        action_error(deposit),
        action_error(disburse),
        action_error(transfer),
    );
    let (e1, e2, e3) = (form_errors(de), form_errors(dd), form_errors(dt));
    let transfer_card = (!siblings.is_empty()).then({
        let (accounts, first, matter) = (accounts.clone(), first.clone(), matter.clone());
        move || view! {
            <section class="card" aria-labelledby="transfer-h">
                <h2 id="transfer-h">"Transfer to another matter of this client"</h2>
                <FormAlert error=dt/>
                <ActionForm action=transfer>
                    <FormStamp errors=e3/>
                    <input type="hidden" name="matter" value=matter.clone()/>
                    <div class="grid">
                        <SelectField label="Account" key="account" options=accounts.clone() value=first.clone() errors=e3 required=true id_prefix="transfer"/>
                        <SelectField label="To matter" key="to_matter" options=siblings errors=e3 required=true id_prefix="transfer"/>
                        <TextField label="Date" key="occurred_on" kind="date" errors=e3 hint="Empty: today" id_prefix="transfer"/>
                        <TextField label="Purpose" key="purpose" errors=e3 required=true id_prefix="transfer"/>
                        <TextField label="Amount" key="amount" errors=e3 required=true autocomplete="off" id_prefix="transfer"/>
                    </div>
                    <div class="actions"><button type="submit" class="secondary">"Transfer"</button></div>
                </ActionForm>
            </section>
        }
    });
    let methods = choices::<TrustMethod>();
    let (accounts2, first2, matter2, methods2) = (
        accounts.clone(),
        first.clone(),
        matter.clone(),
        methods.clone(),
    );
    view! {
        <div class="columns">
            <section class="card" aria-labelledby="deposit-h">
                <h2 id="deposit-h">"Deposit"</h2>
                <FormAlert error=de/>
                <ActionForm action=deposit>
                    <FormStamp errors=e1/>
                    <input type="hidden" name="matter" value=matter/>
                    <SelectField label="Account" key="account" options=accounts value=first errors=e1 required=true id_prefix="deposit"/>
                    <TextField label="Date" key="occurred_on" kind="date" errors=e1 hint="Empty: today" id_prefix="deposit"/>
                    <TextField label="Received from" key="counterparty" errors=e1 required=true id_prefix="deposit"/>
                    <SelectField label="Method" key="method" options=methods errors=e1 blank="—" id_prefix="deposit"/>
                    <TextField label="Reference" key="reference" errors=e1 autocomplete="off" id_prefix="deposit"/>
                    <TextField label="Amount" key="amount" errors=e1 required=true autocomplete="off" id_prefix="deposit"/>
                    <TextField label="Cleared on" key="cleared_on" kind="date" errors=e1 hint="Empty: the bank has not cleared it yet" id_prefix="deposit"/>
                    <TextField label="Purpose" key="purpose" errors=e1 id_prefix="deposit"/>
                    <div class="actions"><button type="submit" class="primary">"Record deposit"</button></div>
                </ActionForm>
            </section>
            <section class="card" aria-labelledby="disburse-h">
                <h2 id="disburse-h">"Disbursement"</h2>
                <FormAlert error=dd/>
                <ActionForm action=disburse>
                    <FormStamp errors=e2/>
                    <input type="hidden" name="matter" value=matter2/>
                    <SelectField label="Account" key="account" options=accounts2 value=first2 errors=e2 required=true id_prefix="disburse"/>
                    <TextField label="Date" key="occurred_on" kind="date" errors=e2 hint="Empty: today" id_prefix="disburse"/>
                    <TextField label="Paid to" key="counterparty" errors=e2 required=true id_prefix="disburse"/>
                    <TextField label="Purpose" key="purpose" errors=e2 required=true id_prefix="disburse"/>
                    <SelectField label="Method" key="method" options=methods2 errors=e2 blank="—" id_prefix="disburse"/>
                    <TextField label="Reference" key="reference" errors=e2 autocomplete="off" hint="Cheque or bank reference number" id_prefix="disburse"/>
                    <TextField label="Amount" key="amount" errors=e2 required=true autocomplete="off" id_prefix="disburse"/>
                    <div class="actions"><button type="submit" class="primary">"Record disbursement"</button></div>
                </ActionForm>
            </section>
        </div>
        {transfer_card}
    }
    .into_any()
}

#[component]
fn Ledger(
    rows: Vec<LedgerRow>,
    more: bool,
    currency: String,
    may_record: bool,
    version: RwSignal<usize>,
) -> impl IntoView {
    let empty = rows.is_empty();
    view! {
        <section class="card" aria-labelledby="ledger-h">
            <h2 id="ledger-h">"Ledger"</h2>
            {more.then(|| view! { <p class="hint">{format!("The newest {} entries.", super::LEDGER_ROWS)}</p> })}
            <table class="data">
                <caption class="visually-hidden">"Trust ledger, newest first"</caption>
                <thead><tr>
                    <th scope="col">"Date"</th><th scope="col">"Account"</th><th scope="col">"Entry"</th>
                    <th scope="col">"From / to · purpose"</th><th scope="col">"Reference"</th>
                    <th scope="col" class="num">"Amount"</th><th scope="col" class="num">"Balance"</th>
                    {may_record.then(|| view! { <th scope="col">"Correct"</th> })}
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! { <LedgerLine r currency=currency.clone() may_record version/> }).collect_view()}
                </tbody>
            </table>
            {empty.then(|| view! { <p class="empty">"No trust money has moved on this matter."</p> })}
        </section>
    }
    .into_any()
}

#[component]
fn LedgerLine(
    r: LedgerRow,
    currency: String,
    may_record: bool,
    version: RwSignal<usize>,
) -> impl IntoView {
    let money = move |d| format_money(d, &currency);
    let status = match (r.kind, r.cleared_on, r.reversed) {
        (_, _, true) => " · reversed",
        (EntryKind::Deposit, None, _) => " · not cleared",
        _ => "",
    };
    let detail = [r.counterparty.as_str(), r.purpose.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    let correct = (may_record && !r.reversed && r.kind != EntryKind::Reversal)
        .then(|| view! { <td><Corrections r=r.clone() version/></td> });
    let blank = (may_record && correct.is_none()).then(|| view! { <td></td> });
    view! {
        <tr>
            <td class="mono">{r.occurred_on.to_string()}</td>
            <td>{r.account_name.clone()}</td>
            <td>{r.kind.label()}{status}</td>
            <td>{detail}</td>
            <td class="mono">{r.reference.clone()}</td>
            <td class="num">{money(r.amount)}</td>
            <td class="num">{money(r.balance)}</td>
            {correct}{blank}
        </tr>
    }
    .into_any()
}

/// Per entry: mark an uncleared deposit cleared, or reverse the entry (with the reason).
#[component]
fn Corrections(r: LedgerRow, version: RwSignal<usize>) -> impl IntoView {
    let reverse = ServerAction::<ReverseTrustEntry>::new();
    let clear = ServerAction::<ClearTrustDeposit>::new();
    reload_on_success(reverse, version);
    reload_on_success(clear, version);
    let id = r.id.to_string();
    // Every row's forms share two server functions: a refusal names its entry, and shows on its
    // own row only (without JavaScript it comes back in the flash, for the whole page).
    let mine = {
        let id = id.clone();
        move |e: &crate::error::AppError| {
            e.fields()
                .is_none_or(|f| f.value("entry").is_none_or(|v| v == id))
        }
    };
    let (reverse_error, clear_error) = (action_error(reverse), action_error(clear));
    let problem = {
        let mine = mine.clone();
        move || {
            reverse_error
                .get()
                .or_else(|| clear_error.get())
                .filter(|e| mine(e))
                .map(|e| {
                    e.fields()
                        .and_then(|f| f.errors.first().map(|(_, m)| m.clone()))
                        .unwrap_or_else(|| e.to_string())
                })
        }
    };
    let reason_typed = move || {
        reverse_error
            .get()
            .filter(|e| mine(e))
            .and_then(|e| {
                e.fields()
                    .and_then(|f| f.value("reason").map(str::to_string))
            })
            .unwrap_or_default()
    };
    let (clear_id, reason_id) = (id.clone(), format!("reason-{id}"));
    let what = format!("{} of {}", r.kind.label(), r.occurred_on);
    let clear_label = format!("Mark the {what} cleared today");
    let uncleared = r.kind == EntryKind::Deposit && r.cleared_on.is_none();
    view! {
        {uncleared.then(|| view! {
            <ActionForm action=clear attr:class="inline">
                <FormStamp errors=Signal::derive(|| None)/>
                <input type="hidden" name="entry" value=clear_id/>
                <input type="hidden" name="cleared_on" value=""/>
                <button type="submit" class="secondary small" aria-label=clear_label>"Mark cleared"</button>
            </ActionForm>
        })}
        <details>
            <summary>"Reverse"</summary>
            <ActionForm action=reverse attr:class="inline">
                <FormStamp errors=Signal::derive(|| None)/>
                <input type="hidden" name="entry" value=id/>
                <label for=reason_id.clone()>"Reason"</label>
                <input id=reason_id type="text" name="reason" value=reason_typed required/>
                <button type="submit" class="secondary small" aria-label=format!("Reverse the {what}")>"Reverse entry"</button>
            </ActionForm>
        </details>
        {move || problem().map(|m| view! { <p class="error" role="alert">{m}</p> })}
    }
    .into_any()
}
