//! Whether a write whose answer failed reached the bucket anyway. A request can
//! fail after the store did the work (the reply was lost, a retry of our own
//! create-only put met the object it had made), so an ambiguous failure is never
//! taken at its word: the store is asked what it holds under the name, and what is
//! there is compared with what was sent (its size, and the id of the write kept
//! with the object on backends that keep metadata).

use object_store::path::Path;
use object_store::{Attribute, AttributeValue, GetOptions, ObjectMeta, ObjectStore};

use crate::error::Error;
use crate::names::ObjectName;

/// The metadata key under which each write leaves its id with the object.
pub const WRITE_ID: &str = "bucket-gallery-write";

/// What the bucket holds under a name after a write whose answer failed.
#[derive(Debug)]
pub enum Found {
    /// What this write sent: it was stored.
    Ours(ObjectMeta),
    /// Nothing: the write did not happen, and may be made again.
    Nothing,
    /// Something else: another writer's object.
    Other,
    /// The bucket could not be asked either (why, for the log).
    Unknown(#[allow(dead_code)] object_store::Error),
}

/// A new id for one write, kept with its object as [`WRITE_ID`].
pub fn new_write_id() -> String {
    ulid::Ulid::new().to_string()
}

/// The metadata that marks an object as written by `write_id`.
pub fn mark(write_id: &str) -> (Attribute, AttributeValue) {
    (
        Attribute::Metadata(WRITE_ID.into()),
        AttributeValue::from(write_id.to_owned()),
    )
}

/// Whether a failed write may have done its work: every failure but those the
/// store gives before it does anything (refused, unsupported). "Not found" is not
/// one of those: it is what a retried "complete multipart upload" hears when its
/// first attempt completed the upload and the answer was lost.
pub fn may_have_happened(error: &object_store::Error) -> bool {
    use object_store::Error as Store;
    !matches!(
        error,
        Store::PermissionDenied { .. }
            | Store::Unauthenticated { .. }
            | Store::NotSupported { .. }
            | Store::NotImplemented { .. }
            | Store::InvalidPath { .. }
            | Store::UnknownConfigurationKey { .. }
    )
}

/// Asks the store what it holds under `path`, and whether that is what the write
/// `write_id` (None where the backend keeps no metadata) of `size` bytes sent.
pub async fn look(
    store: &dyn ObjectStore,
    path: &Path,
    write_id: Option<&str>,
    size: u64,
) -> Found {
    let options = GetOptions {
        head: true,
        ..GetOptions::default()
    };
    match store.get_opts(path, options).await {
        Ok(found) => {
            let kept = found
                .attributes
                .get(&Attribute::Metadata(WRITE_ID.into()))
                .map(|value| value.as_ref());
            match write_id {
                Some(id) if kept == Some(id) && found.meta.size == size => Found::Ours(found.meta),
                _ => Found::Other,
            }
        }
        Err(object_store::Error::NotFound { .. }) => Found::Nothing,
        Err(error) => Found::Unknown(error),
    }
}

/// The write failed and nothing was stored under `name`: safe to try again.
pub fn nothing_stored(error: object_store::Error, name: &ObjectName) -> Error {
    let Error::Storage { reason, source } = Error::from(error) else {
        return Error::Internal(format!("storing {name} failed; nothing was stored"));
    };
    Error::Storage {
        reason: format!("{reason}; nothing was stored, try again"),
        source,
    }
}

/// The write failed and the bucket could not be asked whether it was stored.
pub fn outcome_unknown(error: object_store::Error, name: &ObjectName) -> Error {
    let reason = match Error::from(error) {
        Error::Storage { reason, .. } => reason,
        other => other.to_string(),
    };
    Error::Storage {
        reason: format!(
            "{reason}, and whether {name} was stored could not be checked: if it was, it will \
             appear in the gallery"
        ),
        source: format!("the outcome of storing {name} is unknown").into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::memory::InMemory;
    use object_store::{Attributes, PutOptions, PutPayload};

    async fn put(store: &InMemory, path: &Path, bytes: &'static [u8], write_id: &str) {
        let options = PutOptions {
            attributes: Attributes::from_iter([mark(write_id)]),
            ..PutOptions::default()
        };
        store
            .put_opts(path, PutPayload::from_static(bytes), options)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_write_is_known_by_its_id_and_size() {
        let store = InMemory::new();
        let path = Path::from("a.png");
        put(&store, &path, b"12345", "write-1").await;

        assert!(matches!(
            look(&store, &path, Some("write-1"), 5).await,
            Found::Ours(_)
        ));
        assert!(matches!(
            look(&store, &path, Some("write-2"), 5).await,
            Found::Other
        ));
        assert!(matches!(
            look(&store, &path, Some("write-1"), 6).await,
            Found::Other
        ));
        assert!(matches!(look(&store, &path, None, 5).await, Found::Other));
        assert!(matches!(
            look(&store, &Path::from("b.png"), Some("write-1"), 5).await,
            Found::Nothing
        ));
    }

    #[test]
    fn refusals_are_not_ambiguous_but_failures_are() {
        let refused = object_store::Error::PermissionDenied {
            path: "a".into(),
            source: "403".into(),
        };
        let failed = object_store::Error::Generic {
            store: "S3",
            source: "503 SlowDown".into(),
        };
        let taken = object_store::Error::AlreadyExists {
            path: "a".into(),
            source: "412".into(),
        };
        assert!(!may_have_happened(&refused));
        assert!(may_have_happened(&failed));
        assert!(may_have_happened(&taken));
    }
}
