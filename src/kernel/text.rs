use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The message for text that carries control characters (NUL, escape, bidirectional overrides…).
pub const CONTROL_CHARACTERS: &str =
    "Remove the invisible control characters from this text (they were probably pasted in).";

/// A control character, a bidirectional override that can make text display as something it is
/// not, or an invisible formatting character that makes equal-looking text differ. Ordinary
/// whitespace (space, tab, newline) is not one; nor are the joiners emoji and many scripts need.
/// Characters no stored text may hold: control characters other than tabs and line breaks, and
/// invisible or direction-changing ones that disguise what text says.
pub fn is_forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(
            c,
            '\u{200B}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// Trim and collapse inner runs of whitespace, dropping control characters: the lenient form,
/// for search boxes.
pub fn clean(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A one-line text field as stored: trimmed, inner whitespace collapsed. Control characters are
/// refused, not silently dropped.
/// At most `max` characters of `s`, with "…" when cut.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

pub fn single_line(s: &str) -> Result<String, &'static str> {
    if s.chars().any(is_forbidden) {
        return Err(CONTROL_CHARACTERS);
    }
    Ok(s.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Multi-line text (notes, descriptions) as stored: line endings as `\n`, trimmed. Control
/// characters other than tabs and line breaks are refused.
pub fn multi_line(s: &str) -> Result<String, &'static str> {
    if s.chars().any(is_forbidden) {
        return Err(CONTROL_CHARACTERS);
    }
    Ok(s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .to_string())
}

/// A syntactically plausible, lower-cased e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        if s.chars().any(is_forbidden) {
            return Err(CONTROL_CHARACTERS);
        }
        let s = s.trim().to_lowercase();
        if s.is_empty() {
            return Err("Enter an email address.");
        }
        if s.len() > 254 {
            return Err("That email address is too long.");
        }
        let (local, domain) = s.split_once('@').ok_or("Enter a valid email address.")?;
        let ok = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !s.chars().any(|c| c.is_whitespace() || c == ',' || c == ';')
            && !domain.contains('@');
        if ok {
            Ok(Email(s))
        } else {
            Err("Enter a valid email address.")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A date in ISO form (what `<input type="date">` submits).
pub fn parse_date(s: &str) -> Result<NaiveDate, &'static str> {
    use chrono::Datelike;
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| "Enter a date as YYYY-MM-DD.")?;
    if (1900..=2200).contains(&d.year()) {
        Ok(d)
    } else {
        Err("Enter a date between 1900 and 2200.")
    }
}

/// An optional date: empty means none.
pub fn optional_date(s: &str) -> Result<Option<NaiveDate>, &'static str> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(s).map(Some)
    }
}

/// An optional id from a select: empty means none.
pub fn parse_uuid(s: &str) -> Result<Option<Uuid>, &'static str> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        Uuid::parse_str(s.trim())
            .map(Some)
            .map_err(|_| "Choose a value from the list.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_collapses_whitespace() {
        assert_eq!(clean("  Acme \t  Holdings\n"), "Acme Holdings");
        assert_eq!(clean("Ac\0me"), "Ac me");
    }

    #[test]
    fn control_characters_are_refused_not_dropped() {
        assert_eq!(
            single_line("  Acme \t  Holdings\n").unwrap(),
            "Acme Holdings"
        );
        assert_eq!(
            multi_line(" line one\r\n\tline two \n").unwrap(),
            "line one\n\tline two"
        );
        for bad in [
            "Ac\0me",
            "bell\u{7}",
            "esc\u{1b}[31m",
            "abc\u{202E}fdp.exe",
            "c1\u{85}",
        ] {
            assert_eq!(single_line(bad), Err(CONTROL_CHARACTERS), "{bad:?}");
            assert_eq!(multi_line(bad), Err(CONTROL_CHARACTERS), "{bad:?}");
        }
        assert_eq!(Email::parse("ada@example.com\0"), Err(CONTROL_CHARACTERS));
        assert!(
            single_line("Zoë 👩‍⚖️ Müller").is_ok(),
            "ordinary Unicode is fine"
        );
    }

    #[test]
    fn email_is_lowercased_and_checked() {
        assert_eq!(
            Email::parse(" Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@x.com",
            "ada@x",
            "a b@x.com",
            "a@.com",
            "a@b@c.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn dates_are_iso() {
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("-5000-01-01").is_err());
        assert!(parse_date("9999-01-01").is_err());
        assert_eq!(optional_date(" ").unwrap(), None);
        assert_eq!(parse_date("2026-11-25").unwrap().to_string(), "2026-11-25");
    }
}

/// A PostgreSQL `to_tsquery` string matching every word of `input` as a prefix:
/// "Acme hold" → "acme:* & hold:*". Only letters and digits survive, so user text can never
/// form tsquery syntax. Empty when nothing searchable remains.
pub fn prefix_tsquery(input: &str) -> String {
    input
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(8)
        .map(|w| format!("{}:*", w.to_lowercase()))
        .collect::<Vec<_>>()
        .join(" & ")
}

#[cfg(test)]
mod tsquery_tests {
    use super::prefix_tsquery;

    #[test]
    fn tsquery_is_sanitised() {
        assert_eq!(prefix_tsquery("Acme hold"), "acme:* & hold:*");
        assert_eq!(
            prefix_tsquery("o'brien & (x|y)"),
            "o:* & brien:* & x:* & y:*"
        );
        assert_eq!(prefix_tsquery("  !!  "), "");
    }
}
