//! `GET /healthz`: whether the server runs and the bucket answers, for hosts and
//! monitors; when it does not, 503 with the reason.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// `GET /healthz`: whether the server runs and the bucket answers.
pub async fn health(State(state): State<AppState>) -> Response {
    match state.bucket.check().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(error) => error.into_response(),
    }
}
