//! Streaming uploaded files into the bucket. The type is judged from the first
//! bytes before anything is stored; the size limit is counted as the bytes flow, so
//! an oversize file is refused without ever being held whole, and leaves nothing.

use bytes::Bytes;
use multer::Multipart;

use std::time::Duration;

use crate::api::{ImageInfo, FILE_FIELD};
use crate::error::{Error, Result};
use crate::inspect::{Inspector, Rules};
use crate::names::ObjectName;
use crate::photos::duplicates::{self, ContentHash};
use crate::sniff::{read_head, ImageKind};
use crate::storage::{Bucket, ObjectInfo};

/// After a refusal the rest of the body is read and thrown away, up to this much,
/// so the client hears the error instead of a reset connection.
const MAX_DRAIN_BYTES: u64 = 256 * 1024 * 1024;
/// ... and for at most this long.
const DRAIN_TIME: Duration = Duration::from_secs(10);

/// An image this request stored.
#[derive(Debug, Clone)]
pub struct Stored {
    pub object: ObjectInfo,
    pub kind: ImageKind,
    /// The file's name as it was uploaded (empty when the form gave none).
    pub uploaded_as: String,
    /// The bytes were in the gallery already: `object` is the photo that has them,
    /// and nothing new was stored.
    pub duplicate: bool,
    /// The SHA-256 of the bytes stored.
    pub hash: String,
}

impl Stored {
    pub fn info(&self) -> ImageInfo {
        let mut info = self.object.describe(self.kind.mime());
        if !self.uploaded_as.is_empty() && !self.duplicate {
            info.display_name = uploaded_name(&self.uploaded_as);
        }
        info.already_in_gallery = self.duplicate;
        info
    }
}

/// The last path component of an uploaded file's name (browsers may send a path).
pub fn uploaded_name(original: &str) -> String {
    original
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(original)
        .to_owned()
}

/// Limits on what one request may store, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_files: usize,
    pub max_request_bytes: u64,
    /// The whole body must have arrived within this (a body that trickles in).
    pub body_timeout: Duration,
    pub max_pixels: u64,
    /// Take GPS and other places out of stored images.
    pub strip_location: bool,
}

/// The largest file accepted, unless `MAX_UPLOAD_BYTES` says otherwise.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;
/// The most files one request may carry.
pub const DEFAULT_MAX_FILES: usize = 20;
/// The most bytes one request may carry, all files together.
pub const DEFAULT_MAX_REQUEST_BYTES: u64 = 128 * 1024 * 1024;
/// The longest an upload's body may take to arrive.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(300);
/// The most pixels an image may have, in millions.
pub const DEFAULT_MAX_MEGAPIXELS: u64 = 50;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            max_files: DEFAULT_MAX_FILES,
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            max_pixels: DEFAULT_MAX_MEGAPIXELS * 1_000_000,
            strip_location: true,
        }
    }
}

impl Limits {
    fn rules(&self) -> Rules {
        Rules {
            max_pixels: self.max_pixels,
            strip_location: self.strip_location,
        }
    }
}

/// Bytes and files of one request so far.
#[derive(Debug, Default)]
struct Counts {
    files: usize,
    bytes: u64,
}

/// Stores every file of a multipart body, in order. All or nothing: when one file
/// is refused, those stored before it in the same request are deleted again.
pub async fn store_all(
    bucket: &Bucket,
    mut multipart: Multipart<'static>,
    limits: Limits,
) -> Result<Vec<Stored>> {
    let mut stored: Vec<Stored> = Vec::new();
    let outcome = tokio::time::timeout(
        limits.body_timeout,
        store_each(bucket, &mut multipart, limits, &mut stored),
    )
    .await
    .unwrap_or(Err(Error::UploadTimeout {
        limit: limits.body_timeout,
    }));
    match outcome {
        Ok(()) if stored.is_empty() => Err(Error::NoFiles),
        Ok(()) => Ok(stored),
        Err(error) => {
            // Photos that were in the gallery before this request stay.
            for image in stored.iter().filter(|image| !image.duplicate) {
                let name = &image.object.name;
                if let Err(cleanup) = bucket.delete(name).await {
                    tracing::warn!(name = %name, "could not remove an image of a refused upload: {cleanup}");
                }
                if let Err(cleanup) = duplicates::release(bucket, &image.hash, name).await {
                    tracing::warn!(name = %name, "a content marker stays: {cleanup}");
                }
            }
            // A client too slow to send its body would be as slow to send the rest.
            if !matches!(error, Error::UploadTimeout { .. }) {
                let _ = tokio::time::timeout(DRAIN_TIME, drain(&mut multipart)).await;
            }
            Err(error)
        }
    }
}

async fn store_each(
    bucket: &Bucket,
    multipart: &mut Multipart<'static>,
    limits: Limits,
    stored: &mut Vec<Stored>,
) -> Result<()> {
    let mut counts = Counts::default();
    while let Some(mut field) = multipart.next_field().await.map_err(bad_upload)? {
        if field.name() != Some(FILE_FIELD) {
            continue;
        }
        let original = field.file_name().unwrap_or_default().to_owned();
        let head = read_head(&mut field).await.map_err(bad_upload)?;
        // A form submitted with no file chosen still sends an empty, nameless part.
        if head.is_empty() && original.is_empty() {
            continue;
        }
        counts.files += 1;
        if counts.files > limits.max_files {
            return Err(Error::TooManyFiles {
                limit: limits.max_files,
            });
        }
        stored.push(store_one(bucket, &mut field, original, head, limits, &mut counts).await?);
    }
    Ok(())
}

