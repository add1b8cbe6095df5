use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::figures::{Discount, Totals};
use crate::kernel::{
    optional_date, parse_date, parse_money, single_line, FieldErrors, PageRequest,
};

crate::choice!(InvoiceStatus {
    Draft = "draft" : "Draft",
    Sent = "sent" : "Sent",
    PartiallyPaid = "partially_paid" : "Partially paid",
    Paid = "paid" : "Paid",
    Void = "void" : "Void",
});

crate::choice!(PaymentMethod {
    Check = "check" : "Check",
    Ach = "ach" : "ACH transfer",
    Wire = "wire" : "Wire transfer",
    Card = "card" : "Card",
    Cash = "cash" : "Cash",
    Trust = "trust" : "From trust",
    Other = "other" : "Other",
});

crate::choice!(LineType { Time = "time" : "Time", Expense = "expense" : "Expense", Adjustment = "adjustment" : "Adjustment" });

impl InvoiceStatus {
    /// Sent and not fully paid: money is owed on it.
    pub fn open(self) -> bool {
        matches!(self, InvoiceStatus::Sent | InvoiceStatus::PartiallyPaid)
    }

    /// What a list shows: "Overdue" for an open invoice past its due date (computed on read,
    /// against the firm's today, everywhere the same way).
    pub fn shown(self, due: Option<NaiveDate>, today: NaiveDate) -> &'static str {
        use crate::kernel::Choice;
        if self.open() && due.is_some_and(|d| d < today) {
            "Overdue"
        } else {
            self.label()
        }
    }
}

/// A row of the invoice list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceRow {
    pub id: Uuid,
    pub number: Option<String>,
    pub client_id: Uuid,
    pub client_name: String,
    pub matter_id: Option<Uuid>,
    pub matter_number: Option<String>,
    pub status: InvoiceStatus,
    /// The status as shown ("Overdue" included).
    pub shown: String,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub total: Decimal,
    pub balance: Decimal,
}

/// Filters of the invoice list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InvoiceQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub matter: String,
    #[serde(default)]
    pub client: String,
    #[serde(default)]
    pub paging: PageRequest,
}

/// A line as billed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub id: Uuid,
    pub line_type: LineType,
    pub date: Option<NaiveDate>,
    pub person: String,
    pub person_id: Option<Uuid>,
    /// The person's LEDES timekeeper classification ("AS" for attorneys, "OT" otherwise).
    pub person_class: String,
    pub matter_number: String,
    pub description: String,
    /// Billed minutes of a time line.
    pub minutes: Option<u32>,
    /// Hours of a time line, the quantity of an expense.
    pub quantity: Decimal,
    pub rate: Decimal,
    pub amount: Decimal,
    pub activity_code: Option<String>,
    pub task_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    pub id: Uuid,
    pub amount: Decimal,
    pub paid_on: NaiveDate,
    pub method: PaymentMethod,
    pub reference: String,
}

/// One invoice with its lines and payments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invoice {
    pub id: Uuid,
    pub number: Option<String>,
    pub status: InvoiceStatus,
    pub shown: String,
    pub firm_name: String,
    /// The letterhead text (empty: the firm's name is the letterhead).
    pub firm_logo_text: String,
    pub firm_address: String,
    pub client_id: Uuid,
    pub client_name: String,
    /// Where the client's invoices go: its e-mail contact labelled "billing", else its primary
    /// (or first) e-mail.
    pub billing_email: Option<String>,
    pub matter_id: Option<Uuid>,
    pub matter_number: Option<String>,
    pub matter_title: Option<String>,
    pub currency: String,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub increment: u32,
    pub discount: Discount,
    pub tax_label: String,
    pub tax_rate: Decimal,
    pub totals: Totals,
    pub amount_paid: Decimal,
    pub balance: Decimal,
    pub void_reason: String,
    pub lines: Vec<InvoiceLine>,
    pub payments: Vec<Payment>,
    pub version: i32,
}

/// What a new invoice covers: one matter's, or all of one client's matters', unbilled billable
/// time and expenses within a period (either end open).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InvoiceScope {
    #[serde(default)]
    pub matter: String,
    #[serde(default)]
    pub client: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// The pin of the preview this form came from (`Preview::pin`): the draft is made only if
    /// the unbilled work (each item and its amount) and the tax rate are still what it showed.
    /// Empty: no preview to hold to (a caller that never showed one).
    #[serde(default)]
    pub shown: String,
}

