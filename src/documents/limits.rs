//! The firm's limits on uploads, as an administrator sets them in Settings: the largest file,
//! and the kinds of file accepted (read from each file's bytes, whatever its name).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{DocKind, Limits};
use crate::kernel::{Choice, FieldErrors};

/// The most a firm may allow per file (the database holds the same bound).
pub const MAX_MB: u32 = 2048;
/// The largest file's hint in the form (it names `MAX_MB`: a unit test holds them together).
pub const MAX_MB_HINT: &str =
    "From 1 to 2048. A larger file is refused before any of it is stored.";

/// The limits with the firm's row version, for the settings form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitsPage {
    pub limits: Limits,
    pub version: i32,
}

/// The form: `max_mb`, and a checkbox `kinds[<kind>]` per kind accepted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LimitsForm {
    #[serde(default)]
    pub max_mb: String,
    #[serde(default)]
    pub kinds: BTreeMap<String, String>,
}

impl Limits {
    /// `(field, value as shown)`, for the stale-form message.
    pub fn shown(&self) -> Vec<(&'static str, String)> {
        vec![
            ("max_mb", self.max_mb.to_string()),
            ("kinds", kinds_shown(&self.kinds)),
        ]
    }
}

fn kinds_shown(kinds: &[DocKind]) -> String {
    kinds
        .iter()
        .map(|k| k.label())
        .collect::<Vec<_>>()
        .join(", ")
}

impl LimitsForm {
    fn ticked(&self) -> Vec<DocKind> {
        DocKind::ALL
            .iter()
            .copied()
            .filter(|k| self.kinds.get(k.as_str()).is_some_and(|v| !v.is_empty()))
            .collect()
    }

    /// What was typed, to keep in the form after a refused save (`kinds`: the ticked kinds'
    /// keys, comma-separated).
    pub fn values(&self) -> Vec<(String, String)> {
        let kinds: Vec<&str> = self.ticked().iter().map(|k| k.as_str()).collect();
        vec![
            ("max_mb".into(), self.max_mb.clone()),
            ("kinds".into(), kinds.join(",")),
        ]
    }

    /// As shown, for the stale-form message.
    pub fn shown(&self) -> Vec<(&'static str, String)> {
        vec![
            ("max_mb", self.max_mb.trim().to_string()),
            ("kinds", kinds_shown(&self.ticked())),
        ]
    }

    pub fn validate(&self) -> Result<Limits, FieldErrors> {
        let mut e = FieldErrors::default();
        let max_mb = match self.max_mb.trim().parse::<u32>() {
            Ok(n) if (1..=MAX_MB).contains(&n) => n,
            _ => {
                e.add(
                    "max_mb",
                    format!("Enter a number of megabytes from 1 to {MAX_MB}."),
                );
                1
            }
        };
        let kinds = self.ticked();
        if kinds.is_empty() {
            e.add("kinds", "Accept at least one kind of file.");
        }
        e.into_result(|| Limits { max_mb, kinds })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(max: &str, kinds: &[&str]) -> LimitsForm {
        LimitsForm {
            max_mb: max.into(),
            kinds: kinds
                .iter()
                .map(|k| (k.to_string(), "on".to_string()))
                .collect(),
        }
    }

    #[test]
    fn limits_are_checked() {
        let l = form(" 250 ", &["pdf", "image", "nonsense"])
            .validate()
            .unwrap();
        assert_eq!(l.max_mb, 250);
        assert_eq!(l.kinds, vec![DocKind::Pdf, DocKind::Image]);
        for bad in ["0", "2049", "ten", "", "-1"] {
            assert!(
                form(bad, &["pdf"])
                    .validate()
                    .unwrap_err()
                    .get("max_mb")
                    .is_some(),
                "{bad}"
            );
        }
        assert!(form("10", &[])
            .validate()
            .unwrap_err()
            .get("kinds")
            .is_some());
        assert_eq!(form("10", &["text", "pdf"]).values()[1].1, "pdf,text");
        assert!(MAX_MB_HINT.contains(&format!(" {MAX_MB}.")));
    }
}
