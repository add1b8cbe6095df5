//! An issued invoice as PDF, the copy e-mailed to the client: the same figures as the printable
//! page (the same `Invoice`, the same `format_money`), laid out on US Letter.

use crate::kernel::{format_money, Choice};
use crate::server::pdf::{wrap, Document, Weight, MARGIN, PAGE_WIDTH};

use super::{Discount, Invoice, LineType};

const RIGHT: f32 = PAGE_WIDTH - MARGIN;
// Columns: date, description (wrapped), hours or quantity, rate, amount (right-aligned).
const DATE_X: f32 = MARGIN;
const DESC_X: f32 = MARGIN + 62.0;
const DESC_WIDTH: f32 = 250.0;
const QTY_RIGHT: f32 = 420.0;
const RATE_RIGHT: f32 = 490.0;

/// The file name it is attached as.
pub fn file_name(inv: &Invoice) -> String {
    let number: String = inv
        .number
        .as_deref()
        .unwrap_or("draft")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("Invoice-{number}.pdf")
}

/// An amount as the page shows it, with the currency's code instead of a symbol the standard
/// fonts cannot print (₹, ₩, ₪).
fn printable_money(d: rust_decimal::Decimal, currency: &str) -> String {
    let shown = format_money(d, currency);
    if shown.chars().all(crate::server::pdf::printable) {
        return shown;
    }
    let number: String = shown
        .chars()
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-'))
        .collect();
    format!("{currency} {number}")
}

