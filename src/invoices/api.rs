//! Invoice server functions: who is calling → validate → repo → activity log → result. Every
//! change to an invoice is one transaction that starts by locking the invoice and checking the
//! version the page showed.

use leptos::prelude::*;
use uuid::Uuid;

use super::{DiscountForm, Invoice, InvoiceQuery, InvoiceRow, InvoiceScope, PaymentForm, Preview};
use crate::error::AppError;
use crate::kernel::Page;

#[server(endpoint = "invoices/list")]
pub async fn list_invoices(query: InvoiceQuery) -> Result<Page<InvoiceRow>, AppError> {
    crate::server::endpoint("invoices.list", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let only_for = (!super::may_bill(caller.role)).then_some(caller.user_id);
        if !super::may_see(caller.role) {
            return Err(AppError::Forbidden);
        }
        let page = super::repo::list(&mut tx, &query, only_for).await?;
        tx.commit().await?;
        Ok(page)
    })
    .await
}

/// What an invoice of this scope would hold now.
#[server(endpoint = "invoices/preview")]
pub async fn invoice_preview(scope: InvoiceScope) -> Result<Preview, AppError> {
    crate::server::endpoint("invoices.preview", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        if !super::may_bill(caller.role) {
            return Err(AppError::Forbidden);
        }
        let valid = scope.validate().map_err(AppError::Invalid)?;
        let (client, client_name, matter) = super::repo::resolve_scope(&mut tx, &valid)
            .await?
            .ok_or(AppError::NotFound)?;
        let set = super::repo::settings(&mut tx).await?;
        let items = super::repo::billable_items(
            &mut tx,
            client,
            matter.as_ref().map(|m| m.0),
            &valid,
            &set,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(Preview {
            pin: super::repo::pin_of(&items, set.tax_rate),
            request: Uuid::new_v4(),
            client_name,
            matter_number: matter.map(|m| m.1),
            totals: super::preview_totals(&items, set.tax_rate, &set.currency),
            items,
            tax_label: set.tax_label,
            currency: set.currency,
        })
    })
    .await
}

/// Make a draft of everything unbilled and billable in scope. `request` is the id the form was
/// rendered with: sending the same form twice makes one invoice.
#[server(endpoint = "invoices/create")]
pub async fn create_invoice(
    org: Uuid,
    request: Uuid,
    form: InvoiceScope,
) -> Result<Uuid, AppError> {
    use crate::audit::{record, Entry};
    use crate::kernel::FieldErrors;
    crate::server::endpoint("invoices.create", async move {
        let typed = form.values();
        let (caller, mut tx) = crate::auth::caller::Caller::begin_write_if(org, super::may_bill)
            .await
            .map_err(|e| e.keeping(typed.clone()))?;
        let refused = |e: FieldErrors| AppError::Invalid(e.with_values(typed.clone()));
        let valid = form.validate().map_err(refused)?;
        if let Some(done) = super::repo::by_request(&mut tx, request).await? {
            tx.commit().await?;
            leptos_axum::redirect(&format!("/invoices/{done}"));
            return Ok(done);
        }
        let (client, client_name, matter) = super::repo::resolve_scope(&mut tx, &valid)
            .await?
            .ok_or_else(|| {
                refused(FieldErrors::one(
                    "matter",
                    "No matter or client of this firm has this id.",
                ))
            })?;
        super::repo::lock_client(&mut tx, client).await?;
        // The settings (its currency above all) stay as they are until this draft is made.
        crate::firm::repo::hold(&mut tx).await?;
        let set = super::repo::settings(&mut tx).await?;
        let Some(id) = super::repo::insert_draft(
            &mut tx,
            &caller,
            request,
            client,
            matter.as_ref().map(|m| m.0),
            &valid,
            &set,
        )
        .await?
        else {
            // The same request, made concurrently, won: answer with its invoice.
            let done = super::repo::by_request(&mut tx, request)
                .await?
                .ok_or(AppError::NotFound)?;
            tx.commit().await?;
            leptos_axum::redirect(&format!("/invoices/{done}"));
            return Ok(done);
        };
        let items = super::repo::billable_items(
            &mut tx,
            client,
            matter.as_ref().map(|m| m.0),
            &valid,
            &set,
            Some(id),
        )
        .await?;
        // The draft bills what the preview showed, or nothing (this transaction is rolled back).
        if !form.shown.is_empty() && form.shown != super::repo::pin_of(&items, set.tax_rate) {
            return Err(AppError::Conflict(
                "The unbilled work (or the tax rate) changed since this preview was made: review the preview below again."
                    .into(),
            ));
        }
        if items.is_empty() {
            return Err(refused(FieldErrors::one(
                "from",
                "There is no unbilled billable time or expense in this period.",
            )));
        }
        super::repo::insert_lines(&mut tx, id, &items).await?;
        let totals = super::repo::refigure(
            &mut tx,
            id,
            super::Discount::None,
            set.tax_rate,
            &set.currency,
        )
        .await?;
        let on = matter.map(|m| m.1).unwrap_or_else(|| client_name.clone());
        record(
            &mut tx,
            &caller,
            Entry::new("invoice.create", "invoice", id)
                .summary(format!("Draft invoice for {on}: {} lines", items.len()))
                .changes(serde_json::json!({
                    "status": { "to": "draft" },
                    "lines": { "to": items.len() },
                    "total": { "to": totals.total },
                })),
        )
        .await?;
        tx.commit().await?;
        leptos_axum::redirect(&format!("/invoices/{id}"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "invoices/get")]
pub async fn get_invoice(id: Uuid) -> Result<Invoice, AppError> {
    crate::server::endpoint("invoices.get", async move {
        let (caller, mut tx) = crate::auth::caller::Caller::begin().await?;
        let inv = super::repo::get(&mut tx, id, false).await?;
        if !super::may_bill(caller.role)
            && !super::repo::concerns(&mut tx, &inv, caller.user_id).await?
        {
            return Err(AppError::NotFound);
        }
        tx.commit().await?;
        Ok(inv)
    })
    .await
}

/// Open a change to an invoice: the caller may bill, the form is this firm's, the invoice is
/// locked and still the version the page showed.
#[cfg(feature = "ssr")]
async fn begin_change(
    org: Uuid,
    id: Uuid,
    version: i32,
    typed: Vec<(String, String)>,
) -> Result<(crate::auth::caller::Caller, crate::server::db::Tx, Invoice), AppError> {
    let (caller, mut tx) = crate::auth::caller::Caller::begin_write_if(org, super::may_bill)
        .await
        .map_err(|e| e.keeping(typed.clone()))?;
    let inv = super::repo::get(&mut tx, id, true).await?;
    if inv.version != version {
        return Err(AppError::Stale(
            crate::kernel::FieldErrors::default()
                .with_values(typed)
                .with_value("version", inv.version.to_string()),
        ));
    }
    Ok((caller, tx, inv))
}

#[cfg(feature = "ssr")]
fn must_be(inv: &Invoice, wanted: &[super::InvoiceStatus], what: &str) -> Result<(), AppError> {
    use crate::kernel::Choice;
    if wanted.contains(&inv.status) {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "This invoice is {}: it cannot be {what}.",
            inv.status.label().to_lowercase()
        )))
    }
}

