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
    /// Every document version of the rows, with where its bytes are kept.
    pub files: Vec<FileEntry>,
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

/// The folder of a firm's day: `{firm}/{day}`.
pub fn folder(org: Uuid, day: &str) -> String {
    format!("{org}/{day}")
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
        let mut d = Sha256::new();
        d.update(b"abc");
        assert_eq!(
            hex(d),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
