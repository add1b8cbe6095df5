//! iCalendar (RFC 5545) text of a person's events and tasks, for calendar applications that
//! subscribe to their feed. Pure: the feed route (`feed.rs`) reads the rows.
//!
//! Each item has a stable UID (its id), and SEQUENCE and DTSTAMP that change with each edit, so
//! a subscribed calendar updates an event instead of adding a second one. Timed events are in
//! UTC; all-day ones are dates (DTEND the day after, exclusive).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use uuid::Uuid;

/// One item of the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub uid: Uuid,
    /// "task-" for tasks, "" for events: the UID's prefix.
    pub prefix: &'static str,
    pub summary: String,
    pub description: String,
    pub location: String,
    pub when: When,
    pub sequence: i32,
    pub stamp: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum When {
    Day(NaiveDate),
    Timed(DateTime<Utc>, Option<DateTime<Utc>>),
}

/// The whole calendar, lines ending in CRLF.
pub fn calendar(name: &str, items: &[Item]) -> String {
    let mut out = String::new();
    let mut line = |s: String| out.push_str(&fold(&s));
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//Docket//Docket calendar//EN".into());
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!("X-WR-CALNAME:{}", text(name)));
    line("REFRESH-INTERVAL;VALUE=DURATION:PT1H".into());
    line("X-PUBLISHED-TTL:PT1H".into());
    for item in items {
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}{}@docket", item.prefix, item.uid));
        line(format!("DTSTAMP:{}", utc(item.stamp)));
        line(format!("SEQUENCE:{}", item.sequence.max(0)));
        match item.when {
            When::Day(d) => {
                line(format!("DTSTART;VALUE=DATE:{}", d.format("%Y%m%d")));
                line(format!(
                    "DTEND;VALUE=DATE:{}",
                    (d + Duration::days(1)).format("%Y%m%d")
                ));
                line("TRANSP:TRANSPARENT".into());
            }
            When::Timed(start, end) => {
                line(format!("DTSTART:{}", utc(start)));
                line(format!(
                    "DTEND:{}",
                    utc(end.unwrap_or(start + Duration::hours(1)))
                ));
            }
        }
        line(format!("SUMMARY:{}", text(&item.summary)));
        if !item.description.is_empty() {
            line(format!("DESCRIPTION:{}", text(&item.description)));
        }
        if !item.location.is_empty() {
            line(format!("LOCATION:{}", text(&item.location)));
        }
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value: backslashes, semicolons, commas and newlines escaped (RFC 5545 3.3.11).
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line folded at 75 octets (never inside a character), ending in CRLF.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(summary: &str) -> Item {
        Item {
            uid: Uuid::nil(),
            prefix: "",
            summary: summary.into(),
            description: "Line one\nLine two; with, punctuation \\ done".into(),
            location: String::new(),
            when: When::Day("2026-07-06".parse().unwrap()),
            sequence: 3,
            stamp: "2026-11-26T10:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn values_are_escaped_and_lines_folded() {
        let long = "Ä".repeat(60);
        let cal = calendar("Ada's calendar", &[item(&long)]);
        assert!(cal.lines().all(|l| l.len() <= 76), "{cal}");
        assert!(cal.contains("DESCRIPTION:Line one\\nLine two\\; with\\, punctuation \\\\ done"));
        assert!(cal.contains("DTSTART;VALUE=DATE:20260706\r\nDTEND;VALUE=DATE:20260707\r\n"));
        assert!(cal.contains("SEQUENCE:3\r\n"));
        // Unfolding gives the summary back whole.
        let unfolded = cal.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{long}\r\n")));
        assert!(cal.ends_with("END:VCALENDAR\r\n"));
    }
}
