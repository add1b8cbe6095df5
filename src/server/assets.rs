//! The compiled site's assets (`/pkg`: the WebAssembly app, its JavaScript and the stylesheet),
//! served by the binary itself: precompressed (brotli, then gzip, as the browser accepts; the
//! build writes the `.br`/`.gz` files beside each asset), and, when their names carry a content
//! hash, cached by browsers for a year so a repeat visit downloads none of them.

use std::path::Path;

use axum::http::{header, HeaderValue, Response, StatusCode};
use axum::Router;
use tower_http::services::fs::ServeFileSystemResponseBody;
use tower_http::services::ServeDir;

/// Whether the build named the assets by content hash (cargo-leptos `hash-files`), which it
/// records in the hash file (`hash.txt`) beside the server binary. An explicit
/// `LEPTOS_HASH_FILES` wins.
pub fn hashed(hash_file: &str) -> bool {
    if let Ok(v) = std::env::var("LEPTOS_HASH_FILES") {
        return v == "true";
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(hash_file)))
        .is_some_and(|f| f.is_file())
}

/// `/pkg/*` from `<site root>/pkg`. Only a found file is cacheable: a 404 during a rolling
/// deploy (a new name asked of an old replica) must not be kept for a year.
pub fn routes<S: Clone + Send + Sync + 'static>(
    site_root: &str,
    pkg_dir: &str,
    hashed: bool,
) -> Router<S> {
    let dir = Path::new(site_root).join(pkg_dir);
    super::pack::set_dir(dir.clone());
    let cache = if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Router::new().nest_service(
        &format!("/{pkg_dir}"),
        tower::ServiceBuilder::new()
            .map_response(move |mut res: Response<ServeFileSystemResponseBody>| {
                let ok = res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED;
                let value = if ok { cache } else { "no-store" };
                let h = res.headers_mut();
                h.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
                // Brotli, gzip or plain by what the browser accepts: caches must keep them apart.
                h.append(header::VARY, HeaderValue::from_static("accept-encoding"));
                res
            })
            .service(ServeDir::new(dir).precompressed_br().precompressed_gzip()),
    )
}
