//! A page's WebAssembly chunks in one file: the packs.
//!
//! The split build (`cargo leptos build --split`) gives a page 50 to 470 chunk files, most under
//! 1 kB. Compressed one by one they cost far more than compressed together (the sign-in page's
//! 67 chunks: 64 kB brotli file by file, 44 kB as one file; a matter's 465: 514 kB and 335 kB),
//! because each small file starts with an empty compression window. So the release build writes,
//! for each lazy page of the split manifest, one pack of all its chunks (`docket pack-chunks`,
//! run by `tools/dev.sh`, before the assets are precompressed), and the page's head fetches that
//! pack and answers the split loader's fetches of those chunks from it (see
//! `ui::preload_page_chunks`).
//!
//! A pack is a static file beside the chunks, `pack.{digest}.bin`: each chunk in the order of
//! their names, as its length (4 bytes, little-endian) and its bytes. Its name is a digest of
//! its chunks' names, which carry their build's digest (`server::chunks`), so it changes whenever
//! a chunk does and is cached like any other asset. Chunks over 128 kB stay out (`LARGE`). A page
//! without a pack on disk (a build without them) fetches its chunks one by one as before.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// A chunk larger than this stays out of packs: it compresses as well alone, and fetched by its
/// own URL it compiles while it downloads and the browser keeps its compiled code (a module made
/// from a pack has no URL to keep it under). A page's own module is often one (a matter's is
/// 446 kB).
const LARGE: u64 = 128 * 1024;

/// The chunks of a manifest entry that go in its pack (those in `dir` no larger than `LARGE`),
/// sorted and without repeats: the order of the pack's parts.
pub fn members<'a>(dir: &Path, chunks: &'a [String]) -> io::Result<Vec<&'a str>> {
    let mut members = Vec::with_capacity(chunks.len());
    for c in chunks {
        if std::fs::metadata(dir.join(format!("{c}.wasm")))?.len() <= LARGE {
            members.push(c.as_str());
        }
    }
    members.sort_unstable();
    members.dedup();
    Ok(members)
}

/// The file name of the pack of `members` (sorted, as `members` gives them).
pub fn file_name(members: &[&str]) -> String {
    format!("pack.{}.bin", digest_of_names(members.iter().copied()))
}

/// 22 base64url characters of SHA-256 over the names, each ended by a newline: the pack's name
/// here, the build's in `server::chunks`.
pub(crate) fn digest_of_names<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    use sha2::{Digest, Sha256};
    let mut digest = Sha256::new();
    for n in names {
        digest.update(n.as_bytes());
        digest.update(b"\n");
    }
    URL_SAFE_NO_PAD.encode(&digest.finalize()[..16])
}

/// Each part as its length (4 bytes, little-endian) and its bytes, from `<dir>/<member>.wasm`.
pub fn contents(dir: &Path, members: &[&str]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    for m in members {
        let bytes = std::fs::read(dir.join(format!("{m}.wasm")))?;
        let len = u32::try_from(bytes.len()).map_err(io::Error::other)?;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&bytes);
    }
    Ok(out)
}

/// `docket pack-chunks MANIFEST`: write the pack of every entry of the split manifest beside
/// it. Returns how many packs were written.
pub fn write_all(manifest: &Path) -> io::Result<usize> {
    let dir = manifest.parent().unwrap_or(Path::new("."));
    let text = std::fs::read_to_string(manifest)?;
    let entries: HashMap<String, Vec<String>> =
        serde_json::from_str(&text).map_err(io::Error::other)?;
    let mut written = 0;
    for chunks in entries.values() {
        let members = members(dir, chunks)?;
        if members.len() < 2 {
            continue;
        }
        let path = dir.join(file_name(&members));
        let bytes = contents(dir, &members)?;
        // Left alone when it holds the same bytes, so its compressed copies stay current.
        if std::fs::read(&path).ok().as_deref() != Some(&bytes[..]) {
            crate::server::chunks::replace(&path, &bytes)?;
            written += 1;
        }
    }
    Ok(written)
}

/// Where the served chunks are on disk (`<site root>/<pkg dir>`); set when the router is built.
static DIR: OnceLock<PathBuf> = OnceLock::new();

pub fn set_dir(dir: PathBuf) {
    _ = DIR.set(dir);
}

/// The pack of a manifest entry's chunks and its members, if the build wrote one. Callers keep
/// the answer (`ui::preload_page_chunks` builds a page's script once): the site does not change
/// under a running process.
pub fn on_disk(chunks: &[String]) -> Option<(String, Vec<&str>)> {
    let dir = DIR.get()?;
    let members = members(dir, chunks).ok()?;
    let name = file_name(&members);
    dir.join(&name).is_file().then_some((name, members))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pack_holds_each_chunk_after_its_length_in_the_order_of_their_names() {
        let dir = std::env::temp_dir().join(format!("docket-pack-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.wasm"), b"AAA").unwrap();
        std::fs::write(dir.join("b.wasm"), b"").unwrap();
        std::fs::write(dir.join("c.wasm"), b"C").unwrap();
        std::fs::write(dir.join("big.wasm"), vec![0; LARGE as usize + 1]).unwrap();
        let manifest = dir.join("__wasm_split_manifest.json");
        std::fs::write(
            &manifest,
            r#"{"one":["c","a","c","big"],"two":["b","a"],"alone":["b","big"],"none":[]}"#,
        )
        .unwrap();

        assert_eq!(
            write_all(&manifest).unwrap(),
            2,
            "a pack of one chunk is no pack"
        );
        let one = std::fs::read(dir.join(file_name(&["a", "c"]))).unwrap();
        assert_eq!(
            one,
            [&3u32.to_le_bytes()[..], b"AAA", &1u32.to_le_bytes(), b"C"].concat()
        );
        let two = std::fs::read(dir.join(file_name(&["a", "b"]))).unwrap();
        assert_eq!(
            two,
            [&3u32.to_le_bytes()[..], b"AAA", &0u32.to_le_bytes()].concat()
        );
        assert_eq!(
            write_all(&manifest).unwrap(),
            0,
            "packs already written are kept"
        );
        std::fs::write(dir.join("c.wasm"), b"CC").unwrap();
        assert_eq!(
            write_all(&manifest).unwrap(),
            1,
            "a pack whose chunk changed is rewritten"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_pack_is_named_by_its_chunks() {
        let ac = file_name(&["a", "c"]);
        assert_ne!(ac, file_name(&["a", "b"]));
        assert_ne!(file_name(&["ab"]), file_name(&["a", "b"]));
        assert!(
            ac.starts_with("pack.") && ac.ends_with(".bin") && ac.len() == 5 + 22 + 4,
            "{ac}"
        );
    }
}
