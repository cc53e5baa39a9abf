//! The catalog index kept in the bucket: the listing of the last walk, in the
//! gallery's order, so that a server starting reads it instead of walking the
//! bucket. Each index is written under `.gallery/catalog/index/{ULID}/` as parts
//! of [`PART_ENTRIES`] entries and, last, a `head.json` naming them: an index
//! without its head (a writer killed halfway) is never read, and when the newest
//! does not read back whole (truncated, edited, a part missing) the bucket is
//! walked instead. The bucket's objects stay the truth: losing the
//! index loses no photo, it only costs the next start a walk, after which it is
//! written again. Beside each part, the facts of its photos (`shelf`), so pages
//! are made from the index alone. Only ever new names are written, so writers never clash; the
//! two newest whole indexes are kept (a server may be reading the older), and
//! anything older, or headless and older than an hour, is removed.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::journal::Entry;
use super::shelf::{self, Shelf, ShelfPart, Sources};
use crate::error::{Error, Result};
use crate::names::{unique_id, ObjectName};
use crate::storage::{Bucket, ObjectInfo};

/// Where the indexes live, beside the other derived objects.
pub const FOLDER: &str = ".gallery/catalog/index/";
/// Entries in one part (about 1.5 MB of JSON).
const PART_ENTRIES: usize = 10_000;
/// A part is read whole into memory, so it has a size it may not pass.
const LARGEST_PART: u64 = 64 << 20;
const LARGEST_HEAD: u64 = 1 << 20;
/// Headless indexes younger than this may still be being written.
const UNFINISHED_GRACE: Duration = Duration::from_secs(3600);
const HEAD: &str = "head.json";
/// Changes when the format does; an index of another format is passed over.
const FORMAT: u32 = 2;

/// What `head.json` holds.
#[derive(Debug, Serialize, Deserialize)]
struct Head {
    format: u32,
    /// When the walk it holds began (nanoseconds since 1970): anything stored
    /// before then is in it.
    walked_at: i64,
    /// The part files, in order, with how many entries each holds.
    parts: Vec<(String, usize)>,
    /// Tells two listings apart without comparing them (see [`digest`]).
    digest: String,
    /// The facts kept beside the parts, in order (parts whose photos had none
    /// have none).
    #[serde(default)]
    facts: Vec<ShelfPart>,
}

/// An index as read back.
#[derive(Debug)]
pub struct Index {
    pub id: String,
    /// In the gallery's order.
    pub objects: Vec<ObjectInfo>,
    pub walked_at: DateTime<Utc>,
    pub digest: String,
    pub shelf: Shelf,
}

