//! A trust ledger over a period, with a running balance: a client's (all its matters, the
//! printable client trust statement) or an account's journal (all clients).

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::EntryKind;
use crate::kernel::{optional_date, FieldErrors};

/// The period, as typed (either end open).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LedgerFilter {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

impl LedgerFilter {
    /// The period's ends; a date that does not parse is left open, with its message.
    pub fn period(&self) -> (Option<NaiveDate>, Option<NaiveDate>, FieldErrors) {
        let mut e = FieldErrors::default();
        let from = e.check("from", optional_date(&self.from)).flatten();
        let to = e.check("to", optional_date(&self.to)).flatten();
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                e.add("to", "The period ends on or after it starts.");
            }
        }
        (from, to, e)
    }

    /// The query string of this period (`?from=…&to=…`): the ends that read as dates.
    pub fn query(&self) -> String {
        let (from, to, _) = self.period();
        let parts: Vec<String> = [("from", from), ("to", to)]
            .into_iter()
            .filter_map(|(k, v)| v.map(|d| format!("{k}={d}")))
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// One entry with the balance after it (in date order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementLine {
    pub id: Uuid,
    pub occurred_on: NaiveDate,
    pub matter_number: String,
    pub client_name: String,
    pub account_name: String,
    pub kind: EntryKind,
    pub counterparty: String,
    pub purpose: String,
    pub reference: String,
    pub amount: Decimal,
    pub balance: Decimal,
}

/// A ledger over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrustStatement {
    /// The client's or the account's id and name.
    pub id: Uuid,
    pub name: String,
    /// A client's statement (else an account's journal).
    pub client: bool,
    pub firm_name: String,
    pub currency: String,
    pub filter: LedgerFilter,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// The balance before the period.
    pub opening: Decimal,
    /// The balance at its end.
    pub closing: Decimal,
    pub lines: Vec<StatementLine>,
    /// More lines than a page shows: the CSV has them all.
    pub truncated: bool,
    pub problems: Option<FieldErrors>,
}

/// Lines a statement page shows (the CSV has every line).
pub const STATEMENT_ROWS: i64 = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_period_reads_either_end_open_and_not_backwards() {
        let f = LedgerFilter {
            from: "2026-11-01".into(),
            to: "".into(),
        };
        let (from, to, e) = f.period();
        assert!(from.is_some() && to.is_none() && e.is_empty());
        assert_eq!(f.query(), "?from=2026-11-01");
        let (_, _, e) = LedgerFilter {
            from: "2026-11-02".into(),
            to: "2026-11-01".into(),
        }
        .period();
        assert!(e.get("to").is_some());
        let (from, _, e) = LedgerFilter {
            from: "soon".into(),
            to: "".into(),
        }
        .period();
        assert!(from.is_none() && e.get("from").is_some());
    }
}
