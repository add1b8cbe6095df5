//! Matters: a client's legal engagement, with its people, stage and dates.

pub mod api;
mod model;
pub mod views;
pub mod wall;

#[cfg(feature = "ssr")]
pub(crate) mod repo;

pub use model::*;
