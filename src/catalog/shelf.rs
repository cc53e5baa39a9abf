//! The photos' facts kept with the index, so that a page is made from the index
//! alone: beside each part of the listing, `facts-NNNNN.json` holds the facts of
//! that part's photos (those known when it was written; the placeholder is left
//! out, it is drawn again from the ThumbHash), and the head names the first
//! photo of each. A page looks its photos up there, one read serving the
//! thousands of photos of a part; a photo the shelf does not hold (or holds for
//! another version of it) has its own `facts.json` read as before. Each index
//! written carries over what the one before it held, so the facts gathered by
//! pages shown since are kept, and the next start has them.

use std::cmp::Reverse;
use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use quick_cache::sync::Cache;
use serde::{Deserialize, Serialize};

use super::sort_key;
use crate::error::{Error, Result};
use crate::names::ObjectName;
use crate::photos::facts::Facts;
use crate::photos::flight::Flights;
use crate::photos::{keys, Photos};
use crate::storage::{Bucket, ObjectInfo};

/// Parts of facts kept in memory once read (each a few megabytes at most).
const PARTS_KEPT: usize = 4;
/// A part is read whole into memory, so it has a size it may not pass.
const LARGEST_PART: u64 = 64 << 20;

/// Where the facts of one part of the listing are, and the first photo it
/// holds (in the gallery's order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShelfPart {
    pub file: String,
    pub first_micros: i64,
    pub first_name: String,
}

/// The facts kept with one index: its folder and its parts, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shelf {
    pub folder: String,
    pub parts: Vec<ShelfPart>,
}

type PartFacts = Arc<HashMap<String, Facts>>;

/// Reads shelves: each part once however many ask at the same time, the last
/// few kept.
pub struct Shelves {
    bucket: Bucket,
    kept: Cache<String, PartFacts>,
    reading: Flights<PartFacts>,
}

impl std::fmt::Debug for Shelves {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shelves")
            .field("kept", &self.kept.len())
            .finish_non_exhaustive()
    }
}

impl Shelf {
    /// The part that would hold `object`, if any.
    fn part_of(&self, object: &ObjectInfo) -> Option<&ShelfPart> {
        let key = sort_key(object);
        let after = self
            .parts
            .partition_point(|part| (Reverse(part.first_micros), part.first_name.as_str()) <= key);
        after.checked_sub(1).map(|at| &self.parts[at])
    }
}

impl Shelves {
    pub fn new(bucket: Bucket) -> Self {
        Shelves {
            bucket,
            kept: Cache::new(PARTS_KEPT),
            reading: Flights::new(),
        }
    }

    /// The facts `shelf` holds for each of `objects` (of the version listed),
    /// with their placeholders; `None` for those it does not hold, or whose
    /// part could not be read.
    pub async fn find(&self, shelf: &Shelf, objects: &[ObjectInfo]) -> Vec<Option<Facts>> {
        let mut found = Vec::with_capacity(objects.len());
        for object in objects {
            let Some(part) = shelf.part_of(object) else {
                found.push(None);
                continue;
            };
            let facts = match self.part(&shelf.folder, &part.file).await {
                Ok(facts) => facts,
                Err(error) => {
                    tracing::debug!(part = %part.file, "the facts kept with the index could not be read: {error}");
                    found.push(None);
                    continue;
                }
            };
            found.push(
                facts
                    .get(object.name.as_str())
                    .filter(|facts| facts.version == keys::version(object))
                    .map(|facts| facts.clone().with_placeholder()),
            );
        }
        found
    }

    async fn part(&self, folder: &str, file: &str) -> Result<PartFacts> {
        let key = format!("{folder}{file}");
        if let Some(kept) = self.kept.get(&key) {
            return Ok(kept);
        }
        let bucket = self.bucket.clone();
        let name = object_name(&key)?;
        let read = self
            .reading
            .once(
                &key,
                "reading the facts kept with the index",
                move || async move {
                    let (_, bytes) = bucket.read_all(&name, LARGEST_PART).await?;
                    let entries: Vec<(String, Facts)> = serde_json::from_slice(&bytes)
                        .map_err(|error| Error::Internal(format!("{name}: {error}")))?;
                    Ok(Arc::new(entries.into_iter().collect::<HashMap<_, _>>()))
                },
            )
            .await?;
        self.kept.insert(key, Arc::clone(&read));
        Ok(read)
    }
}

/// Where an index being written finds the facts of its photos: those this
/// server knows, else those the index before it held.
pub struct Sources<'a> {
    pub photos: Option<&'a Photos>,
    pub previous: Option<(&'a Shelf, &'a Shelves)>,
}

impl Sources<'_> {
    /// None at all: the index holds the listing only.
    pub const NONE: Sources<'static> = Sources {
        photos: None,
        previous: None,
    };

    async fn of(&self, objects: &[ObjectInfo]) -> Vec<Option<Facts>> {
        let mut found: Vec<Option<Facts>> = objects
            .iter()
            .map(|object| {
                let known = self.photos?.known(object)?;
                Some(Facts::clone(&known))
            })
            .collect();
        if let Some((shelf, shelves)) = self.previous {
            let missing: Vec<usize> = (0..objects.len())
                .filter(|&at| found[at].is_none())
                .collect();
            let wanted: Vec<ObjectInfo> = missing.iter().map(|&at| objects[at].clone()).collect();
            for (at, facts) in missing.into_iter().zip(shelves.find(shelf, &wanted).await) {
                found[at] = facts;
            }
        }
        found
    }
}

/// Writes the facts of one part of a listing being kept as an index, as
/// `facts-NNNNN.json` in `folder`; `None` when none of its photos has facts.
pub async fn write_part(
    bucket: &Bucket,
    folder: &str,
    number: usize,
    objects: &[ObjectInfo],
    sources: &Sources<'_>,
) -> Result<Option<ShelfPart>> {
    let Some(first) = objects.first() else {
        return Ok(None);
    };
    let entries: Vec<(&str, Facts)> = objects
        .iter()
        .zip(sources.of(objects).await)
        .filter_map(|(object, facts)| Some((object.name.as_str(), facts?.without_placeholder())))
        .collect();
    if entries.is_empty() {
        return Ok(None);
    }
    let file = format!("facts-{number:05}.json");
    let what = "the facts of an index part";
    put_json(bucket, &format!("{folder}{file}"), what, &entries).await?;
    Ok(Some(ShelfPart {
        file,
        first_micros: first.last_modified.timestamp_micros(),
        first_name: first.name.to_string(),
    }))
}

/// Writes `value` as JSON under `key`; `what` names it in an error.
pub(super) async fn put_json(
    bucket: &Bucket,
    key: &str,
    what: &str,
    value: &impl Serialize,
) -> Result<()> {
    let body =
        serde_json::to_vec(value).map_err(|error| Error::Internal(format!("{what}: {error}")))?;
    bucket
        .put(&object_name(key)?, "application/json", Bytes::from(body))
        .await
}

fn object_name(key: &str) -> Result<ObjectName> {
    ObjectName::parse(key).map_err(|_| Error::Internal(format!("{key} is not a valid object name")))
}