async fn store_one(
    bucket: &Bucket,
    field: &mut multer::Field<'static>,
    original: String,
    head: Bytes,
    limits: Limits,
    counts: &mut Counts,
) -> Result<Stored> {
    let display_name = if original.is_empty() {
        "the file".to_owned()
    } else {
        original.clone()
    };
    if head.is_empty() {
        return Err(Error::EmptyFile { name: display_name });
    }
    let too_large = || Error::TooLarge {
        name: display_name.clone(),
        limit: limits.max_file_bytes,
    };
    let kind = ImageKind::sniff(&head).ok_or_else(|| Error::UnsupportedType {
        name: display_name.clone(),
    })?;
    let refused = |problem| Error::InvalidImage {
        name: display_name.clone(),
        problem,
    };
    let mut count = |bytes: usize| {
        counts.bytes += bytes as u64;
        if counts.bytes > limits.max_request_bytes {
            return Err(Error::RequestTooLarge {
                limit: limits.max_request_bytes,
            });
        }
        Ok(())
    };
    // Checked (and cleaned) as it flows: a problem in the first bytes stops the
    // upload before anything is stored.
    let mut inspector = Inspector::new(kind, limits.rules());
    let mut size = head.len() as u64;
    if size > limits.max_file_bytes {
        return Err(too_large());
    }
    count(head.len())?;
    let first = inspector.feed(&head).map_err(refused)?;

    let name = ObjectName::for_upload(&original, kind);
    let mut object = bucket.create(&name, kind.mime()).await?;
    let mut hash = ContentHash::default();
    let copied: Result<crate::inspect::Facts> = async {
        hash.update(&first);
        object.write(first).await?;
        while let Some(chunk) = field.chunk().await.map_err(bad_upload)? {
            size += chunk.len() as u64;
            if size > limits.max_file_bytes {
                return Err(too_large());
            }
            count(chunk.len())?;
            let checked = inspector.feed(&chunk).map_err(refused)?;
            if !checked.is_empty() {
                hash.update(&checked);
                object.write(checked).await?;
            }
        }
        let (rest, facts) = inspector.finish().map_err(refused)?;
        if !rest.is_empty() {
            hash.update(&rest);
            object.write(rest).await?;
        }
        Ok(facts)
    }
    .await;
    let facts = match copied {
        Ok(facts) => facts,
        Err(error) => {
            if let Err(cleanup) = object.abort().await {
                tracing::warn!(name = %name, "could not abort a refused upload: {cleanup}");
            }
            return Err(error);
        }
    };
    let hash = hash.finish();
    // The same bytes already in the gallery: nothing new is stored.
    let already = match duplicates::existing(bucket, &hash).await {
        Ok(already) => already,
        Err(error) => {
            let _ = object.abort().await;
            return Err(error);
        }
    };
    let already_stored = |existing: ObjectInfo, original: String, hash: String| {
        tracing::info!(name = %existing.name, "the uploaded bytes are in the gallery already");
        Stored {
            object: existing,
            kind,
            uploaded_as: original,
            duplicate: true,
            hash,
        }
    };
    if let Some(existing) = already {
        if let Err(cleanup) = object.abort().await {
            tracing::warn!(name = %name, "could not abort a duplicate upload: {cleanup}");
        }
        return Ok(already_stored(existing, original, hash));
    }
    let object = object.finish().await?;
    // Another instance may have stored the same bytes at the same moment: one wins.
    if let duplicates::Claim::Taken(existing) = duplicates::claim(bucket, &hash, &name).await? {
        bucket.delete(&name).await?;
        return Ok(already_stored(existing, original, hash));
    }

    tracing::info!(
        name = %name,
        size,
        content_type = kind.mime(),
        width = facts.width,
        height = facts.height,
        location_removed = facts.location_removed,
        "stored image"
    );
    Ok(Stored {
        object,
        kind,
        uploaded_as: original,
        duplicate: false,
        hash,
    })
}

/// Reads what is left of a refused body, up to [`MAX_DRAIN_BYTES`].
async fn drain(multipart: &mut Multipart<'static>) {
    let mut drained = 0u64;
    while let Ok(Some(mut field)) = multipart.next_field().await {
        while let Ok(Some(chunk)) = field.chunk().await {
            drained += chunk.len() as u64;
            if drained > MAX_DRAIN_BYTES {
                return;
            }
        }
    }
}

fn bad_upload(error: multer::Error) -> Error {
    Error::BadUpload(error.to_string())
}

/// Builds the multipart reader for a raw request body.
pub fn multipart_from(
    content_type: Option<&str>,
    body: axum::body::Body,
) -> Result<Multipart<'static>> {
    let boundary = content_type
        .and_then(|value| multer::parse_boundary(value).ok())
        .ok_or_else(|| Error::BadRequest("an upload must be sent as multipart/form-data".into()))?;
    Ok(Multipart::new(body.into_data_stream(), boundary))
}
