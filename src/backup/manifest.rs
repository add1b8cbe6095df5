//! What a backup holds, written last: a backup without its manifest is unfinished.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The manifest's format; a restore refuses any other.
pub const FORMAT: &str = "docket-backup/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub organization_id: Uuid,
    pub firm: String,
    /// The day of the firm it was taken for (`2026-11-27`).
    pub day: String,
    pub taken_at: DateTime<Utc>,
    /// The newest migration of the schema its rows have.
    pub schema: i64,
    /// In the order a restore writes them.
    pub tables: Vec<TableFile>,
    /// Every document version of the rows, with where its bytes are kept…
    pub files: Vec<FileEntry>,
    /// …but these, whose bytes could not be read or were not what their row says.
    #[serde(default)]
    pub missing: Vec<Missing>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Missing {
    pub version: Uuid,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableFile {
    pub name: String,
    /// `firm`, `organization` or `person` (see `backup_tables`, migration 28).
    pub scope: String,
    pub path: String,
    pub rows: u64,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    pub version: Uuid,
    /// Where the document storage keeps it (`firm/matter/version`).
    pub storage_key: String,
    /// Where the backup keeps it (`firm/files/{sha256}`).
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// The folder of a firm's day: `{firm}/{day}`. Each attempt writes a folder of its own in it,
/// named by when it started (`20261127T020001.123Z`), so a run never overwrites a finished
/// backup, and the newest finished one sorts last.
pub fn day_folder(org: Uuid, day: &str) -> String {
    format!("{org}/{day}")
}

pub fn attempt_folder(org: Uuid, day: &str, taken_at: DateTime<Utc>) -> String {
    format!(
        "{}/{}",
        day_folder(org, day),
        taken_at.format("%Y%m%dT%H%M%S%.3fZ")
    )
}

/// Where a firm's document bytes are kept, by content.
pub fn file_path(org: Uuid, sha256: &str) -> String {
    format!("{org}/files/{sha256}")
}

/// A SHA-256 as lower-case hex.
pub fn hex(digest: Sha256) -> String {
    digest
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A day as a backup names it: `YYYY-MM-DD`, a real date.
pub fn valid_day(day: &str) -> bool {
    day.len() == 10 && chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_digests() {
        assert!(valid_day("2026-11-27"));
        assert!(!valid_day("2026-02-30"));
        assert!(!valid_day("2026-11-27/../x"));
        assert!(!valid_day("2026-1-27"));
        let at = DateTime::parse_from_rfc3339("2026-11-27T02:00:01.5Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            attempt_folder(Uuid::nil(), "2026-11-27", at),
            "00000000-0000-0000-0000-000000000000/2026-11-27/20261127T020001.500Z"
        );
        let mut d = Sha256::new();
        d.update(b"abc");
        assert_eq!(
            hex(d),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
