//! What a file is, read from its first bytes (never the browser's claim): its kind, checked
//! against the firm's allowed kinds, and the content type it is stored and served with.

use super::DocKind;

/// How many leading bytes are read before deciding (Office files name their parts near the start
/// of the archive).
pub const HEAD_BYTES: usize = 64 * 1024;

/// The kind and content type of a file from its first bytes and (only to tell kinds of plain text
/// apart) its name.
pub fn sniff(head: &[u8], name: &str) -> (DocKind, String) {
    if let Some(t) = infer::get(head) {
        let mime = match t.mime_type() {
            // Office files whose parts come in another order than Word's own.
            "application/zip" => office_by_part_names(head).unwrap_or("application/zip"),
            m => m,
        };
        return (kind_of(mime), mime.to_string());
    }
    if is_text(head) {
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        return match ext.as_str() {
            "csv" => (DocKind::Text, "text/csv; charset=utf-8".into()),
            "eml" => (DocKind::Email, "message/rfc822".into()),
            _ => (DocKind::Text, "text/plain; charset=utf-8".into()),
        };
    }
    (DocKind::Other, "application/octet-stream".into())
}

/// An Office Open XML file told by the names of the parts in its first bytes (`word/…`, `xl/…`,
/// `ppt/…`), whatever their order.
fn office_by_part_names(head: &[u8]) -> Option<&'static str> {
    let mut at = 0;
    let mut package = false;
    let mut found_type = None;
    while let Some(found) = head[at..].windows(4).position(|w| w == b"PK\x03\x04") {
        let start = at + found;
        let field = |o: usize| {
            head.get(start + o..start + o + 2)
                .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
        };
        let (Some(name_len), Some(_extra)) = (field(26), field(28)) else {
            break;
        };
        let name = head
            .get(start + 30..start + 30 + name_len)
            .unwrap_or_default();
        package |= name == b"[Content_Types].xml";
        let kind = if name.starts_with(b"word/") {
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        } else if name.starts_with(b"xl/") {
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        } else if name.starts_with(b"ppt/") {
            Some("application/vnd.openxmlformats-officedocument.presentationml.presentation")
        } else {
            None
        };
        found_type = found_type.or(kind);
        at = start + 4;
    }
    // An Office package names its content types: a zip with a word/ folder alone is not one.
    found_type.filter(|_| package)
}

fn kind_of(mime: &str) -> DocKind {
    match mime {
        "application/pdf" => DocKind::Pdf,
        "application/msword"
        | "application/rtf"
        | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        | "application/vnd.oasis.opendocument.text" => DocKind::Word,
        "application/vnd.ms-excel"
        | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        | "application/vnd.oasis.opendocument.spreadsheet" => DocKind::Spreadsheet,
        "application/vnd.ms-powerpoint"
        | "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        | "application/vnd.oasis.opendocument.presentation" => DocKind::Presentation,
        "application/zip"
        | "application/gzip"
        | "application/x-7z-compressed"
        | "application/vnd.rar"
        | "application/x-tar" => DocKind::Archive,
        "message/rfc822" | "application/vnd.ms-outlook" => DocKind::Email,
        m if m.starts_with("image/") && m != "image/svg+xml" => DocKind::Image,
        _ => DocKind::Other,
    }
}

/// UTF-8 without NUL bytes (a sequence cut at the end of the head is fine).
fn is_text(head: &[u8]) -> bool {
    if head.is_empty() || head.contains(&0) {
        return head.is_empty();
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        let (k, t) = sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "notes.txt");
        assert_eq!((k, t.as_str()), (DocKind::Pdf, "application/pdf"));
        let (k, _) = sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "x.pdf");
        assert_eq!(k, DocKind::Image);
        let (k, t) = sniff(b"name,amount\nA,1\n", "ledger.csv");
        assert_eq!((k, t.as_str()), (DocKind::Text, "text/csv; charset=utf-8"));
        let (k, _) = sniff(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff", "invoice.pdf");
        assert_eq!(k, DocKind::Other);
        let (k, _) = sniff(
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>",
            "a.svg",
        );
        assert_eq!(k, DocKind::Text);
    }

    #[test]
    fn a_character_cut_at_the_end_is_still_text() {
        assert!(is_text("défense".as_bytes()));
        assert!(is_text(&"é".as_bytes()[..1]));
        assert!(!is_text(b"a\0b"));
        assert!(!is_text(b"\xff\xfe\xfd"));
    }
}
