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

/// Only administrators set rates: the firm's, a person's, a client's, a matter's, or an entry's
/// other than the one that applies.
pub fn may_set_rates(role: Role) -> bool {
    role == Role::Admin
}

/// Billing staff and administrators see everyone's time and change anyone's unbilled time.
pub fn may_manage_time(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Billing)
}

/// Everyone in a firm records their own time, billing staff included.
pub fn may_record_time(_role: Role) -> bool {
    true
}

/// Who sees the rates and amounts of colleagues' time: lawyers, billing staff and admins.
pub fn sees_amounts(role: Role) -> bool {
    !matches!(role, Role::Staff)
}
