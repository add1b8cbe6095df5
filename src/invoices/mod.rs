//! Invoices: made as drafts from a matter's (or a client's) unbilled billable time and
//! expenses, issued with the firm's next number, paid in part or in full, or voided. The
//! arithmetic is pure and lives in `figures`; the concurrency (one invoice per entry, gap-free
//! numbers) is in the database, see `repo` and the invoices migration.

pub mod api;
pub mod figures;
pub mod ledes;
mod line;
mod model;
pub mod views;

#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod pdf;
#[cfg(feature = "ssr")]
pub mod remind;
#[cfg(feature = "ssr")]
pub(crate) mod repo;
#[cfg(feature = "ssr")]
pub mod send;

pub use figures::{Discount, Totals};
pub use line::LineForm;
pub use model::*;

use crate::auth::Role;

/// Billing staff and administrators make, issue, void and take payments on invoices, and see
/// every invoice.
pub fn may_bill(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Billing)
}

/// Attorneys also see the invoices of the matters they are responsible or originating attorney
/// on. Staff do not: an invoice shows colleagues' rates and amounts (see `time::sees_amounts`).
pub fn may_see(role: Role) -> bool {
    may_bill(role) || crate::time::sees_amounts(role)
}
