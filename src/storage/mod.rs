//! The one seam to the bucket. Only this module knows which `object_store` backend
//! is in use (a local folder, memory, an S3-compatible store, Google Cloud Storage or
//! Replit Object Storage: see [`open`]); the rest of the app sees [`Bucket`]: write a
//! new object as a stream, read one as a stream, list, delete. "Not found" stays
//! distinct from every other failure, and every other failure says in words a person
//! can act on why the bucket could not be used (see [`problem`]).

mod gcs;
mod listing;
mod local_read;
mod open;
mod outcome;
mod problem;
mod replit;
mod s3;
mod settings;
mod small;
mod sweep;
mod writer;

use std::future::Future;
use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use futures::stream::{BoxStream, StreamExt, TryStreamExt};
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt};
use tokio::sync::OnceCell;

use crate::api::ImageInfo;
use crate::error::{Error, Result};
use crate::names::ObjectName;

pub use listing::{listing_requests, Walked, KEYS_PER_REQUEST};
pub use settings::{
    BucketUrlError, Settings, DEFAULT_RETRIES, DEFAULT_SIDECAR_URL, DEFAULT_TIMEOUT,
};
pub use sweep::LeftoverAges;
use sweep::Leftovers;
pub use writer::NewObject;

/// The bucket images live in. Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct Bucket {
    inner: Arc<Inner>,
}

struct Inner {
    /// The store, once it is known (at once for every backend but Replit's default
    /// bucket, whose name the sidecar tells on first use).
    store: OnceCell<Opened>,
    /// Finds the store on first use; tried again on the next use when it fails.
    opener: Option<Opener>,
    /// Shown in the startup log: which bucket, never a secret.
    description: String,
    /// Bytes buffered before a part is written: the most an upload holds in memory
    /// per part in flight. S3 and GCS refuse parts under 5 MiB (but the last).
    part_size: usize,
    /// Whether the backend stores a content type with an object (a local folder does not).
    keeps_attributes: bool,
    /// Whether the backend lists keys in their byte order (a local folder does not).
    lists_in_order: bool,
    /// Whether each request is one the store counts (and bills): every store but
    /// a local folder (the memory store stands in for a remote one in tests).
    counts_requests: bool,
    /// Tokens that may expire early: forgotten, and the request made once more, when
    /// the bucket answers 401.
    credentials: Option<Arc<replit::Credentials>>,
}

/// A store, and how to find what unfinished writes left in it.
struct Opened {
    store: Arc<dyn ObjectStore>,
    leftovers: Option<Arc<Leftovers>>,
}

type Opener = Box<dyn Fn() -> BoxFuture<'static, Result<Opened>> + Send + Sync>;

impl std::fmt::Debug for Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bucket")
            .field("description", &self.inner.description)
            .finish_non_exhaustive()
    }
}

/// Parts of 1 MiB for a local folder or memory: many uploads at once stay cheap.
const LOCAL_PART_SIZE: usize = 1024 * 1024;
/// S3 and GCS refuse multipart parts under 5 MiB (but the last).
const REMOTE_PART_SIZE: usize = 5 * 1024 * 1024;

/// What kind of store a bucket is, for what differs between them.
enum Kind {
    Folder,
    Memory,
    Remote,
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

impl ObjectInfo {
    fn from_meta(name: ObjectName, meta: object_store::ObjectMeta) -> Self {
        ObjectInfo {
            name,
            size: meta.size,
            last_modified: meta.last_modified,
            e_tag: meta.e_tag,
        }
    }

    /// The object as the API shows it; `content_type` is what its bytes were judged
    /// to be (on upload), or what its name suggests (in listings).
    pub fn describe(&self, content_type: &str) -> ImageInfo {
        let uploaded_at = self
            .last_modified
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        ImageInfo::new(self.name.as_str(), self.size, content_type, uploaded_at)
    }
}

/// An object being read: its metadata and its bytes as a stream.
pub struct StoredObject {
    pub info: ObjectInfo,
    pub bytes: BoxStream<'static, Result<Bytes>>,
}

impl Bucket {
    /// Opens the bucket the settings name. Nothing is asked of the bucket yet: a
    /// bucket that cannot be reached now is retried on every use.
    pub fn open(settings: &Settings) -> Result<Bucket, BucketUrlError> {
        open::open(settings)
    }