/// A short fingerprint of a listing in order: the same objects, the same digest.
pub fn digest<'a>(objects: impl IntoIterator<Item = &'a ObjectInfo>) -> String {
    let mut hash = Sha256::new();
    for object in objects {
        hash.update(object.name.as_str());
        hash.update([0]);
        hash.update(object.size.to_le_bytes());
        hash.update(object.last_modified.timestamp_micros().to_le_bytes());
        hash.update(object.e_tag.as_deref().unwrap_or_default());
        hash.update([0]);
    }
    hash.finalize()[..12]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The id of the index whose facts are on `shelf`.
pub fn id_of(shelf: &Shelf) -> Option<&str> {
    shelf.folder.strip_prefix(FOLDER)?.strip_suffix('/')
}

fn name(key: &str) -> Result<ObjectName> {
    ObjectName::parse(key).map_err(|_| Error::Internal(format!("{key} is not a valid object name")))
}

/// An index as written.
#[derive(Debug)]
pub struct Written {
    /// Where its facts are.
    pub shelf: Shelf,
    /// The bucket requests writing it (and removing what it replaces) took.
    pub requests: usize,
}

/// Writes `objects` (in the gallery's order, from a walk begun at `walked_at`)
/// as a new index with the facts `sources` have of them, then removes the
/// indexes it replaces.
pub async fn write(
    bucket: &Bucket,
    objects: &[ObjectInfo],
    walked_at: DateTime<Utc>,
    sources: &Sources<'_>,
) -> Result<Written> {
    let folder = format!("{FOLDER}{}/", unique_id());
    let mut parts = Vec::new();
    let mut shelf = Shelf {
        folder: folder.clone(),
        parts: Vec::new(),
    };
    for (number, chunk) in objects.chunks(PART_ENTRIES).enumerate() {
        let file = format!("part-{number:05}.json");
        let entries: Vec<Entry> = chunk.iter().map(Entry::from).collect();
        shelf::put_json(
            bucket,
            &format!("{folder}{file}"),
            "an index part",
            &entries,
        )
        .await?;
        parts.push((file, chunk.len()));
        let facts = shelf::write_part(bucket, &folder, number, chunk, sources).await?;
        shelf.parts.extend(facts);
    }
    let head = Head {
        format: FORMAT,
        walked_at: walked_at
            .timestamp_nanos_opt()
            .ok_or_else(|| Error::Internal(format!("{walked_at} is out of range")))?,
        parts,
        digest: digest(objects),
        facts: shelf.parts.clone(),
    };
    shelf::put_json(bucket, &format!("{folder}{HEAD}"), "an index head", &head).await?;
    let written = head.parts.len() + head.facts.len() + 1;
    let pruned = prune(bucket).await?;
    Ok(Written {
        shelf,
        requests: written + pruned,
    })
}

/// Every index folder in the bucket: its id, whether it has a head, and the
/// keys in it.
async fn folders(bucket: &Bucket) -> Result<BTreeMap<String, (bool, Vec<ObjectName>)>> {
    let mut folders: BTreeMap<String, (bool, Vec<ObjectName>)> = BTreeMap::new();
    for object in bucket.list_folder(FOLDER).await? {
        let key = object.name.as_str();
        let Some((id, file)) = key
            .strip_prefix(FOLDER)
            .and_then(|rest| rest.split_once('/'))
        else {
            continue;
        };
        let folder = folders.entry(id.to_owned()).or_default();
        folder.0 |= file == HEAD;
        folder.1.push(object.name);
    }
    Ok(folders)
}

/// Keeps the two newest whole indexes, and headless ones that may still be
/// being written; answers the requests that took.
async fn prune(bucket: &Bucket) -> Result<usize> {
    let folders = folders(bucket).await?;
    let keys: usize = folders.values().map(|folder| folder.1.len()).sum();
    let mut requests = crate::storage::listing_requests(keys);
    let whole: Vec<&String> = folders
        .iter()
        .filter(|(_, f)| f.0)
        .map(|(id, _)| id)
        .collect();
    let keep_from = whole.len().saturating_sub(2);
    let oldest_kept = whole.get(keep_from).map(|id| id.as_str());
    for (id, (has_head, keys)) in &folders {
        let replaced = *has_head && oldest_kept.is_some_and(|kept| id.as_str() < kept);
        let abandoned = !*has_head && age_of(id).is_some_and(|age| age > UNFINISHED_GRACE);
        if replaced || abandoned {
            // The head first: an index is never seen with parts missing.
            let mut keys: Vec<&ObjectName> = keys.iter().collect();
            keys.sort_by_key(|key| !key.as_str().ends_with(HEAD));
            for key in keys {
                bucket.delete(key).await?;
                requests += 1;
            }
        }
    }
    Ok(requests)
}

/// How long ago the index `id` (a ULID) was begun.
fn age_of(id: &str) -> Option<Duration> {
    let ulid = ulid::Ulid::from_string(id).ok()?;
    let millis = u64::try_from(Utc::now().timestamp_millis()).ok()?;
    Some(Duration::from_millis(
        millis.saturating_sub(ulid.timestamp_ms()),
    ))
}

/// The newest whole index (one with its head); `None` when there is none or it
/// does not read back whole: then the bucket is walked (an older index would be
/// older than what the newest had).
pub async fn read_newest(bucket: &Bucket) -> Result<Option<Index>> {
    let folders = folders(bucket).await?;
    let Some(id) = folders.iter().rev().find(|(_, f)| f.0).map(|(id, _)| id) else {
        return Ok(None);
    };
    match read(bucket, id).await {
        Ok(index) => Ok(Some(index)),
        // The bucket failing is not the index's fault: said to the caller.
        Err(error @ Error::Storage { .. }) => Err(error),
        Err(error) => {
            tracing::warn!(index = %id, "the index does not read back whole; the bucket is walked instead: {error}");
            Ok(None)
        }
    }
}

/// The index `id`, read back whole, or why it cannot be.
pub async fn read(bucket: &Bucket, id: &str) -> Result<Index> {
    let folder = format!("{FOLDER}{id}/");
    let broken = |what: String| Error::Internal(format!("index {id}: {what}"));
    let (_, bytes) = bucket
        .read_all(&name(&format!("{folder}{HEAD}"))?, LARGEST_HEAD)
        .await?;
    let head: Head =
        serde_json::from_slice(&bytes).map_err(|error| broken(format!("its head: {error}")))?;
    if head.format != FORMAT {
        return Err(broken(format!("format {}", head.format)));
    }
    let mut objects = Vec::with_capacity(head.parts.iter().map(|(_, n)| n).sum());
    let files = head.parts.iter().map(|(file, _)| file);
    if let Some(file) = files
        .chain(head.facts.iter().map(|part| &part.file))
        .find(|file| file.contains('/'))
    {
        return Err(broken(format!("a part named {file}")));
    }
    for (file, count) in &head.parts {
        let (_, bytes) = bucket
            .read_all(&name(&format!("{folder}{file}"))?, LARGEST_PART)
            .await?;
        let entries: Vec<Entry> =
            serde_json::from_slice(&bytes).map_err(|error| broken(format!("{file}: {error}")))?;
        if entries.len() != *count {
            return Err(broken(format!(
                "{file} holds {} entries, not {count}",
                entries.len()
            )));
        }
        objects.extend(entries.iter().filter_map(Entry::object));
    }
    if digest(&objects) != head.digest {
        return Err(broken(
            "its entries are not the ones it was written with".into(),
        ));
    }
    Ok(Index {
        id: id.to_owned(),
        objects,
        walked_at: DateTime::from_timestamp_nanos(head.walked_at),
        digest: head.digest,
        shelf: Shelf {
            folder,
            parts: head.facts,
        },
    })
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::storage::{keys_for_test, put_for_test as put, Settings};

    async fn listing(bucket: &Bucket, count: usize) -> Vec<ObjectInfo> {
        for i in 0..count {
            put(bucket, &format!("photo-{i:05}.png")).await;
        }
        let mut objects = bucket.list().await.unwrap();
        objects.sort_by(|a, b| super::super::sort_key(a).cmp(&super::super::sort_key(b)));
        objects
    }

    async fn keys(bucket: &Bucket) -> Vec<String> {
        keys_for_test(bucket, FOLDER).await
    }

    #[tokio::test]
    async fn an_index_reads_back_as_it_was_written_in_parts() {
        let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
        let objects = listing(&bucket, PART_ENTRIES + 3).await;
        let walked_at = Utc::now();
        write(&bucket, &objects, walked_at, &Sources::NONE)
            .await
            .unwrap();

        let index = read_newest(&bucket).await.unwrap().expect("an index");
        assert_eq!(index.objects, objects);
        assert_eq!(index.walked_at, walked_at);
        assert_eq!(index.digest, digest(&objects));
        assert_eq!(keys(&bucket).await.len(), 3, "two parts and the head");
    }

    #[tokio::test]
    async fn the_two_newest_are_kept_and_a_broken_one_is_never_read() {
        let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
        let objects = listing(&bucket, 3).await;
        for upto in 1..=3 {
            write(&bucket, &objects[..upto], Utc::now(), &Sources::NONE)
                .await
                .unwrap();
        }
        let heads: Vec<String> = keys(&bucket)
            .await
            .into_iter()
            .filter(|key| key.ends_with(HEAD))
            .collect();
        assert_eq!(heads.len(), 2, "{heads:?}");
        assert_eq!(
            read_newest(&bucket).await.unwrap().unwrap().objects.len(),
            3
        );

        // The newest is cut short: none is read (the bucket is walked instead).
        let part = heads[1].replace(HEAD, "part-00000.json");
        bucket
            .put(
                &ObjectName::parse(&part).unwrap(),
                "application/json",
                Bytes::from_static(b"[{\"name\": \"x.png\""),
            )
            .await
            .unwrap();
        assert!(read_newest(&bucket).await.unwrap().is_none());

        // Without its head (a writer killed before the end): the one before it.
        bucket
            .delete(&ObjectName::parse(&heads[1]).unwrap())
            .await
            .unwrap();
        assert_eq!(
            read_newest(&bucket).await.unwrap().unwrap().objects.len(),
            2
        );

        // A part that holds other entries than its head says: not read.
        let first = heads[0].replace(HEAD, "part-00000.json");
        let other: Vec<Entry> = objects[1..].iter().map(Entry::from).collect();
        bucket
            .put(
                &ObjectName::parse(&first).unwrap(),
                "application/json",
                Bytes::from(serde_json::to_vec(&other).unwrap()),
            )
            .await
            .unwrap();
        assert!(read_newest(&bucket).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_headless_index_is_never_read_and_an_old_one_is_removed() {
        let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
        let objects = listing(&bucket, 2).await;
        let old = ulid::Ulid::from_parts((Utc::now().timestamp_millis() - 2 * 3_600_000) as u64, 7);
        let fresh = unique_id();
        for id in [old.to_string(), fresh.clone()] {
            let part = ObjectName::parse(&format!("{FOLDER}{id}/part-00000.json")).unwrap();
            bucket
                .put(&part, "application/json", Bytes::from_static(b"[]"))
                .await
                .unwrap();
        }
        assert!(read_newest(&bucket).await.unwrap().is_none());

        write(&bucket, &objects, Utc::now(), &Sources::NONE)
            .await
            .unwrap();
        let left = keys(&bucket).await;
        assert!(
            !left.iter().any(|key| key.contains(&old.to_string())),
            "{left:?}"
        );
        assert!(
            left.iter().any(|key| key.contains(&fresh)),
            "maybe still written: {left:?}"
        );
    }
}
