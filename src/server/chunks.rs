//! The split build's chunk names, made cheap to download (a build step, `docket pack-chunks`).
//!
//! cargo-leptos names each chunk by its own content hash (`chunk_42.uLCrT2ILEWgvaie12ICCrw.wasm`),
//! and the split loader, which every page downloads whole, names all 800 of them: 13 of its 22 kB
//! brotli were those hashes, which do not compress. A chunk's number means something only within
//! its build (each build numbers them afresh), so one digest of the whole build serves as well:
//! `chunk_42.{build}.wasm`. Names still change whenever any chunk does, so they are still cached
//! for good. The loader also named, in a comment above each chunk, every page that uses it: half
//! of its bytes, dropped here.
//!
//! The manifest and the loader keep their own names (the server and the page find them by the
//! hash file), though their content changes. So the chunks keep their old names too, as hard
//! links (no copy on disk): a browser or cache that holds this loader as cargo-leptos wrote it
//! (an earlier deploy of the same front end, under the same name, cached for a year) still finds
//! every chunk it names.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io;
use std::path::Path;

/// What `one_build_name` did.
#[derive(Debug, PartialEq, Eq)]
pub struct Named {
    /// How many chunks were renamed: none when the names carry no hash (a build without
    /// `hash-files`) or already share one.
    pub renamed: usize,
    /// Whether the loader is now written as data (`compact`), by this run or an earlier one.
    pub compact: bool,
}

/// Name the chunks of `manifest` (beside it) by one build digest, in the manifest and in the
/// split loader, drop the loader's comments, and write its chunks and pages as data. Run again
/// after a failure, it finishes the job.
pub fn one_build_name(manifest: &Path, loader: &Path) -> io::Result<Named> {
    let dir = manifest.parent().unwrap_or(Path::new("."));
    let entries: HashMap<String, Vec<String>> =
        serde_json::from_str(&std::fs::read_to_string(manifest)?).map_err(io::Error::other)?;
    let mut script = strip_comments(&std::fs::read_to_string(loader)?);
    let renames = renames(&entries);
    for (old, new) in &renames {
        let new_file = dir.join(format!("{new}.wasm"));
        match std::fs::remove_file(&new_file) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        std::fs::hard_link(dir.join(format!("{old}.wasm")), &new_file)?;
        let (from, to) = (format!("\"./{old}.wasm\""), format!("\"./{new}.wasm\""));
        if script.contains(&from) {
            script = script.replace(&from, &to);
        } else if !script.contains(&to) {
            return Err(io::Error::other(format!(
                "the split loader does not fetch {old}"
            )));
        }
    }
    let renamed: BTreeMap<&String, Vec<&str>> = entries
        .iter()
        .map(|(id, chunks)| {
            let names = chunks
                .iter()
                .map(|c| renames.get(c.as_str()).map_or(c.as_str(), String::as_str));
            (id, names.collect())
        })
        .collect();
    replace(loader, script.as_bytes())?;
    replace(
        manifest,
        &serde_json::to_vec(&renamed).map_err(io::Error::other)?,
    )?;
    // Last, so that a run stopped before it finds the names it renames, and a run after it
    // finds nothing left to rename.
    let compact = match compact(&script) {
        Some(compact) => {
            replace(loader, compact.as_bytes())?;
            true
        }
        None => script.contains(COMPACT_MARK),
    };
    Ok(Named {
        renamed: renames.len(),
        compact,
    })
}

/// Old name → new name, for every chunk, when they carry content hashes that differ.
fn renames(entries: &HashMap<String, Vec<String>>) -> BTreeMap<&str, String> {
    let names: BTreeSet<&str> = entries.values().flatten().map(String::as_str).collect();
    let split: Option<Vec<(&str, &str, &str)>> = names
        .iter()
        .map(|n| n.rsplit_once('.').map(|(stem, hash)| (*n, stem, hash)))
        .collect();
    let Some(split) = split else {
        return BTreeMap::new();
    };
    let hashes: BTreeSet<&str> = split.iter().map(|(_, _, hash)| *hash).collect();
    let stems: BTreeSet<&str> = split.iter().map(|(_, stem, _)| *stem).collect();
    // One hash is already one build's name. Two names with one stem (a manifest of two builds)
    // would become one: left as they are.
    if hashes.len() < 2 || stems.len() != split.len() {
        return BTreeMap::new();
    }
    let build = crate::server::pack::digest_of_names(names.iter().copied());
    split
        .into_iter()
        .map(|(name, stem, _)| (name, format!("{stem}.{build}")))
        .collect()
}

/// The loader without its whole-line `/* … */` comments.
fn strip_comments(script: &str) -> String {
    script
        .lines()
        .filter(|l| !(l.starts_with("/* ") && l.ends_with(" */")))
        .flat_map(|l| [l, "\n"])
        .collect()
}

