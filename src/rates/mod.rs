//! The rates an entry's rate resolves from that are set outside the firm's settings: a client's
//! rate, and a person's rate on one matter (the matter's own rate is on its form; the firm's and
//! each person's defaults are on the settings page). Administrators only (`time::may_set_rates`).

pub mod api;
pub mod views;

#[cfg(feature = "ssr")]
mod repo;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A person's rate on a matter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonRate {
    pub user_id: Uuid,
    pub name: String,
    pub rate: Decimal,
}

/// What the rates card of a matter shows an administrator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatterRates {
    pub currency: String,
    pub rates: Vec<PersonRate>,
    /// The firm's active members, for "Add a rate".
    pub people: Vec<crate::auth::Person>,
}

/// What the rate card of a client shows an administrator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientRate {
    pub currency: String,
    pub rate: Option<Decimal>,
}

/// The text a rate is shown as in a form, and compared as when the form comes back.
pub fn shown(rate: Option<Decimal>) -> String {
    rate.map(|r| r.normalize().to_string()).unwrap_or_default()
}
