//! HTTP beside the pages: the raw image route, the health check, server-function
//! routes, plain form answers and the security headers every response carries.

/// The script that starts the WASM app once the page has loaded.
pub mod app_start;
/// The site's own files under `/pkg`: precompressed, cached for good when hashed.
pub mod assets;
/// Conditional and range requests, judged from an object's metadata.
pub mod conditional;
/// Serving connections: TCP_NODELAY, a header-read timeout, a cap on open ones.
pub mod connections;
/// `GET /derived/{version}/{edge}/{name}`: a photo's small copies, cached for good.
pub mod derived;
/// `GET /download/{name}`: an object's bytes to keep, under its uploaded name.
pub mod download;
/// Plain form posts (no JavaScript): a redirect back to the gallery, not JSON.
pub mod forms;
/// Security headers: the page's Content-Security-Policy, the raw images', the rest.
pub mod headers;
/// `GET /healthz`: whether the bucket answers.
pub mod health;
/// Small hot objects kept in memory within a byte budget.
pub mod hot_objects;
/// `GET /image/{name}`: raw bytes, type judged from them, ETag, 304, ranges.
pub mod image;
/// Server functions on the routes their features declare.
pub mod server_fns;
/// The names cargo-leptos gave the site's files (by their hashes).
pub mod site_files;
/// The site's stylesheet, written into each page's head.
pub mod stylesheet;
