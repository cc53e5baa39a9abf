//! The server's one application error: what went wrong while serving a request,
//! its stable code, its HTTP status, and what the user is told. How an error is
//! logged and answered is in [`report`].

mod report;

use axum::http::StatusCode;

use crate::api::{ApiError, ErrorCode, SUPPORTED_TYPES};
use crate::sizes::human_bytes;

pub use report::{report_errors, respond, Report, REQUEST_ID};

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
            Error::TooLarge { .. } | Error::TooManyFiles { .. } | Error::RequestTooLarge { .. } => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn internal_failures_do_not_leak_details() {
        let error = Error::Internal("secret path /root/x".into());
        assert!(!error.to_api().message.contains("/root"));
    }
}
