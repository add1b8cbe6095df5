use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::{
    multi_line, single_line, Choice, Email, FieldErrors, PageRequest, CONTROL_CHARACTERS,
};

crate::choice!(ClientStatus { Active = "active" : "Active", Inactive = "inactive" : "Inactive", Prospect = "prospect" : "Prospect" });
crate::choice!(ClientType { Person = "person" : "Person", Company = "company" : "Company" });
crate::choice!(ContactType { Email = "email" : "Email", Phone = "phone" : "Phone", Address = "address" : "Address", Website = "website" : "Website" });

/// A row of the client list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientRow {
    pub id: Uuid,
    pub name: String,
    pub client_type: ClientType,
    pub status: ClientStatus,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub open_matters: i64,
}

/// A client with its contacts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Client {
    pub id: Uuid,
    pub name: String,
    pub client_type: ClientType,
    pub status: ClientStatus,
    pub notes: String,
    pub created_on: String,
    /// The row version an edit form must carry back.
    pub version: i32,
    pub contacts: Vec<Contact>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub id: Uuid,
    pub contact_type: ContactType,
    pub label: String,
    pub value: String,
    pub is_primary: bool,
}

/// Filters of the client list (the page's query string).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    /// Where the page starts.
    #[serde(default)]
    pub paging: PageRequest,
}

/// The client form as submitted: text, checked by `validate`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ClientForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub client_type: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub notes: String,
}

/// A client form that passed validation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidClient {
    pub name: String,
    pub client_type: ClientType,
    pub status: ClientStatus,
    pub notes: String,
}

impl ValidClient {
    /// Each field as a person reads it.
    pub fn shown(&self) -> Vec<(&'static str, String)> {
        vec![
            ("name", self.name.clone()),
            ("client_type", self.client_type.label().to_string()),
            ("status", self.status.label().to_string()),
            ("notes", self.notes.clone()),
        ]
    }
}

impl ClientForm {
    /// What the user typed, echoed back with an error.
    pub fn values(&self) -> Vec<(String, String)> {
        vec![
            ("name".into(), self.name.clone()),
            ("client_type".into(), self.client_type.clone()),
            ("status".into(), self.status.clone()),
            ("notes".into(), self.notes.clone()),
        ]
    }

    pub fn validate(&self) -> Result<ValidClient, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = e.check("name", single_line(&self.name)).unwrap_or_default();
        if name.is_empty() && e.get("name").is_none() {
            e.add("name", "Enter the client's name.");
        } else if name.chars().count() > 200 {
            e.add("name", "Use at most 200 characters.");
        }
        let client_type = ClientType::parse(&self.client_type);
        if client_type.is_none() {
            e.add("client_type", "Choose person or company.");
        }
        let status = if self.status.is_empty() {
            Some(ClientStatus::Active)
        } else {
            ClientStatus::parse(&self.status)
        };
        if status.is_none() {
            e.add("status", "Choose a status.");
        }
        let notes = e
            .check("notes", multi_line(&self.notes))
            .unwrap_or_default();
        if notes.chars().count() > 5000 {
            e.add("notes", "Use at most 5,000 characters.");
        }
        if e.is_empty() {
            Ok(ValidClient {
                name,
                client_type: client_type.unwrap(),
                status: status.unwrap(),
                notes,
            })
        } else {
            Err(e.with_values(self.values()))
        }
    }
}

/// A new contact as submitted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    pub contact_type: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub value: String,
    /// A checkbox: present ("on") when ticked.
    #[serde(default)]
    pub is_primary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidContact {
    pub contact_type: ContactType,
    pub label: String,
    pub value: String,
    pub is_primary: bool,
}

impl ContactForm {
    /// What the user typed, echoed back with an error.
    pub fn values(&self) -> Vec<(String, String)> {
        let mut values = vec![
            ("contact_type".into(), self.contact_type.clone()),
            ("label".into(), self.label.clone()),
            ("value".into(), self.value.clone()),
        ];
        values.extend(self.is_primary.clone().map(|p| ("is_primary".into(), p)));
        values
    }

