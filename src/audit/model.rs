use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One row of a resource's history, timestamps already in the firm's time zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActivityEntry {
    pub id: Uuid,
    /// "2026-11-25 14:03 EST"
    pub at: String,
    pub user_name: Option<String>,
    pub action: String,
    pub summary: String,
    pub changes: Vec<ChangeLine>,
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
            _ => words,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(action: &str) -> ActivityEntry {
        ActivityEntry {
            id: Uuid::nil(),
            at: String::new(),
            user_name: None,
            action: action.into(),
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
    }
}
