//! What one instance stores and deletes, told to every other through the bucket:
//! each change is written as a small segment under `.gallery/catalog/journal/`,
//! named by when it was written and by the instance that wrote it, and every
//! instance reads the segments it has not seen every few seconds while pages are
//! asked for. So an upload or a delete through one server shows on the others in
//! seconds, with no walk of the bucket. Segments are only ever created, never
//! changed, under names no two writers share: it needs no conditional write, and
//! so works on stores that ignore them (Garage). A segment older than
//! [`RETENTION`] is removed by whoever sees it: every instance has read it or
//! walked the bucket since.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::names::{unique_id, ObjectName};
use crate::storage::{Bucket, ObjectInfo};

/// Where the segments live, beside the other derived objects.
pub const FOLDER: &str = ".gallery/catalog/journal/";
/// How long a segment is kept. An instance that has not read the journal for
/// half this long walks the bucket instead (see `Catalog`).
pub const RETENTION: Duration = Duration::from_secs(3600);
/// A segment is small (a request's uploads); anything larger is not ours.
const LARGEST_SEGMENT: u64 = 4 << 20;

/// One object as a segment tells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub name: String,
    pub size: u64,
    /// The object's time, in nanoseconds since 1970 (as exact as the store's).
    pub modified: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e_tag: Option<String>,
}

impl From<&ObjectInfo> for Entry {
    fn from(object: &ObjectInfo) -> Self {
        Entry {
            name: object.name.to_string(),
            size: object.size,
            modified: object
                .last_modified
                .timestamp_nanos_opt()
                .unwrap_or_else(|| object.last_modified.timestamp_micros().saturating_mul(1000)),
            e_tag: object.e_tag.clone(),
        }
    }
}

impl Entry {
    /// The object it tells of; `None` for a name or time no object could have.
    pub fn object(&self) -> Option<ObjectInfo> {
        let name = ObjectName::parse(&self.name)
            .ok()
            .filter(|n| !n.is_hidden())?;
        Some(ObjectInfo {
            name,
            size: self.size,
            last_modified: DateTime::from_timestamp_nanos(self.modified),
            e_tag: self.e_tag.clone(),
        })
    }
}

/// The changes of one segment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<Entry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
}

impl Segment {
    fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }

    fn append(&mut self, other: Segment) {
        self.added.extend(other.added);
        self.removed.extend(other.removed);
    }
}

/// A segment's name in the journal: `{ULID}-{instance}.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SegmentName {
    written: DateTime<Utc>,
    instance: String,
}

impl SegmentName {
    fn parse(key: &str) -> Option<SegmentName> {
        let file = key.strip_prefix(FOLDER)?.strip_suffix(".json")?;
        let (ulid, instance) = file.split_once('-')?;
        let ulid = ulid::Ulid::from_string(ulid).ok()?;
        let written = Utc
            .timestamp_millis_opt(i64::try_from(ulid.timestamp_ms()).ok()?)
            .single()?;
        Some(SegmentName {
            written,
            instance: instance.to_owned(),
        })
    }
}

/// This instance's end of the journal: what it has to tell, and what it has read.
#[derive(Debug)]
pub struct Journal {
    bucket: Bucket,
    /// Names this instance's segments, so it skips its own.
    instance: String,
    /// Changes waiting for the next write: while one write is under way, the
    /// changes that come meanwhile go out together in the next.
    outbox: Mutex<Segment>,
    writing: tokio::sync::Mutex<()>,
    /// Segments read (or found at the start), with when they were written.
    seen: Mutex<HashMap<String, DateTime<Utc>>>,
    /// Changes wait for [`Journal::flush`] instead of going out one by one (a
    /// terminal import of thousands of files tells them a second's worth at a time).
    held: AtomicBool,
}

impl Journal {
    pub fn new(bucket: Bucket) -> Self {
        Journal {
            bucket,
            instance: crate::auth::secret::random_hex::<6>(),
            outbox: Mutex::new(Segment::default()),
            writing: tokio::sync::Mutex::new(()),
            seen: Mutex::new(HashMap::new()),
            held: AtomicBool::new(false),
        }
    }

