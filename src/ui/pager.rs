use leptos::prelude::*;

/// "Previous · 26–50 of 120 · Next" with plain links (works without JavaScript).
#[component]
pub fn Pager(
    range: String,
    page: u32,
    pages: u32,
    href: impl Fn(u32) -> String + 'static,
) -> impl IntoView {
    let prev = (page > 1).then(|| href(page - 1));
    let next = (page < pages).then(|| href(page + 1));
    view! {
        <nav class="pager" aria-label="Pagination">
            {match prev {
                Some(h) => view! { <a href=h rel="prev">"← Previous"</a> }.into_any(),
                None => view! { <span class="disabled" aria-disabled="true">"← Previous"</span> }.into_any(),
            }}
            <span class="range">{range}" · page "{page}" of "{pages}</span>
            {match next {
                Some(h) => view! { <a href=h rel="next">"Next →"</a> }.into_any(),
                None => view! { <span class="disabled" aria-disabled="true">"Next →"</span> }.into_any(),
            }}
        </nav>
    }
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
    use super::query_string;

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