    /// A bucket of the given kind whose store is found by `opener` on first use
    /// (or is known already), with the backend's part size and attributes.
    fn assemble(
        settings: &Settings,
        store: OnceCell<Opened>,
        opener: Option<Opener>,
        description: String,
        kind: Kind,
        credentials: Option<Arc<replit::Credentials>>,
    ) -> Bucket {
        let default_part = match kind {
            Kind::Folder | Kind::Memory => LOCAL_PART_SIZE,
            Kind::Remote => REMOTE_PART_SIZE,
        };
        Bucket {
            inner: Arc::new(Inner {
                store,
                opener,
                description,
                part_size: settings.part_size.unwrap_or(default_part),
                // A file has no place for a content type: object_store refuses
                // attributes there. The other stores keep one with the object.
                keeps_attributes: !matches!(kind, Kind::Folder),
                lists_in_order: !matches!(kind, Kind::Folder),
                counts_requests: !matches!(kind, Kind::Folder),
                credentials,
            }),
        }
    }

    /// A bucket whose store is known at once.
    fn ready(
        settings: &Settings,
        store: Arc<dyn ObjectStore>,
        leftovers: Option<Leftovers>,
        description: String,
        kind: Kind,
    ) -> Bucket {
        let store = OnceCell::new_with(Some(Opened {
            store,
            leftovers: leftovers.map(Arc::new),
        }));
        Bucket::assemble(settings, store, None, description, kind, None)
    }

    pub fn description(&self) -> &str {
        &self.inner.description
    }

    /// The store, finding it first when that has not been done yet.
    async fn store(&self) -> Result<Arc<dyn ObjectStore>> {
        Ok(Arc::clone(&self.opened().await?.store))
    }

    async fn opened(&self) -> Result<&Opened> {
        self.inner
            .store
            .get_or_try_init(|| async {
                match &self.inner.opener {
                    Some(open) => open().await,
                    None => Err(Error::Internal("a bucket without a store".into())),
                }
            })
            .await
    }

    /// Runs one request against the store. When the bucket refuses a token that
    /// should still be valid (revoked, or the clock is off), the token is forgotten
    /// and the request made once more with a fresh one.
    async fn call<T, F, Fut>(&self, request: F) -> Result<T>
    where
        F: Fn(Arc<dyn ObjectStore>) -> Fut,
        Fut: Future<Output = object_store::Result<T>>,
    {
        let store = self.store().await?;
        let first = request(Arc::clone(&store)).await;
        match (&first, &self.inner.credentials) {
            (Err(object_store::Error::Unauthenticated { .. }), Some(credentials)) => {
                tracing::info!("the bucket refused its access token; asking for a new one");
                credentials.forget().await;
                Ok(request(store).await?)
            }
            _ => Ok(first?),
        }
    }

    /// Starts writing a new object of the given type. Nothing is visible under
    /// `name` until [`NewObject::finish`]; an upload that is aborted, or dropped
    /// half-way (the client went away), leaves nothing behind.
    pub async fn create(&self, name: &ObjectName, content_type: &'static str) -> Result<NewObject> {
        let store = self.store().await?;
        let content_type = self.inner.keeps_attributes.then_some(content_type);
        Ok(NewObject::new(
            store,
            name.clone(),
            content_type,
            self.inner.part_size,
        ))
    }

    /// Opens an object for reading.
    pub async fn get(&self, name: &ObjectName) -> Result<StoredObject> {
        self.read(name, None).await
    }

    /// What the bucket knows of an object, without reading any of its bytes.
    pub async fn head(&self, name: &ObjectName) -> Result<ObjectInfo> {
        let path = name.to_path();
        let meta = self
            .call(|store| {
                let path = path.clone();
                async move { store.head(&path).await }
            })
            .await?;
        Ok(ObjectInfo::from_meta(name.clone(), meta))
    }

    /// Opens part of an object for reading: the bytes in `range`, which must lie
    /// within it.
    pub async fn get_range(&self, name: &ObjectName, range: Range<u64>) -> Result<StoredObject> {
        self.read(name, Some(GetRange::Bounded(range))).await
    }

