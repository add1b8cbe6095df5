//! The daily overdue reminders (a firm setting): from 08:00 in the firm's time zone, each billing
//! address with invoices that became overdue gets one message listing them, with their PDFs. An invoice is reminded once (`invoice_reminders`, migration 29), and only
//! within `WINDOW_DAYS` of its due date, so turning the setting on does not write to clients
//! about last year's invoices. The job runs as the person who last saved the setting on (their
//! rights, their walls), and does nothing once it is off; one run is one transaction, and a run repeated after its process died finds
//! everything already reminded.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use uuid::Uuid;

use super::{may_bill, Invoice};
use crate::audit::{record, Entry};
use crate::jobs::run::{as_member, Claimed, Failure, Outcome};
use crate::kernel::format_money;
use crate::mail::{Attachment, Extras, Mail};
use crate::server::AppState;

/// Invoices overdue for longer than this are not reminded.
pub const WINDOW_DAYS: i32 = 30;
/// At most this many invoices' PDFs go with one message (mail relays refuse large messages).
const MAX_ATTACHED: usize = 10;

pub async fn run(state: &AppState, job: &Claimed) -> Outcome {
    let org = job.org()?;
    let user = job
        .run_as
        .ok_or_else(|| Failure::GiveUp("nobody turned overdue reminders on".into()))?;
    let day: String = job.field("day")?;
    let day = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
        .map_err(|_| Failure::GiveUp(format!("not a day: {day:?}")))?;
    let (caller, mut tx) = match as_member(state, user, org, may_bill).await {
        Err(Failure::GiveUp(_)) if !still_on(state, org, user).await? => {
            return Ok("Overdue reminders are no longer on as this person: nothing sent".into())
        }
        Err(Failure::GiveUp(_)) => {
            return Err(Failure::GiveUp(
                "the person who turned overdue reminders on may no longer send invoices: \
                 turn them off and on again in Settings"
                    .into(),
            ))
        }
        other => other?,
    };
    // Turned off (or on again by someone else) since the job was scheduled: nothing to do.
    let (on_by, from): (Option<Uuid>, Option<String>) = sqlx::query_as(
        "SELECT overdue_reminders_by, mail_from FROM organizations WHERE id = app_current_org()",
    )
    .fetch_one(&mut *tx)
    .await?;
    if on_by != Some(user) {
        return Ok("Overdue reminders are no longer on as this person: nothing sent".into());
    }
    // Overdue on the job's day (in the firm's time zone, as the schedule chose it).
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT i.id FROM invoices i
          WHERE i.status IN ('sent', 'partially_paid')
            AND i.due_date < $1 AND i.due_date >= $1 - $2
            AND NOT EXISTS (SELECT 1 FROM invoice_reminders r WHERE r.invoice_id = i.id)
          ORDER BY i.due_date, i.invoice_number",
    )
    .bind(day)
    .bind(WINDOW_DAYS)
    .fetch_all(&mut *tx)
    .await?;
    let mut by_address: BTreeMap<String, Vec<Invoice>> = BTreeMap::new();
    let mut no_address = 0;
    for id in ids {
        let inv = super::repo::get(&mut tx, id, false).await?;
        match inv.billing_email.clone() {
            Some(to) => by_address.entry(to).or_default().push(inv),
            None => no_address += 1,
        }
    }

    let mut reminded = 0;
    for (to, invoices) in &by_address {
        let extras = Extras {
            from: from.clone(),
            attachments: invoices
                .iter()
                .take(MAX_ATTACHED)
                .map(|inv| Attachment {
                    filename: super::pdf::file_name(inv),
                    content_type: "application/pdf",
                    content: super::pdf::render(inv),
                })
                .collect(),
            job: Some(job.id),
        };
        let written =
            crate::mail::enqueue_with(&mut tx, Some(org), &message(invoices, to), extras).await?;
        if !written {
            // This job already wrote to this address (a run repeated after its process died):
            // what it wrote is what was reminded.
            continue;
        }
        for inv in invoices {
            sqlx::query(
                "INSERT INTO invoice_reminders (invoice_id, organization_id, to_address, job_id)
                 VALUES ($1, app_current_org(), $2, $3)",
            )
            .bind(inv.id)
            .bind(to)
            .bind(job.id)
            .execute(&mut *tx)
            .await?;
            record(
                &mut tx,
                &caller,
                Entry::new("invoice.reminded", "invoice", inv.id).summary(format!(
                    "E-mailed an overdue reminder for invoice {} to {to}",
                    inv.number.clone().unwrap_or_default()
                )),
            )
            .await?;
            reminded += 1;
        }
    }
    tx.commit().await?;
    crate::mail::wake();
    let mut outcome = format!(
        "{reminded} overdue {} reminded, to {} {}",
        plural(reminded, "invoice", "invoices"),
        by_address.len(),
        plural(by_address.len(), "client", "clients")
    );
    if no_address > 0 {
        outcome.push_str(&format!(
            "; {no_address} not: the client has no e-mail address"
        ));
    }
    Ok(outcome)
}

/// Whether reminders are still on as `user` (read as the firm: they may no longer be a member).
async fn still_on(state: &AppState, org: Uuid, user: Uuid) -> Result<bool, Failure> {
    let mut tx = crate::jobs::run::as_firm(state, org).await?;
    let by: Option<Uuid> = sqlx::query_scalar(
        "SELECT overdue_reminders_by FROM organizations WHERE id = app_current_org()",
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(by == Some(user))
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// One client's reminder: each overdue invoice with its due date and balance, and the total.
fn message(invoices: &[Invoice], to: &str) -> Mail {
    let first = &invoices[0];
    let money = |d| format_money(d, &first.currency);
    let firm = &first.firm_name;
    let greeting = if invoices.iter().all(|i| i.client_id == first.client_id) {
        format!("Dear {},", first.client_name)
    } else {
        "Hello,".to_string()
    };
    let mut lines = vec![
        greeting,
        format!(
            "This is a reminder that the following {} from {firm} {} past due:",
            plural(invoices.len(), "invoice", "invoices"),
            if invoices.len() == 1 { "is" } else { "are" }
        ),
    ];
    lines.extend(invoices.iter().map(|inv| {
        format!(
            "Invoice {}, due on {}: {} outstanding",
            inv.number.clone().unwrap_or_default(),
            inv.due_date.map(|d| d.to_string()).unwrap_or_default(),
            money(inv.balance)
        )
    }));
    let total: Decimal = invoices.iter().map(|inv| inv.balance).sum();
    if invoices.len() > 1 {
        lines.push(format!("Total outstanding: {}", money(total)));
    }
    lines.push(format!(
        "{} If you have paid in the meantime, thank you, and please disregard this message.",
        match invoices.len() {
            1 => "The invoice is attached.".to_string(),
            n if n <= MAX_ATTACHED => "The invoices are attached.".to_string(),
            _ => format!("The first {MAX_ATTACHED} invoices are attached."),
        }
    ));
    lines.push(format!("With kind regards,\n{firm}"));
    let html = crate::mail::paragraphs_html(&lines);
    let subject = match invoices {
        [one] => format!(
            "Overdue: invoice {} from {firm}",
            one.number.clone().unwrap_or_default()
        ),
        many => format!("Overdue: {} invoices from {firm}", many.len()),
    };
    Mail {
        purpose: "invoice_reminder",
        to: to.to_string(),
        subject,
        text: lines.join("\n\n"),
        html: Some(html),
    }
}
