//! Why the bucket could not be used, in words a person can act on. The same short
//! reason goes to `/healthz`, the page's banner and failed uploads; the whole error
//! chain (endpoints, status lines, store messages) goes only to the log.

use std::error::Error as StdError;

use object_store::client::{HttpError, HttpErrorKind};

use super::replit::SidecarError;
use crate::error::Error;
use crate::names::ObjectName;

/// Every failed store request becomes the app's error through [`classify`].
impl From<object_store::Error> for Error {
    fn from(error: object_store::Error) -> Self {
        classify(error)
    }
}

/// The app's error for a failed store request. "Not found" stays its own kind.
pub fn classify(error: object_store::Error) -> Error {
    use object_store::Error as Store;
    let reason = match &error {
        Store::NotFound { path, .. } => return Error::NotFound(path.clone()),
        Store::PermissionDenied { .. } => FORBIDDEN.to_string(),
        Store::Unauthenticated { .. } => CREDENTIALS_REFUSED.to_string(),
        other => reason_from_chain(other),
    };
    Error::Storage {
        reason,
        source: Box::new(error),
    }
}

/// Listing a bucket that is not there answers "not found": the bucket is missing.
pub fn missing_bucket(error: Error) -> Error {
    match error {
        Error::NotFound(_) => Error::Storage {
            reason: NO_BUCKET.to_string(),
            source: "the listing answered 404 Not Found".into(),
        },
        other => other,
    }
}

/// A create-only put found the name taken: another writer got there first.
pub fn not_overwritten(error: object_store::Error, name: &ObjectName) -> Error {
    match error {
        object_store::Error::AlreadyExists { .. } | object_store::Error::Precondition { .. } => {
            Error::Internal(format!(
                "an object named {name} appeared while it was being stored; it was left as it was"
            ))
        }
        other => other.into(),
    }
}

const UNREACHABLE: &str = "the bucket cannot be reached (no connection to its server)";
const TIMED_OUT: &str = "the bucket did not answer in time";
const NO_BUCKET: &str = "the bucket does not exist: create it, or correct BUCKET_URL";
const FORBIDDEN: &str =
    "the bucket refused access (403 Forbidden): the credentials in use may not read and write it";
const CREDENTIALS_REFUSED: &str =
    "the bucket refused the credentials (401 Unauthorized): check the access key and secret";
const FAILED: &str = "the bucket failed the request; the server log has the details";

/// Walks the causes for one that names a reason. object_store keeps the status of
/// most failed requests only in the text of an inner error, hence the last checks.
fn reason_from_chain(error: &(dyn StdError + 'static)) -> String {
    let mut cause: Option<&(dyn StdError + 'static)> = Some(error);
    let mut text = String::new();
    while let Some(current) = cause {
        if let Some(sidecar) = current.downcast_ref::<SidecarError>() {
            return sidecar.to_string();
        }
        if let Some(http) = current.downcast_ref::<HttpError>() {
            match http.kind() {
                HttpErrorKind::Connect => return UNREACHABLE.to_string(),
                HttpErrorKind::Timeout => return TIMED_OUT.to_string(),
                _ => {}
            }
        }
        text.push_str(&current.to_string());
        cause = current.source();
    }
    let reason = if text.contains("NoSuchBucket") {
        NO_BUCKET
    } else if text.contains("403 Forbidden") || text.contains("AccessDenied") {
        FORBIDDEN
    } else if text.contains("401 Unauthorized") {
        CREDENTIALS_REFUSED
    } else if text.contains("error sending request") || text.contains("connection") {
        UNREACHABLE
    } else {
        FAILED
    };
    reason.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_object_stays_not_found() {
        let error = classify(object_store::Error::NotFound {
            path: "a.png".into(),
            source: "gone".into(),
        });
        assert!(matches!(error, Error::NotFound(path) if path == "a.png"));
    }

    #[test]
    fn refused_credentials_say_so() {
        let error = classify(object_store::Error::Unauthenticated {
            path: "a.png".into(),
            source: "401".into(),
        });
        assert!(
            error.to_string().contains("refused the credentials"),
            "{error}"
        );
    }

    #[test]
    fn a_status_inside_the_text_is_found() {
        let error = classify(object_store::Error::Generic {
            store: "S3",
            source: "Server returned non-2xx status code: 404 Not Found: <Code>NoSuchBucket</Code>"
                .into(),
        });
        assert!(error.to_string().contains("does not exist"), "{error}");
    }
}
