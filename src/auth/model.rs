use serde::{Deserialize, Serialize};
use uuid::Uuid;

crate::choice!(
    /// A member's role in one firm.
    Role {
        Admin = "admin" : "Admin",
        Attorney = "attorney" : "Attorney",
        Staff = "staff" : "Staff",
        Billing = "billing" : "Billing",
    }
);

impl Role {
    /// Create and edit clients, contacts and matters.
    pub fn can_edit_records(self) -> bool {
        matches!(self, Role::Admin | Role::Attorney | Role::Staff)
    }

    /// Can be responsible for or originate a matter.
    pub fn is_lawyer(self) -> bool {
        matches!(self, Role::Admin | Role::Attorney)
    }
}

/// The signed-in user, the active firm and the firms they may switch to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user_id: Uuid,
    pub user_name: String,
    pub email: String,
    pub org_id: Uuid,
    pub org_name: String,
    /// The firm's currency (ISO 4217), in which every amount is shown.
    pub currency: String,
    pub role: Role,
    pub orgs: Vec<OrgChoice>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgChoice {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
}

/// A member of the active firm, as offered in people pickers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
}

/// Only same-site relative paths are followed after sign-in (no open redirects).
pub fn safe_next(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.starts_with("/api/")
        // Browsers drop tabs and newlines from URLs ("/\t/evil" becomes "//evil"); a header
        // value must be visible ASCII anyway.
        && next.bytes().all(|b| (b'!'..=b'~').contains(&b));
    if ok {
        next
    } else {
        "/"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::Choice;

    #[test]
    fn roles_map_to_permissions() {
        assert!(Role::Staff.can_edit_records());
        assert!(!Role::Billing.can_edit_records());
        assert!(Role::Attorney.is_lawyer() && !Role::Staff.is_lawyer());
        assert_eq!(Role::parse("billing"), Some(Role::Billing));
    }

    #[test]
    fn next_cannot_leave_the_site() {
        assert_eq!(safe_next("/matters?status=open"), "/matters?status=open");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil",
            "",
            "/api/auth/logout",
            "/\t/evil.example",
            "/é",
            "/a b",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad}");
        }
    }
}
