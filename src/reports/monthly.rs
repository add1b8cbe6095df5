//! The monthly billing report, e-mailed to the firm's administrators and billing staff on the
//! 1st (scheduled by `jobs::schedule`): the month's hours billed, amounts billed and collected
//! per person, and what clients owe by age at the month's end, with the same figures as CSV.
//! Each recipient's copy is computed with their own rights (a matter walled off from them is
//! not in theirs). Run again after its process died, it writes no one's copy twice.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::export::hours;
use super::{AgingRow, BilledRow};
use crate::audit::export::line as row;
use crate::jobs::run::{as_firm, as_member, Claimed, Failure, Outcome};
use crate::kernel::format_money;
use crate::mail::{escape_html, Attachment, Extras, Mail};
use crate::server::AppState;

pub async fn run(state: &AppState, job: &Claimed) -> Outcome {
    let org = job.org()?;
    let period: String = job.field("period")?;
    let from = super::parse_month(&period)
        .ok_or_else(|| Failure::GiveUp(format!("{period:?} is not a month")))?;
    let to = next_month(from);
    let month_end = to.pred_opt().unwrap_or(to);

    let mut tx = as_firm(state, org).await?;
    let recipients: Vec<(Uuid, String, String, Option<String>)> = sqlx::query_as(
        "SELECT uo.user_id, u.email, o.name, o.mail_from
           FROM user_organizations uo JOIN users u ON u.id = uo.user_id
           JOIN organizations o ON o.id = uo.organization_id
          WHERE uo.organization_id = app_current_org() AND uo.status = 'active' AND u.is_active
            AND uo.role IN ('admin', 'billing')
          ORDER BY u.email",
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;

    let mut written = 0;
    for (user, email, firm_name, mail_from) in recipients {
        let (_, mut tx) = match as_member(state, user, org, super::may_report).await {
            Ok(t) => t,
            // Left the firm, or changed role, since the list was read.
            Err(Failure::GiveUp(_)) => continue,
            Err(e) => return Err(e),
        };
        let firm = crate::matters::repo::firm(&mut tx).await?;
        let billed = super::repo::billed_collected(&mut tx, from, to, &firm.currency).await?;
        let aging = super::repo::aging(&mut tx, month_end).await?;
        let report = Report {
            firm: &firm_name,
            period: &period,
            month_end,
            currency: &firm.currency,
            billed: &billed,
            aging: &aging,
        };
        let csv = Attachment {
            filename: format!("billing-report-{period}.csv"),
            content_type: "text/csv",
            content: report.csv().into_bytes(),
        };
        let extras = Extras {
            from: mail_from.clone(),
            attachments: vec![csv],
            job: Some(job.id),
        };
        if crate::mail::enqueue_with(&mut tx, Some(org), &report.mail(&email), extras).await? {
            written += 1;
        }
        tx.commit().await?;
    }
    crate::mail::wake();
    Ok(format!("Report for {period} e-mailed to {written} people"))
}

fn next_month(first: NaiveDate) -> NaiveDate {
    let (y, m) = if first.month() == 12 {
        (first.year() + 1, 1)
    } else {
        (first.year(), first.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(first)
}

struct Report<'a> {
    firm: &'a str,
    period: &'a str,
    month_end: NaiveDate,
    currency: &'a str,
    billed: &'a [BilledRow],
    aging: &'a [AgingRow],
}

impl Report<'_> {
    fn totals(&self) -> (u32, Decimal, Decimal) {
        self.billed
            .iter()
            .fold((0, Decimal::ZERO, Decimal::ZERO), |(m, b, c), r| {
                (m + r.billed_minutes, b + r.billed, c + r.collected)
            })
    }

    fn owed(&self) -> Decimal {
        self.aging.iter().map(|a| a.total).sum()
    }

    fn mail(&self, to: &str) -> Mail {
        let money = |d| format_money(d, self.currency);
        let (minutes, billed, collected) = self.totals();
        let mut text = format!(
            "{} billing report for {}\n\nHours billed: {}\nBilled: {}\nCollected: {}\nOwed by clients on {}: {}\n\nBy person (hours billed, billed, collected):\n",
            self.firm,
            self.period,
            hours(minutes),
            money(billed),
            money(collected),
            self.month_end,
            money(self.owed()),
        );
        let mut rows = String::new();
        for r in self.billed {
            text.push_str(&format!(
                "  {}: {} h, {}, {}\n",
                r.name,
                hours(r.billed_minutes),
                money(r.billed),
                money(r.collected)
            ));
            rows.push_str(&format!(
                "<tr><th scope=\"row\" style=\"text-align:left\">{}</th><td align=\"right\">{}</td><td align=\"right\">{}</td><td align=\"right\">{}</td></tr>",
                escape_html(&r.name),
                hours(r.billed_minutes),
                escape_html(&money(r.billed)),
                escape_html(&money(r.collected)),
            ));
        }
        if self.billed.is_empty() {
            text.push_str("  Nothing was billed or collected this month.\n");
        }
        text.push_str("\nThe attached CSV has these figures and what each client owes by age.\n");
        let html = format!(
            "<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5\">\
             <h1 style=\"font-size:1.2em\">{firm} billing report for {period}</h1>\
             <p>Hours billed: {h}<br>Billed: {b}<br>Collected: {c}<br>Owed by clients on {end}: {o}</p>\
             <table cellpadding=\"4\"><thead><tr><th>Person</th><th>Hours billed</th><th>Billed</th><th>Collected</th></tr></thead><tbody>{rows}</tbody></table>\
             <p>The attached CSV has these figures and what each client owes by age.</p></body></html>",
            firm = escape_html(self.firm),
            period = escape_html(self.period),
            h = hours(minutes),
            b = escape_html(&money(billed)),
            c = escape_html(&money(collected)),
            end = self.month_end,
            o = escape_html(&money(self.owed())),
        );
        Mail {
            purpose: "monthly_report",
            to: to.to_string(),
            subject: format!("Billing report for {}: {}", self.period, self.firm),
            text,
            html: Some(html),
        }
    }

    /// An amount as a plain number in the currency's minor unit (rounded, never cut).
    fn amount(&self, d: Decimal) -> String {
        let digits = crate::kernel::minor_digits(self.currency);
        format!(
            "{:.*}",
            digits as usize,
            crate::kernel::round_money(d, digits)
        )
    }

    fn csv(&self) -> String {
        let s = |v: &str| v.to_string();
        let mut out = row(&[
            s("section"),
            s("name"),
            s("hours billed"),
            s("billed"),
            s("collected"),
        ]);
        for r in self.billed {
            out.push_str(&row(&[
                s("billed and collected"),
                r.name.clone(),
                hours(r.billed_minutes),
                self.amount(r.billed),
                self.amount(r.collected),
            ]));
        }
        out.push_str("\r\n");
        out.push_str(&row(&[
            s("aging"),
            s("client"),
            s("current"),
            s("1-30 days"),
            s("31-60 days"),
            s("61-90 days"),
            s("over 90 days"),
            s("total"),
        ]));
        for a in self.aging {
            let mut cells = vec![s("aging"), a.client_name.clone()];
            cells.extend(a.buckets().iter().map(|d| self.amount(*d)));
            out.push_str(&row(&cells));
        }
        out
    }
}
