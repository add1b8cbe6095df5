use leptos::prelude::*;

use crate::kernel::{Page, PageRequest};

/// "← Previous · 26–50 of 1,000+ · Next →", with plain links (works without JavaScript). The
/// links carry keyset cursors; `href` turns a page request into the list's URL (its filters
/// included).
#[component]
pub fn Pager<T: 'static>(
    page: Page<T>,
    href: impl Fn(PageRequest) -> String + 'static,
) -> impl IntoView {
    let number = page.page.max(1);
    let prev = page.prev.clone().map(|c| {
        href(PageRequest {
            before: c,
            page: number - 1,
            ..Default::default()
        })
    });
    let next = page.next.clone().map(|c| {
        href(PageRequest {
            after: c,
            page: number + 1,
            ..Default::default()
        })
    });
    let first = (number > 2).then(|| href(PageRequest::default()));
    view! {
        <nav class="pager" aria-label="Pagination">
            {first.map(|h| view! { <a href=h>"« First"</a> })}
            {match prev {
                Some(h) => view! { <a href=h rel="prev">"← Previous"</a> }.into_any(),
                None => view! { <span class="disabled" aria-disabled="true">"← Previous"</span> }.into_any(),
            }}
            <span class="range">{page.range_label()}</span>
            {match next {
                Some(h) => view! { <a href=h rel="next">"Next →"</a> }.into_any(),
                None => view! { <span class="disabled" aria-disabled="true">"Next →"</span> }.into_any(),
            }}
        </nav>
    }
}

/// The links of a list's pager: the list at `path` with its filters (`filters`, empty values left
/// out) and the page asked for.
pub fn page_href(
    path: &'static str,
    filters: Vec<(&'static str, String)>,
) -> impl Fn(PageRequest) -> String {
    move |at| {
        let mut pairs = filters.clone();
        pairs.extend(paging_pairs(&at));
        format!("{path}{}", query_string(&pairs))
    }
}

/// The query-string pairs of a page request (none for the first page).
pub fn paging_pairs(p: &PageRequest) -> Vec<(&'static str, String)> {
    let mut pairs = vec![("after", p.after.clone()), ("before", p.before.clone())];
    if p.number() > 1 {
        pairs.push(("page", p.number().to_string()));
    }
    pairs
}

/// Build a query string from pairs, dropping empty values.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{page_href, query_string};
    use crate::kernel::PageRequest;

    #[test]
    fn pager_links_keep_the_filters_and_name_the_page() {
        let href = page_href(
            "/clients",
            vec![("q", "smith".into()), ("status", String::new())],
        );
        let next = PageRequest {
            after: "2026-11-25~x".into(),
            page: 2,
            ..Default::default()
        };
        assert_eq!(href(next), "/clients?q=smith&after=2026-11-25~x&page=2");
        assert_eq!(href(PageRequest::default()), "/clients?q=smith");
    }

    #[test]
    fn query_strings_skip_empty_and_encode() {
        assert_eq!(
            query_string(&[
                ("q", "a&b c".into()),
                ("status", String::new()),
                ("page", "2".into())
            ]),
            "?q=a%26b+c&page=2"
        );
        assert_eq!(query_string(&[("q", String::new())]), "");
    }
}
