use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::PageRequest;

/// One row of the activity log, timestamps already in the firm's time zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub id: Uuid,
    /// "2026-11-25 14:03 EST"
    pub at: String,
    /// Who did it, by the name they had then (kept when they leave the firm).
    pub user_name: String,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<Uuid>,
    pub summary: String,
    pub changes: Vec<ChangeLine>,
    /// Only administrators see where a change came from.
    pub ip_address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeLine {
    pub field: String,
    pub from: String,
    pub to: String,
}

impl ActivityEntry {
    /// "client.update" → "Updated"
    pub fn verb(&self) -> String {
        let op = self.action.rsplit('.').next().unwrap_or(&self.action);
        let mut words = op.replace('_', " ");
        if let Some(first) = words.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        match op {
            "create" => "Created".into(),
            "update" => "Updated".into(),
            "delete" => "Deleted".into(),
            "deactivate" => "Deactivated".into(),
            "sign_in" => "Signed in".into(),
            "sign_out" => "Signed out".into(),
            "switch_org" => "Switched firm".into(),
            _ => words,
        }
    }

    /// The page of the record the entry is about, if it has one.
    pub fn link(&self) -> Option<String> {
        let id = self.resource_id?;
        match self.resource_type.as_str() {
            "client" => Some(format!("/clients/{id}")),
            "matter" => Some(format!("/matters/{id}")),
            "invoice" if self.action != "invoice.delete" => Some(format!("/invoices/{id}")),
            _ => None,
        }
    }
}

/// Filters of the firm's activity page (its query string), and where the page starts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActivityQuery {
    /// A member's id.
    #[serde(default)]
    pub person: String,
    /// An action such as `matter.update`, or a prefix such as `matter.`.
    #[serde(default)]
    pub action: String,
    /// `client`, `matter` or `user`.
    #[serde(default)]
    pub resource: String,
    /// First and last day, in the firm's time zone (YYYY-MM-DD).
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    /// Where the page starts.
    #[serde(default)]
    pub paging: PageRequest,
}

/// The actions the activity page filters by, with their labels.
pub const ACTIONS: &[(&str, &str)] = &[
    ("client.", "Any client change"),
    ("client.create", "Client created"),
    ("client.update", "Client updated"),
    ("client.deactivate", "Client deactivated"),
    ("client.contact_add", "Contact added"),
    ("client.contact_remove", "Contact removed"),
    ("matter.", "Any matter change"),
    ("matter.create", "Matter opened"),
    ("matter.update", "Matter updated"),
    ("time.", "Any time entry change"),
    ("time.create", "Time recorded"),
    ("time.update", "Time changed"),
    ("expense.create", "Expense recorded"),
    ("time.timer_start", "Timer started"),
    (
        "time.timer_update",
        "Timer paused, resumed, stopped or discarded",
    ),
    ("user.", "Any sign-in activity"),
    ("user.sign_in", "Signed in"),
    ("user.sign_out", "Signed out"),
    ("user.switch_org", "Switched firm"),
    ("invoice.", "Any invoice change"),
    ("invoice.email", "Invoice e-mail requested"),
    ("invoice.emailed", "Invoice e-mailed"),
    ("matter.rate", "Matter rate set"),
    ("matter.person_rate", "Person's rate on a matter set"),
    ("client.rate", "Client rate set"),
    ("member.", "Any change of the firm's people"),
    ("member.role", "Role changed"),
    ("member.remove", "Member removed"),
    ("member.rate", "Default rate set"),
    ("firm.settings", "Firm settings changed"),
    ("audit.export", "Activity exported"),
    ("job.retry", "Background job retried"),
    ("trust.", "Any trust money movement"),
    ("trust.deposit", "Trust deposit"),
    ("trust.disburse", "Trust disbursement"),
    ("trust.transfer", "Trust transfer between matters"),
    ("trust.reverse", "Trust entry reversed"),
    ("trust.clear", "Trust deposit cleared"),
    ("trust.account_create", "Trust account opened"),
    ("trust.pay_invoice", "Invoice paid from trust"),
    ("trust.reconcile", "Trust account reconciled"),
    ("trust.unlock", "Reconciled trust entry unlocked"),
    ("document.", "Any document change"),
    ("document.upload", "Document uploaded"),
    ("document.version", "New version of a document"),
    ("document.rename", "Document renamed"),
    ("document.move", "Document moved"),
    ("document.folder", "Document folder created"),
    ("document.delete", "Document deleted"),
    ("document.restore", "Document restored"),
    ("document.purge", "Document purged"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str) -> ActivityEntry {
        ActivityEntry {
            id: Uuid::nil(),
            at: String::new(),
            user_name: String::new(),
            action: action.into(),
            resource_type: "client".into(),
            resource_id: Some(Uuid::nil()),
            summary: String::new(),
            changes: vec![],
            ip_address: None,
        }
    }

    #[test]
    fn verbs_read_naturally() {
        assert_eq!(entry("client.create").verb(), "Created");
        assert_eq!(entry("client.contact_add").verb(), "Contact add");
        assert_eq!(entry("matter.update").verb(), "Updated");
        assert_eq!(entry("user.sign_out").verb(), "Signed out");
        assert_eq!(
            entry("client.create").link().as_deref(),
            Some("/clients/00000000-0000-0000-0000-000000000000")
        );
    }
}
