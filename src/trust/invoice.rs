//! Paying a client's issued invoice out of a matter's trust funds: the form, and the invoices
//! the trust page offers.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::{parse_date, single_line, FieldErrors};

/// An issued invoice of the matter's client with money still due on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenInvoice {
    pub id: Uuid,
    pub number: String,
    pub balance: Decimal,
}

/// "Pay invoice from trust", as submitted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InvoicePayForm {
    #[serde(default)]
    pub account: String,
    #[serde(default)]
    pub invoice: String,
    #[serde(default)]
    pub occurred_on: String,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub amount: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidInvoicePay {
    pub account: Uuid,
    pub invoice: Uuid,
    pub occurred_on: NaiveDate,
    pub reference: String,
    pub amount: Decimal,
}

impl InvoicePayForm {
    pub fn validate(
        &self,
        today: NaiveDate,
        currency: &str,
    ) -> Result<ValidInvoicePay, FieldErrors> {
        let mut e = FieldErrors::default();
        let account = Uuid::parse_str(self.account.trim()).ok();
        if account.is_none() {
            e.add("account", "Choose the trust account.");
        }
        let invoice = Uuid::parse_str(self.invoice.trim()).ok();
        if invoice.is_none() {
            e.add("invoice", "Choose the invoice to pay.");
        }
        let occurred_on = if self.occurred_on.trim().is_empty() {
            Some(today)
        } else {
            e.check("occurred_on", parse_date(&self.occurred_on))
        };
        if occurred_on.is_some_and(|d| d > today) {
            e.add("occurred_on", "Trust money is recorded when it moves, not ahead: the date cannot be in the future.");
        }
        let reference = e
            .check("reference", single_line(&self.reference))
            .unwrap_or_default();
        if reference.chars().count() > 40 {
            e.add("reference", "A reference is at most 40 characters.");
        }
        let amount = e.positive_money(
            "amount",
            &self.amount,
            currency,
            "Enter the amount to pay, e.g. 500.00.",
        );
        e.into_result(|| ValidInvoicePay {
            account: account.unwrap(),
            invoice: invoice.unwrap(),
            occurred_on: occurred_on.unwrap(),
            reference,
            amount: amount.unwrap(),
        })
        .map_err(|e| e.with_values(self.values()))
    }

    pub fn values(&self) -> Vec<(String, String)> {
        [
            ("account", &self.account),
            ("invoice", &self.invoice),
            ("occurred_on", &self.occurred_on),
            ("reference", &self.reference),
            ("amount", &self.amount),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invoice_payment_names_account_invoice_and_a_positive_amount() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let e = InvoicePayForm {
            amount: "0".into(),
            occurred_on: "2026-11-26".into(),
            ..Default::default()
        }
        .validate(today, "USD")
        .unwrap_err();
        for k in ["account", "invoice", "amount", "occurred_on"] {
            assert!(e.get(k).is_some(), "{k}");
        }
        let ok = InvoicePayForm {
            account: Uuid::nil().to_string(),
            invoice: Uuid::nil().to_string(),
            amount: "1,200.50".into(),
            ..Default::default()
        }
        .validate(today, "USD")
        .unwrap();
        assert_eq!(
            (ok.amount, ok.occurred_on),
            (Decimal::new(120050, 2), today)
        );
    }
}
