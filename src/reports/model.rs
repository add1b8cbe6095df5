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
