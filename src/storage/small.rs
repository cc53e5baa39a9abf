//! Small objects whole, in one request: what the gallery derives and keeps beside
//! the photos (copies, facts, content markers), written or replaced at once, or
//! written only when the name is free; and any object read into memory under a
//! size limit.

use bytes::Bytes;
use futures::stream::TryStreamExt;
use object_store::{Attribute, Attributes, PutMode, PutOptions, PutPayload};

use super::{Bucket, ObjectInfo};
use crate::error::{Error, Result};
use crate::names::ObjectName;

impl Bucket {
    /// Stores a small object whole in one request (derived images, facts),
    /// replacing one of the same name.
    pub async fn put(
        &self,
        name: &ObjectName,
        content_type: &'static str,
        bytes: Bytes,
    ) -> Result<()> {
        self.put_with(name, content_type, bytes, PutMode::Overwrite)
            .await
    }

    /// Stores a small object whole unless one of that name exists: `false` then,
    /// and the bucket is left as it was. Stores that ignore conditional writes
    /// (Garage) replace it. When the name is found taken by these very bytes (a
    /// retry of this put whose first answer was lost), it was this put: `true`.
    pub async fn put_new(
        &self,
        name: &ObjectName,
        content_type: &'static str,
        bytes: Bytes,
    ) -> Result<bool> {
        match self
            .put_with(name, content_type, bytes.clone(), PutMode::Create)
            .await
        {
            Ok(()) => Ok(true),
            Err(error) if is_taken(&error) => {
                let limit = bytes.len() as u64;
                match self.read_all(name, limit).await {
                    Ok((_, there)) if there == bytes => Ok(true),
                    Ok(_) | Err(Error::TooLarge { .. }) => Ok(false),
                    Err(other) => Err(other),
                }
            }
            Err(error) => Err(error),
        }
    }

    async fn put_with(
        &self,
        name: &ObjectName,
        content_type: &'static str,
        bytes: Bytes,
        mode: PutMode,
    ) -> Result<()> {
        let path = name.to_path();
        let attributes = if self.inner.keeps_attributes {
            Attributes::from_iter([(Attribute::ContentType, content_type)])
        } else {
            Attributes::default()
        };
        self.call(|store| {
            let options = PutOptions {
                mode: mode.clone(),
                attributes: attributes.clone(),
                ..PutOptions::default()
            };
            let path = path.clone();
            let payload = PutPayload::from(bytes.clone());
            async move { store.put_opts(&path, payload, options).await }
        })
        .await
        .map(|_| ())
    }

    /// Reads a whole object into memory, refusing one of more than `limit` bytes
    /// before reading it (and one that grows past it while being read).
    pub async fn read_all(&self, name: &ObjectName, limit: u64) -> Result<(ObjectInfo, Bytes)> {
        let object = self.get(name).await?;
        let too_large = || Error::TooLarge {
            name: name.to_string(),
            limit,
        };
        if object.info.size > limit {
            return Err(too_large());
        }
        let capacity = usize::try_from(object.info.size).unwrap_or(0);
        let mut whole = bytes::BytesMut::with_capacity(capacity);
        let mut chunks = object.bytes;
        while let Some(chunk) = chunks.try_next().await? {
            if (whole.len() + chunk.len()) as u64 > limit {
                return Err(too_large());
            }
            whole.extend_from_slice(&chunk);
        }
        Ok((object.info, whole.freeze()))
    }
}

/// Whether a create-only put failed because the name was taken.
fn is_taken(error: &Error) -> bool {
    matches!(error, Error::Storage { source, .. } if source
    .downcast_ref::<object_store::Error>()
    .is_some_and(|error| matches!(
        error,
        object_store::Error::AlreadyExists { .. } | object_store::Error::Precondition { .. }
    )))
}
