use serde::{Deserialize, Serialize};

/// Rows per page in every list.
pub const PAGE_SIZE: u32 = 25;

/// One page of a list, with what a pager needs to draw itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    pub fn pages(&self) -> u32 {
        let per = i64::from(self.per_page.max(1));
        u32::try_from((self.total + per - 1) / per)
            .unwrap_or(u32::MAX)
            .max(1)
    }

    /// Row offset of a 1-based page number, clamped to sane bounds.
    pub fn offset(page: u32, per_page: u32) -> i64 {
        i64::from(page.clamp(1, 100_000) - 1) * i64::from(per_page)
    }

    /// "26–50 of 120"
    pub fn range_label(&self) -> String {
        if self.total == 0 {
            return "No results".into();
        }
        let first = Self::offset(self.page, self.per_page) + 1;
        let last = first + self.items.len() as i64 - 1;
        format!("{first}–{last} of {}", self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(total: i64, page: u32, n: usize) -> Page<u8> {
        Page {
            items: vec![0; n],
            total,
            page,
            per_page: 25,
        }
    }

    #[test]
    fn counts_pages_and_ranges() {
        assert_eq!(page(0, 1, 0).pages(), 1);
        assert_eq!(page(25, 1, 25).pages(), 1);
        assert_eq!(page(26, 2, 1).pages(), 2);
        assert_eq!(page(26, 2, 1).range_label(), "26–26 of 26");
        assert_eq!(page(0, 1, 0).range_label(), "No results");
    }

    #[test]
    fn offset_clamps_page_zero() {
        assert_eq!(Page::<u8>::offset(0, 25), 0);
        assert_eq!(Page::<u8>::offset(3, 25), 50);
    }
}
