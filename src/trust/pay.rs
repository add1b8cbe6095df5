//! An issued invoice paid out of a matter's trust funds. One transaction: the matter's turn,
//! the invoice locked, the invoice's payment ("From trust") and the trust entry that names it,
//! and an activity row on each side. PostgreSQL refuses either without the other (migration 22).

use uuid::Uuid;

use super::repo::{self, NewEntry};
use super::{EntryKind, InvoicePayForm, Movement};
use crate::audit::{record, Entry};
use crate::auth::caller::Caller;
use crate::error::AppError;
use crate::invoices::{InvoiceStatus, PaymentMethod, ValidPayment};
use crate::kernel::{format_money, FieldErrors};

pub async fn pay_invoice(org: Uuid, matter: Uuid, form: InvoicePayForm) -> Result<Uuid, AppError> {
    let typed = form.values();
    let (caller, mut tx) = Caller::begin_write_if(org, super::may_record)
        .await
        .map_err(|e| e.keeping(typed.clone()))?;
    let refuse = |field: &str, message: String| {
        AppError::Invalid(FieldErrors::one(field, message).with_values(typed.clone()))
    };
    let firm = crate::matters::repo::firm(&mut tx).await?;
    let money = |d| format_money(d, &firm.currency);
    let valid = form
        .validate(firm.today, &firm.currency)
        .map_err(AppError::Invalid)?;
    let (client, number) = repo::client_of(&mut tx, matter)
        .await?
        .ok_or(AppError::NotFound)?;
    let Some(account_name) = repo::account_name(&mut tx, valid.account).await? else {
        return Err(refuse(
            "account",
            "Choose a trust account of this firm.".into(),
        ));
    };
    repo::take_turns(&mut tx, &[matter]).await?;
    // Locked: the invoice's other payments and a void wait for this one.
    let inv = match crate::invoices::repo::get(&mut tx, valid.invoice, true).await {
        Ok(inv) if inv.client_id == client && inv.matter_id.is_none_or(|m| m == matter) => inv,
        Ok(_) | Err(AppError::NotFound) => {
            return Err(refuse(
                "invoice",
                "Choose an invoice of this matter's client.".into(),
            ))
        }
        Err(e) => return Err(e),
    };
    let invoice_number = inv.number.clone().unwrap_or_default();
    if !matches!(
        inv.status,
        InvoiceStatus::Sent | InvoiceStatus::PartiallyPaid
    ) {
        return Err(refuse(
            "invoice",
            format!("Invoice {invoice_number} has nothing due: it is not paid again."),
        ));
    }
    if valid.amount > inv.balance {
        return Err(refuse(
            "amount",
            format!(
                "Invoice {invoice_number} has {} due: pay at most that.",
                money(inv.balance)
            ),
        ));
    }
    if let Some(issued) = inv.issue_date.filter(|d| valid.occurred_on < *d) {
        return Err(refuse(
            "occurred_on",
            format!(
                "Invoice {invoice_number} was issued on {issued}: it is paid on or after that day."
            ),
        ));
    }
    let held = repo::balance(&mut tx, valid.account, matter).await?;
    if valid.amount > held.available() {
        return Err(refuse(
            "amount",
            format!(
                "This matter holds {} available in {account_name}: it cannot pay {} (deposits the bank has not cleared are not paid out).",
                money(held.available()),
                money(valid.amount)
            ),
        ));
    }
    let payment = ValidPayment {
        amount: valid.amount,
        paid_on: valid.occurred_on,
        method: PaymentMethod::Trust,
        reference: valid.reference.clone(),
    };
    let payment_id =
        crate::invoices::repo::insert_payment(&mut tx, &caller, &inv, &payment).await?;
    let purpose = format!("Invoice {invoice_number}");
    let id = repo::insert_entry(
        &mut tx,
        &caller,
        &NewEntry {
            account: valid.account,
            matter,
            kind: EntryKind::InvoicePayment,
            amount: -valid.amount,
            occurred_on: valid.occurred_on,
            cleared_on: None,
            counterparty: &inv.firm_name,
            purpose: &purpose,
            method: None,
            reference: &valid.reference,
            transfer_id: None,
            reverses: None,
            payment_id: Some(payment_id),
        },
    )
    .await
    .map_err(|e| super::write::refusal(e, &typed, Movement::Disbursement))?;
    let paid = inv.amount_paid + valid.amount;
    record(
        &mut tx,
        &caller,
        Entry::new("trust.pay_invoice", "trust_entry", id)
            .on_matter(Some(matter))
            .summary(format!(
                "Paid {} of invoice {invoice_number} from {number}'s trust funds",
                money(valid.amount)
            ))
            .changes(serde_json::json!({
                "account": { "to": account_name },
                "amount": { "to": valid.amount.to_string() },
                "invoice": { "to": invoice_number },
            })),
    )
    .await?;
    record(
        &mut tx,
        &caller,
        Entry::new("invoice.payment", "invoice", inv.id)
            .summary(format!(
                "Payment of {} on invoice {invoice_number} (from trust)",
                money(valid.amount)
            ))
            .changes(serde_json::json!({
                "amount_paid": { "from": inv.amount_paid, "to": paid },
                "balance": { "from": inv.balance, "to": inv.totals.total - paid },
            })),
    )
    .await?;
    tx.commit().await?;
    leptos_axum::redirect(&format!("/matters/{matter}/trust"));
    Ok(id)
}
