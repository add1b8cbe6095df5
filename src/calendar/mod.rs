//! The calendar: events on matters (hearings, meetings, deadlines), court deadlines computed
//! from the firm's rules (`deadline`, pure), tasks, and each person's calendar feed (`ics`,
//! pure; `feed`, its route). Times are the firm's time zone's.

pub mod api;
pub mod deadline;
pub mod ics;
mod model;
pub mod views;

#[cfg(feature = "ssr")]
pub mod digest;
#[cfg(feature = "ssr")]
pub mod feed;
#[cfg(feature = "ssr")]
mod repo;

pub use model::*;

use crate::auth::Role;

/// Who adds events, deadlines and tasks: whoever edits the firm's records.
pub fn may_schedule(role: Role) -> bool {
    role.can_edit_records()
}

/// Who edits the firm's deadline rules.
pub fn may_edit_rules(role: Role) -> bool {
    role == Role::Admin
}