    /// From now on changes wait for [`Journal::flush`].
    pub fn hold(&self) {
        self.held.store(true, Ordering::Relaxed);
    }

    /// Writes `changes` for the other instances; returns once they are in the
    /// bucket (with whatever else was waiting).
    pub async fn tell(&self, changes: Segment) -> Result<()> {
        lock(&self.outbox).append(changes);
        if self.held.load(Ordering::Relaxed) {
            return Ok(());
        }
        self.flush().await
    }

    /// Writes what waits to be told, if anything.
    pub async fn flush(&self) -> Result<()> {
        let _one_writer = self.writing.lock().await;
        let batch = std::mem::take(&mut *lock(&self.outbox));
        if batch.is_empty() {
            return Ok(()); // written by the write just before, with its own
        }
        // Ids sort in the order this instance wrote them, even within one millisecond.
        let key = format!("{FOLDER}{}-{}.json", unique_id(), self.instance);
        let name = ObjectName::parse(&key)
            .map_err(|_| Error::Internal(format!("{key} is not a valid object name")))?;
        let body = serde_json::to_vec(&batch)
            .map_err(|error| Error::Internal(format!("a journal segment: {error}")))?;
        let written = self
            .bucket
            .put(&name, "application/json", Bytes::from(body))
            .await;
        if written.is_err() {
            // Kept for the next write, so the change is told late rather than never.
            let mut outbox = lock(&self.outbox);
            let later = std::mem::take(&mut *outbox);
            *outbox = batch;
            outbox.append(later);
        }
        written
    }

    /// Marks every segment now in the journal as read, without reading it: for a
    /// start, where a walk of the bucket begun after this holds their objects.
    pub async fn skip_all(&self) -> Result<()> {
        let listed = self.bucket.list_folder(FOLDER).await?;
        let mut seen = lock(&self.seen);
        for object in listed {
            if let Some(segment) = SegmentName::parse(object.name.as_str()) {
                seen.insert(object.name.to_string(), segment.written);
            }
        }
        Ok(())
    }

