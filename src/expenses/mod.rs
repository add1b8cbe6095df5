//! Expenses on a matter: what was spent (filing fees, copies, travel), a unit amount times a
//! quantity, billable or not. Invoices build on them as on time.

pub mod api;
mod model;
pub mod views;

#[cfg(feature = "ssr")]
mod repo;

pub use model::*;
