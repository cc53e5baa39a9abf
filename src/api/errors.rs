//! Errors as they cross the wire: a stable [`ErrorCode`] and a message, as
//! `{"error": {"code", "message"}}`, for the browser and API clients alike.

use leptos::server_fn::{error::FromServerFnError, error::ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use super::codec::JsonText;

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
    type Encoder = JsonText;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
