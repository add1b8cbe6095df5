//! Sign-in, sessions, firms and roles.

pub mod api;
mod model;
pub use model::safe_next;
pub mod views;

#[cfg(feature = "ssr")]
pub mod caller;
#[cfg(feature = "ssr")]
pub(crate) mod repo;

pub use model::{OrgChoice, Person, Role, SessionInfo};
