//! The one seam to the bucket. Only this module knows which `object_store` backend
//! is in use; the rest of the app sees [`Bucket`]: write a new object as a stream,
//! read one as a stream, list, delete. "Not found" stays distinct from every other
//! failure (see `Error::from(object_store::Error)`).

use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::stream::{BoxStream, StreamExt, TryStreamExt};
use object_store::{
    local::LocalFileSystem, memory::InMemory, ObjectStore, ObjectStoreExt, WriteMultipart,
};

use crate::error::{Error, Result};
use crate::names::ObjectName;

/// The bucket images live in.
#[derive(Debug, Clone)]
pub struct Bucket {
    store: Arc<dyn ObjectStore>,
    /// Shown in the startup log: which bucket, never a secret.
    description: String,
    /// Bytes buffered before a part is written: the most an upload holds in memory.
    part_size: usize,
}

/// What the bucket knows of an object without reading it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    pub name: ObjectName,
    pub size: u64,
    pub last_modified: DateTime<Utc>,
    /// An identifier of this version of the object, when the backend gives one.
    pub e_tag: Option<String>,
}

/// An object being read: its metadata and its bytes as a stream.
pub struct StoredObject {
    pub info: ObjectInfo,
    pub bytes: BoxStream<'static, Result<Bytes>>,
}

/// Why a `BUCKET_URL` could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum BucketUrlError {
    #[error("BUCKET_URL {url:?} is not supported: use file://PATH for a local folder or memory:// for a bucket kept in memory")]
    Unsupported { url: String },
    #[error("the bucket folder {path} could not be created or opened: {source}")]
    Folder {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the bucket folder {path} could not be used: {source}")]
    Store {
        path: String,
        #[source]
        source: object_store::Error,
    },
}

impl Bucket {
    /// Opens the bucket a `BUCKET_URL` names: `file://PATH` (or a bare path) or `memory://`.
    pub fn from_url(url: &str) -> Result<Bucket, BucketUrlError> {
        if url == "memory://" || url == "memory:" {
            return Ok(Bucket {
                store: Arc::new(InMemory::new()),
                description: "memory:// (kept in memory: lost when the server stops)".into(),
                part_size: LOCAL_PART_SIZE,
            });
        }
        if let Some(path) = url.strip_prefix("file://") {
            return Bucket::local_folder(path);
        }
        if !url.contains("://") && !url.is_empty() {
            return Bucket::local_folder(url);
        }
        Err(BucketUrlError::Unsupported { url: url.into() })
    }