pub fn render(inv: &Invoice) -> Vec<u8> {
    let money = |d| printable_money(d, &inv.currency);
    let number = inv.number.clone().unwrap_or_else(|| "(draft)".into());
    let title = format!("Invoice {number}");
    let mut doc = Document::new(&title, &format!("{title}, continued"));

    // The letterhead and the invoice's facts, side by side.
    let letterhead = if inv.firm_logo_text.is_empty() {
        &inv.firm_name
    } else {
        &inv.firm_logo_text
    };
    doc.text(MARGIN, letterhead, 16.0, Weight::Bold);
    doc.text_right(RIGHT, "INVOICE", 18.0, Weight::Bold);
    let top = doc.y;
    doc.down(16.0);
    for line in inv.firm_address.lines().filter(|l| !l.trim().is_empty()) {
        doc.text(MARGIN, line.trim(), 9.0, Weight::Regular);
        doc.down(11.0);
    }
    let left_bottom = doc.y;
    doc.y = top - 22.0;
    let date =
        |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    for (label, value) in [
        ("Number", number.clone()),
        ("Issued", date(inv.issue_date)),
        ("Due", date(inv.due_date)),
    ] {
        doc.text_right(RIGHT - 80.0, label, 9.0, Weight::Bold);
        doc.text_right(RIGHT, &value, 9.0, Weight::Regular);
        doc.down(12.0);
    }
    doc.y = doc.y.min(left_bottom) - 14.0;

    doc.text(MARGIN, "Bill to", 9.0, Weight::Bold);
    doc.down(12.0);
    doc.text(MARGIN, &inv.client_name, 11.0, Weight::Regular);
    doc.down(14.0);
    if let Some(n) = &inv.matter_number {
        let matter = match &inv.matter_title {
            Some(t) => format!("Matter {n}: {t}"),
            None => format!("Matter {n}"),
        };
        for line in wrap(&matter, RIGHT - MARGIN, 9.0, Weight::Regular) {
            doc.text(MARGIN, &line, 9.0, Weight::Regular);
            doc.down(11.0);
        }
    }
    let period = format!(
        "Services from {} to {}",
        inv.period_start
            .map(|d| d.to_string())
            .unwrap_or_else(|| "the start".into()),
        inv.period_end
            .map(|d| d.to_string())
            .unwrap_or_else(|| "the issue date".into()),
    );
    doc.text(MARGIN, &period, 9.0, Weight::Regular);
    doc.down(24.0);

    // The lines.
    let header = |doc: &mut Document| {
        doc.text(DATE_X, "Date", 9.0, Weight::Bold);
        doc.text(DESC_X, "Description", 9.0, Weight::Bold);
        doc.text_right(QTY_RIGHT, "Hours / qty", 9.0, Weight::Bold);
        doc.text_right(RATE_RIGHT, "Rate", 9.0, Weight::Bold);
        doc.text_right(RIGHT, "Amount", 9.0, Weight::Bold);
        doc.down(5.0);
        doc.rule();
        doc.down(13.0);
    };
    header(&mut doc);
    for line in &inv.lines {
        let mut described = line.description.clone();
        if !line.person.is_empty() && line.line_type == LineType::Time {
            described = format!("{described} ({})", line.person);
        }
        let wrapped = wrap(&described, DESC_WIDTH, 9.0, Weight::Regular);
        let height = 12.0 * wrapped.len() as f32 + 2.0;
        let before = doc.y;
        doc.need(height);
        if doc.y > before {
            header(&mut doc);
        }
        doc.text(
            DATE_X,
            &line.date.map(|d| d.to_string()).unwrap_or_default(),
            9.0,
            Weight::Regular,
        );
        let quantity = match line.line_type {
            LineType::Adjustment => String::new(),
            _ => format!("{:.2}", line.quantity),
        };
        doc.text_right(QTY_RIGHT, &quantity, 9.0, Weight::Regular);
        if line.line_type != LineType::Adjustment {
            doc.text_right(RATE_RIGHT, &money(line.rate), 9.0, Weight::Regular);
        }
        doc.text_right(RIGHT, &money(line.amount), 9.0, Weight::Regular);
        for (i, text) in wrapped.iter().enumerate() {
            if i > 0 {
                doc.down(12.0);
            }
            doc.text(DESC_X, text, 9.0, Weight::Regular);
        }
        doc.down(14.0);
    }
    doc.down(-8.0);
    doc.rule();
    doc.down(16.0);

    // The totals.
    let t = inv.totals;
    let discount = match inv.discount {
        Discount::Percent(p) => format!("Discount ({}%)", p.normalize()),
        _ => "Discount".to_string(),
    };
    let mut rows: Vec<(String, String, Weight)> =
        vec![("Subtotal".into(), money(t.subtotal), Weight::Regular)];
    if !t.discount.is_zero() {
        rows.push((discount, format!("-{}", money(t.discount)), Weight::Regular));
    }
    if !t.tax.is_zero() || !inv.tax_rate.is_zero() {
        rows.push((
            format!("{} ({}%)", inv.tax_label, inv.tax_rate.normalize()),
            money(t.tax),
            Weight::Regular,
        ));
    }
    rows.push(("Total".into(), money(t.total), Weight::Bold));
    if !inv.amount_paid.is_zero() {
        rows.push(("Paid".into(), money(inv.amount_paid), Weight::Regular));
    }
    rows.push(("Balance due".into(), money(inv.balance), Weight::Bold));
    doc.need(14.0 * rows.len() as f32);
    for (label, value, weight) in rows {
        doc.text_right(RIGHT - 110.0, &label, 10.0, weight);
        doc.text_right(RIGHT, &value, 10.0, weight);
        doc.down(14.0);
    }
    if !inv.payments.is_empty() {
        doc.down(10.0);
        doc.need(14.0 + 12.0 * inv.payments.len() as f32);
        doc.text(MARGIN, "Payments received", 9.0, Weight::Bold);
        doc.down(12.0);
        for p in &inv.payments {
            doc.text(
                MARGIN,
                &format!("{}  {}", p.paid_on, p.method.label()),
                9.0,
                Weight::Regular,
            );
            doc.text_right(RATE_RIGHT, &money(p.amount), 9.0, Weight::Regular);
            doc.down(12.0);
        }
    }
    if let Some(due) = inv
        .due_date
        .filter(|_| inv.balance > rust_decimal::Decimal::ZERO)
    {
        doc.down(14.0);
        doc.need(12.0);
        let note = format!("Please pay the balance of {} by {due}.", money(inv.balance));
        doc.text(MARGIN, &note, 9.0, Weight::Regular);
    }
    doc.finish()
}
