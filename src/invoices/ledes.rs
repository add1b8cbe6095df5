//! LEDES 1998B, the e-billing file corporate clients' systems read: ASCII, pipe-delimited, the
//! first line `LEDES1998B[]`, then the field names, then one record per line item, each ending
//! `[]`; dates YYYYMMDD; amounts with two decimals and no symbol. The discount and the tax are
//! invoice-level fee adjustments (`IF`), so the line totals sum exactly to the invoice total.

use rust_decimal::Decimal;

use super::{Invoice, LineType};
use uuid::Uuid;

const FIELDS: [&str; 24] = [
    "INVOICE_DATE",
    "INVOICE_NUMBER",
    "CLIENT_ID",
    "LAW_FIRM_MATTER_ID",
    "INVOICE_TOTAL",
    "BILLING_START_DATE",
    "BILLING_END_DATE",
    "INVOICE_DESCRIPTION",
    "LINE_ITEM_NUMBER",
    "EXP/FEE/INV_ADJ_TYPE",
    "LINE_ITEM_NUMBER_OF_UNITS",
    "LINE_ITEM_ADJUSTMENT_AMOUNT",
    "LINE_ITEM_TOTAL",
    "LINE_ITEM_DATE",
    "LINE_ITEM_TASK_CODE",
    "LINE_ITEM_EXPENSE_CODE",
    "LINE_ITEM_ACTIVITY_CODE",
    "TIMEKEEPER_ID",
    "LINE_ITEM_DESCRIPTION",
    "LAW_FIRM_ID",
    "LINE_ITEM_UNIT_COST",
    "TIMEKEEPER_NAME",
    "TIMEKEEPER_CLASSIFICATION",
    "CLIENT_MATTER_ID",
];

/// Printable ASCII only, without the format's delimiters; other characters become their
/// nearest ASCII or a space.
fn ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            '‘' | '’' => '\'',
            '“' | '”' => '"',
            '–' | '—' => '-',
            '|' | '[' | ']' => ' ',
            c if c.is_ascii_graphic() || c == ' ' => c,
            _ => ' ',
        };
        out.push(c);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn money(d: Decimal) -> String {
    format!("{:.2}", super::figures::cents(d))
}

fn date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%Y%m%d").to_string())
        .unwrap_or_default()
}

/// A client's or timekeeper's identifier within the 20 characters common 1998B validators
/// allow: the first 20 hex digits of its UUID (80 bits; stable, and unique in practice).
fn short_id(id: Uuid) -> String {
    id.simple().to_string()[..20].to_ascii_uppercase()
}

