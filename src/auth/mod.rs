//! Sign-in, sessions, firms and roles.

pub mod api;
mod model;
pub use model::safe_next;
pub mod magic_link;
pub mod recovery;
pub mod recovery_views;
pub mod two_factor;
pub mod views;

#[cfg(feature = "ssr")]
pub mod caller;
#[cfg(feature = "ssr")]
pub(crate) mod repo;
#[cfg(feature = "ssr")]
pub mod signin;
#[cfg(feature = "ssr")]
pub mod supabase;

pub use model::{
    password_problem, provider_label, OrgChoice, Person, Role, SessionInfo, SignInOptions,
    SignInProblem,
};