#[cfg(feature = "ssr")]
fn name(inv: &Invoice) -> String {
    inv.number.clone().unwrap_or_else(|| "Draft invoice".into())
}

/// Set a draft's discount.
#[server(endpoint = "invoices/discount")]
pub async fn set_discount(
    org: Uuid,
    id: Uuid,
    version: i32,
    form: DiscountForm,
) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("invoices.discount", async move {
        let typed = form.values();
        let (caller, mut tx, inv) = begin_change(org, id, version, typed.clone()).await?;
        must_be(&inv, &[super::InvoiceStatus::Draft], "changed")?;
        let discount = form
            .validate(&inv.currency)
            .map_err(|e| AppError::Invalid(e.with_values(typed.clone())))?;
        let t = super::repo::refigure(&mut tx, id, discount, inv.tax_rate, &inv.currency).await?;
        record(
            &mut tx,
            &caller,
            Entry::new("invoice.discount", "invoice", id)
                .summary(format!("Discount on {}", name(&inv)))
                .changes(serde_json::json!({
                    "discount": { "from": inv.totals.discount, "to": t.discount },
                    "total": { "from": inv.totals.total, "to": t.total },
                })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Take a line off a draft; its time or expense is unbilled again.
#[server(endpoint = "invoices/remove_line")]
pub async fn remove_line(org: Uuid, id: Uuid, version: i32, line: Uuid) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("invoices.remove_line", async move {
        let (caller, mut tx, inv) = begin_change(org, id, version, vec![]).await?;
        must_be(&inv, &[super::InvoiceStatus::Draft], "changed")?;
        let gone = inv
            .lines
            .iter()
            .find(|l| l.id == line)
            .ok_or(AppError::NotFound)?;
        if inv.lines.len() == 1 {
            return Err(AppError::Conflict(
                "This is the draft's last line: delete the draft instead.".into(),
            ));
        }
        super::repo::release(&mut tx, id, Some(line)).await?;
        super::repo::delete_line(&mut tx, id, line).await?;
        let t =
            super::repo::refigure(&mut tx, id, inv.discount, inv.tax_rate, &inv.currency).await?;
        record(
            &mut tx,
            &caller,
            Entry::new("invoice.remove_line", "invoice", id)
                .summary(format!("Took “{}” off {}", gone.description, name(&inv)))
                .changes(
                    serde_json::json!({ "total": { "from": inv.totals.total, "to": t.total } }),
                ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Change a draft line's description, hours or quantity, and rate (a write-down, a correction);
/// the work behind it keeps what was recorded.
#[server(endpoint = "invoices/edit_line")]
pub async fn edit_line(
    org: Uuid,
    id: Uuid,
    version: i32,
    line: Uuid,
    form: super::LineForm,
) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("invoices.edit_line", async move {
        // The line is kept with what was typed: the page shows the error beside that line.
        let mut typed = form.values();
        typed.push(("line".into(), line.to_string()));
        let (caller, mut tx, inv) = begin_change(org, id, version, typed).await?;
        must_be(&inv, &[super::InvoiceStatus::Draft], "changed")?;
        let before = inv
            .lines
            .iter()
            .find(|l| l.id == line)
            .ok_or(AppError::NotFound)?;
        let after = form
            .validate(before.line_type, &inv.currency, inv.increment)
            .map_err(|e| AppError::Invalid(e.with_value("line", line.to_string())))?;
        super::repo::update_line(&mut tx, id, line, &after).await?;
        let t =
            super::repo::refigure(&mut tx, id, inv.discount, inv.tax_rate, &inv.currency).await?;
        record(
            &mut tx,
            &caller,
            Entry::new("invoice.edit_line", "invoice", id)
                .summary(format!("Changed “{}” on {}", after.description, name(&inv)))
                .changes(serde_json::json!({
                    "description": { "from": before.description, "to": after.description },
                    "minutes": { "from": before.minutes, "to": after.minutes },
                    "quantity": { "from": before.quantity, "to": after.quantity },
                    "rate": { "from": before.rate, "to": after.rate },
                    "amount": { "from": before.amount, "to": after.amount },
                    "total": { "from": inv.totals.total, "to": t.total },
                })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Issue a draft: it takes the firm's next number, today's date and its due date.
#[server(endpoint = "invoices/issue")]
pub async fn issue_invoice(org: Uuid, id: Uuid, version: i32) -> Result<String, AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("invoices.issue", async move {
        let (caller, mut tx, inv) = begin_change(org, id, version, vec![]).await?;
        must_be(&inv, &[super::InvoiceStatus::Draft], "issued")?;
        let set = super::repo::settings(&mut tx).await?;
        let number = super::repo::next_number(&mut tx, &set, set.today).await?;
        let due = set.today + chrono::Days::new(set.terms_days.max(0) as u64);
        super::repo::mark_issued(&mut tx, id, &number, set.today, due).await?;
        record(
            &mut tx,
            &caller,
            Entry::new("invoice.issue", "invoice", id)
                .summary(format!("Issued invoice {number} to {}", inv.client_name))
                .changes(serde_json::json!({
                    "status": { "from": "draft", "to": "sent" },
                    "invoice_number": { "to": number },
                    "due_date": { "to": due },
                    "total": { "to": inv.totals.total },
                })),
        )
        .await?;
        tx.commit().await?;
        Ok(number)
    })
    .await
}

/// Record a payment (part or all of the balance).
#[server(endpoint = "invoices/pay")]
pub async fn record_payment(
    org: Uuid,
    id: Uuid,
    version: i32,
    form: PaymentForm,
) -> Result<Uuid, AppError> {
    use crate::audit::{record, Entry};
    use crate::kernel::Choice;
    crate::server::endpoint("invoices.pay", async move {
        let typed = form.values();
        let (caller, mut tx, inv) = begin_change(org, id, version, typed.clone()).await?;
        must_be(
            &inv,
            &[
                super::InvoiceStatus::Sent,
                super::InvoiceStatus::PartiallyPaid,
            ],
            "paid",
        )?;
        let set = super::repo::settings(&mut tx).await?;
        let p = form
            .validate(
                set.today,
                inv.issue_date.unwrap_or(set.today),
                &inv.currency,
                inv.balance,
            )
            .map_err(|e| AppError::Invalid(e.with_values(typed.clone())))?;
        let pid = super::repo::insert_payment(&mut tx, &caller, &inv, &p).await?;
        let paid = inv.amount_paid + p.amount;
        record(
            &mut tx,
            &caller,
            Entry::new("invoice.payment", "invoice", id)
                .summary(format!(
                    "Payment of {} on {} ({})",
                    crate::kernel::format_money(p.amount, &inv.currency),
                    name(&inv),
                    p.method.label()
                ))
                .changes(serde_json::json!({
                    "amount_paid": { "from": inv.amount_paid, "to": paid },
                    "balance": { "from": inv.balance, "to": inv.totals.total - paid },
                })),
        )
        .await?;
        tx.commit().await?;
        Ok(pid)
    })
    .await
}

/// Void an issued invoice that has no payment: its number stays used, its time and expenses
/// are unbilled again.
#[server(endpoint = "invoices/void")]
pub async fn void_invoice(
    org: Uuid,
    id: Uuid,
    version: i32,
    form: super::VoidRequest,
) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    use crate::kernel::FieldErrors;
    crate::server::endpoint("invoices.void", async move {
        let reason = form.reason;
        let typed = vec![("reason".to_string(), reason.clone())];
        let (caller, mut tx, inv) = begin_change(org, id, version, typed.clone()).await?;
        must_be(&inv, &[super::InvoiceStatus::Sent], "voided")?;
        if !inv.amount_paid.is_zero() {
            return Err(AppError::Conflict(
                "This invoice has payments: it cannot be voided.".into(),
            ));
        }
        let mut e = FieldErrors::default();
        let reason = e.required_text(
            "reason",
            crate::kernel::multi_line(&reason),
            "Say why the invoice is voided.",
            500,
        );
        if !e.is_empty() {
            return Err(AppError::Invalid(e.with_values(typed)));
        }
        super::repo::release(&mut tx, id, None).await?;
        super::repo::mark_void(&mut tx, id, &reason).await?;
        record(
            &mut tx,
            &caller,
            Entry::new("invoice.void", "invoice", id)
                .summary(format!("Voided invoice {}: {reason}", name(&inv)))
                .changes(serde_json::json!({ "status": { "from": inv.status, "to": "void" } })),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    })
    .await
}

/// Delete a draft; its time and expenses are unbilled again. It never had a number.
#[server(endpoint = "invoices/delete_draft")]
pub async fn delete_draft(org: Uuid, id: Uuid, version: i32) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    crate::server::endpoint("invoices.delete_draft", async move {
        let (caller, mut tx, inv) = begin_change(org, id, version, vec![]).await?;
        must_be(&inv, &[super::InvoiceStatus::Draft], "deleted")?;
        super::repo::release(&mut tx, id, None).await?;
        super::repo::delete_draft(&mut tx, id).await?;
        record(
            &mut tx,
            &caller,
            Entry::new("invoice.delete", "invoice", id)
                .on_matter(inv.matter_id)
                .summary(format!("Deleted a draft invoice for {}", inv.client_name))
                .changes(serde_json::json!({ "total": { "from": inv.totals.total } })),
        )
        .await?;
        tx.commit().await?;
        let back = inv
            .matter_id
            .map(|m| format!("/matters/{m}"))
            .unwrap_or_else(|| "/invoices".into());
        leptos_axum::redirect(&back);
        Ok(())
    })
    .await
}

/// E-mail an issued invoice, with its PDF, to `form.to`: a background job (`invoices::send`)
/// writes the message once the request has committed. `request` is the form's own id: the
/// same form sent twice asks once.
#[server(endpoint = "invoices/email")]
pub async fn email_invoice(
    org: Uuid,
    id: Uuid,
    version: i32,
    request: Uuid,
    form: super::EmailForm,
) -> Result<(), AppError> {
    use crate::audit::{record, Entry};
    use crate::jobs::{queue, JobKind};
    use crate::kernel::FieldErrors;
    crate::server::endpoint("invoices.email", async move {
        let to = form.to.trim().to_lowercase();
        let typed = vec![("to".to_string(), form.to.clone())];
        let (caller, mut tx, inv) = begin_change(org, id, version, typed.clone()).await?;
        if !crate::team::invite::valid_email(&to) {
            return Err(AppError::Invalid(
                FieldErrors::one("to", "Enter an e-mail address such as ap@client.com.")
                    .with_values(typed),
            ));
        }
        must_be(
            &inv,
            &[
                super::InvoiceStatus::Sent,
                super::InvoiceStatus::PartiallyPaid,
                super::InvoiceStatus::Paid,
            ],
            "e-mailed",
        )?;
        let subject = format!("Invoice {} to {to}", name(&inv));
        let mut job = queue::NewJob::new(
            JobKind::InvoiceEmail,
            serde_json::json!({ "invoice": id, "to": to, "subject": subject }),
        );
        job.unique_key = Some(format!("invoice_email:{}:{id}:{request}", caller.org_id));
        job.run_as = Some(caller.user_id);
        job.matter = inv.matter_id;
        if queue::enqueue(&mut tx, caller.org_id, job).await?.is_none() {
            // This form was sent before: that request stands.
            tx.commit().await?;
            return Ok(());
        }
        record(
            &mut tx,
            &caller,
            Entry::new("invoice.email", "invoice", id)
                .summary(format!("Asked to e-mail invoice {} to {to}", name(&inv))),
        )
        .await?;
        tx.commit().await?;
        queue::wake();
        Ok(())
    })
    .await
}
