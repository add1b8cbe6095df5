//! Invitations: an administrator invites a person by e-mail with a role; the e-mail carries a
//! single-use link (`/invite/{secret}`, 7 days) that works with either way of signing in. A
//! person new to Docket creates their account on the link's page (name and password) or
//! continues with a provider whose verified e-mail is the invited one; someone who already has
//! an account signs in as that address and accepts. Inviting the same address again replaces the
//! open invitation; an administrator can revoke one.

pub mod api;
pub mod views;

#[cfg(feature = "ssr")]
mod repo;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Role;

/// How long an invitation link works.
pub const VALID_DAYS: i64 = 7;

/// An open invitation, as the People page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invitation {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    /// "2026-11-26 14:03 UTC".
    pub sent: String,
    pub expires: String,
    pub expired: bool,
    pub version: i32,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub role: String,
}

crate::choice!(LinkState {
    Open = "open" : "Open",
    Expired = "expired" : "This invitation has expired. Ask the firm's administrator to send a new one.",
    Used = "used" : "This invitation was already accepted: sign in to continue.",
    Unknown = "unknown" : "This invitation link is not valid. It may have been revoked or replaced by a newer one: ask the firm's administrator.",
});

/// What an invitation link's page shows, to whoever opens it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvitationView {
    pub state: LinkState,
    pub firm_name: String,
    pub email: String,
    pub role: Role,
    pub invited_by: String,
    /// Whether the invited address already has a Docket account (sign in to accept).
    pub has_account: bool,
    /// The e-mail of whoever is signed in in this browser.
    pub signed_in_as: Option<String>,
}

/// A new person's account, made on the invitation's page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JoinForm {
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirm: String,
}

/// A plausible e-mail address (the mail server is the final judge): one `@`, something on both
/// sides, a dot in the domain, no spaces or controls, at most 254 characters.
pub fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    email.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && c != '<' && c != '>' && c != ',')
}

#[cfg(test)]
mod tests {
    use super::valid_email;

    #[test]
    fn addresses() {
        for ok in ["a@b.co", "first.last+tag@firm.example", "x@sub.domain.law"] {
            assert!(valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "@b.co",
            "a@.co",
            "a@b.",
            "a b@c.co",
            "a@b@c.co",
            "a@b.co\n",
            "<a@b.co>",
            "a@b.co,c@d.co",
        ] {
            assert!(!valid_email(bad), "{bad:?}");
        }
    }
}