    /// The segments of other instances not read before, oldest first. Segments
    /// past [`RETENTION`] are removed on the way; unreadable ones are skipped.
    pub async fn read_new(&self) -> Result<Vec<Segment>> {
        let listed = self.bucket.list_folder(FOLDER).await?;
        let now = Utc::now();
        let retention = chrono::Duration::from_std(RETENTION).unwrap_or_default();
        let mut unread = Vec::new();
        for object in listed {
            let key = object.name.to_string();
            let Some(segment) = SegmentName::parse(&key) else {
                continue;
            };
            if now - segment.written > retention {
                if let Err(error) = self.bucket.delete(&object.name).await {
                    tracing::debug!(key, "an old journal segment stays for now: {error}");
                }
                continue;
            }
            if segment.instance == self.instance || lock(&self.seen).contains_key(&key) {
                continue;
            }
            unread.push((key, object.name, segment.written));
        }
        unread.sort_by(|a, b| a.0.cmp(&b.0));
        let mut segments = Vec::with_capacity(unread.len());
        for (key, name, written) in unread {
            let segment = match self.bucket.read_all(&name, LARGEST_SEGMENT).await {
                Ok((_, bytes)) => serde_json::from_slice::<Segment>(&bytes).ok(),
                // Removed meanwhile (past retention): nothing to read.
                Err(Error::NotFound(_)) => None,
                Err(error) => return Err(error),
            };
            if segment.is_none() {
                tracing::warn!(key, "a journal segment that is not one was skipped");
            }
            segments.extend(segment);
            lock(&self.seen).insert(key, written);
        }
        lock(&self.seen).retain(|_, written| now - *written <= retention);
        Ok(segments)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{keys_for_test, put_for_test as put, Settings};

    async fn object(bucket: &Bucket, name: &str) -> ObjectInfo {
        put(bucket, name).await;
        bucket
            .head(&ObjectName::parse(name).unwrap())
            .await
            .unwrap()
    }

    fn added(objects: &[&ObjectInfo]) -> Segment {
        Segment {
            added: objects.iter().map(|o| Entry::from(*o)).collect(),
            removed: Vec::new(),
        }
    }

    #[tokio::test]
    async fn what_one_instance_tells_another_reads_once() {
        let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
        let (one, other) = (Journal::new(bucket.clone()), Journal::new(bucket.clone()));
        let a = object(&bucket, "a.png").await;
        one.tell(added(&[&a])).await.unwrap();
        one.tell(Segment {
            removed: vec!["b.png".into()],
            ..Segment::default()
        })
        .await
        .unwrap();

        let read = other.read_new().await.unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].added[0].object().unwrap(), a, "oldest first");
        assert_eq!(read[1].removed, ["b.png"]);
        assert!(other.read_new().await.unwrap().is_empty(), "read once");
        assert!(
            one.read_new().await.unwrap().is_empty(),
            "its own are skipped"
        );
    }

    #[tokio::test]
    async fn held_changes_go_out_together_when_flushed() {
        let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
        let (one, other) = (Journal::new(bucket.clone()), Journal::new(bucket.clone()));
        one.hold();
        let a = object(&bucket, "a.png").await;
        let b = object(&bucket, "b.png").await;
        one.tell(added(&[&a])).await.unwrap();
        one.tell(added(&[&b])).await.unwrap();
        assert!(other.read_new().await.unwrap().is_empty(), "held");

        one.flush().await.unwrap();
        assert_eq!(other.read_new().await.unwrap(), [added(&[&a, &b])]);
        one.flush().await.unwrap();
        assert!(other.read_new().await.unwrap().is_empty(), "nothing more");
    }

    #[tokio::test]
    async fn a_start_skips_what_a_walk_will_find() {
        let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
        let one = Journal::new(bucket.clone());
        let a = object(&bucket, "a.png").await;
        one.tell(added(&[&a])).await.unwrap();

        let late = Journal::new(bucket.clone());
        late.skip_all().await.unwrap();
        assert!(late.read_new().await.unwrap().is_empty());
        let b = object(&bucket, "b.png").await;
        one.tell(added(&[&b])).await.unwrap();
        assert_eq!(late.read_new().await.unwrap(), [added(&[&b])]);
    }

    #[tokio::test]
    async fn old_and_foreign_segments_are_left_out() {
        let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
        let old = ulid::Ulid::from_parts((Utc::now().timestamp_millis() - 2 * 3_600_000) as u64, 1);
        let keys = [
            format!("{FOLDER}{old}-abc.json"),
            format!("{FOLDER}not-a-segment.json"),
            format!("{FOLDER}{}-abc.json", ulid::Ulid::new()),
        ];
        for key in &keys {
            bucket
                .put(
                    &ObjectName::parse(key).unwrap(),
                    "application/json",
                    Bytes::from_static(b"{\"removed\": [\"x.png\"]} trailing"),
                )
                .await
                .unwrap();
        }
        let journal = Journal::new(bucket.clone());
        assert!(
            journal.read_new().await.unwrap().is_empty(),
            "not JSON: skipped"
        );
        let left = keys_for_test(&bucket, FOLDER).await;
        assert!(!left.contains(&keys[0]), "past retention: removed");
        assert!(left.contains(&keys[1]), "not ours: left alone");
    }

    #[test]
    fn an_entry_keeps_what_a_page_needs() {
        let entry = Entry {
            name: "beach-01j.jpg".into(),
            size: 12,
            modified: 1_700_000_000_123_456_789,
            e_tag: Some("\"e\"".into()),
        };
        let object = entry.object().unwrap();
        assert_eq!(Entry::from(&object), entry);
        assert!(Entry {
            name: ".gallery/x".into(),
            ..entry
        }
        .object()
        .is_none());
    }
}
