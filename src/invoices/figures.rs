//! The arithmetic of an invoice, pure: line amounts are rounded half-up to the cent where they
//! are formed, and everything after is sums of cents. The total is always
//! `subtotal − discount + tax`, exactly.

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// Half-up to the cent, the one rounding of the money path.
pub fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A discount as entered on the invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Discount {
    None,
    /// A percentage of the subtotal, 0–100.
    Percent(Decimal),
    /// A fixed amount, never more than the subtotal.
    Amount(Decimal),
}

/// What an invoice adds up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub subtotal: Decimal,
    pub discount: Decimal,
    pub tax: Decimal,
    pub total: Decimal,
}

impl Totals {
    /// The figures of lines whose amounts are already in the currency's minor unit (`digits`
    /// decimals: 2 for cents, 0 for yen), with a discount and a tax rate (a percentage, applied
    /// to the discounted subtotal).
    pub fn of(lines: &[Decimal], discount: Discount, tax_rate: Decimal, digits: u32) -> Totals {
        let minor = |d: Decimal| crate::kernel::round_money(d, digits);
        let subtotal: Decimal = lines.iter().copied().sum();
        let discount = match discount {
            Discount::None => Decimal::ZERO,
            Discount::Percent(p) => minor(
                subtotal * p.clamp(Decimal::ZERO, Decimal::ONE_HUNDRED) / Decimal::ONE_HUNDRED,
            ),
            Discount::Amount(a) => a.clamp(Decimal::ZERO, subtotal.max(Decimal::ZERO)),
        };
        let taxable = subtotal - discount;
        let tax = minor(taxable * tax_rate / Decimal::ONE_HUNDRED);
        Totals {
            subtotal,
            discount,
            tax,
            total: taxable + tax,
        }
    }
}

/// An invoice number: the firm's prefix, the year if the format has one, and the counter
/// zero-padded to `digits` ("INV-2026-0007"). At most 20 characters (LEDES), which the
/// settings' limits guarantee (prefix ≤ 8, "2026-" 5, digits ≤ 7 unless the counter outgrows
/// them).
pub fn invoice_number(prefix: &str, year: Option<i32>, digits: u32, n: u32) -> String {
    let counter = format!("{n:0width$}", width = digits as usize);
    match year {
        Some(y) => format!("{prefix}{y}-{counter}"),
        None => format!("{prefix}{counter}"),
    }
}

/// The counter an invoice issued on `date` takes its number from: the year's, or one for all
/// years (0) when numbers carry no year.
pub fn counter_year(with_year: bool, date: NaiveDate) -> i32 {
    if with_year {
        date.year()
    } else {
        0
    }
}

/// Accounts-receivable aging: how long past due a balance is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Aging {
    Current,
    Days1To30,
    Days31To60,
    Days61To90,
    Over90,
}