/// One loader of the split build, as `wasm_split_cli_support` writes it: per chunk, and per page
/// (an export), five lines of which only the file's name and the chunks it needs differ.
/// `compact` declares these names beside the header it keeps.
const COMPACT_NAMES: [&str; 4] = ["__build", "__fetcher", "__chunk", "__needs"];
/// What only a compacted loader has.
const COMPACT_MARK: &str = "\nfunction __needs(ranges) {";
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
fn compact(script: &str) -> Option<String> {
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

/// Write `path` whole or not at all: a reader never sees half a file under its name, and a
/// failed write leaves nothing behind.
pub(crate) fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_take_one_name_for_the_build_everywhere_they_are_named() {
        let dir = std::env::temp_dir().join(format!("docket-chunks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("chunk_1.Aa.wasm"), b"one").unwrap();
        std::fs::write(dir.join("split_x.Bb.wasm"), b"two").unwrap();
        let manifest = dir.join("__wasm_split_manifest.Mm.json");
        let as_built = r#"{"x":["chunk_1.Aa","split_x.Bb"],"y":["chunk_1.Aa"]}"#;
        std::fs::write(&manifest, as_built).unwrap();
        let loader = dir.join("__wasm_split.Ll.js");
        std::fs::write(
            &loader,
            "/* x, y */\nconst a = fetch(new URL(\"./chunk_1.Aa.wasm\", u));\n/* x */\nfetch(new URL(\"./split_x.Bb.wasm\", u)); /* kept */\n",
        )
        .unwrap();

        // This loader is not in the splitter's shape: renamed, but not written as data.
        let named = one_build_name(&manifest, &loader).unwrap();
        assert_eq!((named.renamed, named.compact), (2, false));
        let m: HashMap<String, Vec<String>> =
            serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
        let one = &m["y"][0];
        let (stem, build) = one.rsplit_once('.').unwrap();
        assert_eq!((stem, build.len()), ("chunk_1", 22));
        assert_eq!(m["x"], [one.clone(), format!("split_x.{build}")]);
        assert_eq!(
            std::fs::read(dir.join(format!("{one}.wasm"))).unwrap(),
            b"one"
        );
        // The old names still work, for a loader cached as cargo-leptos wrote it.
        assert_eq!(std::fs::read(dir.join("chunk_1.Aa.wasm")).unwrap(), b"one");
        let rewritten = format!("const a = fetch(new URL(\"./{one}.wasm\", u));\nfetch(new URL(\"./split_x.{build}.wasm\", u)); /* kept */\n");
        assert_eq!(std::fs::read_to_string(&loader).unwrap(), rewritten);

        // Again: the names already share the build's digest.
        assert_eq!(one_build_name(&manifest, &loader).unwrap().renamed, 0);
        // Stopped after the loader but before the manifest: run again, it finishes.
        std::fs::write(&manifest, as_built).unwrap();
        assert_eq!(one_build_name(&manifest, &loader).unwrap().renamed, 2);
        assert_eq!(std::fs::read_to_string(&loader).unwrap(), rewritten);
        let again: HashMap<String, Vec<String>> =
            serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
        assert_eq!(again, m);
        std::fs::remove_dir_all(dir).unwrap();
    }

    /// Five lines per chunk or page, as the splitter writes them.
    fn verbose(name: &str, file: &str, needs: &[u32], page: bool) -> String {
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

    #[test]
    fn a_loader_in_the_splitters_shape_is_renamed_then_written_as_data_once() {
        let dir = std::env::temp_dir().join(format!("docket-compact-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["chunk_1.Aa", "chunk_2.Cc", "split_x.Bb"] {
            std::fs::write(dir.join(format!("{f}.wasm")), f).unwrap();
        }
        let manifest = dir.join("__wasm_split_manifest.Mm.json");
        std::fs::write(
            &manifest,
            r#"{"x":["chunk_1.Aa","chunk_2.Cc","split_x.Bb"]}"#,
        )
        .unwrap();
        let loader = dir.join("__wasm_split.Ll.js");
        let mut script = String::from("/* x */\nfunction makeLoad(fetcher, deps) {}\n");
        script += &verbose("__chunk_1", "chunk_1.Aa", &[], false);
        script += &verbose("__chunk_2", "chunk_2.Cc", &[], false);
        script += &verbose("__wasm_split_load_x", "split_x.Bb", &[1, 2], true);
        std::fs::write(&loader, &script).unwrap();

        let named = one_build_name(&manifest, &loader).unwrap();
        assert_eq!((named.renamed, named.compact), (3, true));
        let written = std::fs::read_to_string(&loader).unwrap();
        let m: HashMap<String, Vec<String>> =
            serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
        let build = m["x"][0].rsplit_once('.').unwrap().1;
        assert!(
            written.contains(&format!("const __build = \"{build}\";")),
            "{written}"
        );
        assert!(
            written.contains("__fetcher(\"split_x\"), __needs(\"1-2\")"),
            "{written}"
        );
        assert!(!written.contains("/* x */"));
        // Again: nothing to rename, still written as data, and left as it was.
        let again = one_build_name(&manifest, &loader).unwrap();
        assert_eq!((again.renamed, again.compact), (0, true));
        assert_eq!(std::fs::read_to_string(&loader).unwrap(), written);
        std::fs::remove_dir_all(dir).unwrap();
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

    #[test]
    fn unhashed_or_colliding_names_stay() {
        let entries = HashMap::from([("x".to_string(), vec!["chunk_1".to_string()])]);
        assert!(renames(&entries).is_empty());
        let two_builds = HashMap::from([(
            "x".to_string(),
            vec!["chunk_1.Aa".to_string(), "chunk_1.Bb".to_string()],
        )]);
        assert!(renames(&two_builds).is_empty());
    }
}