/// The file of an issued invoice. `firm_id` is how the firm is known to the client's system
/// (its slug here).
pub fn render(inv: &Invoice, firm_id: &str) -> String {
    let head = [
        date(inv.issue_date),
        ascii(inv.number.as_deref().unwrap_or("")),
        short_id(inv.client_id),
        ascii(inv.matter_number.as_deref().unwrap_or("")),
        money(inv.totals.total),
        date(
            inv.period_start
                .or(inv.lines.iter().filter_map(|l| l.date).min()),
        ),
        date(
            inv.period_end
                .or(inv.lines.iter().filter_map(|l| l.date).max()),
        ),
        ascii(&format!("Legal services for {}", inv.client_name)),
    ];
    let mut out = String::from("LEDES1998B[]\n");
    out.push_str(&FIELDS.join("|"));
    out.push_str("[]\n");
    let mut n = 0;
    // LAW_FIRM_MATTER_ID is the line's own matter (an invoice may cover several).
    let mut record = |out: &mut String, matter: &str, item: [String; 15]| {
        n += 1;
        let mut cells: Vec<String> = head.to_vec();
        if !matter.is_empty() {
            cells[3] = ascii(matter);
        }
        cells.push(n.to_string());
        cells.extend(item);
        out.push_str(&cells.join("|"));
        out.push_str("[]\n");
    };
    for l in &inv.lines {
        let fee = l.line_type == LineType::Time;
        // Units × unit cost + adjustment = total, exactly: hours billed in steps that are not
        // whole hundredths (5, 10 minutes) carry the difference as the line's adjustment.
        let units = if fee {
            super::figures::cents(l.quantity)
        } else {
            l.quantity.normalize()
        };
        let adjustment = l.amount - super::figures::cents(units * l.rate);
        record(
            &mut out,
            &l.matter_number,
            [
                if fee { "F" } else { "E" }.into(),
                if fee {
                    format!("{units:.2}")
                } else {
                    units.to_string()
                },
                money(adjustment),
                money(l.amount),
                date(l.date),
                l.task_code.clone().unwrap_or_default(),
                String::new(),
                l.activity_code.clone().unwrap_or_default(),
                l.person_id.map(short_id).unwrap_or_default(),
                ascii(&l.description),
                ascii(firm_id),
                money(l.rate),
                ascii(&l.person),
                if fee {
                    l.person_class.clone()
                } else {
                    String::new()
                },
                String::new(),
            ],
        );
    }
    let adjust = |label: String, amount: Decimal| -> [String; 15] {
        [
            "IF".into(),
            "1".into(),
            "0.00".into(),
            money(amount),
            date(inv.issue_date),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            ascii(&label),
            ascii(firm_id),
            money(amount),
            String::new(),
            String::new(),
            String::new(),
        ]
    };
    if !inv.totals.discount.is_zero() {
        record(
            &mut out,
            "",
            adjust("Discount".into(), -inv.totals.discount),
        );
    }
    if !inv.totals.tax.is_zero() {
        record(
            &mut out,
            "",
            adjust(
                format!("{} ({}%)", inv.tax_label, inv.tax_rate.normalize()),
                inv.totals.tax,
            ),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invoices::{Discount, InvoiceLine, InvoiceStatus, Totals};
    use chrono::NaiveDate;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn a_ledes_file_is_ascii_and_its_lines_add_up_to_the_total() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let line = |kind, desc: &str, qty: &str, rate: &str, amount: &str| InvoiceLine {
            id: Uuid::nil(),
            line_type: kind,
            date: Some(day),
            person: "Priya Raman".into(),
            person_id: Some(Uuid::nil()),
            person_class: "AS".into(),
            matter_number: "2026-0001".into(),
            description: desc.into(),
            minutes: (kind == LineType::Time).then_some(54),
            quantity: d(qty),
            rate: d(rate),
            amount: d(amount),
            activity_code: Some("A101".into()),
            task_code: Some("L120".into()),
        };
        let totals = Totals::of(
            &[d("270.00"), d("25.00")],
            Discount::Percent(d("10")),
            d("8.875"),
            2,
        );
        let inv = Invoice {
            id: Uuid::nil(),
            number: Some("INV-2026-0001".into()),
            status: InvoiceStatus::Sent,
            shown: "Sent".into(),
            firm_name: "Harbor & Vale LLP".into(),
            firm_logo_text: String::new(),
            firm_address: String::new(),
            client_id: Uuid::nil(),
            client_name: "Acme “Logistics” | Inc.".into(),
            billing_email: None,
            matter_id: None,
            matter_number: Some("2026-0001".into()),
            matter_title: None,
            currency: "USD".into(),
            period_start: None,
            period_end: None,
            issue_date: Some(day),
            due_date: None,
            increment: 6,
            discount: Discount::Percent(d("10")),
            tax_label: "Tax".into(),
            tax_rate: d("8.875"),
            totals,
            amount_paid: Decimal::ZERO,
            balance: totals.total,
            void_reason: String::new(),
            lines: vec![
                line(
                    LineType::Time,
                    "Research – memo [draft]",
                    "0.9",
                    "300.00",
                    "270.00",
                ),
                line(LineType::Expense, "Court copies", "2", "12.50", "25.00"),
            ],
            payments: vec![],
            version: 1,
        };
        let file = render(&inv, "harbor-vale");
        assert!(file.is_ascii());
        let lines: Vec<&str> = file.lines().collect();
        assert_eq!(lines[0], "LEDES1998B[]");
        assert!(lines.iter().all(|l| l.ends_with("[]")));
        let header: Vec<&str> = lines[1].trim_end_matches("[]").split('|').collect();
        assert_eq!(header.len(), 24);
        let records: Vec<Vec<&str>> = lines[2..]
            .iter()
            .map(|l| l.trim_end_matches("[]").split('|').collect())
            .collect();
        assert_eq!(records.len(), 4, "two items, the discount and the tax");
        let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
        let sum: Decimal = records
            .iter()
            .map(|r| {
                assert_eq!(r.len(), 24, "{r:?}");
                d(r[col("LINE_ITEM_TOTAL")])
            })
            .sum();
        assert_eq!(sum, inv.totals.total);
        assert_eq!(
            records[0][col("INVOICE_TOTAL")],
            format!("{:.2}", inv.totals.total)
        );
        assert_eq!(records[0][col("INVOICE_DATE")], "20261102");
        assert_eq!(records[0][col("EXP/FEE/INV_ADJ_TYPE")], "F");
        assert_eq!(records[0][col("LINE_ITEM_NUMBER_OF_UNITS")], "0.90");
        assert_eq!(
            records[0][col("LINE_ITEM_DESCRIPTION")],
            "Research - memo draft"
        );
        assert_eq!(records[1][col("EXP/FEE/INV_ADJ_TYPE")], "E");
        assert_eq!(records[2][col("LINE_ITEM_TOTAL")], "-29.50");
        for field in ["CLIENT_ID", "TIMEKEEPER_ID"] {
            assert_eq!(
                records[0][col(field)],
                "00000000000000000000",
                "{field}: 20 characters"
            );
        }
    }
}
