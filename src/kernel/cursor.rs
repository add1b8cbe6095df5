use uuid::Uuid;

/// A position in a list ordered by `(key, id)`: the edge row of a page, carried in the URL so
/// the next page starts right after it (keyset pagination: page 4,000 costs what page 1 does).
/// The key is the sort value as PostgreSQL writes it; whether it reads back as the order's type
/// is the list's to check (`server::list::Sort`).
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub key: String,
    pub id: Uuid,
}

impl Cursor {
    /// `key~id`: the key first, so the id (which never contains `~`) is the last field.
    pub fn encode(&self) -> String {
        format!("{}~{}", self.key, self.id)
    }

    pub fn decode(s: &str) -> Option<Self> {
        let (key, id) = s.rsplit_once('~')?;
        Some(Cursor {
            key: key.to_string(),
            id: Uuid::parse_str(id).ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let t = Cursor {
            key: "a~b".to_string(),
            id: Uuid::nil(),
        };
        assert_eq!(Cursor::decode(&t.encode()), Some(t));
        let at = Cursor {
            key: "2026-11-25 14:03:00.123456+00".to_string(),
            id: Uuid::nil(),
        };
        assert_eq!(Cursor::decode(&at.encode()), Some(at));
        for bad in ["", "x", "12~not-a-uuid"] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }
}
