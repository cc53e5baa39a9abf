//! Errors. [`ApiError`] is what crosses the wire, as `{"error": {"code", "message"}}`,
//! for the browser and for API clients alike; on the server, [`Error`] is the one
//! application error, which knows its HTTP status and what to tell the user.

use leptos::server_fn::{codec::JsonEncoding, error::FromServerFnError, error::ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Stable, machine-readable error codes: clients and tests match on these, never on wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The bytes are not one of the supported image types.
    UnsupportedType,
    /// A file with no bytes at all.
    EmptyFile,
    /// A file over the per-file size limit.
    TooLarge,
    /// An upload request that carried no file.
    NoFiles,
    /// More files in one request than allowed (413).
    TooManyFiles,
    /// More bytes in one request than allowed (413).
    RequestTooLarge,
    /// The body did not arrive in time (408).
    UploadTimeout,
    /// The bytes begin like a supported image but are not a valid one: the header
    /// does not parse, the file is truncated, or something else hides in it (422).
    InvalidImage,
    /// An image with more pixels than allowed: a decompression bomb (422).
    TooManyPixels,
    /// A request that could not be read (malformed multipart, bad parameter).
    BadRequest,
    /// No object by that name.
    NotFound,
    /// The request needs sign-in (401).
    Unauthorized,
    /// A request that changes something came from another site's page (403).
    CrossSite,
    /// Too many requests from one client (429); `Retry-After` says when to try again.
    RateLimited,
    /// The bucket could not be reached or failed.
    StorageUnavailable,
    /// Anything else: a bug or an unexpected failure, logged in full on the server.
    Internal,
}

/// An error as the API reports it. Serialises as `{"error": {"code": ..., "message": ...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(from = "Envelope", into = "Envelope")]
#[error("{message}")]
pub struct ApiError {
    pub code: ErrorCode,
    /// Says what went wrong and why, in words a person can act on.
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    error: Body,
}

#[derive(Serialize, Deserialize)]
struct Body {
    code: ErrorCode,
    message: String,
}

impl From<Envelope> for ApiError {
    fn from(envelope: Envelope) -> Self {
        ApiError::new(envelope.error.code, envelope.error.message)
    }
}

impl From<ApiError> for Envelope {
    fn from(error: ApiError) -> Self {
        Envelope {
            error: Body {
                code: error.code,
                message: error.message,
            },
        }
    }
}

impl FromServerFnError for ApiError {
    type Encoder = JsonEncoding;

    /// Failures of the server-function machinery itself: a request whose arguments
    /// do not parse is the caller's fault; anything else (a network failure seen by
    /// the browser, a response that does not decode) is not.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let code = match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => ErrorCode::BadRequest,
            _ => ErrorCode::Internal,
        };
        ApiError::new(code, value.to_string())
    }
}

#[cfg(feature = "ssr")]
pub use server::{report_errors, respond, Error, Report, Result, REQUEST_ID};

