//! The compiled site's assets (`/pkg`: the WebAssembly app, its JavaScript and the stylesheet),
//! served by the binary itself: precompressed (brotli, then gzip, as the browser accepts; the
//! build writes the `.br`/`.gz` files beside each asset), and, when their names carry a content
//! hash, cached by browsers for a year so a repeat visit downloads none of them.

use std::path::Path;

use axum::http::{header, HeaderValue};
use axum::Router;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Whether the build named the assets by content hash (cargo-leptos `hash-files`), which it
/// records in `hash.txt` beside the server binary.
pub fn hashed() -> bool {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("hash.txt")))
        .is_some_and(|f| f.is_file())
}

/// `/pkg/*` from `<site root>/pkg`.
pub fn routes<S: Clone + Send + Sync + 'static>(
    site_root: &str,
    pkg_dir: &str,
    hashed: bool,
) -> Router<S> {
    let dir = Path::new(site_root).join(pkg_dir);
    let cache = if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Router::new().nest_service(
        &format!("/{pkg_dir}"),
        tower::ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache),
            ))
            .service(ServeDir::new(dir).precompressed_br().precompressed_gzip()),
    )
}
