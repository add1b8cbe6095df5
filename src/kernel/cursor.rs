use std::str::FromStr;

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A position in a list ordered by `(key, id)`: the edge row of a page, carried in the URL so
/// the next page starts right after it (keyset pagination: page 4,000 costs what page 1 does).
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor<K> {
    pub key: K,
    pub id: Uuid,
}

/// How a cursor's key is written in a URL.
pub trait CursorKey: Sized {
    fn write(&self) -> String;
    fn read(s: &str) -> Option<Self>;
}

impl CursorKey for DateTime<Utc> {
    fn write(&self) -> String {
        self.timestamp_micros().to_string()
    }
    /// Only times PostgreSQL stores and people mean (1900–2200).
    fn read(s: &str) -> Option<Self> {
        use chrono::Datelike;
        DateTime::from_timestamp_micros(s.parse().ok()?)
            .filter(|t| (1900..=2200).contains(&t.year()))
    }
}

macro_rules! plain_cursor_key {
    ($($t:ty),*) => {$(
        impl CursorKey for $t {
            fn write(&self) -> String {
                self.to_string()
            }
            fn read(s: &str) -> Option<Self> {
                <$t as FromStr>::from_str(s).ok()
            }
        }
    )*};
}
plain_cursor_key!(String);

impl<K: CursorKey> Cursor<K> {
    /// `key~id`: the key first, so the id (which never contains `~`) is the last field.
    pub fn encode(&self) -> String {
        format!("{}~{}", self.key.write(), self.id)
    }

    pub fn decode(s: &str) -> Option<Self> {
        let (key, id) = s.rsplit_once('~')?;
        Some(Cursor {
            key: K::read(key)?,
            id: Uuid::parse_str(id).ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let at = DateTime::from_timestamp_micros(1_764_000_000_123_456).unwrap();
        let c = Cursor {
            key: at,
            id: Uuid::nil(),
        };
        assert_eq!(Cursor::<DateTime<Utc>>::decode(&c.encode()), Some(c));
        let t = Cursor {
            key: "a~b".to_string(),
            id: Uuid::nil(),
        };
        assert_eq!(Cursor::<String>::decode(&t.encode()), Some(t));
        for bad in [
            "",
            "x",
            "12~not-a-uuid",
            "abc~00000000-0000-0000-0000-000000000000",
        ] {
            assert_eq!(Cursor::<DateTime<Utc>>::decode(bad), None, "{bad}");
        }
    }
}
