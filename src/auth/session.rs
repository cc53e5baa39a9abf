//! `GET /api/session`: what the caller may do, for the page to offer only that,
//! and the upload limits the widget checks before sending (largest file, most pixels).

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use crate::api::codec::Json;
use crate::api::{ApiError, Session};

/// The session of the request.
#[server(prefix = "/api", endpoint = "session", input = GetUrl, output = Json)]
pub async fn current_session() -> Result<Session, ApiError> {
    use crate::auth::guard::Caller;
    use crate::state::AppState;

    let parts = use_context::<axum::http::request::Parts>();
    let state = use_context::<AppState>();
    Ok(match (parts, state) {
        (Some(parts), Some(state)) => Session {
            max_file_bytes: state.limits.max_file_bytes,
            max_pixels: state.limits.max_pixels,
            ..state.policy.session(Caller::of(&parts.extensions).who)
        },
        _ => Session::default(),
    })
}

/// `GET /api/session`, for everyone who may view.
#[cfg(feature = "ssr")]
pub fn routes() -> axum::Router<crate::state::AppState> {
    use crate::api::links;
    use crate::http::server_fns;

    axum::Router::new().route(links::api::SESSION, axum::routing::get(server_fns::answer))
}

#[cfg(test)]
mod tests {
    use leptos::server_fn::ServerFn;

    use super::CurrentSession;
    use crate::api::links;

    #[test]
    fn the_session_address_is_the_server_functions_own() {
        assert_eq!(links::api::SESSION, <CurrentSession as ServerFn>::PATH);
    }
}
