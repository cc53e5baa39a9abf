//! Who may do what. Viewing is public unless `PRIVATE` is set; uploading and
//! deleting need the admin: signed in with `ADMIN_TOKEN` (a signed, HttpOnly
//! cookie naming a session kept in the bucket, which signing out ends) or sending
//! it as `Authorization: Bearer`. `PUBLIC_UPLOADS` lets
//! anyone upload (never delete), a few requests a minute per client. Every request
//! that changes something must come from this site's own pages (Origin/Referer),
//! besides the cookie's SameSite.

/// The sign-in page (both sides).
pub mod page;
/// `GET /api/session`: what the caller may do (both sides).
pub mod session;

/// The decisions applied: the layer around every request, and the route layers.
#[cfg(feature = "ssr")]
pub mod guard;
/// Whether a request comes from this site's own pages.
#[cfg(feature = "ssr")]
pub mod origin;
/// The decisions: who is the admin, who may view, upload, delete; per-client limits.
#[cfg(feature = "ssr")]
pub mod policy;
/// The admin token and the made-up one, never printed by accident.
#[cfg(feature = "ssr")]
pub mod secret;
/// Sessions the server can end, kept in the bucket.
#[cfg(feature = "ssr")]
pub mod sessions;
/// Signing in and out: the form, the printed link, the cookie.
#[cfg(feature = "ssr")]
pub mod sign_in;
