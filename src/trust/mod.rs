//! Client trust (IOLTA) accounting: the firm's trust bank accounts and, in each, a ledger per
//! matter (a client's is the sum of its matters'). Entries are never changed: a mistake is
//! reversed by an entry that names it. No matter's balance goes below zero and uncleared
//! deposits are not paid out: PostgreSQL refuses it (migration 21), whatever writes.

pub mod api;
mod invoice;
pub mod ledgers;
mod model;
mod recon;
mod reconcile;
mod statement;
pub mod views;

#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
mod pay;
#[cfg(feature = "ssr")]
mod recon_repo;
#[cfg(feature = "ssr")]
mod reconciling;
#[cfg(feature = "ssr")]
pub(crate) mod repo;
#[cfg(feature = "ssr")]
mod statement_repo;
#[cfg(feature = "ssr")]
mod write;

pub use invoice::*;
pub use model::*;
pub use recon::*;
pub use reconcile::ThreeWay;
pub use statement::*;

use crate::auth::Role;

/// Who records trust money and reconciles accounts.
pub fn may_record(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Billing)
}

/// Who opens trust accounts.
pub fn may_open_accounts(role: Role) -> bool {
    role == Role::Admin
}

/// Who reverses an entry a reconciliation covers (with a reason, logged).
pub fn may_unlock(role: Role) -> bool {
    role == Role::Admin
}

/// Who sees a matter's trust ledger: those who record; an attorney responsible for or
/// originating the matter; staff if the firm allows it.
pub fn may_see_matter(role: Role, own_matter: bool, staff_see_trust: bool) -> bool {
    match role {
        Role::Admin | Role::Billing => true,
        Role::Attorney => own_matter,
        Role::Staff => staff_see_trust,
    }
}
