use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::{parse_date, single_line, FieldErrors};

crate::choice!(EntryKind {
    Deposit = "deposit" : "Deposit",
    Disbursement = "disbursement" : "Disbursement",
    TransferIn = "transfer_in" : "Transfer in",
    TransferOut = "transfer_out" : "Transfer out",
    Reversal = "reversal" : "Reversal",
    InvoicePayment = "invoice_payment" : "Invoice paid",
});

crate::choice!(TrustMethod {
    Check = "check" : "Cheque",
    Ach = "ach" : "ACH transfer",
    Wire = "wire" : "Wire transfer",
    Cash = "cash" : "Cash",
    Card = "card" : "Card",
    Other = "other" : "Other",
});

/// A trust bank account with what it holds for all clients.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrustAccount {
    pub id: Uuid,
    pub name: String,
    pub bank_name: String,
    pub last4: String,
    pub balance: Decimal,
    pub uncleared: Decimal,
    /// The statement date of its last reconciliation.
    pub reconciled_through: Option<NaiveDate>,
}

/// The firm's trust accounts (`/trust`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrustAccounts {
    pub currency: String,
    pub accounts: Vec<TrustAccount>,
}

/// What a matter holds in one account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatterBalance {
    pub account_id: Uuid,
    pub account_name: String,
    pub balance: Decimal,
    pub uncleared: Decimal,
}

impl MatterBalance {
    /// What can be paid out: the balance less deposits the bank has not cleared.
    pub fn available(&self) -> Decimal {
        self.balance - self.uncleared
    }
}

/// One entry of a ledger, with the balance of its account's ledger after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerRow {
    pub id: Uuid,
    pub account_name: String,
    pub occurred_on: NaiveDate,
    pub kind: EntryKind,
    pub counterparty: String,
    pub purpose: String,
    pub reference: String,
    pub amount: Decimal,
    pub balance: Decimal,
    /// Deposits: when the bank cleared it (`None`: not yet).
    pub cleared_on: Option<NaiveDate>,
    /// The entry this one reverses.
    pub reverses: Option<Uuid>,
    /// This entry has been reversed.
    pub reversed: bool,
    /// The statement date of the reconciliation that covers it: reversed only by an
    /// administrator's override.
    pub locked: Option<NaiveDate>,
}

/// A matter's trust page: its balances, its ledger, and what the caller may do there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatterTrust {
    pub matter_id: Uuid,
    pub matter_number: String,
    pub title: String,
    pub client_id: Uuid,
    pub client_name: String,
    pub closed: bool,
    pub currency: String,
    pub today: NaiveDate,
    pub balances: Vec<MatterBalance>,
    /// The firm's accounts, to record into.
    pub accounts: Vec<(Uuid, String)>,
    /// The client's other open matters, to transfer to.
    pub sibling_matters: Vec<(Uuid, String)>,
    /// The client's issued invoices with money due that this matter may pay.
    pub invoices: Vec<super::OpenInvoice>,
    /// The caller may override a reconciliation's lock (administrators).
    pub may_unlock: bool,
    /// Newest first; at most `LEDGER_ROWS`.
    pub ledger: Vec<LedgerRow>,
    pub more: bool,
    pub may_record: bool,
}

/// How many of a matter's entries its page shows (the newest).
pub const LEDGER_ROWS: i64 = 200;

/// A new trust account as submitted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub bank_name: String,
    #[serde(default)]
    pub last4: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidAccount {
    pub name: String,
    pub bank_name: String,
    pub last4: String,
}

impl AccountForm {
    pub fn validate(&self) -> Result<ValidAccount, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = e.required_text("name", single_line(&self.name), "Name the account.", 120);
        let bank_name = e.required_text(
            "bank_name",
            single_line(&self.bank_name),
            "Enter the bank's name.",
            120,
        );
        let last4 = self.last4.trim().to_string();
        if last4.len() != 4 || !last4.bytes().all(|b| b.is_ascii_digit()) {
            e.add("last4", "Enter the last 4 digits of the account number.");
        }
        e.into_result(|| ValidAccount {
            name,
            bank_name,
            last4,
        })
        .map_err(|e| e.with_values(self.values()))
    }

    pub fn values(&self) -> Vec<(String, String)> {
        [
            ("name", &self.name),
            ("bank_name", &self.bank_name),
            ("last4", &self.last4),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
    }
}

/// Money into or out of a matter's trust ledger, as submitted: a deposit, a disbursement, or a
/// transfer to another matter of the same client (`to_matter`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MoneyForm {
    #[serde(default)]
    pub account: String,
    #[serde(default)]
    pub occurred_on: String,
    /// Deposits: the day the bank cleared the funds (empty: not yet).
    #[serde(default)]
    pub cleared_on: String,
    /// Received from (deposit) or paid to (disbursement).
    #[serde(default)]
    pub counterparty: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub amount: String,
    /// Transfers: the matter the money goes to.
    #[serde(default)]
    pub to_matter: String,
}

/// Which way money moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Movement {
    Deposit,
    Disbursement,
    Transfer,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidMoney {
    pub account: Uuid,
    pub occurred_on: NaiveDate,
    pub cleared_on: Option<NaiveDate>,
    pub counterparty: String,
    pub purpose: String,
    pub method: Option<TrustMethod>,
    pub reference: String,
    /// Positive, whichever the way.
    pub amount: Decimal,
    pub to_matter: Option<Uuid>,
}

