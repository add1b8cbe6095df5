use serde::{Deserialize, Serialize};
use uuid::Uuid;

crate::choice!(HitKind {
    Client = "client" : "Client",
    Contact = "contact" : "Contact",
    Matter = "matter" : "Matter",
    Document = "document" : "Document",
});

/// One result: what it is, where it leads, and the words around the match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub kind: HitKind,
    pub id: Uuid,
    pub title: String,
    /// The client of a matter, the matter of a document, the client of a contact.
    pub context: String,
    pub href: String,
    /// The snippet, in pieces: `(text, matched)`.
    pub snippet: Vec<(String, bool)>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub query: String,
    pub hits: Vec<Hit>,
}

/// The most results one search returns.
pub const MAX_HITS: i64 = 20;

/// Marks PostgreSQL puts around matched words in a snippet (characters no stored text holds:
/// control characters are refused in every text field, and stripped from documents' text).
pub const START: char = '\u{1}';
pub const STOP: char = '\u{2}';

/// A snippet with `START`/`STOP` marks, in pieces; the marks never reach a page.
pub fn pieces(marked: &str) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = vec![];
    let mut current = String::new();
    let mut matched = false;
    for c in marked.chars() {
        match c {
            START | STOP => {
                if !current.is_empty() {
                    out.push((std::mem::take(&mut current), matched));
                }
                matched = c == START;
            }
            c if c.is_control() && c != '\n' => {}
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push((current, matched));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_split_at_the_marks() {
        assert_eq!(
            pieces("the \u{1}lease\u{2} ends"),
            vec![
                ("the ".to_string(), false),
                ("lease".to_string(), true),
                (" ends".to_string(), false)
            ]
        );
        assert_eq!(
            pieces("<script>\u{1}x"),
            vec![("<script>".to_string(), false), ("x".to_string(), true)]
        );
        assert!(pieces("").is_empty());
    }
}
