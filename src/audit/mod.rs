//! The activity log: every create, update and delete writes a row in the same transaction; the
//! firm's log is searchable and exportable by administrators.

pub mod api;
mod model;
pub mod views;

#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
mod repo;

pub use model::{ActivityEntry, ActivityQuery, ChangeLine, ACTIONS};
#[cfg(feature = "ssr")]
pub use repo::{
    changes_between, changes_of_new, changes_of_removed, name_references, record, record_as, Entry,
};
