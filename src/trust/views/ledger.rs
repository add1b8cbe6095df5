//! A matter's trust ledger, with each entry's corrections (clear a deposit, reverse an entry).

use leptos::prelude::*;

use crate::kernel::{format_money, Choice};
use crate::trust::api::{ClearTrustDeposit, ReverseTrustEntry};
use crate::trust::{EntryKind, LedgerRow};
use crate::ui::{action_error, reload_on_success, session_info, FormStamp};

#[component]
pub fn Ledger(
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
            {more.then(|| view! { <p class="hint">{format!("The newest {} entries.", crate::trust::LEDGER_ROWS)}</p> })}
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
                .map(|e| e.first_message())
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
    let (cleared_id, unlock_id) = (format!("cleared-{id}"), format!("unlock-{id}"));
    let what = format!("{} of {}", r.kind.label(), r.occurred_on);
    let clear_label = format!("Mark the {what} cleared");
    let uncleared = r.kind == EntryKind::Deposit && r.cleared_on.is_none();
    // A reconciled entry: reversed only by an administrator overriding the lock.
    let admin = session_info().is_some_and(|s| crate::trust::may_unlock(s.role));
    let reversible = r.kind != EntryKind::InvoicePayment && (r.locked.is_none() || admin);
    let override_lock = r.locked.filter(|_| admin).map(|through| {
        view! {
            <label class="check" for=unlock_id.clone()>
                <input id=unlock_id.clone() type="checkbox" name="unlock" value="on" required/>
                {format!("Override the lock of the reconciliation of {through}")}
            </label>
        }
    });
    let note = match (r.kind, r.locked) {
        (EntryKind::InvoicePayment, _) => Some("Kept with the invoice's payment".to_string()),
        (_, Some(through)) if !admin => Some(format!("Reconciled ({through})")),
        _ => None,
    };
    view! {
        {uncleared.then(|| view! {
            <ActionForm action=clear attr:class="inline">
                <FormStamp errors=Signal::derive(|| None)/>
                <input type="hidden" name="entry" value=clear_id/>
                <label for=cleared_id.clone()>"Cleared on"</label>
                <input id=cleared_id type="date" name="cleared_on" value=""/>
                <button type="submit" class="secondary small" aria-label=clear_label>"Mark cleared"</button>
            </ActionForm>
        })}
        {note.map(|n| view! { <span class="muted">{n}</span> })}
        {reversible.then(|| view! {
            <details>
                <summary>"Reverse"</summary>
                <ActionForm action=reverse attr:class="inline">
                    <FormStamp errors=Signal::derive(|| None)/>
                    <input type="hidden" name="entry" value=id/>
                    <label for=reason_id.clone()>"Reason"</label>
                    <input id=reason_id type="text" name="reason" value=reason_typed required/>
                    {override_lock}
                    <button type="submit" class="secondary small" aria-label=format!("Reverse the {what}")>"Reverse entry"</button>
                </ActionForm>
            </details>
        })}
        {move || problem().map(|m| view! { <p class="error" role="alert">{m}</p> })}
    }
    .into_any()
}
