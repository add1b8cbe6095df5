//! The places where a view talks to the HTTP response it is rendered into. They do nothing in
//! the browser.

#[allow(unused_variables)]
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = axum::http::StatusCode::from_u16(code) {
            res.set_status(status);
        }
    }
}

/// Give this page the script nonce its response's CSP allows (made by
/// `server::http::security_headers`). Nothing in the browser.
pub fn provide_csp_nonce() {
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::*;
        let nonce = use_context::<axum::http::request::Parts>()
            .and_then(|p| p.extensions.get::<crate::server::http::CspNonce>().cloned());
        match nonce {
            Some(n) => {
                let res = use_context::<leptos_axum::ResponseOptions>();
                if let (Some(res), Ok(mark)) = (res, axum::http::HeaderValue::from_str(&n.0)) {
                    use axum::http::HeaderName;
                    res.insert_header(
                        HeaderName::from_static(crate::server::http::RENDER_MARK),
                        mark,
                    );
                }
                provide_context(leptos::nonce::Nonce::from_value(n.0))
            }
            None => tracing::warn!("page rendered without its request's script nonce"),
        }
    }
}

/// Share one transaction among the server functions this page render calls (see
/// `auth::caller::PageScope`). Nothing in the browser.
pub fn provide_page_scope() {
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::{provide_context, use_context};
        let scope = use_context::<axum::http::request::Parts>().and_then(|p| {
            p.extensions
                .get::<crate::auth::caller::PageScope>()
                .cloned()
        });
        if let Some(scope) = scope {
            provide_context(scope);
        }
    }
}

/// What the server learnt about this page view before rendering it: the session and the form
/// flash (both put in the request's extensions by `server::page`). Nothing in the browser.
pub fn request_seed() -> super::PageSeed {
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::use_context;
        let parts = use_context::<axum::http::request::Parts>();
        let state = use_context::<crate::server::AppState>();
        let get = |p: &axum::http::request::Parts| {
            let session = p.extensions.get::<crate::auth::SessionInfo>().cloned();
            let sign_in = match (&session, state.as_ref().and_then(|s| s.supabase.as_ref())) {
                (None, Some(supabase)) => Some(crate::auth::SignInOptions {
                    providers: supabase
                        .providers()
                        .into_iter()
                        .map(|p| {
                            let label = crate::auth::provider_label(&p);
                            (p, label)
                        })
                        .collect(),
                    email_link: supabase.email_link(),
                }),
                _ => None,
            };
            super::PageSeed {
                session,
                flash: p.extensions.get::<super::FormFlash>().cloned(),
                sign_in,
            }
        };
        parts.as_ref().map(get).unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    super::PageSeed::default()
}

/// Preload the WebAssembly chunks of the lazy page being rendered, so the browser fetches them
/// while the main module loads instead of after it has started. Called by each lazy route as it
/// renders. Nothing in the browser.
///
/// Leptos would add these links itself once the body is rendered, but it reads the page's
/// contexts there outside the page's reactive owner: under concurrent renders the links went
/// missing ("tried to use a leptos_meta component without `ServerMetaContext`", ~900 times in a
/// load run) or into another page's head. Taking the page's lazy functions here, in its owner,
/// leaves Leptos nothing to add.
///
/// A page needs 50 to 470 chunks. As one `<link rel="preload">` element each, rendered per
/// request, they were 9% of the server's CPU on the matter list and 23 kB of its 54 kB of HTML;
/// they are now fetched by a small script in the head (they only serve the WebAssembly, which
/// needs script anyway), whose text is built once per set of lazy functions. The script fetches
/// the page's chunks as one pack when the build wrote one (`server::pack`: compressed together
/// they cost a half to two thirds of what they cost file by file), and preloads any other.
pub fn preload_page_chunks() {
    #[cfg(feature = "ssr")]
    {
        use leptos::prelude::*;
        use leptos::{PrefetchLazyFn, WasmSplitManifest};
        use leptos_meta::Script;
        let Some(prefetches) = use_context::<PrefetchLazyFn>() else {
            return;
        };
        let Some(lazy) = prefetches
            .0
            .try_write_value()
            .map(|mut set| std::mem::take(&mut *set))
        else {
            return;
        };
        if lazy.is_empty() {
            return;
        }
        let Some(manifest) = use_context::<WasmSplitManifest>() else {
            return;
        };
        let script = manifest
            .0
            .with_value(|(pkg, chunks, split_js)| preload_script(&lazy, pkg, chunks, split_js));
        // `to_html` of a head element registers it with the page's head.
        _ = view! { <Script>{script}</Script> }.to_html();
    }
}

