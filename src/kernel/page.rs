use serde::{Deserialize, Serialize};

/// Rows per page in every list.
pub const PAGE_SIZE: u32 = 25;

/// Lists count matching rows exactly up to here, then say "1,000+": an exact count of a large
/// firm's list would cost more than the page itself.
pub const COUNT_CAP: u32 = 1000;

/// Where a page of a list starts: after the last row of the previous page or before the first
/// row of the next one (keyset cursors, from the URL), and its number, only for display. Page
/// 4,000 costs what page 1 does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PageRequest {
    #[serde(default)]
    pub after: String,
    #[serde(default)]
    pub before: String,
    #[serde(default)]
    pub page: u32,
}

impl PageRequest {
    /// From a query string's values.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        PageRequest {
            after: get("after").unwrap_or_default(),
            before: get("before").unwrap_or_default(),
            page: get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        }
    }

    /// The page number shown (1 for the first page, or a missing or nonsense number).
    pub fn number(&self) -> u32 {
        if self.after.is_empty() && self.before.is_empty() {
            1
        } else {
            self.page.clamp(1, 10_000_000)
        }
    }
}

/// How many rows match: exact, or at least `COUNT_CAP`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Total {
    pub n: u32,
    pub capped: bool,
}

impl Total {
    pub fn label(&self) -> String {
        let n = group(self.n);
        if self.capped {
            format!("{n}+")
        } else {
            n
        }
    }
}

fn group(n: impl Into<u64>) -> String {
    let n: u64 = n.into();
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One page of a list, with what a pager needs to draw itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: Total,
    /// The number of this page (display only).
    pub page: u32,
    pub per_page: u32,
    /// Cursors for the next and previous pages, when they have rows.
    pub next: Option<String>,
    pub prev: Option<String>,
}

impl<T> Page<T> {
    /// The same page with every row converted.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            per_page: self.per_page,
            next: self.next,
            prev: self.prev,
        }
    }

    /// "26–50 of 1,000+"
    pub fn range_label(&self) -> String {
        if self.items.is_empty() {
            return "No results".into();
        }
        let first = u64::from(self.page.max(1) - 1) * u64::from(self.per_page) + 1;
        let last = first + self.items.len() as u64 - 1;
        format!("{}–{} of {}", group(first), group(last), self.total.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(n: usize, number: u32, total: u32, capped: bool) -> Page<u8> {
        Page {
            items: vec![0; n],
            total: Total { n: total, capped },
            page: number,
            per_page: 25,
            next: None,
            prev: None,
        }
    }

    #[test]
    fn ranges_and_capped_totals_read_naturally() {
        assert_eq!(page(0, 1, 0, false).range_label(), "No results");
        assert_eq!(page(25, 1, 120, false).range_label(), "1–25 of 120");
        assert_eq!(page(1, 2, 26, false).range_label(), "26–26 of 26");
        assert_eq!(page(25, 3, 1000, true).range_label(), "51–75 of 1,000+");
    }

    #[test]
    fn the_first_page_is_page_one_whatever_the_url_says() {
        let first = PageRequest {
            page: 7,
            ..Default::default()
        };
        assert_eq!(first.number(), 1);
        let later = PageRequest {
            after: "x".into(),
            page: 0,
            ..Default::default()
        };
        assert_eq!(later.number(), 1);
    }
}
