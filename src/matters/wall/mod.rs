//! Ethical walls: a matter restricted to named members of its firm. Everyone else sees it
//! nowhere, and its id reads as a missing one. The pages only offer the setting; the database's
//! row-level security enforces it on the matter and on everything recorded on it (migration 16).

pub mod api;
pub mod views;

#[cfg(feature = "ssr")]
pub(crate) mod repo;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::auth::{Person, Role};

/// Who can see a matter, as its page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatterAccess {
    pub restricted: bool,
    /// The members named on a restricted matter (empty when it is not restricted).
    pub named: Vec<Person>,
    /// The firm's active members, who can be named.
    pub people: Vec<Person>,
    /// The matter's row version: the form carries it back.
    pub version: i32,
    /// Whether the caller may change it (`may_wall`: administrators).
    pub may_change: bool,
}

/// The access form: "everyone" or "named", and a ticked box per named member, `members[m{id}]`
/// (a key of digits would be read as a list index).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccessForm {
    #[serde(default)]
    pub restricted: String,
    #[serde(default)]
    pub members: BTreeMap<String, String>,
}

impl AccessForm {
    pub fn restricts(&self) -> bool {
        self.restricted == "named"
    }

    /// The ids of the members ticked (`None` if one is not an id).
    pub fn named(&self) -> Option<Vec<uuid::Uuid>> {
        self.members
            .keys()
            .map(|k| {
                k.strip_prefix('m')
                    .and_then(|id| uuid::Uuid::parse_str(id).ok())
            })
            .collect()
    }

    /// The name of a member's box.
    pub fn member_key(id: uuid::Uuid) -> String {
        format!("form[members][m{id}]")
    }

    /// What the user chose, sent back with a refusal so the form shows it again.
    pub fn values(&self) -> Vec<(String, String)> {
        let members: Vec<&str> = self
            .members
            .keys()
            .map(|k| k.strip_prefix('m').unwrap_or(k))
            .collect();
        vec![
            ("restricted".into(), self.restricted.clone()),
            ("members".into(), members.join(",")),
        ]
    }
}

/// Who may change a matter's access: the firm's administrators, and only while they can see
/// it (which the database decides). Not any lawyer: an attorney who could make themselves a
/// matter's responsible attorney could then take it from the rest of the firm.
pub fn may_wall(role: Role) -> bool {
    role == Role::Admin
}
