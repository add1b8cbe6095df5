//! The firm's own settings, an administrator's: its name and address for invoices, time zone,
//! currency, billing increment, invoice numbering, payment terms, tax and default rate.

pub mod api;
mod model;
pub mod new_api;
pub mod new_views;
pub mod views;

#[cfg(feature = "ssr")]
pub(crate) mod repo;

pub use model::*;
