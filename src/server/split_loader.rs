//! The split build's loader (`__wasm_split.*.js`, which every page downloads whole) written as
//! data: part of the build step `docket pack-chunks` (see `server::chunks`).

use std::collections::BTreeSet;

/// The names `compact` declares beside the header it keeps.
const COMPACT_NAMES: [&str; 4] = ["__build", "__fetcher", "__chunk", "__needs"];
/// What only a compacted loader has.
pub(crate) const COMPACT_MARK: &str = "\nfunction __needs(ranges) {";
/// The loader of the split build, as `wasm_split_cli_support` writes it: per chunk, and per page
/// (an export), five lines of which only the file's name and the chunks it needs differ; these
/// are the lines that do not.
const LOADER_FETCH: &str = "    const src = fetch(new URL(\"./";
const LOADER_FETCHED: &str = ".wasm\", import.meta.url));";
const LOADER_INSTANTIATE: &str =
    "    return async (imports) => (WebAssembly.instantiateStreaming(src, imports));";

/// The same loader with each chunk and page as data: a page's chunks as ranges of their numbers
/// (`"42-48,51"`), the loaders made by three small functions. With 41 pages and 625 chunks the
/// loader every page downloads went from 6.8 to 4.2 kB brotli (234 kB of text before). The
/// header (its shared imports and `makeLoad`) is kept as it is; chunks are still made when the
/// loader runs, and fetched from the same URLs (the pack and the preload links name them so).
/// `None`, leaving the loader as it is, when it is not in the expected shape (another version
/// of the splitter, or a loader already compacted).
pub(crate) fn compact(script: &str) -> Option<String> {
    let start = script.find("\nconst __chunk_")? + 1;
    let (head, rest) = script.split_at(start);
    if COMPACT_NAMES.iter().any(|n| head.contains(n)) {
        return None;
    }
    let mut lines = rest.lines().filter(|l| !l.is_empty());
    let mut build = None;
    let mut chunks = BTreeSet::new();
    let mut pages = Vec::new();
    while let Some(first) = lines.next() {
        let (page, id) = match first.strip_prefix("export const ") {
            Some(r) => (
                Some(r.strip_suffix(" = wrapAsyncCb(makeLoad(() => {")?),
                None,
            ),
            None => {
                let r = first.strip_prefix("const __chunk_")?;
                (
                    None,
                    Some(r.strip_suffix(" = makeLoad(() => {")?.parse::<u32>().ok()?),
                )
            }
        };
        let file = lines
            .next()?
            .strip_prefix(LOADER_FETCH)?
            .strip_suffix(LOADER_FETCHED)?;
        (lines.next()? == LOADER_INSTANTIATE && lines.next()? == "}").then_some(())?;
        let close = if page.is_some() { "]));" } else { "]);" };
        let needs = lines.next()?.strip_prefix(", [")?.strip_suffix(close)?;
        let needs: Vec<u32> = match needs {
            "" => Vec::new(),
            n => n
                .split(", ")
                .map(|c| c.strip_prefix("__chunk_")?.parse().ok())
                .collect::<Option<_>>()?,
        };
        let (stem, hash) = file.rsplit_once('.')?;
        let name_like = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        };
        if *build.get_or_insert(hash) != hash || !name_like(stem) || !name_like(hash) {
            return None;
        }
        match (page, id) {
            (None, Some(id)) if needs.is_empty() && stem == format!("chunk_{id}") => {
                chunks.insert(id);
            }
            (Some(page), None) if needs.is_sorted() => pages.push((page, stem, needs)),
            _ => return None,
        }
    }
    let build = build?;
    if !pages
        .iter()
        .all(|(_, _, needs)| needs.iter().all(|n| chunks.contains(n)))
    {
        return None;
    }
    let mut out = format!(
        "{head}const __build = \"{build}\";
function __fetcher(name) {{
    return () => {{
        const src = fetch(new URL(`./${{name}}.${{__build}}.wasm`, import.meta.url));
        return async (imports) => (WebAssembly.instantiateStreaming(src, imports));
    }};
}}
const __chunks = [];
function __chunk(n) {{
    return (__chunks[n] ??= makeLoad(__fetcher(`chunk_${{n}}`), []));
}}
function __needs(ranges) {{
    return ranges === \"\" ? [] : ranges.split(\",\").flatMap((r) => {{
        const [a, b = a] = r.split(\"-\").map(Number);
        return Array.from({{ length: b - a + 1 }}, (_, i) => __chunk(a + i));
    }});
}}
"
    );
    for (page, stem, needs) in pages {
        out.push_str(&format!(
            "export const {page} = wrapAsyncCb(makeLoad(__fetcher(\"{stem}\"), __needs(\"{}\")));\n",
            ranges(&needs)
        ));
    }
    Some(out)
}

