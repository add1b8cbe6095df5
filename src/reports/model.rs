use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A report's date: the day it is as of (empty: the firm's today).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    pub as_of: String,
}

/// The dashboard's money figures: unbilled work on the caller's matters (not for staff), and for
/// billing staff and administrators what clients owe by age and how many invoices are overdue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardMoney {
    pub currency: String,
    pub mine: Option<Decimal>,
    pub aging: Option<AgingRow>,
    pub overdue: Option<i64>,
}

/// What one client owes, by how long past due (see `invoices::figures::Aging`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AgingRow {
    pub client_id: Option<Uuid>,
    pub client_name: String,
    pub current: Decimal,
    pub days_1_30: Decimal,
    pub days_31_60: Decimal,
    pub days_61_90: Decimal,
    pub over_90: Decimal,
    pub total: Decimal,
}

impl AgingRow {
    pub fn buckets(&self) -> [Decimal; 6] {
        [
            self.current,
            self.days_1_30,
            self.days_31_60,
            self.days_61_90,
            self.over_90,
            self.total,
        ]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgingReport {
    pub as_of: NaiveDate,
    pub currency: String,
    pub rows: Vec<AgingRow>,
    /// All clients together.
    pub totals: AgingRow,
}

/// Unbilled billable work on one matter (or of one person).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WipRow {
    pub id: Uuid,
    /// The matter's number and title, or the person's name.
    pub name: String,
    pub client_name: String,
    /// Minutes worked.
    pub minutes: u32,
    pub time_amount: Decimal,
    pub expense_amount: Decimal,
}

impl WipRow {
    pub fn total(&self) -> Decimal {
        self.time_amount + self.expense_amount
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WipReport {
    pub as_of: NaiveDate,
    pub currency: String,
    pub matters: Vec<WipRow>,
    pub people: Vec<WipRow>,
    pub total: Decimal,
    /// More matters than are shown (the CSV has them all).
    pub more: bool,
}

/// A period of months (`YYYY-MM`, either end open: the last twelve months by default).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MonthsQuery {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// One person's month: the time billed on invoices issued that month (hours and amount), and
/// what was collected that month of what they billed (each payment shared among the people on
/// its invoice by their time's share of its subtotal).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BilledRow {
    pub month: String,
    pub user_id: Uuid,
    pub name: String,
    pub billed_minutes: u32,
    pub billed: Decimal,
    pub collected: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BilledReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub currency: String,
    pub rows: Vec<BilledRow>,
}

/// The first day of the month `YYYY-MM`.
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    let (y, m) = s.trim().split_once('-')?;
    let year: i32 = y.parse().ok()?;
    if !(1900..=2200).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, m.parse().ok()?, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_parsed() {
        assert_eq!(parse_month("2026-02"), NaiveDate::from_ymd_opt(2026, 2, 1));
        assert_eq!(parse_month("2026-13"), None);
        assert_eq!(parse_month("february"), None);
        assert_eq!(parse_month("262142-12"), None);
    }
}
