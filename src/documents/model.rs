use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::{single_line, Choice, FieldErrors};

crate::choice!(
    /// What a file is, read from its bytes; a firm allows some of these kinds.
    DocKind {
        Pdf = "pdf" : "PDF",
        Word = "word" : "Word and other text documents",
        Spreadsheet = "spreadsheet" : "Spreadsheets",
        Presentation = "presentation" : "Presentations",
        Text = "text" : "Plain text and CSV",
        Image = "image" : "Images",
        Email = "email" : "E-mail messages",
        Archive = "archive" : "Archives (ZIP)",
        Other = "other" : "Anything else",
    }
);

/// The name under which the outcome of a plain (JavaScript-off) upload is kept for the page.
pub const UPLOAD_ACTION: &str = "/documents/upload";

/// The firm's limits on uploads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    pub max_mb: u32,
    pub kinds: Vec<DocKind>,
}

impl Limits {
    pub fn max_bytes(&self) -> u64 {
        u64::from(self.max_mb) * 1024 * 1024
    }

    /// "Up to 100 MB: PDF, Word …, Images."
    pub fn describe(&self) -> String {
        let kinds: Vec<&str> = self.kinds.iter().map(|k| k.label()).collect();
        format!("Up to {} MB each: {}.", self.max_mb, kinds.join(", "))
    }
}

/// One version of a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    pub id: Uuid,
    pub number: i32,
    pub original_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Whether its text was read for search.
    pub text: TextStatus,
}

crate::choice!(
    /// How far reading a version's text for search got.
    TextStatus {
        Pending = "pending" : "Text not read yet",
        Done = "done" : "Text searchable",
        Unreadable = "unreadable" : "Text could not be read",
        None = "none" : "No text to read",
        Skipped = "skipped" : "Too large to read for search",
    }
);

/// A document as its matter's page lists it: its newest version first among `versions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub id: Uuid,
    pub filename: String,
    pub folder_id: Option<Uuid>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub versions: Vec<Version>,
}

impl Document {
    pub fn latest(&self) -> Option<&Version> {
        self.versions.first()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Folder {
    pub id: Uuid,
    pub name: String,
}

/// A matter's documents page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatterDocuments {
    pub matter_id: Uuid,
    pub matter_number: String,
    pub title: String,
    pub folders: Vec<Folder>,
    /// In the matter: not deleted, by folder then name.
    pub documents: Vec<Document>,
    /// Deleted, restorable until purged: newest deletion first.
    pub deleted: Vec<Document>,
    pub limits: Limits,
    pub may_edit: bool,
    pub may_purge: bool,
}

/// A document in a client's list (all of the client's matters): its newest version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientDocument {
    pub id: Uuid,
    pub filename: String,
    pub matter_id: Uuid,
    pub matter_number: String,
    pub matter_title: String,
    pub number: i32,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A client's documents page: the newest first, a page at a time, and the client's matters to
/// upload to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientDocuments {
    pub client_id: Uuid,
    pub client_name: String,
    /// `(id, "number title")`, open matters first.
    pub matters: Vec<(Uuid, String)>,
    pub page: crate::kernel::Page<ClientDocument>,
    pub limits: Limits,
    pub may_edit: bool,
}

/// "2.4 MB", "812 kB", "12 bytes".
pub fn human_size(bytes: i64) -> String {
    let b = bytes.max(0);
    if b < 1000 {
        format!("{b} bytes")
    } else if b < 999_500 {
        format!("{} kB", (b + 500) / 1000)
    } else if b < 999_950_000 {
        let tenths = (b + 50_000) / 100_000;
        format!("{}.{} MB", tenths / 10, tenths % 10)
    } else {
        let hundredths = (b + 5_000_000) / 10_000_000;
        format!("{}.{:02} GB", hundredths / 100, hundredths % 100)
    }
}

/// Whether a browser may show this type in a tab rather than download it: PDFs and common images.
pub fn shows_inline(content_type: &str) -> bool {
    matches!(
        content_type,
        "application/pdf" | "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    )
}

/// A document's or folder's name as stored: one line, no path separators, 1–255 characters
/// (folders: 120).
pub fn valid_name(typed: &str, max: usize) -> Result<String, &'static str> {
    let name = single_line(typed)?;
    if name.is_empty() {
        return Err("Enter a name.");
    }
    if name.contains(['/', '\\']) {
        return Err("A name cannot contain / or \\.");
    }
    if name.chars().count() > max {
        return Err("That name is too long.");
    }
    Ok(name)
}

