//! The firm's people, an administrator's: each member's role, status and last sign-in; change
//! a role; remove someone from the firm. A membership is ended, never deleted (their matters,
//! time and history stay theirs; their other firms are not touched), and their sessions in this
//! firm end at their next request (`Caller` checks the membership every time). A firm always
//! keeps an active administrator: the app says so, and a database trigger holds it.

pub mod api;
pub mod invite;
pub mod views;

#[cfg(feature = "ssr")]
mod repo;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Role;

crate::choice!(MemberStatus {
    Active = "active" : "Active",
    Removed = "removed" : "Removed",
});

/// One member, as the People page shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub status: MemberStatus,
    /// "2026-11-26 14:03 UTC", or empty when never.
    pub last_sign_in: String,
    pub version: i32,
}

/// The role form of a member.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    pub role: String,
}

/// Who administers the firm's people.
pub fn may_administer(role: Role) -> bool {
    role == Role::Admin
}
