//! bucket-gallery: drop photos into an object-storage bucket and browse them as a
//! fast gallery. This file is the map: modules are listed in reading order.

/// The wire contract: the API's types, its error codes, every address and query key.
pub mod api;
/// The page shell and the router: the gallery with its upload widget; sign-in.
pub mod app;
/// Who may do what: the session, sign-in by cookie or bearer token, the guard.
pub mod auth;
/// The list and delete server functions (`/api/images`, `/api/delete`) and the grid.
pub mod gallery;
/// Sizes as people read them ("16 MiB").
pub mod sizes;
/// The upload server function (`POST /api/upload`) and the upload widget.
pub mod upload;

// Everything below runs only on the server.

/// The bucket's objects newest first, from a listing reused for a few seconds.
#[cfg(feature = "ssr")]
pub mod catalog;
/// Settings, from flags and environment variables.
#[cfg(feature = "ssr")]
pub mod config;
/// The application error with its status and code; how errors are answered and logged.
#[cfg(feature = "ssr")]
pub mod error;
/// Plain form posts without JavaScript: a redirect back to the gallery, not JSON.
#[cfg(feature = "ssr")]
pub mod forms;
/// Security headers: the page's Content-Security-Policy, the raw images', the rest.
#[cfg(feature = "ssr")]
pub mod headers;
/// Streaming one uploaded file into the bucket, with the size limit enforced as it flows.
#[cfg(feature = "ssr")]
pub mod ingest;
/// Checking images as they stream in (size, truncation, hidden files, markup) and
/// taking location metadata out of them.
#[cfg(feature = "checks")]
pub mod inspect;
/// Object names: validated on construction, unique for every upload.
#[cfg(feature = "checks")]
pub mod names;
/// Plain Axum routes: raw image bytes and the classic `/upload` form endpoint.
#[cfg(feature = "ssr")]
pub mod routes;
/// Builds the Axum router and serves it: shared by `main` and the integration tests.
#[cfg(feature = "ssr")]
pub mod server;
/// Image types judged from the first bytes of a file, never from its name.
#[cfg(feature = "checks")]
pub mod sniff;
/// The one seam to the bucket: folder, memory, S3, GCS and Replit behind `Bucket`.
#[cfg(feature = "ssr")]
pub mod storage;

/// Entry point of the WASM bundle: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