/// A checked scope.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidScope {
    pub matter: Option<Uuid>,
    pub client: Option<Uuid>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl InvoiceScope {
    pub fn values(&self) -> Vec<(String, String)> {
        [
            ("matter", &self.matter),
            ("client", &self.client),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
    }

    pub fn validate(&self) -> Result<ValidScope, FieldErrors> {
        let mut e = FieldErrors::default();
        let id = |s: &str| Uuid::parse_str(s.trim()).ok();
        let matter = id(&self.matter);
        let client = id(&self.client);
        if matter.is_none() && client.is_none() {
            e.add("matter", "Choose the matter (or the client) to invoice.");
        }
        let from = e.check("from", optional_date(&self.from)).flatten();
        let to = e.check("to", optional_date(&self.to)).flatten();
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                e.add("to", "The period ends before it starts.");
            }
        }
        e.into_result(|| ValidScope {
            matter,
            client,
            from,
            to,
        })
    }
}

/// A time entry or expense an invoice would bill, with its line figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Billable {
    pub id: Uuid,
    pub line_type: LineType,
    pub date: NaiveDate,
    pub user_id: Uuid,
    pub person: String,
    pub matter_id: Uuid,
    pub matter_number: String,
    pub description: String,
    /// Minutes worked (time only).
    pub worked: Option<u32>,
    pub activity_code: Option<String>,
    pub task_code: Option<String>,
    /// Billed minutes (time) at the increment.
    pub minutes: Option<u32>,
    pub quantity: Decimal,
    pub rate: Decimal,
    pub amount: Decimal,
}

/// What a new invoice would hold, before it is made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    /// What the preview shows, as a digest of each item's id and amount and the tax rate: the
    /// create form sends it back.
    pub pin: String,
    /// The id the create form sends, made when the preview is (sending the form twice makes one
    /// invoice).
    pub request: Uuid,
    pub client_name: String,
    pub matter_number: Option<String>,
    pub items: Vec<Billable>,
    pub totals: Totals,
    pub tax_label: String,
    pub currency: String,
}

/// The discount form of a draft.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DiscountForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub value: String,
}

impl DiscountForm {
    pub fn values(&self) -> Vec<(String, String)> {
        vec![
            ("kind".into(), self.kind.clone()),
            ("value".into(), self.value.clone()),
        ]
    }

    pub fn validate(&self, currency: &str) -> Result<Discount, FieldErrors> {
        let mut e = FieldErrors::default();
        let value = self.value.trim();
        let d = match self.kind.as_str() {
            "" | "none" => Discount::None,
            "percent" => {
                match rust_decimal::Decimal::from_str_exact(value.trim_end_matches('%').trim()) {
                    Ok(p) if p >= Decimal::ZERO && p <= Decimal::ONE_HUNDRED && p.scale() <= 3 => {
                        Discount::Percent(p)
                    }
                    _ => {
                        e.add(
                            "value",
                            "Enter a percentage from 0 to 100, such as 10 or 12.5.",
                        );
                        Discount::None
                    }
                }
            }
            "amount" => match parse_money(value, currency) {
                Ok(Some(a)) => Discount::Amount(a),
                Ok(None) => {
                    e.add("value", "Enter the discount amount.");
                    Discount::None
                }
                Err(m) => {
                    e.add("value", m);
                    Discount::None
                }
            },
            _ => {
                e.add("kind", "Choose a kind of discount.");
                Discount::None
            }
        };
        e.into_result(|| d)
    }
}

/// Why an invoice is voided.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VoidRequest {
    #[serde(default)]
    pub reason: String,
}

/// The payment form of an invoice.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PaymentForm {
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub paid_on: String,
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidPayment {
    pub amount: Decimal,
    pub paid_on: NaiveDate,
    pub method: PaymentMethod,
    pub reference: String,
}

