use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::{multi_line, parse_date, FieldErrors, PageRequest};
use crate::time::TimeStatus;

/// A row of an expense list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpenseRow {
    pub id: Uuid,
    pub matter_id: Uuid,
    pub matter_number: String,
    pub user_name: String,
    pub incurred_on: NaiveDate,
    pub description: String,
    pub amount: Decimal,
    pub quantity: Decimal,
    pub total: Decimal,
    pub billable: bool,
    pub status: TimeStatus,
}

/// Filters of an expense list: one matter's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExpenseQuery {
    #[serde(default)]
    pub matter: String,
    #[serde(default)]
    pub paging: PageRequest,
}

/// The expense form as submitted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExpenseForm {
    /// The matter's id (the form is reached from the matter's page).
    #[serde(default)]
    pub matter: String,
    #[serde(default)]
    pub incurred_on: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub quantity: String,
    #[serde(default)]
    pub billable: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidExpense {
    pub incurred_on: NaiveDate,
    pub description: String,
    pub amount: Decimal,
    pub quantity: Decimal,
    pub billable: bool,
}

/// The total of `quantity` at `amount` each, rounded half-up to the cent once, here.
/// An expense's total: its amount times its quantity, rounded half-up to the currency's minor
/// unit (`digits`).
pub fn expense_total(amount: Decimal, quantity: Decimal, digits: u32) -> Decimal {
    crate::kernel::round_money(amount * quantity, digits)
}

impl ExpenseForm {
    pub fn validate(&self, today: NaiveDate, currency: &str) -> Result<ValidExpense, FieldErrors> {
        let mut e = FieldErrors::default();
        if self.matter.trim().is_empty() {
            e.add("matter", "Choose the matter.");
        }
        let incurred_on = if self.incurred_on.trim().is_empty() {
            Some(today)
        } else {
            e.check("incurred_on", parse_date(&self.incurred_on))
        };
        if incurred_on.is_some_and(|d| d > today) {
            e.add(
                "incurred_on",
                "An expense cannot be recorded for a future date.",
            );
        }
        let description = e.required_text(
            "description",
            multi_line(&self.description),
            "Describe the expense.",
            2000,
        );
        let amount = e.positive_money(
            "amount",
            &self.amount,
            currency,
            "Enter the amount, e.g. 25.00.",
        );
        let quantity = if self.quantity.trim().is_empty() {
            Some(Decimal::ONE)
        } else {
            match Decimal::from_str_exact(self.quantity.trim()) {
                Ok(q) if q > Decimal::ZERO && q <= Decimal::from(100_000) && q.scale() <= 2 => {
                    Some(q)
                }
                _ => {
                    e.add("quantity", "Enter a quantity such as 1, 3 or 2.5.");
                    None
                }
            }
        };
        if let (Some(a), Some(q)) = (amount, quantity) {
            // What an invoice line can hold (numeric(14, 2)).
            if expense_total(a, q, crate::kernel::minor_digits(currency))
                >= Decimal::from(1_000_000_000_000i64)
            {
                e.add("amount", "The total of this expense is too large.");
            }
        }
        let billable = !self.billable.trim().is_empty();
        e.into_result(|| ValidExpense {
            incurred_on: incurred_on.unwrap(),
            description,
            amount: amount.unwrap(),
            quantity: quantity.unwrap(),
            billable,
        })
        .map_err(|e| e.with_values(self.values()))
    }

    pub fn values(&self) -> Vec<(String, String)> {
        [
            ("matter", &self.matter),
            ("incurred_on", &self.incurred_on),
            ("description", &self.description),
            ("amount", &self.amount),
            ("quantity", &self.quantity),
            ("billable", &self.billable),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    #[test]
    fn totals_are_exact_and_rounded_once() {
        let d = |s| Decimal::from_str(s).unwrap();
        assert_eq!(expense_total(d("0.15"), d("333"), 2), d("49.95"));
        assert_eq!(expense_total(d("0.125"), d("1"), 2), d("0.13"));
        assert_eq!(expense_total(d("19.99"), d("2.5"), 2), d("49.98")); // 49.975 → half up
    }

    #[test]
    fn an_expense_needs_a_positive_amount_and_quantity() {
        let f = ExpenseForm {
            matter: "x".into(),
            description: "Filing fee".into(),
            amount: "402".into(),
            billable: "on".into(),
            ..Default::default()
        };
        let v = f.validate(today(), "USD").unwrap();
        assert_eq!(
            (v.quantity, v.incurred_on, v.billable),
            (Decimal::ONE, today(), true)
        );
        let bad = ExpenseForm {
            amount: "0".into(),
            quantity: "-1".into(),
            incurred_on: "2026-12-01".into(),
            ..f
        };
        let e = bad.validate(today(), "USD").unwrap_err();
        for k in ["amount", "quantity", "incurred_on"] {
            assert!(e.get(k).is_some(), "{k}");
        }
    }
}