    pub fn validate(&self) -> Result<ValidContact, FieldErrors> {
        let mut e = FieldErrors::default();
        let contact_type = ContactType::parse(&self.contact_type);
        let label = e
            .check("label", single_line(&self.label))
            .unwrap_or_default();
        if label.chars().count() > 60 {
            e.add("label", "Use at most 60 characters.");
        }
        let raw = self.value.trim();
        let value = match contact_type {
            _ if multi_line(raw).is_err() => {
                e.add("value", CONTROL_CHARACTERS);
                String::new()
            }
            None => {
                e.add("contact_type", "Choose email, phone, address or website.");
                String::new()
            }
            Some(_) if raw.is_empty() => {
                e.add("value", "Enter the contact detail.");
                String::new()
            }
            Some(ContactType::Email) => Email::parse(raw)
                .map(|m| m.as_str().to_string())
                .unwrap_or_else(|m| {
                    e.add("value", m);
                    String::new()
                }),
            Some(ContactType::Phone) => {
                let digits = raw.chars().filter(char::is_ascii_digit).count();
                let allowed = raw
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-().x".contains(c));
                if !allowed || !(7..=15).contains(&digits) {
                    e.add("value", "Enter a phone number such as +1 (212) 555-0100.");
                }
                single_line(raw).unwrap_or_default()
            }
            Some(ContactType::Website) => {
                let url = if raw.contains("://") {
                    raw.to_string()
                } else {
                    format!("https://{raw}")
                };
                let host = url
                    .split("://")
                    .nth(1)
                    .unwrap_or("")
                    .split('/')
                    .next()
                    .unwrap_or("");
                if !(url.starts_with("https://") || url.starts_with("http://"))
                    || !host.contains('.')
                    || url.contains(char::is_whitespace)
                {
                    e.add("value", "Enter a web address such as example.com.");
                }
                url
            }
            Some(ContactType::Address) => multi_line(raw)
                .unwrap_or_default()
                .lines()
                .map(|l| single_line(l).unwrap_or_default())
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n"),
        };
        if value.chars().count() > 500 {
            e.add("value", "Use at most 500 characters.");
        }
        if e.is_empty() {
            Ok(ValidContact {
                contact_type: contact_type.unwrap(),
                label,
                value,
                is_primary: self.is_primary.is_some(),
            })
        } else {
            Err(e.with_values(self.values()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(name: &str, kind: &str) -> ClientForm {
        ClientForm {
            name: name.into(),
            client_type: kind.into(),
            ..Default::default()
        }
    }

    #[test]
    fn client_needs_name_and_type() {
        let e = client("  ", "robot").validate().unwrap_err();
        assert!(e.get("name").is_some());
        assert!(e.get("client_type").is_some());
        assert_eq!(e.value("name"), Some("  "), "typed values are echoed back");
        let ok = client("  Acme   Corp ", "company").validate().unwrap();
        assert_eq!(ok.name, "Acme Corp");
        assert_eq!(ok.status, ClientStatus::Active);
    }

    fn contact(kind: &str, value: &str) -> Result<ValidContact, FieldErrors> {
        ContactForm {
            contact_type: kind.into(),
            value: value.into(),
            ..Default::default()
        }
        .validate()
    }

    #[test]
    fn contacts_are_checked_by_type() {
        assert_eq!(
            contact("email", "Ada@Example.com").unwrap().value,
            "ada@example.com"
        );
        assert!(contact("email", "not-an-email").is_err());
        assert!(contact("phone", "+1 (212) 555-0100").is_ok());
        assert!(contact("phone", "call me").is_err());
        assert_eq!(
            contact("website", "example.com").unwrap().value,
            "https://example.com"
        );
        assert!(contact("website", "localhost").is_err());
        assert_eq!(
            contact("address", " 1 Main St \n\n Springfield ")
                .unwrap()
                .value,
            "1 Main St\nSpringfield"
        );
        assert!(contact("fax", "123").is_err());
    }

    #[test]
    fn control_characters_are_field_errors_everywhere() {
        for (kind, value) in [
            ("email", "ada@example.com\u{0}"),
            ("website", "example.com/\u{0}x"),
            ("website", "exa\u{7}mple.com"),
            ("phone", "+1 212 555\u{0}0100"),
            ("address", "1 Main St\u{1b}"),
        ] {
            let e = contact(kind, value).unwrap_err();
            assert_eq!(e.get("value"), Some(CONTROL_CHARACTERS), "{kind} {value:?}");
        }
        let e = ClientForm {
            name: "Acme\u{0}".into(),
            client_type: "company".into(),
            notes: "ok\u{202E}".into(),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.get("name"), Some(CONTROL_CHARACTERS));
        assert_eq!(e.get("notes"), Some(CONTROL_CHARACTERS));
    }
}
