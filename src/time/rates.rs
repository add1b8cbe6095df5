//! Which hourly rate a time entry is recorded at. Pure: the repository gathers the candidates.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

crate::choice!(RateSource {
    MatterPerson = "matter_person" : "this person's rate on the matter",
    Matter = "matter" : "the matter's rate",
    Client = "client" : "the client's rate",
    Person = "person" : "this person's rate",
    Firm = "firm" : "the firm's rate",
    Entered = "entered" : "entered with the entry",
    Unset = "unset" : "no rate set",
});

/// Every rate that could apply to one person's time on one matter, most specific first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RateCandidates {
    pub matter_person: Option<Decimal>,
    pub matter: Option<Decimal>,
    pub client: Option<Decimal>,
    pub person: Option<Decimal>,
    pub firm: Option<Decimal>,
}

impl RateCandidates {
    /// The first rate set, in the order: the person's rate on this matter, the matter's, the
    /// client's, the person's default, the firm's default. With none set, zero, and it says so.
    pub fn resolve(&self) -> (Decimal, RateSource) {
        [
            (self.matter_person, RateSource::MatterPerson),
            (self.matter, RateSource::Matter),
            (self.client, RateSource::Client),
            (self.person, RateSource::Person),
            (self.firm, RateSource::Firm),
        ]
        .into_iter()
        .find_map(|(rate, source)| rate.map(|r| (r, source)))
        .unwrap_or((Decimal::ZERO, RateSource::Unset))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(n: i64) -> Option<Decimal> {
        Some(Decimal::from(n))
    }

    #[test]
    fn the_most_specific_rate_wins() {
        let all = RateCandidates {
            matter_person: d(500),
            matter: d(400),
            client: d(300),
            person: d(200),
            firm: d(100),
        };
        assert_eq!(
            all.resolve(),
            (Decimal::from(500), RateSource::MatterPerson)
        );
        let c = RateCandidates {
            matter_person: None,
            ..all.clone()
        };
        assert_eq!(c.resolve(), (Decimal::from(400), RateSource::Matter));
        let c = RateCandidates { matter: None, ..c };
        assert_eq!(c.resolve(), (Decimal::from(300), RateSource::Client));
        let c = RateCandidates { client: None, ..c };
        assert_eq!(c.resolve(), (Decimal::from(200), RateSource::Person));
        let c = RateCandidates { person: None, ..c };
        assert_eq!(c.resolve(), (Decimal::from(100), RateSource::Firm));
        let c = RateCandidates { firm: None, ..c };
        assert_eq!(c.resolve(), (Decimal::ZERO, RateSource::Unset));
    }

    #[test]
    fn a_zero_rate_is_a_rate() {
        let c = RateCandidates {
            matter: Some(Decimal::ZERO),
            firm: d(100),
            ..Default::default()
        };
        assert_eq!(c.resolve(), (Decimal::ZERO, RateSource::Matter));
    }
}