    fn local_folder(path: &str) -> Result<Bucket, BucketUrlError> {
        let folder_error = |source| BucketUrlError::Folder {
            path: path.into(),
            source,
        };
        std::fs::create_dir_all(path).map_err(folder_error)?;
        let absolute = std::fs::canonicalize(path).map_err(folder_error)?;
        let store = LocalFileSystem::new_with_prefix(&absolute)
            .map_err(|source| BucketUrlError::Store {
                path: path.into(),
                source,
            })?
            // Folders left empty by deletes are removed; an image survives a power cut.
            .with_automatic_cleanup(true)
            .with_fsync(true);
        Ok(Bucket {
            store: Arc::new(store),
            description: format!("local folder {}", absolute.display()),
            part_size: LOCAL_PART_SIZE,
        })
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    /// Starts writing a new object. Nothing is visible under `name` until
    /// [`NewObject::finish`]; an upload that is aborted, or dropped half-way (the
    /// client went away), leaves nothing behind.
    pub async fn create(&self, name: &ObjectName) -> Result<NewObject> {
        let upload = self.store.put_multipart(&name.to_path()).await?;
        Ok(NewObject {
            writer: Some(WriteMultipart::new_with_chunk_size(upload, self.part_size)),
            store: Arc::clone(&self.store),
            name: name.clone(),
        })
    }

    /// Opens an object for reading.
    pub async fn get(&self, name: &ObjectName) -> Result<StoredObject> {
        let result = self.store.get(&name.to_path()).await?;
        let info = ObjectInfo {
            name: name.clone(),
            size: result.meta.size,
            last_modified: result.meta.last_modified,
            e_tag: result.meta.e_tag.clone(),
        };
        let bytes = result.into_stream().map_err(Error::from).boxed();
        Ok(StoredObject { info, bytes })
    }

    /// Every object in the bucket, in no particular order (no backend promises one).
    /// Names no reader could ask for again, and hidden ones (a segment starting
    /// with `.`, such as `.DS_Store`), are left out.
    pub async fn list(&self) -> Result<Vec<ObjectInfo>> {
        let mut objects = Vec::new();
        let mut listing = self.store.list(None);
        while let Some(meta) = listing.next().await {
            let meta = meta?;
            let Ok(name) = ObjectName::parse(meta.location.as_ref()) else {
                continue;
            };
            if name
                .as_str()
                .split('/')
                .any(|segment| segment.starts_with('.'))
            {
                continue;
            }
            objects.push(ObjectInfo {
                name,
                size: meta.size,
                last_modified: meta.last_modified,
                e_tag: meta.e_tag,
            });
        }
        Ok(objects)
    }

    /// Whether the bucket answers: reads the first entry of a listing.
    pub async fn check(&self) -> Result<()> {
        match self.store.list(None).next().await {
            Some(Err(error)) => Err(Error::Storage(error)),
            _ => Ok(()),
        }
    }

    /// Deletes an object; deleting one that is already gone is not an error.
    pub async fn delete(&self, name: &ObjectName) -> Result<()> {
        match self.store.delete(&name.to_path()).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }
}

/// Parts of 1 MiB: small enough that many concurrent uploads stay cheap in memory.
const LOCAL_PART_SIZE: usize = 1024 * 1024;
/// Parts written at once per upload before the writer waits.
const PARTS_IN_FLIGHT: usize = 2;

/// An object being written. Dropping it unfinished aborts the upload.
pub struct NewObject {
    writer: Option<WriteMultipart>,
    store: Arc<dyn ObjectStore>,
    name: ObjectName,
}

impl NewObject {
    /// Appends bytes, waiting while too many parts are in flight.
    pub async fn write(&mut self, bytes: Bytes) -> Result<()> {
        let writer = self.writer.as_mut().ok_or_else(finished)?;
        writer.wait_for_capacity(PARTS_IN_FLIGHT).await?;
        writer.put(bytes);
        Ok(())
    }

    /// Makes the object visible under its name, and tells what the bucket recorded.
    pub async fn finish(mut self) -> Result<ObjectInfo> {
        let writer = self.writer.take().ok_or_else(finished)?;
        writer.finish().await?;
        let meta = self.store.head(&self.name.to_path()).await?;
        Ok(ObjectInfo {
            name: self.name.clone(),
            size: meta.size,
            last_modified: meta.last_modified,
            e_tag: meta.e_tag,
        })
    }

    /// Throws away everything written so far.
    pub async fn abort(mut self) -> Result<()> {
        if let Some(writer) = self.writer.take() {
            writer.abort().await?;
        }
        Ok(())
    }
}

impl Drop for NewObject {
    fn drop(&mut self) {
        if let Some(writer) = self.writer.take() {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    if let Err(error) = writer.abort().await {
                        tracing::warn!("could not clean up an interrupted upload: {error}");
                    }
                });
            }
        }
    }
}

fn finished() -> Error {
    Error::Internal("write to an upload that has already finished".into())
}

/// For unit tests elsewhere in the crate: puts a small object.
#[cfg(test)]
pub(crate) async fn put_for_test(bucket: &Bucket, name: &str) {
    let mut object = bucket
        .create(&ObjectName::parse(name).expect("a valid name"))
        .await
        .expect("an upload starts");
    object
        .write(Bytes::from_static(b"x"))
        .await
        .expect("bytes are written");
    object.finish().await.expect("the upload finishes");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unsupported_url_says_what_works() {
        let error = Bucket::from_url("ftp://example").unwrap_err().to_string();
        assert!(error.contains("file://PATH"), "{error}");
    }

    #[tokio::test]
    async fn a_dropped_upload_leaves_nothing() {
        let bucket = Bucket::from_url("memory://").unwrap();
        let name = ObjectName::parse("a.png").unwrap();
        let mut object = bucket.create(&name).await.unwrap();
        object.write(Bytes::from_static(b"partial")).await.unwrap();
        drop(object);
        tokio::task::yield_now().await;
        assert!(bucket.list().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn hidden_objects_are_not_listed() {
        let bucket = Bucket::from_url("memory://").unwrap();
        for name in [".DS_Store", "album/.keep", "visible.png"] {
            put_for_test(&bucket, name).await;
        }
        let names: Vec<_> = bucket
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|o| o.name.to_string())
            .collect();
        assert_eq!(names, ["visible.png"]);
    }
}
