//! How an error leaves the server: the answer the client gets (JSON with the
//! status, a request id on server-side failures) and the one log line it leaves.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::Error;
use crate::api::ApiError;

impl Error {
    /// Everything needed to answer and to log this error.
    pub fn report(&self) -> Report {
        let mut chain = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            // Many errors (object_store's among them) already print their causes.
            let text = cause.to_string();
            if !chain.contains(&text) {
                chain.push_str(": ");
                chain.push_str(&text);
            }
            source = cause.source();
        }
        Report {
            status: self.status_code(),
            api: self.to_api(),
            chain,
        }
    }

    /// Logs the error (for the paths that answer with something else, a redirect).
    pub fn log(&self) {
        self.report().log();
    }
}

/// An error on its way out: what the client is told, and what the log keeps.
#[derive(Debug, Clone)]
pub struct Report {
    pub status: StatusCode,
    pub api: ApiError,
    /// The error and all its causes.
    pub chain: String,
}

impl Report {
    /// Server-side failures with their whole cause chain; the user's at debug.
    pub fn log(&self) {
        if self.status.is_server_error() {
            tracing::error!(code = ?self.api.code, "{}", self.chain);
        } else {
            tracing::debug!(code = ?self.api.code, "refused: {}", self.chain);
        }
    }

    /// A server-side failure names its request, so a user can point to its log lines.
    pub fn for_request(mut self, request_id: Option<&str>) -> Self {
        if let (true, Some(id)) = (self.status.is_server_error(), request_id) {
            self.api.message = format!("{} (request {id})", self.api.message);
        }
        self
    }
}

/// The JSON error, with the [`Report`] riding along in the response's extensions
/// for [`report_errors`]: logging happens there, once, so this has no side effects.
impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let report = self.report();
        let mut response = (report.status, axum::Json(report.api.clone())).into_response();
        if let Error::RateLimited { retry_after } = &self {
            let seconds = retry_after.as_secs().max(1).to_string();
            if let Ok(value) = axum::http::HeaderValue::from_str(&seconds) {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, value);
            }
        }
        response.extensions_mut().insert(report);
        response
    }
}

fn request_id(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(REQUEST_ID)
        .and_then(|id| id.to_str().ok())
        .map(str::to_owned)
}

/// The header that carries each request's id (set by the server for every request).
pub const REQUEST_ID: &str = "x-request-id";

/// Middleware: logs every error answer of the plain routes once, inside the
/// request's span, and names the request in server-side failures.
pub async fn report_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let id = request_id(request.headers());
    let response = next.run(request).await;
    let Some(report) = response.extensions().get::<Report>().cloned() else {
        return response;
    };
    report.log();
    if report.status.is_server_error() {
        let report = report.for_request(id.as_deref());
        return (report.status, axum::Json(report.api)).into_response();
    }
    response
}

/// Turns an error into a server function's error: sets the HTTP status the error
/// calls for (server functions answer 500 otherwise), logs it and names the request.
pub fn respond(error: Error) -> ApiError {
    use leptos::prelude::use_context;
    let id =
        use_context::<axum::http::request::Parts>().and_then(|parts| request_id(&parts.headers));
    let report = error.report().for_request(id.as_deref());
    report.log();
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(report.status);
    }
    report.api
}
