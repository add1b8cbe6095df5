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

crate::choice!(SignInProblem {
    Cancelled = "cancelled" : "Sign-in was cancelled at the provider. Try again, or sign in with your e-mail and password.",
    Expired = "expired" : "That sign-in took too long, was already used or was started in another browser. Please start again.",
    Failed = "failed" : "Sign-in with the provider could not be completed. Please start again.",
    NoAccess = "no_access" : "You signed in, but no firm in Docket has given this e-mail address access. Ask your firm's administrator to invite you.",
    Unverified = "unverified" : "The provider has not verified this e-mail address, so Docket cannot link it to an account.",
    Unavailable = "unavailable" : "The sign-in service cannot be reached right now. Please try again in a minute.",
    Throttled = "throttled" : "Too many sign-in attempts from here. Wait a few minutes and try again.",
    SecondFactor = "second_factor" : "Your firm requires a second factor at sign-in: turn on multi-factor sign-in for your account with the provider, then sign in again.",
    Invitation = "invitation" : "The invitation could not be accepted: it may have expired, been used or revoked, or have been sent to another e-mail address.",
});

/// The ways to sign in the sign-in page offers besides e-mail and password.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SignInOptions {
    /// `(provider, label)`: "google" → "Google".
    pub providers: Vec<(String, String)>,
    /// "E-mail me a sign-in link" is offered.
    #[serde(default)]
    pub email_link: bool,
}

/// How a provider is named on its button.
pub fn provider_label(provider: &str) -> String {
    match provider {
        "google" => "Google".into(),
        "apple" => "Apple".into(),
        "azure" => "Microsoft".into(),
        "github" => "GitHub".into(),
        "gitlab" => "GitLab".into(),
        "linkedin_oidc" => "LinkedIn".into(),
        other => {
            let mut c = other.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
    }
}

/// Why a new password cannot be used, if it cannot (the same rule wherever one is chosen).
pub fn password_problem(password: &str, confirm: &str) -> Option<&'static str> {
    if password.chars().count() < 12 {
        Some("Use at least 12 characters: a few unrelated words make a good password.")
    } else if password.len() > 1024 {
        Some("Use at most 1,024 characters.")
    } else if password != confirm {
        Some("The two passwords differ: type the same password twice.")
    } else {
        None
    }
}