/// The script that preloads what `lazy` needs, built once per set of lazy functions (a route
/// renders the same set every time; the manifest is fixed for the life of the process).
#[cfg(feature = "ssr")]
fn preload_script(
    lazy: &std::collections::HashSet<&'static str>,
    pkg: &str,
    chunks: &std::collections::HashMap<String, Vec<String>>,
    split_js: &str,
) -> std::sync::Arc<str> {
    use std::collections::HashMap;
    use std::sync::{Arc, LazyLock, RwLock};
    type Cache = RwLock<HashMap<Box<[&'static str]>, Arc<str>>>;
    static CACHE: LazyLock<Cache> = LazyLock::new(Default::default);
    let mut key: Vec<&'static str> = lazy.iter().copied().collect();
    key.sort_unstable();
    if let Some(hit) = CACHE
        .read()
        .ok()
        .and_then(|c| c.get(key.as_slice()).cloned())
    {
        return hit;
    }
    // The pack of the lazy function with the most chunks (the page itself), if there is one.
    let pack = key
        .iter()
        .filter_map(|id| chunks.get(*id))
        .max_by_key(|c| c.len())
        .and_then(|c| crate::server::pack::on_disk(c));
    let mut rest: Vec<&str> = key
        .iter()
        .flat_map(|id| chunks.get(*id).into_iter().flatten())
        .map(String::as_str)
        .filter(|m| {
            pack.as_ref()
                .is_none_or(|(_, members)| members.binary_search(m).is_err())
        })
        .collect();
    rest.sort_unstable();
    rest.dedup();
    let pack = pack
        .as_ref()
        .map(|(name, members)| (name.as_str(), members.as_slice()));
    let script: Arc<str> = preload_js(pkg, pack, &rest, split_js).into();
    if let Ok(mut cache) = CACHE.write() {
        // The sets are the routes' (a few dozen); the bound only guards against surprises.
        if cache.len() < 512 {
            cache.insert(key.into(), script.clone());
        }
    }
    script
}

/// The script (`preload.js`, called with this page's names): the pack is fetched at once, and
/// the split loader's fetches of its chunks (the global `fetch`, with their URLs) are answered
/// from it; a pack that fails (a network error, another build's) leaves each of those fetches to
/// the network. Once every chunk of the pack has been asked for, the browser's own `fetch` is put
/// back. Chunks outside the pack get a `<link rel="preload">` each, the split loader a
/// `<link rel="modulepreload">`.
///
/// The chunks are named once per page view, in its HTML: a page's hundreds of names shared one
/// suffix (the build's digest, `server::chunks`), so it is given once, and `chunk_42` is given
/// as `42` (a matter's page: 15 kB of names became 2).
///
/// File names are the build's own (letters, digits, `_`, `-`, `.`); JSON quoting keeps anything
/// else inert, and no `<` is left for the HTML parser (`</script` or `<!--` inside a script
/// would end or derail it).
#[cfg(feature = "ssr")]
fn preload_js(pkg: &str, pack: Option<(&str, &[&str])>, rest: &[&str], split_js: &str) -> String {
    fn json<T: serde::Serialize + ?Sized>(v: &T) -> String {
        // Strings, numbers, lists of them and null: serializing them cannot fail.
        serde_json::to_string(v)
            .unwrap_or_else(|_| "null".into())
            .replace('<', "\\u003c")
    }
    let (name, members) = pack.unzip();
    let members = members.unwrap_or_default();
    let all = || rest.iter().chain(members);
    // The suffix every name shares (".{digest}"), if they do.
    let suffix = all()
        .next()
        .and_then(|n| n.rfind('.').map(|i| &n[i..]))
        .filter(|s| all().all(|n| n.len() > s.len() && n.ends_with(s)))
        .unwrap_or("");
    let short = |names: &[&str]| -> Vec<serde_json::Value> {
        names
            .iter()
            .map(|n| {
                let stem = &n[..n.len() - suffix.len()];
                match stem.strip_prefix("chunk_").map(str::parse::<u32>) {
                    Some(Ok(k)) if format!("chunk_{k}") == stem => k.into(),
                    _ => stem.into(),
                }
            })
            .collect()
    };
    format!(
        "{}({},{},{},{},{},{})",
        PRELOAD_JS.trim_end(),
        json(pkg),
        json(suffix),
        json(&short(rest)),
        json(&name),
        json(&short(members)),
        json(split_js),
    )
}

#[cfg(feature = "ssr")]
const PRELOAD_JS: &str = include_str!("preload.js");

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::preload_js;

    /// The names `preload.js` rebuilds from its arguments (`rest`, then the pack's members): a
    /// number `n` is `chunk_n`, a string its stem, and either is followed by the suffix.
    fn as_the_script_reads(js: &str) -> (Vec<String>, Vec<String>) {
        let args = &js[js.rfind("})(").expect("called") + 2..];
        let args: Vec<serde_json::Value> =
            serde_json::from_str(&format!("[{}]", &args[1..args.len() - 1])).expect("JSON");
        let sfx = args[1].as_str().expect("a suffix");
        let names = |v: &serde_json::Value| -> Vec<String> {
            v.as_array()
                .expect("a list")
                .iter()
                .map(|m| match m {
                    serde_json::Value::Number(n) => format!("chunk_{n}{sfx}"),
                    m => format!("{}{sfx}", m.as_str().expect("a name")),
                })
                .collect()
        };
        (names(&args[2]), names(&args[4]))
    }

    #[test]
    fn the_preload_script_names_every_module_and_cannot_close_its_tag() {
        let js = preload_js(
            "/pkg",
            Some(("pack.Xy.bin", &["chunk_1.aB-_x", "chunk_2.Cd"])),
            &["chunk_3.Gh"],
            "__wasm_split.Ef.js",
        );
        let args = r#"("/pkg","",["chunk_3.Gh"],"pack.Xy.bin",["chunk_1.aB-_x","chunk_2.Cd"],"__wasm_split.Ef.js")"#;
        assert!(js.ends_with(args), "{js}");
        let unpacked = preload_js("/pkg", None, &["chunk_3.Gh"], "x.js");
        assert!(
            unpacked.ends_with(r#"("/pkg",".Gh",[3],null,[],"x.js")"#),
            "{unpacked}"
        );
        // One build's names: their digest once, a chunk by its number, anything else by its stem.
        let one_build = preload_js(
            "/pkg",
            Some(("pack.Xy.bin", &["chunk_1.B", "chunk_10.B", "split_x.B"])),
            &["chunk_007.B", "chunk_3.B"],
            "x.js",
        );
        let args = r#"("/pkg",".B",["chunk_007",3],"pack.Xy.bin",[1,10,"split_x"],"x.js")"#;
        assert!(one_build.ends_with(args), "{one_build}");
        // Names without a digest: no suffix, and still chunks by their numbers.
        let plain = preload_js("/pkg", None, &["chunk_3", "split_x"], "x.js");
        assert!(
            plain.ends_with(r#"("/pkg","",[3,"split_x"],null,[],"x.js")"#),
            "{plain}"
        );
        assert!(!super::PRELOAD_JS.contains('<'));

        // Whatever the names, the script gets back exactly the ones it was given, in order.
        let cases: [(&[&str], &[&str]); 6] = [
            (&["chunk_10.B", "chunk_9.B"], &["chunk_3.B", "split_x.B"]),
            (&["chunk_+3.B", "chunk_007.B", "chunk_.B"], &[".B"]),
            (&["chunk_4294967296.B", "chunk_18446744073709551615.B"], &[]),
            (&["a.b.B", "chunk_1.x.B"], &["chunk_2.AB"]),
            (&["chunk_1.A", "chunk_2.B"], &["x."]),
            (&[], &["chunk_0"]),
        ];
        for (members, rest) in cases {
            let js = preload_js("/pkg", Some(("pack.P.bin", members)), rest, "x.js");
            let (got_rest, got_members) = as_the_script_reads(&js);
            assert_eq!(got_rest, rest, "{js}");
            assert_eq!(got_members, members, "{js}");
        }
        let hostile = preload_js(
            "/pkg",
            None,
            &["</script><script>alert(1)</script>"],
            "x.js",
        );
        assert!(!hostile.contains('<'), "{hostile}");
        assert!(hostile.contains(r#"\u003c/script>"#), "{hostile}");
    }
}