#[cfg(feature = "ssr")]
mod server {
    use super::{ApiError, ErrorCode};
    use crate::model::SUPPORTED_TYPES;
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};

    /// The crate-wide result.
    pub type Result<T, E = Error> = std::result::Result<T, E>;

    /// Everything that can go wrong while serving a request.
    #[derive(Debug, thiserror::Error)]
    pub enum Error {
        #[error("{name} is not a supported image: {SUPPORTED_TYPES}")]
        UnsupportedType { name: String },

        #[error("{name} is empty: there is no image in it")]
        EmptyFile { name: String },

        #[error("{name} is larger than the limit of {}", human_bytes(*.limit))]
        TooLarge { name: String, limit: u64 },

        #[error("no file was sent: put one or more files in a multipart field named `image`")]
        NoFiles,

        #[error("too many files in one upload: the limit is {limit} per request")]
        TooManyFiles { limit: usize },

        #[error("the upload is larger than the limit of {} per request", human_bytes(*.limit))]
        RequestTooLarge { limit: u64 },

        #[error("the upload did not arrive within the limit of {} s", .limit.as_secs())]
        UploadTimeout { limit: std::time::Duration },

        #[error("{name} is not a valid image: {problem}")]
        InvalidImage {
            name: String,
            problem: crate::inspect::Problem,
        },

        #[error("the upload could not be read: {0}")]
        BadUpload(String),

        #[error("{0}")]
        BadRequest(String),

        #[error("there is no image named {0:?}")]
        NotFound(String),

        #[error("sign in to {action}: use the Sign in link on the page, or send Authorization: Bearer <ADMIN_TOKEN>")]
        Unauthorized { action: String },

        #[error("this request came from another site's page: changes are accepted only from this gallery's own pages")]
        CrossSite,

        #[error("too many uploads from your address: try again in {} s", .retry_after.as_secs().max(1))]
        RateLimited { retry_after: std::time::Duration },

        /// The bucket could not be used; `reason` says why in words a person can
        /// act on (never an endpoint or a secret), `source` keeps the details for the log.
        #[error("{reason}")]
        Storage {
            reason: String,
            #[source]
            source: Box<dyn std::error::Error + Send + Sync>,
        },

        #[error("internal error: {0}")]
        Internal(String),
    }

    impl Error {
        pub fn code(&self) -> ErrorCode {
            match self {
                Error::UnsupportedType { .. } => ErrorCode::UnsupportedType,
                Error::EmptyFile { .. } => ErrorCode::EmptyFile,
                Error::TooLarge { .. } => ErrorCode::TooLarge,
                Error::NoFiles => ErrorCode::NoFiles,
                Error::TooManyFiles { .. } => ErrorCode::TooManyFiles,
                Error::RequestTooLarge { .. } => ErrorCode::RequestTooLarge,
                Error::UploadTimeout { .. } => ErrorCode::UploadTimeout,
                Error::InvalidImage {
                    problem: crate::inspect::Problem::TooManyPixels { .. },
                    ..
                } => ErrorCode::TooManyPixels,
                Error::InvalidImage { .. } => ErrorCode::InvalidImage,
                Error::BadUpload(_) | Error::BadRequest(_) => ErrorCode::BadRequest,
                Error::NotFound(_) => ErrorCode::NotFound,
                Error::Unauthorized { .. } => ErrorCode::Unauthorized,
                Error::CrossSite => ErrorCode::CrossSite,
                Error::RateLimited { .. } => ErrorCode::RateLimited,
                Error::Storage { .. } => ErrorCode::StorageUnavailable,
                Error::Internal(_) => ErrorCode::Internal,
            }
        }

        pub fn status_code(&self) -> StatusCode {
            match self {
                Error::UnsupportedType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Error::EmptyFile { .. } | Error::NoFiles => StatusCode::BAD_REQUEST,
                Error::BadUpload(_) | Error::BadRequest(_) => StatusCode::BAD_REQUEST,
                Error::TooLarge { .. }
                | Error::TooManyFiles { .. }
                | Error::RequestTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                Error::UploadTimeout { .. } => StatusCode::REQUEST_TIMEOUT,
                Error::InvalidImage { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                Error::NotFound(_) => StatusCode::NOT_FOUND,
                Error::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
                Error::CrossSite => StatusCode::FORBIDDEN,
                Error::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                Error::Storage { .. } => StatusCode::SERVICE_UNAVAILABLE,
                Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            }
        }

        /// The wire form. Failures that are not the user's say so briefly: the full
        /// cause chain goes to the log, never to the client.
        pub fn to_api(&self) -> ApiError {
            let message = match self {
                Error::Internal(_) => {
                    "something went wrong on the server; the server log has the details".to_string()
                }
                other => other.to_string(),
            };
            ApiError::new(self.code(), message)
        }

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
        let id = use_context::<axum::http::request::Parts>()
            .and_then(|parts| request_id(&parts.headers));
        let report = error.report().for_request(id.as_deref());
        report.log();
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(report.status);
        }
        report.api
    }

    /// Sizes as people read them: "16 MiB", "1.5 MiB", "300 KiB", "12 bytes".
    pub fn human_bytes(bytes: u64) -> String {
        const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
        if bytes < 1024 {
            return format!("{bytes} bytes");
        }
        let mut value = bytes as f64 / 1024.0;
        let mut unit = 0;
        while value >= 1024.0 && unit < UNITS.len() - 1 {
            value /= 1024.0;
            unit += 1;
        }
        let rounded = (value * 10.0).round() / 10.0;
        if rounded.fract() == 0.0 {
            format!("{rounded:.0} {}", UNITS[unit])
        } else {
            format!("{rounded:.1} {}", UNITS[unit])
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn sizes_read_as_people_write_them() {
            assert_eq!(human_bytes(12), "12 bytes");
            assert_eq!(human_bytes(16 * 1024 * 1024), "16 MiB");
            assert_eq!(human_bytes(1536 * 1024), "1.5 MiB");
            assert_eq!(human_bytes(300 * 1024), "300 KiB");
        }

        #[test]
        fn an_oversize_file_names_the_limit() {
            let error = Error::TooLarge {
                name: "big.jpg".into(),
                limit: 16 * 1024 * 1024,
            };
            assert_eq!(
                error.to_api().message,
                "big.jpg is larger than the limit of 16 MiB"
            );
            assert_eq!(error.status_code(), StatusCode::PAYLOAD_TOO_LARGE);
        }

        #[test]
        fn the_wire_form_is_an_error_envelope() {
            let json = serde_json::to_value(ApiError::new(ErrorCode::TooLarge, "x")).unwrap();
            assert_eq!(
                json,
                serde_json::json!({"error": {"code": "too_large", "message": "x"}})
            );
            let back: ApiError = serde_json::from_value(json).unwrap();
            assert_eq!(back.code, ErrorCode::TooLarge);
        }

        #[test]
        fn storage_failures_do_not_leak_details() {
            let error = Error::Internal("secret path /root/x".into());
            assert!(!error.to_api().message.contains("/root"));
        }
    }
}