impl MoneyForm {
    pub fn validate(
        &self,
        movement: Movement,
        today: NaiveDate,
        currency: &str,
    ) -> Result<ValidMoney, FieldErrors> {
        use crate::kernel::Choice;
        let mut e = FieldErrors::default();
        let account = Uuid::parse_str(self.account.trim()).ok();
        if account.is_none() {
            e.add("account", "Choose the trust account.");
        }
        let occurred_on = if self.occurred_on.trim().is_empty() {
            Some(today)
        } else {
            e.check("occurred_on", parse_date(&self.occurred_on))
        };
        if occurred_on.is_some_and(|d| d > today) {
            e.add("occurred_on", "Trust money is recorded when it moves, not ahead: the date cannot be in the future.");
        }
        let cleared_on = match (movement, self.cleared_on.trim()) {
            (_, "") => None,
            (Movement::Deposit, s) => e.check("cleared_on", parse_date(s)),
            _ => None,
        };
        if let (Some(c), Some(o)) = (cleared_on, occurred_on) {
            if c < o {
                e.add(
                    "cleared_on",
                    "Funds clear on or after the day they were deposited.",
                );
            } else if c > today {
                e.add("cleared_on", "The cleared date cannot be in the future.");
            }
        }
        let counterparty_missing = match movement {
            Movement::Deposit => "Enter whom the money was received from.",
            Movement::Disbursement => "Enter whom the money is paid to.",
            Movement::Transfer => "",
        };
        let counterparty = if movement == Movement::Transfer {
            String::new()
        } else {
            e.required_text(
                "counterparty",
                single_line(&self.counterparty),
                counterparty_missing,
                200,
            )
        };
        let purpose = match movement {
            Movement::Deposit => {
                let p = e
                    .check("purpose", single_line(&self.purpose))
                    .unwrap_or_default();
                if p.chars().count() > 500 {
                    e.add("purpose", "Keep the purpose under 500 characters.");
                }
                p
            }
            _ => e.required_text(
                "purpose",
                single_line(&self.purpose),
                "Say what the money is for.",
                500,
            ),
        };
        let method = match self.method.trim() {
            "" => None,
            m => match TrustMethod::parse(m) {
                Some(m) => Some(m),
                None => {
                    e.add("method", "Choose how the money moved.");
                    None
                }
            },
        };
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
            "Enter the amount, e.g. 500.00.",
        );
        let to_matter = if movement == Movement::Transfer {
            let m = Uuid::parse_str(self.to_matter.trim()).ok();
            if m.is_none() {
                e.add("to_matter", "Choose the matter the money goes to.");
            }
            m
        } else {
            None
        };
        e.into_result(|| ValidMoney {
            account: account.unwrap(),
            occurred_on: occurred_on.unwrap(),
            cleared_on,
            counterparty,
            purpose,
            method,
            reference,
            amount: amount.unwrap(),
            to_matter,
        })
        .map_err(|e| e.with_values(self.values()))
    }

    pub fn values(&self) -> Vec<(String, String)> {
        [
            ("account", &self.account),
            ("occurred_on", &self.occurred_on),
            ("cleared_on", &self.cleared_on),
            ("counterparty", &self.counterparty),
            ("purpose", &self.purpose),
            ("method", &self.method),
            ("reference", &self.reference),
            ("amount", &self.amount),
            ("to_matter", &self.to_matter),
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

    fn deposit() -> MoneyForm {
        MoneyForm {
            account: Uuid::nil().to_string(),
            counterparty: "Ada Client".into(),
            amount: "500.00".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_deposit_needs_an_account_a_payer_and_a_positive_amount() {
        let v = deposit()
            .validate(Movement::Deposit, today(), "USD")
            .unwrap();
        assert_eq!(v.amount, Decimal::from_str("500.00").unwrap());
        assert_eq!((v.occurred_on, v.cleared_on), (today(), None));
        let bad = MoneyForm {
            account: "".into(),
            counterparty: " ".into(),
            amount: "-5".into(),
            occurred_on: "2026-12-01".into(),
            ..deposit()
        };
        let e = bad.validate(Movement::Deposit, today(), "USD").unwrap_err();
        for k in ["account", "counterparty", "amount", "occurred_on"] {
            assert!(e.get(k).is_some(), "{k}");
        }
        assert_eq!(e.value("amount"), Some("-5"), "what was typed comes back");
    }

    #[test]
    fn funds_clear_after_they_arrive_and_not_ahead() {
        let early = MoneyForm {
            occurred_on: "2026-11-20".into(),
            cleared_on: "2026-11-19".into(),
            ..deposit()
        };
        assert!(early
            .validate(Movement::Deposit, today(), "USD")
            .unwrap_err()
            .get("cleared_on")
            .is_some());
        let fine = MoneyForm {
            cleared_on: "2026-11-21".into(),
            ..early
        };
        assert!(fine.validate(Movement::Deposit, today(), "USD").is_ok());
    }

    #[test]
    fn a_disbursement_says_what_for_and_a_transfer_where_to() {
        let e = deposit()
            .validate(Movement::Disbursement, today(), "USD")
            .unwrap_err();
        assert!(e.get("purpose").is_some());
        let e = deposit()
            .validate(Movement::Transfer, today(), "USD")
            .unwrap_err();
        assert!(e.get("to_matter").is_some() && e.get("counterparty").is_none());
    }
}
