//! The site's own files under `/pkg` (the WASM app, its JavaScript, the
//! stylesheet): sent as compressed at build time (`.br`, `.gz` beside each file,
//! made by `cargo leptos build --release --precompress`) so no request spends CPU
//! compressing them; with hashed names (`hash-files`), cached by browsers for a
//! year and never asked for again, since a new build has new names.

use std::path::Path;

use axum::http::{header, HeaderValue, Response, StatusCode};
use axum::Router;
use leptos::config::LeptosOptions;
use tower::Layer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::state::AppState;

/// For files whose names change with their content.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For files whose names stay: kept, but asked about (If-Modified-Since) each time.
pub const REVALIDATE: &str = "no-cache";

/// `GET /pkg/*`: the site's files, precompressed when the build made them so.
pub fn routes(options: &LeptosOptions) -> Router<AppState> {
    let pkg = &*options.site_pkg_dir;
    let dir = Path::new(&*options.site_root).join(pkg);
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    let policy = HeaderValue::from_static(if options.hash_files {
        IMMUTABLE
    } else {
        REVALIDATE
    });
    // Only what was found is cached: a missing file may appear with the next build.
    let cache =
        SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, move |response: &Response<_>| {
            let found =
                response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED;
            found.then(|| policy.clone())
        });
    Router::new().nest_service(&format!("/{pkg}"), cache.layer(files))
}