/// A file name as the browser sent it, made storable: the last path segment, control characters
/// dropped, at most 255 characters (the extension kept).
pub fn storable_name(sent: &str) -> String {
    let last = sent.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !crate::kernel::is_forbidden(*c))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let cleaned = cleaned.trim_matches('.').trim().to_string();
    let name = if cleaned.is_empty() {
        "Untitled".to_string()
    } else {
        cleaned
    };
    if name.chars().count() <= 255 {
        return name;
    }
    let ext: String = name
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| e.chars().count() <= 16)
        .map(|e| format!(".{e}"))
        .unwrap_or_default();
    let keep = 255 - ext.chars().count();
    let stem: String = name.chars().take(keep).collect();
    stem.trim_end().to_string() + &ext
}

/// The name a download is saved under: the document's name, with the extension of what its
/// bytes are when the name claims another (a text file named "setup.bat" saves as
/// "setup.bat.txt"), so no upload becomes a program by its name.
pub fn download_name(filename: &str, content_type: &str) -> String {
    let fitting: &[&str] = match content_type {
        "application/pdf" => &["pdf"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => &["docx"],
        "application/msword" => &["doc", "dot"],
        "application/rtf" => &["rtf"],
        "application/vnd.oasis.opendocument.text" => &["odt"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => &["xlsx"],
        "application/vnd.ms-excel" => &["xls"],
        "application/vnd.oasis.opendocument.spreadsheet" => &["ods"],
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => &["pptx"],
        "application/vnd.ms-powerpoint" => &["ppt"],
        "application/vnd.oasis.opendocument.presentation" => &["odp"],
        "text/plain; charset=utf-8" => &["txt", "text", "md", "log"],
        "text/csv; charset=utf-8" => &["csv"],
        "message/rfc822" => &["eml"],
        "image/png" => &["png"],
        "image/jpeg" => &["jpg", "jpeg"],
        "image/gif" => &["gif"],
        "image/webp" => &["webp"],
        "image/tiff" => &["tif", "tiff"],
        "application/zip" => &["zip"],
        _ => return filename.to_string(),
    };
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if fitting.contains(&ext.as_str()) {
        filename.to_string()
    } else {
        format!("{filename}.{}", fitting[0])
    }
}

/// Rename a document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RenameForm {
    pub filename: String,
    pub version: i32,
}

impl RenameForm {
    pub fn values(&self) -> Vec<(String, String)> {
        vec![
            ("filename".into(), self.filename.clone()),
            ("version".into(), self.version.to_string()),
        ]
    }

    pub fn validate(&self) -> Result<String, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = e.check("filename", valid_name(&self.filename, 255));
        e.into_result(|| name.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storable_names() {
        assert_eq!(
            storable_name("C:\\Users\\a\\Brief final.pdf"),
            "Brief final.pdf"
        );
        assert_eq!(storable_name("../../etc/passwd"), "passwd");
        assert_eq!(storable_name("a\u{0}b\n.txt"), "ab.txt");
        assert_eq!(storable_name(".."), "Untitled");
        assert_eq!(storable_name(""), "Untitled");
        let long = format!("{}.docx", "x".repeat(300));
        let kept = storable_name(&long);
        assert_eq!(kept.chars().count(), 255);
        assert!(kept.ends_with(".docx"));
    }

    #[test]
    fn downloads_are_named_for_what_they_are() {
        assert_eq!(download_name("Brief.PDF", "application/pdf"), "Brief.PDF");
        assert_eq!(
            download_name("setup.bat", "text/plain; charset=utf-8"),
            "setup.bat.txt"
        );
        assert_eq!(
            download_name("drawing.svg", "text/plain; charset=utf-8"),
            "drawing.svg.txt"
        );
        assert_eq!(download_name("scan", "image/png"), "scan.png");
        assert_eq!(
            download_name("ledger.csv", "text/csv; charset=utf-8"),
            "ledger.csv"
        );
    }

    #[test]
    fn names_lose_disguising_characters() {
        assert_eq!(storable_name("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        let long = format!("{} {}", "x".repeat(254), "y".repeat(10));
        assert!(!storable_name(&long).ends_with(' '));
    }

    #[test]
    fn names_refuse_separators_and_blanks() {
        assert!(valid_name("a/b", 255).is_err());
        assert!(valid_name("  ", 255).is_err());
        assert_eq!(
            valid_name("  Reply   brief.pdf ", 255).unwrap(),
            "Reply brief.pdf"
        );
        assert!(valid_name(&"x".repeat(121), 120).is_err());
    }

    #[test]
    fn only_pdfs_and_images_show_inline() {
        assert!(shows_inline("application/pdf"));
        assert!(!shows_inline("text/plain; charset=utf-8"));
        assert!(!shows_inline("image/svg+xml"));
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(12), "12 bytes");
        assert_eq!(human_size(812_000), "812 kB");
        assert_eq!(human_size(2_400_000), "2.4 MB");
    }
}

/// What an upload did, file by file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Outcome {
    pub uploaded: Vec<Uploaded>,
    pub refused: Vec<Refused>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Uploaded {
    pub document_id: Uuid,
    pub filename: String,
    pub number: i32,
    pub size_bytes: i64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Refused {
    pub name: String,
    pub message: String,
}
