//! The HTTP API as clients meet it: each test starts the real server on port 0 with
//! a fresh bucket folder (or memory) and talks to it over HTTP. Needs nothing
//! running: `cargo test --features ssr`. The suites that need real object stores
//! are the `stores` target.

mod auth;
mod connections;
#[path = "../support/corpus.rs"]
mod corpus;
mod heic;
#[path = "../support/heif.rs"]
mod heif;
// Shared with the `stores` target, which uses other parts of it.
#[allow(dead_code)]
#[path = "../support/helpers.rs"]
mod helpers;
mod hostile;
mod images;
mod index;
mod listing;
#[path = "../support/located.rs"]
mod located;
mod location;
mod photos;
mod serving;
mod uploads;
mod viewer;