impl Aging {
    pub fn of(due: NaiveDate, today: NaiveDate) -> Aging {
        match (today - due).num_days() {
            d if d <= 0 => Aging::Current,
            1..=30 => Aging::Days1To30,
            31..=60 => Aging::Days31To60,
            61..=90 => Aging::Days61To90,
            _ => Aging::Over90,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Aging::Current => "Current",
            Aging::Days1To30 => "1–30 days",
            Aging::Days31To60 => "31–60 days",
            Aging::Days61To90 => "61–90 days",
            Aging::Over90 => "Over 90 days",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn totals_add_up() {
        let t = Totals::of(
            &[d("375.00"), d("25.00"), d("12.34")],
            Discount::Percent(d("10")),
            d("8.875"),
            2,
        );
        assert_eq!(t.subtotal, d("412.34"));
        assert_eq!(t.discount, d("41.23")); // 41.234 → 41.23
        assert_eq!(t.tax, d("32.94")); // 371.11 × 8.875% = 32.9360… → 32.94
        assert_eq!(t.total, d("404.05"));
        let t = Totals::of(&[d("100.00")], Discount::Amount(d("150")), d("0"), 2);
        assert_eq!(
            t.discount,
            d("100.00"),
            "a discount never exceeds the subtotal"
        );
        assert_eq!(t.total, d("0.00"));
        let t = Totals::of(&[d("0.10")], Discount::Percent(d("50")), d("0"), 2);
        assert_eq!(t.discount, d("0.05"));
        let t = Totals::of(&[d("0.01")], Discount::Percent(d("50")), d("0"), 2);
        assert_eq!(t.discount, d("0.01"), "half a cent rounds up");
    }

    fn discount() -> impl Strategy<Value = Discount> {
        prop_oneof![
            Just(Discount::None),
            (0i64..=100_000).prop_map(|p| Discount::Percent(Decimal::new(p, 3))),
            (0i64..=10_000_000).prop_map(|a| Discount::Amount(Decimal::new(a, 2))),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// For any lines in the currency's unit, discount and tax rate: the total is exactly
        /// subtotal − discount + tax, every figure is in the currency's unit (cents, or whole
        /// yen), the discount never exceeds the subtotal and nothing is negative.
        #[test]
        fn totals_add_up_for_any_invoice(
            raw in prop::collection::vec(0i64..5_000_000, 0..12),
            discount in discount(),
            tax in (0i64..=25_000).prop_map(|t| Decimal::new(t, 3)),
            digits in prop_oneof![Just(0u32), Just(2u32)],
        ) {
            let lines: Vec<Decimal> = raw.iter().map(|&c| Decimal::new(c, digits)).collect();
            let discount = match discount {
                Discount::Amount(a) => Discount::Amount(crate::kernel::round_money(a, digits)),
                d => d,
            };
            let t = Totals::of(&lines, discount, tax, digits);
            prop_assert_eq!(t.total, t.subtotal - t.discount + t.tax);
            prop_assert_eq!(t.subtotal, lines.iter().copied().sum::<Decimal>());
            for v in [t.subtotal, t.discount, t.tax, t.total] {
                prop_assert!(v >= Decimal::ZERO);
                prop_assert_eq!(v, crate::kernel::round_money(v, digits));
            }
            prop_assert!(t.discount <= t.subtotal);
        }
    }

    #[test]
    fn a_currency_without_cents_rounds_to_whole_units() {
        // ¥12,345 less 10% (¥1,234.5 → ¥1,235), plus 8.875% tax on ¥11,110 (¥986.01… → ¥986).
        let t = Totals::of(&[d("12345")], Discount::Percent(d("10")), d("8.875"), 0);
        assert_eq!(
            (t.discount, t.tax, t.total),
            (d("1235"), d("986"), d("12096"))
        );
        assert_eq!(t.total, t.subtotal - t.discount + t.tax);
    }

    #[test]
    fn numbers_are_padded_and_short_enough() {
        assert_eq!(invoice_number("INV-", Some(2026), 4, 7), "INV-2026-0007");
        assert_eq!(invoice_number("", None, 1, 12), "12");
        assert_eq!(
            invoice_number("HV/", Some(2026), 6, 123456),
            "HV/2026-123456"
        );
        // The longest the settings allow fits the LEDES limit of 20.
        assert!(invoice_number("ABCDEFGH", Some(2026), 7, 9_999_999).len() <= 20);
        let day = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(counter_year(true, day), 2026);
        assert_eq!(counter_year(false, day), 0);
    }

    #[test]
    fn aging_buckets() {
        let due = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        let on = |m, d| Aging::of(due, NaiveDate::from_ymd_opt(2026, m, d).unwrap());
        assert_eq!(on(1, 31), Aging::Current);
        assert_eq!(on(2, 1), Aging::Days1To30);
        assert_eq!(on(3, 2), Aging::Days1To30); // 30 days
        assert_eq!(on(3, 3), Aging::Days31To60);
        assert_eq!(on(5, 1), Aging::Days61To90); // 90 days
        assert_eq!(on(5, 2), Aging::Over90);
    }
}
