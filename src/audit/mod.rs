//! The activity log: every create, update and delete writes a row in the same transaction.

pub mod api;
mod model;
pub mod views;

#[cfg(feature = "ssr")]
mod repo;

pub use model::{ActivityEntry, ChangeLine};
#[cfg(feature = "ssr")]
pub use repo::{
    changes_between, changes_of_new, changes_of_removed, list, record, record_as, Entry,
};
