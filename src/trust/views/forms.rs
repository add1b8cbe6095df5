//! Recording money on a matter's trust page: deposit, disbursement, transfer, invoice payment.

use leptos::prelude::*;

use crate::kernel::format_money;

use crate::trust::api::{PayInvoiceFromTrust, RecordDeposit, RecordDisbursement, TransferTrust};
use crate::trust::{MatterTrust, TrustMethod};
use crate::ui::{
    action_error, choices, form_errors, reload_on_success, FormAlert, FormStamp, SelectField,
    TextField,
};

#[component]
pub fn RecordForms(t: MatterTrust, version: RwSignal<usize>) -> impl IntoView {
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
    let (accounts3, first3) = (accounts.clone(), first.clone());
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
        <PayInvoice t=t.clone() accounts=accounts3 first=first3 version/>
        {transfer_card}
    }
    .into_any()
}

/// Pay one of the client's issued invoices from this matter's trust funds.
#[component]
fn PayInvoice(
    t: MatterTrust,
    accounts: Vec<(String, String)>,
    first: String,
    version: RwSignal<usize>,
) -> impl IntoView {
    let pay = ServerAction::<PayInvoiceFromTrust>::new();
    reload_on_success(pay, version);
    let error = action_error(pay);
    let errors = form_errors(error);
    let invoices: Vec<(String, String)> = t
        .invoices
        .iter()
        .map(|i| {
            (
                i.id.to_string(),
                format!(
                    "{} · {} due",
                    i.number,
                    format_money(i.balance, &t.currency)
                ),
            )
        })
        .collect();
    let only = (invoices.len() == 1)
        .then(|| invoices[0].0.clone())
        .unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="pay-invoice-h">
            <h2 id="pay-invoice-h">"Pay an invoice from trust"</h2>
            {if invoices.is_empty() {
                view! { <p class="empty">"The client has no issued invoice with money due that this matter may pay."</p> }.into_any()
            } else {
                view! {
                    <FormAlert error/>
                    <ActionForm action=pay>
                        <FormStamp errors/>
                        <input type="hidden" name="matter" value=t.matter_id.to_string()/>
                        <div class="grid">
                            <SelectField label="Account" key="account" options=accounts value=first errors required=true id_prefix="pay"/>
                            <SelectField label="Invoice" key="invoice" options=invoices value=only errors required=true blank="Choose…" id_prefix="pay"/>
                            <TextField label="Date" key="occurred_on" kind="date" errors hint="Empty: today" id_prefix="pay"/>
                            <TextField label="Reference" key="reference" errors autocomplete="off" id_prefix="pay"/>
                            <TextField label="Amount" key="amount" errors required=true autocomplete="off" id_prefix="pay"/>
                        </div>
                        <p class="hint">"The invoice records the payment (“From trust”) in the same step."</p>
                        <div class="actions"><button type="submit" class="primary">"Pay invoice from trust"</button></div>
                    </ActionForm>
                }.into_any()
            }}
        </section>
    }
    .into_any()
}
