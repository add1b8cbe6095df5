//! Editing a line of a draft: its description, the hours (time) or quantity (expense) it
//! bills, and its rate. The amount is formed again, rounded half-up to the cent once, as when
//! the draft was made. The time entry or expense behind the line keeps what was worked or
//! spent: an adjustment is the invoice's, and voiding the invoice leaves the work as recorded.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::LineType;
use crate::kernel::{multi_line, parse_money, FieldErrors};
use crate::time::duration::{amount, billed_minutes, hours, parse_duration};

/// The edit form of one line, as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LineForm {
    #[serde(default)]
    pub description: String,
    /// Hours for a time line (as time is entered: `1.5`, `1:30`, `90m`), a quantity otherwise.
    #[serde(default)]
    pub quantity: String,
    #[serde(default)]
    pub rate: String,
}

/// A line's new figures.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidLine {
    pub description: String,
    /// Billed minutes of a time line.
    pub minutes: Option<u32>,
    pub quantity: Decimal,
    pub rate: Decimal,
    pub amount: Decimal,
}

impl LineForm {
    pub fn values(&self) -> Vec<(String, String)> {
        vec![
            ("description".into(), self.description.clone()),
            ("quantity".into(), self.quantity.clone()),
            ("rate".into(), self.rate.clone()),
        ]
    }

    /// `increment`: the invoice's billing step (the hours typed are billed rounded up to it, as
    /// when the draft was made).
    pub fn validate(
        &self,
        kind: LineType,
        currency: &str,
        increment: u32,
    ) -> Result<ValidLine, FieldErrors> {
        let mut e = FieldErrors::default();
        let description = e.required_text(
            "description",
            multi_line(&self.description),
            "Describe the work or the expense.",
            2000,
        );
        let rate = match parse_money(&self.rate, currency) {
            Ok(Some(r)) => Some(r),
            Ok(None) => {
                e.add("rate", "Enter the rate.");
                None
            }
            Err(m) => {
                e.add("rate", m);
                None
            }
        };
        let (minutes, quantity) = if kind == LineType::Time {
            match parse_duration(&self.quantity) {
                Ok(m) => {
                    let m = billed_minutes(m, increment);
                    (Some(m), Some(hours(m).round_dp(4)))
                }
                Err(m) => {
                    e.add("quantity", m);
                    (None, None)
                }
            }
        } else {
            match Decimal::from_str_exact(self.quantity.trim()) {
                Ok(q) if q > Decimal::ZERO && q <= Decimal::from(100_000) && q.scale() <= 2 => {
                    (None, Some(q))
                }
                _ => {
                    e.add("quantity", "Enter a quantity such as 1, 3 or 2.5.");
                    (None, None)
                }
            }
        };
        let digits = crate::kernel::minor_digits(currency);
        let figured = match (minutes, quantity, rate) {
            (Some(m), _, Some(r)) => Some(amount(m, r, digits)),
            (None, Some(q), Some(r)) => Some(crate::expenses::expense_total(r, q, digits)),
            _ => None,
        };
        // What a line can hold (numeric(14, 2)).
        if figured.is_some_and(|a| a >= Decimal::from(1_000_000_000_000i64)) {
            e.add("rate", "The amount of this line is too large.");
        }
        e.into_result(|| ValidLine {
            description,
            minutes,
            quantity: quantity.unwrap(),
            rate: rate.unwrap(),
            amount: figured.unwrap(),
        })
        .map_err(|e| e.with_values(self.values()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn form(description: &str, quantity: &str, rate: &str) -> LineForm {
        LineForm {
            description: description.into(),
            quantity: quantity.into(),
            rate: rate.into(),
        }
    }

    #[test]
    fn a_time_line_bills_the_hours_typed_at_the_rate_typed() {
        let v = form(" Drafted the brief ", "1:10", "300")
            .validate(LineType::Time, "USD", 1)
            .unwrap();
        assert_eq!(v.description, "Drafted the brief");
        assert_eq!(v.minutes, Some(70));
        assert_eq!(v.quantity, d("1.1667"));
        // 70 minutes at 300/h = 350.00 exactly: the amount comes from the minutes, not the
        // rounded hours.
        assert_eq!(v.amount, d("350.00"));
        let v = form("x", "7m", "350")
            .validate(LineType::Time, "USD", 1)
            .unwrap();
        assert_eq!(v.amount, d("40.83"), "half-up to the cent, once");
    }

    #[test]
    fn an_expense_line_bills_quantity_times_price() {
        let v = form("Copies", "3", "0.15")
            .validate(LineType::Expense, "USD", 6)
            .unwrap();
        assert_eq!((v.minutes, v.quantity, v.amount), (None, d("3"), d("0.45")));
    }

    #[test]
    fn bad_input_is_refused_beside_each_field_and_kept() {
        let e = form("", "soon", "12.345")
            .validate(LineType::Time, "USD", 1)
            .unwrap_err();
        assert!(e.get("description").is_some());
        assert!(e.get("quantity").is_some());
        assert!(e.get("rate").is_some());
        assert_eq!(e.value("quantity"), Some("soon"));
        let e = form("x", "0", "1")
            .validate(LineType::Expense, "USD", 6)
            .unwrap_err();
        assert!(e.get("quantity").is_some());
        let e = form("x", "100000", "99999999")
            .validate(LineType::Expense, "USD", 6)
            .unwrap_err();
        assert!(e.get("rate").unwrap().contains("too large"));
    }
}