impl PaymentForm {
    pub fn values(&self) -> Vec<(String, String)> {
        [
            ("amount", &self.amount),
            ("paid_on", &self.paid_on),
            ("method", &self.method),
            ("reference", &self.reference),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
    }

    /// A payment of at most `balance`, on a day no later than `today`.
    /// A payment of an invoice issued on `issued`, with `balance` still due.
    pub fn validate(
        &self,
        today: NaiveDate,
        issued: NaiveDate,
        currency: &str,
        balance: Decimal,
    ) -> Result<ValidPayment, FieldErrors> {
        use crate::kernel::Choice;
        let mut e = FieldErrors::default();
        let amount = match parse_money(&self.amount, currency) {
            Ok(Some(a)) if a.is_zero() => {
                e.add("amount", "A payment is more than zero.");
                None
            }
            Ok(Some(a)) if a > balance => {
                e.add(
                    "amount",
                    format!(
                        "That is more than the balance due ({}).",
                        crate::kernel::format_money(balance, currency)
                    ),
                );
                None
            }
            Ok(Some(a)) => Some(a),
            Ok(None) => {
                e.add("amount", "Enter the amount received.");
                None
            }
            Err(m) => {
                e.add("amount", m);
                None
            }
        };
        let paid_on = if self.paid_on.trim().is_empty() {
            Some(today)
        } else {
            e.check("paid_on", parse_date(&self.paid_on))
        };
        if paid_on.is_some_and(|d| d > today) {
            e.add("paid_on", "A payment cannot be recorded before it arrives.");
        } else if paid_on.is_some_and(|d| d < issued) {
            e.add(
                "paid_on",
                format!("The invoice was issued on {issued}: a payment cannot come before it (money received ahead belongs in trust)."),
            );
        }
        let method = PaymentMethod::parse(&self.method);
        match method {
            None => e.add("method", "Choose how it was paid."),
            // Trust money moves on the trust ledger, which records the payment with it.
            Some(PaymentMethod::Trust) => e.add(
                "method",
                "Pay from trust on the matter's trust page (Pay invoice from trust): the trust ledger records it with the payment.",
            ),
            Some(_) => {}
        }
        let reference = e
            .check("reference", single_line(&self.reference))
            .unwrap_or_default();
        if reference.chars().count() > 100 {
            e.add("reference", "At most 100 characters.");
        }
        e.into_result(|| ValidPayment {
            amount: amount.unwrap_or_default(),
            paid_on: paid_on.unwrap_or(today),
            method: method.unwrap_or(PaymentMethod::Other),
            reference,
        })
    }
}

/// Totals of billable items at their line amounts, with the firm's tax and no discount.
pub fn preview_totals(items: &[Billable], tax_rate: Decimal, currency: &str) -> Totals {
    let amounts: Vec<Decimal> = items.iter().map(|i| i.amount).collect();
    Totals::of(
        &amounts,
        Discount::None,
        tax_rate,
        crate::kernel::minor_digits(currency),
    )
}

/// The "Send by e-mail" form of an issued invoice.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    pub to: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::from_str(s).unwrap()
    }

    #[test]
    fn overdue_is_computed_from_the_due_date() {
        let today = day("2026-11-26");
        assert_eq!(
            InvoiceStatus::Sent.shown(Some(day("2026-11-25")), today),
            "Overdue"
        );
        assert_eq!(
            InvoiceStatus::PartiallyPaid.shown(Some(day("2026-11-25")), today),
            "Overdue"
        );
        assert_eq!(InvoiceStatus::Sent.shown(Some(today), today), "Sent");
        assert_eq!(
            InvoiceStatus::Paid.shown(Some(day("2026-01-01")), today),
            "Paid"
        );
    }

    #[test]
    fn payments_are_checked_against_the_balance() {
        let today = day("2026-11-26");
        let form = |amount: &str, on: &str, method: &str| PaymentForm {
            amount: amount.into(),
            paid_on: on.into(),
            method: method.into(),
            reference: "chk 1001".into(),
        };
        let balance = Decimal::from_str("400.00").unwrap();
        let ok = form("150.00", "", "check")
            .validate(today, day("2026-11-01"), "USD", balance)
            .unwrap();
        assert_eq!(ok.amount, Decimal::from_str("150.00").unwrap());
        assert_eq!(ok.paid_on, today);
        let e = form("400.01", "2026-11-27", "barter")
            .validate(today, day("2026-11-01"), "USD", balance)
            .unwrap_err();
        assert!(e.get("amount").unwrap().contains("$400.00"));
        assert!(e.get("paid_on").is_some());
        assert!(e.get("method").is_some());
        let e = form("10", "2026-10-31", "cash")
            .validate(today, day("2026-11-01"), "USD", balance)
            .unwrap_err();
        assert!(e.get("paid_on").unwrap().contains("2026-11-01"));
        assert!(form("0", "", "cash")
            .validate(today, day("2026-11-01"), "USD", balance)
            .is_err());
    }

    #[test]
    fn discounts_are_checked() {
        let f = |k: &str, v: &str| {
            DiscountForm {
                kind: k.into(),
                value: v.into(),
            }
            .validate("USD")
        };
        assert_eq!(
            f("percent", "12.5%").unwrap(),
            Discount::Percent(Decimal::from_str("12.5").unwrap())
        );
        assert_eq!(
            f("amount", "$50").unwrap(),
            Discount::Amount(Decimal::from(50))
        );
        assert_eq!(f("none", "whatever").unwrap(), Discount::None);
        assert!(f("percent", "101").is_err());
        assert!(f("amount", "").is_err());
        assert!(f("bogus", "1").is_err());
    }
}
