//! The last walk of the bucket, told to every instance: after each walk of a
//! bucket large enough that sharing walks pays (see `listing`), an instance
//! writes when it began, the digest of what it found and the index that holds
//! it to `.gallery/catalog/walked.json` (the last writer wins, and any recent
//! walk will do). An instance whose own walk is due reads it first
//! and, when another instance walked since its listing was taken, takes that
//! walk's index (or, when nothing changed, just its time) instead of walking:
//! the instances on one bucket share the walks the pace allows, rather than
//! each walking as often.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::names::ObjectName;
use crate::storage::Bucket;

const RECORD: &str = ".gallery/catalog/walked.json";
/// The record is small; anything larger is not ours.
const LARGEST: u64 = 64 * 1024;

/// One walk of the bucket, as told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Walk {
    /// When it began (nanoseconds since 1970): anything stored before is in it.
    pub began: i64,
    /// The digest of what it found (see `index::digest`).
    pub digest: String,
    /// The index that holds what it found.
    pub index: String,
}

impl Walk {
    pub fn began_at(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_nanos(self.began)
    }
}

fn record() -> ObjectName {
    ObjectName::parse(RECORD).unwrap_or_else(|_| unreachable!("{RECORD} is a valid name"))
}

/// Tells the other instances of a walk.
pub async fn tell(bucket: &Bucket, walk: &Walk) -> Result<()> {
    let body = serde_json::to_vec(walk)
        .map_err(|error| Error::Internal(format!("a walk's record: {error}")))?;
    bucket
        .put(&record(), "application/json", Bytes::from(body))
        .await
}

/// The last walk told, if any (one whose record does not read is none).
pub async fn last(bucket: &Bucket) -> Result<Option<Walk>> {
    match bucket.read_all(&record(), LARGEST).await {
        Ok((_, bytes)) => Ok(serde_json::from_slice(&bytes).ok()),
        Err(Error::NotFound(_)) => Ok(None),
        Err(error) => Err(error),
    }
}