    /// Opens an object, or the part of it `range` names, for reading.
    async fn read(&self, name: &ObjectName, range: Option<GetRange>) -> Result<StoredObject> {
        let path = name.to_path();
        let result = self
            .call(|store| {
                let path = path.clone();
                let options = GetOptions {
                    range: range.clone(),
                    ..GetOptions::default()
                };
                async move { store.get_opts(&path, options).await }
            })
            .await?;
        let info = ObjectInfo::from_meta(name.clone(), result.meta.clone());
        let bytes = match result.payload {
            object_store::GetResultPayload::File(file, path) => {
                local_read::pieces(file, path, result.range)
            }
            object_store::GetResultPayload::Stream(stream) => stream.map_err(Error::from).boxed(),
        };
        Ok(StoredObject { info, bytes })
    }

    /// Whether the bucket answers: reads the first entry of a listing.
    pub async fn check(&self) -> Result<()> {
        self.call(|store| async move {
            match store.list(None).next().await {
                Some(Err(error)) => Err(error),
                _ => Ok(()),
            }
        })
        .await
        .map_err(problem::missing_bucket)
    }

    /// Deletes an object; deleting one that is already gone is not an error, and
    /// neither is a failed request after which the object is gone.
    pub async fn delete(&self, name: &ObjectName) -> Result<()> {
        let path = name.to_path();
        let deleted = self
            .call(|store| {
                let path = path.clone();
                async move { store.delete(&path).await }
            })
            .await;
        match deleted {
            Ok(()) | Err(Error::NotFound(_)) => Ok(()),
            // The answer may have been lost after the store deleted it: a delete
            // that finds nothing left has succeeded.
            Err(error) => match self.head(name).await {
                Err(Error::NotFound(_)) => Ok(()),
                _ => Err(error),
            },
        }
    }
}

/// For unit tests elsewhere in the crate: puts a small object.
#[cfg(test)]
pub(crate) async fn put_for_test(bucket: &Bucket, name: &str) {
    let mut object = bucket
        .create(&ObjectName::parse(name).expect("a valid name"), "image/png")
        .await
        .expect("an upload starts");
    object
        .write(Bytes::from_static(b"x"))
        .await
        .expect("bytes are written");
    object.finish().await.expect("the upload finishes");
}

/// For unit tests elsewhere in the crate: the keys under `prefix`, sorted.
#[cfg(test)]
pub(crate) async fn keys_for_test(bucket: &Bucket, prefix: &str) -> Vec<String> {
    let mut keys: Vec<String> = bucket
        .list_folder(prefix)
        .await
        .expect("the bucket lists")
        .into_iter()
        .map(|object| object.name.to_string())
        .collect();
    keys.sort();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unsupported_url_says_what_works() {
        let error = Bucket::open(&Settings::new("ftp://example"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("file://PATH"), "{error}");
        assert!(error.contains("s3://BUCKET"), "{error}");
    }

    #[tokio::test]
    async fn a_dropped_upload_leaves_nothing() {
        let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
        let name = ObjectName::parse("a.png").unwrap();
        let mut object = bucket.create(&name, "image/png").await.unwrap();
        object.write(Bytes::from_static(b"partial")).await.unwrap();
        drop(object);
        tokio::task::yield_now().await;
        assert!(bucket.list().await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn hidden_objects_are_not_listed() {
        let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
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

    #[tokio::test]
    async fn a_multipart_upload_keeps_every_byte_in_order() {
        let bucket = Bucket::open(&Settings {
            part_size: Some(8),
            ..Settings::new("memory://")
        })
        .unwrap();
        let name = ObjectName::parse("big.png").unwrap();
        let mut object = bucket.create(&name, "image/png").await.unwrap();
        for chunk in ["0123", "4567", "89ab", "cdef", "gh"] {
            object.write(Bytes::from(chunk)).await.unwrap();
        }
        let info = object.finish().await.unwrap();

        assert_eq!(info.size, 18);
        let read = bucket.get(&name).await.unwrap();
        let bytes: Vec<Bytes> = read.bytes.try_collect().await.unwrap();
        assert_eq!(bytes.concat(), b"0123456789abcdefgh");
    }
}
