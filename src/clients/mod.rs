//! Clients and their contacts.

pub mod api;
mod model;
pub mod views;

#[cfg(feature = "ssr")]
mod repo;

pub use model::*;
