//! What the reconciliation pages show and submit. The arithmetic is `ThreeWay` (pure); the
//! figures come from the database (`recon_repo`), which checks them again when one is saved.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{EntryKind, ThreeWay};
use crate::kernel::{parse_date, parse_money, FieldErrors};

/// A journal entry of the period the bank may not have seen yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReconcileItem {
    pub id: Uuid,
    pub occurred_on: NaiveDate,
    pub kind: EntryKind,
    pub description: String,
    pub reference: String,
    pub amount: Decimal,
    /// Marked outstanding (not on the bank statement).
    pub outstanding: bool,
}

/// The account a reconciliation is of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountHead {
    pub id: Uuid,
    pub name: String,
    pub bank_name: String,
    pub last4: String,
}

/// A client's ledger in the account on the statement date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientLedger {
    pub client_id: Uuid,
    pub client_name: String,
    pub balance: Decimal,
}

/// The reconciliation page (`/trust/accounts/{id}/reconcile`): the statement as typed so far,
/// the period's items, and the three figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReconcileSheet {
    pub account: AccountHead,
    pub currency: String,
    /// The last reconciliation's statement date: this one comes after it.
    pub last_statement: Option<NaiveDate>,
    pub statement_date: NaiveDate,
    /// As typed (kept when it does not parse).
    pub statement_balance: String,
    /// `None` until a statement balance parses.
    pub figures: Option<ThreeWay>,
    /// What is wrong with the statement as typed.
    pub problems: Option<FieldErrors>,
    pub items: Vec<ReconcileItem>,
    pub clients: Vec<ClientLedger>,
    /// Some of the account's matters are walled off from the caller: they cannot reconcile it.
    pub walled: bool,
    /// The account's reconciliations, newest first.
    pub history: Vec<ReconciliationLine>,
}

/// The statement as the page's form sends it (also in the URL: the page works without
/// JavaScript). `outstanding` is the marked entries' ids, comma-separated; `marked` says the
/// user has marked them (otherwise the page proposes uncleared deposits and last time's
/// outstanding items).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReconcileForm {
    #[serde(default)]
    pub statement_date: String,
    #[serde(default)]
    pub statement_balance: String,
    #[serde(default)]
    pub outstanding: String,
    #[serde(default)]
    pub marked: String,
    /// The journal balance the page showed: saving refuses if the entries changed since.
    #[serde(default)]
    pub journal: String,
}

impl ReconcileForm {
    pub fn values(&self) -> Vec<(String, String)> {
        [
            ("statement_date", &self.statement_date),
            ("statement_balance", &self.statement_balance),
            ("outstanding", &self.outstanding),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
    }

    /// The marked entries (ids that do not parse are dropped: only the account's entries of the
    /// period count in any case).
    pub fn outstanding_ids(&self) -> Vec<Uuid> {
        self.outstanding
            .split([',', ' '])
            .filter_map(|s| Uuid::parse_str(s.trim()).ok())
            .collect()
    }

    /// The statement date (`default` when empty) and balance, checked: on or before `today`,
    /// after the last reconciliation.
    pub fn statement(
        &self,
        default: NaiveDate,
        today: NaiveDate,
        last: Option<NaiveDate>,
        currency: &str,
    ) -> (NaiveDate, Option<Decimal>, FieldErrors) {
        let mut e = FieldErrors::default();
        let date = if self.statement_date.trim().is_empty() {
            default
        } else {
            e.check("statement_date", parse_date(&self.statement_date))
                .unwrap_or(default)
        };
        if date >= today {
            e.add(
                "statement_date",
                "A statement is reconciled once its day has passed: choose a date before today.",
            );
        }
        if let Some(last) = last.filter(|l| date <= *l) {
            e.add(
                "statement_date",
                format!(
                    "The account is reconciled through {last}: the next statement ends after that."
                ),
            );
        }
        let balance = match parse_money(&self.statement_balance, currency) {
            Ok(b) => b,
            Err(m) => {
                e.add("statement_balance", m);
                None
            }
        };
        (date, balance, e)
    }
}

/// The default statement date: the last day of the month before `today`, or yesterday when
/// that is already reconciled (a statement is of days that have ended: today's entries still
/// come in).
pub fn default_statement_date(today: NaiveDate, last: Option<NaiveDate>) -> NaiveDate {
    use chrono::Datelike;
    let yesterday = today.pred_opt().unwrap_or(today);
    let month_end = today
        .with_day(1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(yesterday);
    if last.is_some_and(|l| month_end <= l) {
        yesterday
    } else {
        month_end
    }
}

/// A saved reconciliation, as it was completed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reconciliation {
    pub id: Uuid,
    pub account: AccountHead,
    pub currency: String,
    pub statement_date: NaiveDate,
    pub figures: ThreeWay,
    pub reconciled_by: String,
    pub reconciled_at: DateTime<Utc>,
    pub items: Vec<ReconcileItem>,
    pub clients: Vec<ClientLedger>,
}

/// A line of an account's reconciliation history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReconciliationLine {
    pub id: Uuid,
    pub statement_date: NaiveDate,
    pub statement_balance: Decimal,
    pub reconciled_by: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn the_statement_ends_after_the_last_reconciliation_and_not_ahead() {
        let form = |date: &str, balance: &str| ReconcileForm {
            statement_date: date.into(),
            statement_balance: balance.into(),
            ..Default::default()
        };
        let today = day("2026-11-26");
        let last = Some(day("2026-10-31"));
        let (d, b, e) = form("", "1,200.00").statement(day("2026-10-31"), today, last, "USD");
        assert_eq!((d, b), (day("2026-10-31"), Some(Decimal::new(120000, 2))));
        assert!(e.get("statement_date").is_some(), "already reconciled");
        let (_, _, e) = form("2026-11-26", "x").statement(today, today, last, "USD");
        assert!(e.get("statement_date").is_some() && e.get("statement_balance").is_some());
        let (_, _, e) = form("2026-11-25", "0").statement(today, today, last, "USD");
        assert!(e.is_empty());
    }

    #[test]
    fn the_proposed_date_is_last_months_end() {
        assert_eq!(
            default_statement_date(day("2026-11-26"), None),
            day("2026-10-31")
        );
        assert_eq!(
            default_statement_date(day("2026-11-26"), Some(day("2026-10-31"))),
            day("2026-11-25")
        );
    }

    #[test]
    fn marked_items_are_read_from_a_comma_list() {
        let id = Uuid::new_v4();
        let f = ReconcileForm {
            outstanding: format!("{id}, nonsense,"),
            ..Default::default()
        };
        assert_eq!(f.outstanding_ids(), vec![id]);
    }
}
