//! Answers a server function on the route its feature declares (with that
//! route's own layers), with the app state in its context. The assembly keeps
//! Leptos from registering these routes itself.

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use leptos::prelude::provide_context;

use crate::state::AppState;

/// Runs the server function the request's path names.
pub async fn answer(State(state): State<AppState>, request: Request) -> Response {
    leptos_axum::handle_server_fns_with_context(move || provide_context(state.clone()), request)
        .await
        .into_response()
}
