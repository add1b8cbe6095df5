//! The "e-mail an invoice" job: the invoice as PDF, attached to a short message to the address
//! the request named, written to the outbox with the invoice's history row. It runs as the
//! person who asked (their rights, their walls). Run again after its process died, it finds
//! its message already written and writes nothing twice.

use uuid::Uuid;

use super::{may_bill, Invoice, InvoiceStatus};
use crate::audit::{record, Entry};
use crate::jobs::run::{as_member, Claimed, Failure, Outcome};
use crate::kernel::format_money;
use crate::mail::{Attachment, Extras, Mail};
use crate::server::AppState;

pub async fn run(state: &AppState, job: &Claimed) -> Outcome {
    let org = job.org()?;
    let user = job
        .run_as
        .ok_or_else(|| Failure::GiveUp("the person who asked for it is gone".into()))?;
    let invoice: Uuid = job.field("invoice")?;
    let to: String = job.field("to")?;
    let (caller, mut tx) = as_member(state, user, org, may_bill).await?;
    let inv = super::repo::get(&mut tx, invoice, false).await?;
    if !matches!(
        inv.status,
        InvoiceStatus::Sent | InvoiceStatus::PartiallyPaid | InvoiceStatus::Paid
    ) {
        return Err(Failure::GiveUp(
            "the invoice is no longer issued (it was voided)".into(),
        ));
    }
    let from: Option<String> =
        sqlx::query_scalar("SELECT mail_from FROM organizations WHERE id = app_current_org()")
            .fetch_one(&mut *tx)
            .await?;
    let pdf = Attachment {
        filename: super::pdf::file_name(&inv),
        content_type: "application/pdf",
        content: super::pdf::render(&inv),
    };
    let extras = Extras {
        from,
        attachments: vec![pdf],
        job: Some(job.id),
    };
    let written =
        crate::mail::enqueue_with(&mut tx, Some(org), &message(&inv, &to), extras).await?;
    let number = inv.number.clone().unwrap_or_default();
    if written {
        record(
            &mut tx,
            &caller,
            Entry::new("invoice.emailed", "invoice", inv.id)
                .summary(format!("E-mailed invoice {number} to {to}, with its PDF")),
        )
        .await?;
    }
    tx.commit().await?;
    crate::mail::wake();
    Ok(if written {
        format!("Invoice {number} e-mailed to {to}")
    } else {
        format!("Invoice {number} had already been e-mailed to {to}")
    })
}

/// The message: who it is from, what is due and by when; the PDF says the rest.
fn message(inv: &Invoice, to: &str) -> Mail {
    let money = |d| format_money(d, &inv.currency);
    let number = inv.number.clone().unwrap_or_default();
    let firm = &inv.firm_name;
    let mut lines = vec![
        format!("Dear {},", inv.client_name),
        format!(
            "Please find attached invoice {number} from {firm}, for {}.",
            money(inv.totals.total)
        ),
    ];
    if inv.balance.is_zero() {
        lines.push("It has been paid in full: thank you.".into());
    } else if let Some(due) = inv.due_date {
        lines.push(format!(
            "The balance of {} is due on {due}.",
            money(inv.balance)
        ));
    } else {
        lines.push(format!("The balance due is {}.", money(inv.balance)));
    }
    lines.push(format!("With kind regards,\n{firm}"));
    let html = crate::mail::paragraphs_html(&lines);
    Mail {
        purpose: "invoice",
        to: to.to_string(),
        subject: format!("Invoice {number} from {firm}"),
        text: lines.join("\n\n"),
        html: Some(html),
    }
}
