//! The same bytes are stored once: each stored photo's content hash is kept in
//! the bucket (`.gallery/hashes/{sha256}`, holding the photo's name), so an upload
//! of bytes already in the gallery stores nothing and names the photo that has
//! them, whichever instance stored it. The marker is written create-only, so two
//! instances storing the same bytes at once agree on one of them; a store that
//! ignores conditional writes (Garage) can keep both.

use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::names::ObjectName;
use crate::storage::{Bucket, ObjectInfo};

/// Where the markers live: beside `.gallery/v1`, never inside a photo's folder.
const HASHES: &str = ".gallery/hashes";
/// A marker holds one name; anything longer is not ours.
const LARGEST_MARKER: u64 = 4096;

/// A content hash being computed as bytes pass.
#[derive(Debug, Clone, Default)]
pub struct ContentHash(Sha256);

impl ContentHash {
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The SHA-256 of everything passed, in hex.
    pub fn finish(self) -> String {
        self.0
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    /// The SHA-256 of `bytes`, in hex.
    pub fn of(bytes: &[u8]) -> String {
        let mut hash = ContentHash::default();
        hash.update(bytes);
        hash.finish()
    }
}

/// What claiming a hash for a new photo found.
#[derive(Debug)]
pub enum Claim {
    /// The photo is the first with these bytes.
    First,
    /// Another photo, still in the bucket, has these bytes.
    Taken(ObjectInfo),
}

/// The photo already in the bucket with these bytes, if any.
pub async fn existing(bucket: &Bucket, hash: &str) -> Result<Option<ObjectInfo>> {
    let marker = marker(hash)?;
    let name = match bucket.read_all(&marker, LARGEST_MARKER).await {
        Ok((_, bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(Error::NotFound(_)) => return Ok(None),
        Err(error) => return Err(error),
    };
    let Ok(name) = ObjectName::parse(&name) else {
        return Ok(None);
    };
    match bucket.head(&name).await {
        Ok(info) => Ok(Some(info)),
        // The marker outlived its photo (deleted by another tool): not a duplicate.
        Err(Error::NotFound(_)) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Records that `name` has the bytes of `hash`, unless another photo does.
pub async fn claim(bucket: &Bucket, hash: &str, name: &ObjectName) -> Result<Claim> {
    let marker = marker(hash)?;
    let content = Bytes::from(name.as_str().to_owned());
    if bucket
        .put_new(&marker, "text/plain", content.clone())
        .await?
    {
        return Ok(Claim::First);
    }
    match existing(bucket, hash).await? {
        Some(info) if info.name != *name => Ok(Claim::Taken(info)),
        // A marker whose photo is gone (or is this one): it is ours now.
        _ => {
            bucket.put(&marker, "text/plain", content).await?;
            Ok(Claim::First)
        }
    }
}

/// Forgets the hash of a photo that is deleted, if its marker names that photo.
pub async fn release(bucket: &Bucket, hash: &str, name: &ObjectName) -> Result<()> {
    let marker = marker(hash)?;
    match bucket.read_all(&marker, LARGEST_MARKER).await {
        Ok((_, bytes)) if bytes.as_ref() == name.as_str().as_bytes() => {
            bucket.delete(&marker).await
        }
        Ok(_) | Err(Error::NotFound(_)) => Ok(()),
        Err(error) => Err(error),
    }
}

fn marker(hash: &str) -> Result<ObjectName> {
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::Internal(format!("not a content hash: {hash}")));
    }
    ObjectName::parse(&format!("{HASHES}/{hash}"))
        .map_err(|_| Error::Internal("a marker name".into()))
}
