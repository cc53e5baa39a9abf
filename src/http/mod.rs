//! HTTP beside the pages: the raw image route, the health check, server-function
//! routes, plain form answers and the security headers every response carries.

/// Conditional and range requests, judged from an object's metadata.
pub mod conditional;
/// Serving connections: TCP_NODELAY, a header-read timeout, a cap on open ones.
pub mod connections;
/// Plain form posts (no JavaScript): a redirect back to the gallery, not JSON.
pub mod forms;
/// Security headers: the page's Content-Security-Policy, the raw images', the rest.
pub mod headers;
/// `GET /healthz`: whether the bucket answers.
pub mod health;
/// `GET /image/{name}`: raw bytes, type judged from them, ETag, 304.
pub mod image;
/// Server functions on the routes their features declare.
pub mod server_fns;
