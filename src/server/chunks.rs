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

use super::split_loader::{compact, COMPACT_MARK};

/// What `one_build_name` did.
#[derive(Debug, PartialEq, Eq)]
pub struct Named {
    /// How many chunks were renamed: none when the names already share one digest, or carry no
    /// hash at all (a build without `hash-files`, whose loader `compact` then leaves as it is).
    pub renamed: usize,
    /// Whether the loader is now written as data (`split_loader::compact`), by this run or an
    /// earlier one.
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
    use crate::server::split_loader::verbose;

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
