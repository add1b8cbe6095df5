//! Three-way reconciliation of a trust account, as arithmetic only: the bank statement's ending
//! balance adjusted by the items the bank has not seen yet, against the account's journal,
//! against the sum of its client ledgers. Every difference is shown; the account reconciles when
//! all three agree to the cent.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What the reconciliation page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreeWay {
    /// The bank statement's ending balance, as typed.
    pub statement: Decimal,
    /// Deposits in the journal the bank has not credited yet.
    pub deposits_in_transit: Decimal,
    /// Cheques and payments in the journal the bank has not paid yet (a positive figure).
    pub outstanding_payments: Decimal,
    /// The statement plus deposits in transit less outstanding payments.
    pub adjusted_bank: Decimal,
    /// The account's journal balance on the statement date.
    pub journal: Decimal,
    /// The sum of the client ledgers in the account on that date.
    pub client_ledgers: Decimal,
    /// `adjusted_bank - journal`.
    pub bank_vs_journal: Decimal,
    /// `journal - client_ledgers`.
    pub journal_vs_ledgers: Decimal,
}

impl ThreeWay {
    /// Work out the figures. `outstanding` holds the signed journal amounts of the items marked
    /// outstanding (a deposit positive, a payment negative).
    pub fn of(
        statement: Decimal,
        outstanding: &[Decimal],
        journal: Decimal,
        client_ledgers: Decimal,
    ) -> ThreeWay {
        let deposits_in_transit: Decimal =
            outstanding.iter().filter(|a| a.is_sign_positive()).sum();
        let outstanding_payments: Decimal = -outstanding
            .iter()
            .filter(|a| a.is_sign_negative())
            .sum::<Decimal>();
        let adjusted_bank = statement + deposits_in_transit - outstanding_payments;
        ThreeWay {
            statement,
            deposits_in_transit,
            outstanding_payments,
            adjusted_bank,
            journal,
            client_ledgers,
            bank_vs_journal: adjusted_bank - journal,
            journal_vs_ledgers: journal - client_ledgers,
        }
    }

    /// All three figures agree exactly.
    pub fn balanced(&self) -> bool {
        self.bank_vs_journal.is_zero() && self.journal_vs_ledgers.is_zero()
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
    fn a_cheque_not_yet_cashed_explains_the_difference() {
        // The journal paid a 150.00 cheque the bank has not seen: the statement shows 150 more.
        let r = ThreeWay::of(d("1150.00"), &[d("-150.00")], d("1000.00"), d("1000.00"));
        assert_eq!(r.outstanding_payments, d("150.00"));
        assert_eq!(r.adjusted_bank, d("1000.00"));
        assert!(r.balanced());
        let unmarked = ThreeWay::of(d("1150.00"), &[], d("1000.00"), d("1000.00"));
        assert_eq!(unmarked.bank_vs_journal, d("150.00"));
        assert!(!unmarked.balanced());
    }

    fn cents() -> impl Strategy<Value = Decimal> {
        (-100_000_000i64..100_000_000).prop_map(|c| Decimal::new(c, 2))
    }

    proptest! {
        #[test]
        fn with_nothing_outstanding_equal_totals_agree_exactly(total in cents()) {
            let r = ThreeWay::of(total, &[], total, total);
            prop_assert!(r.balanced());
            prop_assert_eq!(r.adjusted_bank, total);
        }

        #[test]
        fn marking_an_item_moves_the_adjusted_bank_balance_by_exactly_its_amount(
            statement in cents(),
            journal in cents(),
            items in proptest::collection::vec(cents(), 0..20),
            item in cents(),
        ) {
            let before = ThreeWay::of(statement, &items, journal, journal);
            let mut marked = items.clone();
            marked.push(item);
            let after = ThreeWay::of(statement, &marked, journal, journal);
            prop_assert_eq!(after.adjusted_bank - before.adjusted_bank, item);
            prop_assert_eq!(after.bank_vs_journal - before.bank_vs_journal, item);
            prop_assert_eq!(after.journal_vs_ledgers, before.journal_vs_ledgers);
        }
    }
}
