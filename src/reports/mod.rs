//! Reports for billing staff and administrators: accounts-receivable aging per client, and
//! work in progress (unbilled billable time and expenses) per matter and per person. Each is a
//! page and a CSV download of the same figures.

pub mod api;
mod model;
pub mod views;

#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod monthly;
#[cfg(feature = "ssr")]
mod repo;

pub use model::*;

use crate::auth::Role;

/// Who reads the firm's reports: billing staff and administrators.
pub fn may_report(role: Role) -> bool {
    crate::invoices::may_bill(role)
}
