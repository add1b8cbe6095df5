//! Time: what each person worked on which matter, in raw minutes, at the rate that applied.
//! The arithmetic (durations, billing increments, amounts, which rate applies) is pure and
//! lives in `duration` and `rates`; invoices build on it.

pub mod api;
pub mod duration;
mod model;
pub mod rates;
mod timer;
pub mod views;

#[cfg(feature = "ssr")]
mod repo;

pub use model::*;
pub use timer::{Timer, TimerForm};

use crate::auth::Role;

/// Billing staff and administrators set rates and change anyone's unbilled time.
pub fn may_set_rates(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Billing)
}

/// Everyone in a firm records their own time, billing staff included.
pub fn may_record_time(_role: Role) -> bool {
    true
}