/// Sorted numbers as ranges: `[1, 2, 3, 5]` → `"1-3,5"`.
fn ranges(numbers: &[u32]) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let mut j = i;
        while j + 1 < numbers.len() && numbers[j + 1] == numbers[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            numbers[i].to_string()
        } else {
            format!("{}-{}", numbers[i], numbers[j])
        });
        i = j + 1;
    }
    out.join(",")
}

/// Five lines per chunk or page, as the splitter writes them.
#[cfg(test)]
pub(crate) fn verbose(name: &str, file: &str, needs: &[u32], page: bool) -> String {
    let needs: Vec<String> = needs.iter().map(|n| format!("__chunk_{n}")).collect();
    let (open, close) = match page {
        true => (
            format!("export const {name} = wrapAsyncCb(makeLoad(() => {{"),
            "]));",
        ),
        false => (format!("const {name} = makeLoad(() => {{"), "]);"),
    };
    format!(
        "{open}\n{LOADER_FETCH}{file}{LOADER_FETCHED}\n{LOADER_INSTANTIATE}\n}}\n, [{}{close}\n",
        needs.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loader_names_its_chunks_and_pages_as_data() {
        let head =
            "import { initSync } from \"./docket.Jj.js\";\nfunction makeLoad(fetcher, deps) {}\n";
        let mut script = head.to_string();
        for n in [3, 4, 5, 7] {
            script += &verbose(
                &format!("__chunk_{n}"),
                &format!("chunk_{n}.Bb"),
                &[],
                false,
            );
        }
        script += &verbose("__wasm_split_load_a", "split_a.Bb", &[3, 4, 5, 7], true);
        script += &verbose("__wasm_split_load_b", "split_b.Bb", &[], true);
        let compact = compact(&script).expect("the splitter's shape");
        assert!(compact.starts_with(head), "{compact}");
        assert!(compact.contains(COMPACT_MARK));
        assert!(compact.contains("const __build = \"Bb\";"));
        assert!(compact.contains("fetch(new URL(`./${name}.${__build}.wasm`, import.meta.url))"));
        assert!(compact.ends_with(
            "export const __wasm_split_load_a = wrapAsyncCb(makeLoad(__fetcher(\"split_a\"), __needs(\"3-5,7\")));\n\
             export const __wasm_split_load_b = wrapAsyncCb(makeLoad(__fetcher(\"split_b\"), __needs(\"\")));\n"
        ));
        assert!(!compact.contains("__chunk_3"));
        // Once compacted, it is left alone.
        assert_eq!(compact_or_none(&compact), None);

        // Any other shape is left as it is: two builds' names, a chunk a page needs but the
        // loader lacks, a chunk under another name, a line of another kind.
        let two_builds = script.replace("split_b.Bb", "split_b.Cc");
        assert_eq!(compact_or_none(&two_builds), None);
        let missing = script.replace(&verbose("__chunk_7", "chunk_7.Bb", &[], false), "");
        assert_eq!(compact_or_none(&missing), None);
        let renamed = script.replace("chunk_5.Bb", "chunk_6.Bb");
        assert_eq!(compact_or_none(&renamed), None);
        let other = script.replace("instantiateStreaming(src, imports)", "instantiate(src)");
        assert_eq!(compact_or_none(&other), None);
        // A header that declares a name the compact loader adds, or a name JavaScript would
        // not read as it is.
        let clash = script.replace("function makeLoad", "const __needs = 1;\nfunction makeLoad");
        assert_eq!(compact_or_none(&clash), None);
        let quoted = script.replace("split_b.Bb", "split_b\\\".Bb");
        assert_eq!(compact_or_none(&quoted), None);
    }

    fn compact_or_none(script: &str) -> Option<usize> {
        compact(script).map(|s| s.len())
    }

    #[test]
    fn ranges_join_runs_of_numbers() {
        assert_eq!(ranges(&[]), "");
        assert_eq!(ranges(&[4]), "4");
        assert_eq!(ranges(&[1, 2, 3, 5, 7, 8]), "1-3,5,7-8");
    }
}
