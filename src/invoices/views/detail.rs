use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use super::line::{EditLine, RemoveLineButton};
use crate::invoices::api::{
    get_invoice, DeleteDraft, EmailInvoice, IssueInvoice, RecordPayment, SetDiscount, VoidInvoice,
};
use crate::invoices::{may_bill, Discount, Invoice, InvoiceStatus, PaymentMethod};
use crate::kernel::{format_money, Choice};
use crate::time::duration::format_minutes;
use crate::ui::{
    action_error, choices, form_errors, loaded, reload_on_success, session_info, FormAlert,
    FormStamp, Loading, SelectField, TextArea, TextField,
};

/// `/invoices/{id}`: one invoice, and what billing staff can do with it at its stage.
#[component]
pub fn InvoicePage() -> impl IntoView {
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok())));
    let version = RwSignal::new(0usize);
    let invoice = Resource::new(
        move || (id.get(), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_invoice(id).await,
                None => Err(crate::error::AppError::NotFound),
            }
        },
    );
    view! {
        <Title text="Invoice · Docket"/>
        <Transition fallback=Loading>
            {loaded(invoice, move |inv| view! { <InvoiceView inv version/> })}
        </Transition>
    }
}

#[component]
fn InvoiceView(inv: Invoice, version: RwSignal<usize>) -> impl IntoView {
    let billing = session_info().is_some_and(|s| may_bill(s.role));
    let cur = inv.currency.clone();
    let money = move |d| format_money(d, &cur);
    let title = match &inv.number {
        Some(n) => format!("Invoice {n}"),
        None => "Draft invoice".to_string(),
    };
    let draft = inv.status == InvoiceStatus::Draft;
    let t = inv.totals;
    let discount_note = match inv.discount {
        Discount::Percent(p) => format!("Discount ({}%)", p.normalize()),
        _ => "Discount".to_string(),
    };
    let m2 = money.clone();
    let items = inv.lines.clone();
    let (id, v) = (inv.id, inv.version);
    let page_title = format!("{title} · Docket");
    let head = view! {
        <div class="page-head">
            <div class="no-print">
                <p class="crumbs"><a href="/invoices">"Invoices"</a></p>
            </div>
            <div>
                <p class="letterhead">{if inv.firm_logo_text.is_empty() { inv.firm_name.clone() } else { inv.firm_logo_text.clone() }}</p>
                <h1>{title}</h1>
                <p>{inv.shown.clone()}" · "{inv.client_name.clone()}
                    {inv.matter_number.clone().map(|n| view! { " · matter "<a href=format!("/matters/{}", inv.matter_id.unwrap_or_default())>{n}</a> })}
                </p>
            </div>
            {inv.number.is_some().then(|| view! {
                <div class="actions no-print">
                    <a href=format!("/invoices/{}/ledes.txt", inv.id) download>"Download LEDES"</a>
                    <span class="hint">"To print or save as PDF, use the browser's Print."</span>
                </div>
            })}
        </div>
    }
    .into_any();
    let facts = view! {
        <section class="card" aria-labelledby="inv-facts-h">
            <h2 id="inv-facts-h" class="visually-hidden">"Details"</h2>
            <dl class="facts">
                <dt>"From"</dt><dd>{inv.firm_name.clone()}<br/>{inv.firm_address.clone()}</dd>
                <dt>"Bill to"</dt><dd>{inv.client_name.clone()}</dd>
                <dt>"Issued"</dt><dd>{inv.issue_date.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</dd>
                <dt>"Due"</dt><dd>{inv.due_date.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</dd>
                <dt>"Period"</dt><dd>{format!("{} – {}",
                    inv.period_start.map(|d| d.to_string()).unwrap_or_else(|| "start".into()),
                    inv.period_end.map(|d| d.to_string()).unwrap_or_else(|| "today".into()))}</dd>
                <dt>"Billed in steps of"</dt><dd>{format!("{} minutes", inv.increment)}</dd>
            </dl>
            {(!inv.void_reason.is_empty()).then(|| view! { <p class="alert warn">"Voided: "{inv.void_reason.clone()}</p> })}
        </section>
    }
    .into_any();
    let totals = view! {
            <dl class="totals">
                <dt>"Subtotal"</dt><dd>{money(t.subtotal)}</dd>
                <dt>{discount_note}</dt><dd>{money(t.discount)}</dd>
                <dt>{format!("{} ({}%)", inv.tax_label, inv.tax_rate.normalize())}</dt><dd>{money(t.tax)}</dd>
                <dt>"Total"</dt><dd>{money(t.total)}</dd>
                <dt>"Paid"</dt><dd>{money(inv.amount_paid)}</dd>
                <dt>"Balance due"</dt><dd>{money(inv.balance)}</dd>
            </dl>
    }
    .into_any();
    let lines = view! {
        <section class="card" aria-labelledby="inv-lines-h">
            <h2 id="inv-lines-h">"Lines"</h2>
            <table class="data">
                <caption class="visually-hidden">"Invoice lines"</caption>
                <thead><tr>
                    <th scope="col">"Date"</th><th scope="col">"Person"</th><th scope="col">"Description"</th>
                    <th scope="col" class="num">"Hours / qty"</th><th scope="col" class="num">"Rate"</th>
                    <th scope="col" class="num">"Amount"</th>
                    {(draft && billing).then(|| view! { <th scope="col" class="no-print"><span class="visually-hidden">"Actions"</span></th> })}
                </tr></thead>
                <tbody>
                    {items.into_iter().map(|l| {
                        let line = l.id;
                        let label = format!("Remove “{}”", l.description);
                        view! {
                            <tr>
                                <td class="mono">{l.date.map(|d| d.to_string()).unwrap_or_default()}</td>
                                <td>{l.person.clone()}</td>
                                <td>{l.description.clone()}</td>
                                <td class="num mono">{match l.minutes {
                                    Some(m) => format_minutes(m),
                                    None => l.quantity.normalize().to_string(),
                                }}</td>
                                <td class="num">{m2(l.rate)}</td>
                                <td class="num">{m2(l.amount)}</td>
                                {(draft && billing).then(|| view! { <td class="no-print"><EditLine id version=v line=l.clone() version_signal=version/><RemoveLineButton id version=v line label version_signal=version/></td> })}
                            </tr>
                        }
                        .into_any()
                    }).collect_view()}
                </tbody>
            </table>
            {totals}
        </section>
    }
    .into_any();
    let payments = view! {
        {(!inv.payments.is_empty()).then(|| {
            let m3 = money.clone();
            view! {
                <section class="card" aria-labelledby="inv-pay-h">
                    <h2 id="inv-pay-h">"Payments"</h2>
                    <table class="data">
                        <caption class="visually-hidden">"Payments"</caption>
                        <thead><tr><th scope="col">"Date"</th><th scope="col">"Method"</th><th scope="col">"Reference"</th><th scope="col" class="num">"Amount"</th></tr></thead>
                        <tbody>
                            {inv.payments.iter().map(|p| view! {
                                <tr><td class="mono">{p.paid_on.to_string()}</td><td>{p.method.label()}</td><td>{p.reference.clone()}</td><td class="num">{m3(p.amount)}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
            }
        })}
    }
    .into_any();
    let email = ServerAction::<EmailInvoice>::new();
    let issued = matches!(
        inv.status,
        InvoiceStatus::Sent | InvoiceStatus::PartiallyPaid | InvoiceStatus::Paid
    );
    let history = Signal::derive(move || version.get() + email.version().get());
    view! {
        <Title text=page_title/>
        {head}
        {facts}
        {lines}
        {payments}
        <div class="no-print">
            {(billing && issued).then(|| view! { <EmailForm inv=inv.clone() email/> })}
            {billing.then(|| view! { <Actions inv=inv.clone() version/> })}
            {billing.then(|| view! { <crate::audit::views::History resource_type="invoice" id=inv.id version=history/> })}
        </div>
    }
}

/// "Send by e-mail": the invoice's PDF to the client's billing address (or another), sent in
/// the background; the history shows when it went.
#[component]
fn EmailForm(inv: Invoice, email: ServerAction<EmailInvoice>) -> impl IntoView {
    let error = action_error(email);
    let errors = form_errors(error);
    // Each form sent is one request (sent twice, it asks once); a new one after each.
    let request = Memo::new(move |_| {
        email.version().get();
        Uuid::new_v4()
    });
    let sent = move || {
        email.value().with(|v| match v {
            Some(Ok(())) => {
                Some("The invoice is on its way: its history below says when it was sent.")
            }
            _ => None,
        })
    };
    let to = inv.billing_email.clone().unwrap_or_default();
    view! {
        <section class="card" aria-labelledby="inv-email-h">
            <h2 id="inv-email-h">"Send by e-mail"</h2>
            <p class="hint">"The invoice goes as a PDF attachment, with a short note of what is due."</p>
            <FormAlert error/>
            {move || sent().map(|m| view! { <p class="alert ok" role="status">{m}</p> })}
            <ActionForm action=email>
                <FormStamp errors version=inv.version/>
                <input type="hidden" name="id" value=inv.id.to_string()/>
                <input type="hidden" name="request" value=move || request.get().to_string()/>
                <TextField label="Send to" key="to" value=to kind="email" errors required=true autocomplete="email"
                    hint="The client's billing e-mail; another address if you prefer"/>
                <div class="actions"><button type="submit" class="primary">"Send invoice by e-mail"</button></div>
            </ActionForm>
        </section>
    }
}

/// What can be done with the invoice at its stage.
#[component]
fn Actions(inv: Invoice, version: RwSignal<usize>) -> impl IntoView {
    let (id, v) = (inv.id, inv.version);
    match inv.status {
        InvoiceStatus::Draft => view! { <DraftActions id v version/> }.into_any(),
        InvoiceStatus::Sent | InvoiceStatus::PartiallyPaid => view! {
            <PaymentForm id v version/>
            {(inv.amount_paid.is_zero()).then(|| view! { <VoidForm id v version/> })}
        }
        .into_any(),
        _ => ().into_any(),
    }
}

#[component]
fn DraftActions(id: Uuid, v: i32, version: RwSignal<usize>) -> impl IntoView {
    let issue = ServerAction::<IssueInvoice>::new();
    let discount = ServerAction::<SetDiscount>::new();
    let delete = ServerAction::<DeleteDraft>::new();
    reload_on_success(issue, version);
    reload_on_success(discount, version);
    let issue_error = action_error(issue);
    let discount_error = action_error(discount);
    let delete_error = action_error(delete);
    let d_errors = form_errors(discount_error);
    let kinds = vec![
        ("none".to_string(), "No discount".to_string()),
        ("percent".to_string(), "Percentage".to_string()),
        ("amount".to_string(), "Amount".to_string()),
    ];
    view! {
        <section class="card" aria-labelledby="inv-discount-h">
            <h2 id="inv-discount-h">"Discount"</h2>
            <FormAlert error=discount_error/>
            <ActionForm action=discount>
                <FormStamp errors=d_errors version=v/>
                <input type="hidden" name="id" value=id.to_string()/>
                <div class="grid">
                    <SelectField label="Kind" key="kind" options=kinds errors=d_errors/>
                    <TextField label="Value" key="value" errors=d_errors autocomplete="off" hint="10 for 10 %, or an amount"/>
                </div>
                <div class="actions"><button type="submit" class="secondary">"Apply discount"</button></div>
            </ActionForm>
        </section>
        <section class="card" aria-labelledby="inv-issue-h">
            <h2 id="inv-issue-h">"Issue"</h2>
            <p>"Issuing gives the invoice the firm's next number and today's date; its lines can no longer change."</p>
            <FormAlert error=issue_error/>
            <FormAlert error=delete_error/>
            <div class="actions">
                <ActionForm action=issue attr:class="inline">
                    <FormStamp errors=form_errors(issue_error) version=v/>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <button type="submit" class="primary">"Issue invoice"</button>
                </ActionForm>
                <ActionForm action=delete attr:class="inline">
                    <FormStamp errors=form_errors(delete_error) version=v/>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <button type="submit" class="danger">"Delete draft"</button>
                </ActionForm>
            </div>
        </section>
    }
}

#[component]
fn PaymentForm(id: Uuid, v: i32, version: RwSignal<usize>) -> impl IntoView {
    let pay = ServerAction::<RecordPayment>::new();
    reload_on_success(pay, version);
    let error = action_error(pay);
    let errors = form_errors(error);
    // Money from trust is paid on the matter's trust page, where the ledger records it.
    let methods: Vec<_> = choices::<PaymentMethod>()
        .into_iter()
        .filter(|(k, _)| k != PaymentMethod::Trust.as_str())
        .collect();
    view! {
        <section class="card" aria-labelledby="inv-payment-h">
            <h2 id="inv-payment-h">"Record payment"</h2>
            <FormAlert error/>
            <ActionForm action=pay>
                <FormStamp errors version=v/>
                <input type="hidden" name="id" value=id.to_string()/>
                <div class="grid">
                    <TextField label="Amount" key="amount" errors required=true autocomplete="off"/>
                    <TextField label="Date" key="paid_on" kind="date" errors hint="Empty: today"/>
                    <SelectField label="Method" key="method" options=methods errors blank="Choose…" required=true/>
                    <TextField label="Reference" key="reference" errors autocomplete="off" hint="Cheque or transfer number"/>
                </div>
                <div class="actions"><button type="submit" class="primary">"Record payment"</button></div>
            </ActionForm>
        </section>
    }
}

#[component]
fn VoidForm(id: Uuid, v: i32, version: RwSignal<usize>) -> impl IntoView {
    let void = ServerAction::<VoidInvoice>::new();
    reload_on_success(void, version);
    let error = action_error(void);
    let errors = form_errors(error);
    view! {
        <section class="card" aria-labelledby="inv-void-h">
            <h2 id="inv-void-h">"Void"</h2>
            <p>"A voided invoice keeps its number; its time and expenses become unbilled again."</p>
            <FormAlert error/>
            <ActionForm action=void>
                <FormStamp errors version=v/>
                <input type="hidden" name="id" value=id.to_string()/>
                <TextArea label="Reason" key="reason" errors/>
                <div class="actions"><button type="submit" class="danger">"Void invoice"</button></div>
            </ActionForm>
        </section>
    }
}
