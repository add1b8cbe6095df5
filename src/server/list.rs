//! How every list is cut into pages: by keyset. A page continues from the sort key and id of
//! the row before it (carried in the URL as a cursor), so it costs the same on page 1 and page
//! 4,000, and the query has one shape whatever the page: PostgreSQL plans it once and reuses the
//! plan (no OFFSET, no bound LIMIT). Counts stop at `COUNT_CAP` ("1,000+").

use sqlx::postgres::PgRow;
use sqlx::{FromRow, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::error::AppError;
use crate::kernel::{Cursor, Page, PageRequest, Total, COUNT_CAP};
use crate::server::db::Tx;

/// The order of a list: a SQL expression of the sorted value (a fixed fragment, never user
/// text), the type its text form is read back as, and the direction. Rows with equal values
/// are ordered by id, in the same direction, so every row has one place.
#[derive(Debug, Clone, Copy)]
pub struct Sort {
    pub expr: &'static str,
    pub cast: &'static str,
    pub desc: bool,
}

impl Sort {
    /// Whether `key` reads back as this order's type (what PostgreSQL would otherwise refuse
    /// with an error): a date, an integer, a timestamp as PostgreSQL writes it, or text.
    fn accepts(&self, key: &str) -> bool {
        match self.cast {
            "date" => chrono::NaiveDate::parse_from_str(key, "%Y-%m-%d")
                .is_ok_and(|d| (1900..=2200).contains(&chrono::Datelike::year(&d))),
            "int" => key.parse::<i32>().is_ok(),
            "timestamptz" => chrono::DateTime::parse_from_str(key, "%Y-%m-%d %H:%M:%S%.f%#z")
                .is_ok_and(|t| (1900..=2200).contains(&chrono::Datelike::year(&t))),
            _ => key.len() <= 1000 && !key.contains('\0'),
        }
    }
}

/// A row of a keyset list: its id, the text of its sort value (selected as `sort_key`) and the
/// list's capped count (selected as `total_capped`).
pub trait Keyed {
    fn id(&self) -> Uuid;
    fn sort_key(&self) -> &str;
    fn total_capped(&self) -> i64;
}

/// `Keyed` for a row struct with the fields `id`, `sort_key` and `total_capped`.
#[macro_export]
macro_rules! keyed {
    ($row:ty) => {
        impl $crate::server::list::Keyed for $row {
            fn id(&self) -> ::uuid::Uuid {
                self.id
            }
            fn sort_key(&self) -> &str {
                &self.sort_key
            }
            fn total_capped(&self) -> i64 {
                self.total_capped
            }
        }
    };
}

/// What a list is made of: its columns (including `(<sort expr>)::text AS sort_key` and the id
/// column), its `FROM` with the joins the columns need, the `FROM` its count needs, the `WHERE`
/// of its filters (pushed with bound values by `filters`), its id column and order.
pub struct List<'a> {
    pub columns: &'a str,
    pub from: &'a str,
    pub count_from: &'a str,
    pub filters: &'a (dyn Fn(&mut QueryBuilder<Postgres>) + Sync),
    pub id_col: &'static str,
    pub sort: Sort,
    /// `false` runs the page unprepared, planned for its values each time: for full-text
    /// searches, whose best plan depends on how common the searched words are (a generic plan
    /// cannot know, and may walk the whole list for a rare word).
    pub persistent: bool,
}

/// One page of a list, with its total (exact up to the cap), in one statement: the count is a
/// subquery of the page's (PostgreSQL runs it once), so a page costs one round trip.
pub async fn keyset_page<R>(
    tx: &mut Tx,
    list: &List<'_>,
    request: &PageRequest,
    per_page: u32,
) -> Result<Page<R>, AppError>
where
    R: for<'r> FromRow<'r, PgRow> + Keyed + Send + Unpin,
{
    let sort = list.sort;
    // A cursor whose key is not a value of this order's type (edited, or made under another
    // order) is no cursor: the first page, not a database error.
    let valid = |c: &Cursor| sort.accepts(&c.key);
    let before = Cursor::decode(&request.before).filter(valid);
    let after = Cursor::decode(&request.after)
        .filter(valid)
        .filter(|_| before.is_none());
    let backwards = before.is_some();
    // Going back, read the rows before the cursor in reverse order, then turn them around.
    let ascending = sort.desc == backwards;
    let (cmp, dir) = if ascending {
        (">", "ASC")
    } else {
        ("<", "DESC")
    };
    let mut b = QueryBuilder::new(format!(
        "SELECT {}, (SELECT count(*) FROM (SELECT 1 {}",
        list.columns, list.count_from
    ));
    (list.filters)(&mut b);
    b.push(format!(
        " LIMIT {}) c) AS total_capped {}",
        COUNT_CAP + 1,
        list.from
    ));
    (list.filters)(&mut b);
    if let Some(c) = before.as_ref().or(after.as_ref()) {
        b.push(format!(" AND ({}, {}) {cmp} (", sort.expr, list.id_col))
            .push_bind(c.key.clone())
            .push(format!("::{}, ", sort.cast))
            .push_bind(c.id)
            .push(")");
    }
    // The limit is written into the statement, not bound: with a bound limit PostgreSQL cannot
    // cost a generic plan (it guesses a tenth of the table) and keeps re-planning every run.
    b.push(format!(
        " ORDER BY {} {dir}, {} {dir} LIMIT {}",
        sort.expr,
        list.id_col,
        per_page + 1
    ));
    let mut rows: Vec<R> = b
        .build_query_as::<R>()
        .persistent(list.persistent)
        .fetch_all(&mut **tx)
        .await?;
    let more = rows.len() > per_page as usize;
    rows.truncate(per_page as usize);
    if backwards {
        rows.reverse();
    }
    let edge = |r: Option<&R>| {
        r.map(|r| {
            Cursor {
                key: r.sort_key().to_string(),
                id: r.id(),
            }
            .encode()
        })
    };
    let (next, prev) = if backwards {
        // The page we came back from follows this one.
        (
            edge(rows.last()),
            if more { edge(rows.first()) } else { None },
        )
    } else {
        (
            if more { edge(rows.last()) } else { None },
            if after.is_some() {
                edge(rows.first())
            } else {
                None
            },
        )
    };
    let first = before.is_none() && after.is_none();
    let n = rows.first().map_or(0, |r| r.total_capped());
    let total = Total {
        n: n.min(i64::from(COUNT_CAP)) as u32,
        capped: n > i64::from(COUNT_CAP),
    };
    Ok(Page {
        items: rows,
        total,
        page: if first { 1 } else { request.number() },
        per_page,
        next,
        prev,
    })
}

#[cfg(test)]
mod tests {
    use super::Sort;

    fn sort(cast: &'static str) -> Sort {
        Sort {
            expr: "x",
            cast,
            desc: true,
        }
    }

    #[test]
    fn cursor_keys_must_read_as_their_orders_type() {
        assert!(sort("date").accepts("2026-11-25"));
        assert!(!sort("date").accepts("2026-13-45"));
        assert!(!sort("date").accepts("9999-01-01"));
        assert!(sort("int").accepts("3"));
        assert!(!sort("int").accepts("99999999999"));
        assert!(sort("timestamptz").accepts("2026-11-25 14:03:00.123456+00"));
        assert!(!sort("timestamptz").accepts("-220000000000000000"));
        assert!(!sort("timestamptz").accepts("5000-01-01 00:00:00+00"));
        assert!(sort("text").accepts("smith & sons"));
        assert!(!sort("text").accepts("nul\0"));
    }
}
