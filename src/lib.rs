//! bucket-gallery: drop photos into an object-storage bucket and browse them as a
//! fast gallery. This file is the map. Modules are listed from the bottom of the
//! house up: each imports only those above it in this list (checked by
//! `../shared/tools/import-cycles`), and a request travels the other way, from
//! `server` down to `storage`.

// Both sides: the browser's WASM app and the server.

/// The page's address, from the request on the server and the location in the browser.
pub mod address;
/// The wire contract: the API's types, its error codes, every address and query key.
pub mod api;
/// AVIF or HEIC, from a file's type box.
pub mod brands;
/// Type-erased views that hydrate at once (`into_any` without its asynchronous copy).
pub mod erased;
/// Sizes as people read them ("16 MiB").
pub mod sizes;

// Checks an upload goes through, also built alone for the fuzz targets (`checks`).

/// Checking images as they stream in (size, truncation, hidden files, markup) and
/// taking location metadata out of them.
#[cfg(feature = "checks")]
pub mod inspect;
/// Object names: validated on construction, unique for every upload.
#[cfg(feature = "checks")]
pub mod names;
/// Image types judged from the first bytes of a file, never from its name.
#[cfg(feature = "checks")]
pub mod sniff;

// The server's core: no HTTP framework above this line but the error's status.

/// The bucket's objects newest first, from a listing reused for a few seconds, and
/// pages of them with cursors.
#[cfg(feature = "ssr")]
pub mod catalog;
/// The application error with its status and code; how errors are answered and logged.
#[cfg(feature = "ssr")]
pub mod error;
/// Streaming uploaded files into the bucket, with the limits enforced as they flow.
#[cfg(feature = "ssr")]
pub mod ingest;
/// What is derived from each photo: small copies, a placeholder, its shape and facts.
#[cfg(feature = "ssr")]
pub mod photos;
/// The one seam to the bucket: folder, memory, S3, GCS and Replit behind `Bucket`.
#[cfg(feature = "ssr")]
pub mod storage;

// Features: who may do what, the gallery, uploading. Each owns its server
// functions, its routes (with the layers that guard them) and its components.
// Server-only parts (`auth::policy` and the like) sit below `state`, the rest above.

/// Who may do what: the policy, the guard, signing in; the sign-in page.
pub mod auth;
/// The list and delete server functions, and the gallery page, grid and delete controls.
pub mod gallery;
/// Plain HTTP beside the pages: raw images, health, form answers, security headers.
#[cfg(feature = "ssr")]
pub mod http;
/// What every handler and server function can reach (`AppState`).
#[cfg(feature = "ssr")]
pub mod state;
/// The bar at the top of the gallery: the title, signing in or out.
pub mod top_bar;
/// The upload server function, its routes, and the upload widget.
pub mod upload;

// The whole: pages, settings, assembly.

/// The page shell and the pages, each chosen by its address.
pub mod app;
/// The same bucket from a terminal: `import`, `ls`.
#[cfg(feature = "ssr")]
pub mod cli;
/// Settings from flags and environment variables, translated for each part.
#[cfg(feature = "ssr")]
pub mod config;
/// The parts of the WASM app in chunks of their own, fetched before a page that
/// shows them hydrates.
#[cfg(feature = "hydrate")]
pub mod parts;
/// Whether the server runs on Replit, and the defaults that follow.
#[cfg(feature = "ssr")]
pub mod replit_host;
/// Builds the Axum router from the features' routes and serves it: shared by
/// `main` and the integration tests.
#[cfg(feature = "ssr")]
pub mod server;

/// Entry point of the WASM bundle: hydrates the server-rendered page, once the
/// code of the parts it shows from chunks of their own is here (see `parts`).
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        parts::load_shown().await;
        leptos::mount::hydrate_body(app::App);
    });
}
