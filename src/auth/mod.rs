//! Who may do what. Viewing is public unless `PRIVATE` is set; uploading and
//! deleting need the admin: signed in with `ADMIN_TOKEN` (a signed, HttpOnly,
//! SameSite cookie) or sending it as `Authorization: Bearer`. `PUBLIC_UPLOADS` lets
//! anyone upload (never delete), a few requests a minute per client. Every request
//! that changes something must come from this site's own pages (Origin/Referer),
//! besides the cookie's SameSite.

use leptos::server;
use leptos::server_fn::codec::GetUrl;

use crate::api::{ApiError, Session};

/// The session of the request.
#[server(prefix = "/api", endpoint = "session", input = GetUrl)]
pub async fn current_session() -> Result<Session, ApiError> {
    use leptos::prelude::*;
    let parts = use_context::<axum::http::request::Parts>();
    let policy = use_context::<crate::server::AppState>().map(|state| state.policy);
    Ok(match (parts, policy) {
        (Some(parts), Some(policy)) => policy.session(ssr::who(&parts.extensions)),
        _ => Session::default(),
    })
}

#[cfg(feature = "ssr")]
mod origin;
#[cfg(feature = "ssr")]
mod sign_in;
#[cfg(feature = "ssr")]
pub mod ssr;
