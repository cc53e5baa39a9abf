//! The gallery's view of the bucket: every object, newest first. Listing a bucket
//! costs a walk of the folder (or one request per 1,000 objects on S3), so one
//! sorted listing serves every page until the [`Pace`] allows the next walk: at
//! least `LISTING_CACHE_SECONDS`, and longer for a large bucket, so that walks
//! stay within `RECONCILE_REQUESTS_PER_HOUR`. When it is older, pages are still
//! served from it at once while a fresh listing is taken in the background
//! (stale-while-revalidate): that walk is what makes objects other tools put into
//! or took out of the bucket show. Each walk that finds the bucket changed is kept
//! in the bucket as the index (`index`), which a server starting reads instead of
//! walking. What this server stores or deletes shows at
//! once, and on every other server on the bucket within seconds through the
//! journal (`journal`), which each reads every [`READ_EVERY`] while pages are
//! asked for: both are kept beside the listing until a listing taken after them
//! replaces them.

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::names::ObjectName;
use crate::photos::facts::Facts;
use crate::photos::flight::Flights;
use crate::photos::Photos;
use crate::storage::{Bucket, ObjectInfo};

pub use pace::{Pace, DEFAULT_WALK_REQUESTS_PER_HOUR};

/// One photo with its neighbours, as the viewer shows it.
pub mod around;
/// What this server stores or deletes, and what the others told.
mod changes;
/// The last walk's listing kept in the bucket, read at a start.
pub mod index;
/// Changes told to the other instances through the bucket.
pub mod journal;
/// Taking a listing: the index read, or the bucket walked.
mod listing;
/// How often the bucket may be walked.
pub mod pace;
/// Pages of it, each with the cursor of the next.
pub mod paging;
/// The photos' facts kept with the index.
pub mod shelf;
/// The last walk of the bucket, told to every instance.
pub mod walks;

/// How long one listing serves pages before a new one is taken, at the least,
/// unless `LISTING_CACHE_SECONDS` says otherwise.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(5);
/// How often the journal is read while pages are asked for: what another
/// instance stores shows here within this and one request. One listing request
/// each time: 1,200 an hour while pages are asked for without pause.
pub const READ_EVERY: Duration = Duration::from_secs(3);
/// How long a request waits for the first listing (the index read, or a walk
/// when there is none) before it is served what the walk found so far.
pub const CATCH_UP_AFTER: Duration = Duration::from_secs(1);
/// The order of the gallery: newest first, then by name.
pub type SortKey<'a> = (Reverse<i64>, &'a str);

pub fn sort_key(object: &ObjectInfo) -> SortKey<'_> {
    (
        Reverse(object.last_modified.timestamp_micros()),
        object.name.as_str(),
    )
}

/// Sorted listings of one bucket, and what this server added since.
#[derive(Debug)]
pub struct Catalog {
    bucket: Bucket,
    pace: Pace,
    state: RwLock<State>,
    /// Held by whoever is taking a listing, so only one runs at a time.
    listing: Arc<tokio::sync::Mutex<()>>,
    journal: journal::Journal,
    /// Held by whoever is reading the journal, so only one read runs at a time.
    reading: Arc<tokio::sync::Mutex<()>>,
    /// Whose known facts an index written here keeps.
    photos: Option<Photos>,
    shelves: shelf::Shelves,
    /// The first listing being taken, which requests wait for a while.
    first: Flights<()>,
    /// What the walk under way has found so far.
    so_far: std::sync::Mutex<Vec<ObjectInfo>>,
    /// [`CATCH_UP_AFTER`], but in tests.
    catch_up_after: Duration,
}

#[derive(Debug, Default)]
struct State {
    listing: Option<Listing>,
    /// Objects stored by this server that the listing may not hold yet, newest first.
    recent: Vec<Recent>,
    /// Why the last attempt at a listing failed, until one succeeds.
    problem: Option<String>,
    /// Objects deleted (here or, by the journal, elsewhere) that the listing may
    /// still hold, and when.
    removed: HashMap<String, Instant>,
    /// When the journal was last read.
    journal_read: Option<Instant>,
    /// The digest of the index in the bucket as this server last read or wrote it.
    index_digest: Option<String>,
    /// Where the facts kept with that index are.
    shelf: Option<Arc<shelf::Shelf>>,
    /// When the walk the listing comes from began (here or on another instance).
    walked_at: Option<chrono::DateTime<chrono::Utc>>,
    /// What the first walk had found, in order, while there is no listing yet.
    provisional: Option<Listing>,
    /// The gallery's own objects the last walk that did not skip them paged
    /// through.
    own_objects: Option<usize>,
    /// When the walk the index in the bucket holds began.
    index_at: Option<Instant>,
}

#[derive(Debug, Clone)]
struct Listing {
    objects: Arc<[ObjectInfo]>,
    /// When the walk began: anything finished before then is in it.
    started: Instant,
    /// How long it serves before the next walk.
    serves: Duration,
}

/// What pages are made of just now.
struct Current {
    listing: Listing,
    /// Objects stored by this server since, sorted.
    recent: Vec<ObjectInfo>,
    problem: Option<String>,
    /// While the first walk runs: the objects it has found so far.
    catching_up: Option<usize>,
}

#[derive(Debug, Clone)]
struct Recent {
    object: ObjectInfo,
    added: Instant,
}

/// One page: the objects after a cursor, and whether more follow.
#[derive(Debug)]
pub struct Page {
    pub objects: Vec<ObjectInfo>,
    pub more: bool,
    /// Why the bucket could not be listed just now, when it could not: the page
    /// then comes from the last listing that worked.
    pub problem: Option<String>,
    /// Set while the first walk of the bucket runs (there was no index to read):
    /// how many objects it has found so far, of which the page is made.
    pub catching_up: Option<usize>,
}

/// One object and its neighbours in the gallery's order.
#[derive(Debug)]
pub struct Around {
    /// The one shown just before it (newer), if any.
    pub newer: Option<ObjectInfo>,
    pub this: ObjectInfo,
    /// The one shown just after it (older), if any.
    pub older: Option<ObjectInfo>,
}

impl Catalog {
    /// A catalog whose indexes hold the listing only.
    pub fn new(bucket: Bucket, pace: Pace) -> Arc<Self> {
        Self::build(bucket, pace, None)
    }

    /// A catalog whose indexes keep the facts `photos` knows.
    pub fn keeping_facts(bucket: Bucket, pace: Pace, photos: Photos) -> Arc<Self> {
        Self::build(bucket, pace, Some(photos))
    }

    fn build(bucket: Bucket, pace: Pace, photos: Option<Photos>) -> Arc<Self> {
        Arc::new(Catalog {
            journal: journal::Journal::new(bucket.clone()),
            shelves: shelf::Shelves::new(bucket.clone()),
            bucket,
            pace,
            state: RwLock::new(State::default()),
            listing: Arc::new(tokio::sync::Mutex::new(())),
            reading: Arc::new(tokio::sync::Mutex::new(())),
            photos,
            first: Flights::new(),
            so_far: std::sync::Mutex::default(),
            catch_up_after: CATCH_UP_AFTER,
        })
    }

    /// The facts the index holds for each of `objects`, where it holds them.
    pub async fn kept_facts(&self, objects: &[ObjectInfo]) -> Vec<Option<Facts>> {
        let shelf = self.read_state().shelf.clone();
        match shelf {
            Some(shelf) => self.shelves.find(&shelf, objects).await,
            None => vec![None; objects.len()],
        }
    }

    /// Up to `limit` objects that sort after `after` (from the start when `None`).
    pub async fn page(self: &Arc<Self>, after: Option<SortKey<'_>>, limit: usize) -> Result<Page> {
        let Current {
            listing,
            recent,
            problem,
            catching_up,
        } = self.current().await?;
        let removed = self.removed_names();
        let start = |objects: &[ObjectInfo]| match after {
            Some(after) => objects.partition_point(|object| sort_key(object) <= after),
            None => 0,
        };
        let listed = &listing.objects[start(&listing.objects)..];
        let mut merged = merged(listed, &recent, start(&recent), &removed);
        let objects: Vec<ObjectInfo> = merged.by_ref().take(limit).cloned().collect();
        Ok(Page {
            more: merged.next().is_some(),
            objects,
            problem,
            catching_up,
        })
    }

    /// The object `name` with the ones just before (newer) and after (older) it in
    /// the gallery's order; `None` when the catalog does not hold it.
    pub async fn around(self: &Arc<Self>, name: &ObjectName) -> Result<Option<Around>> {
        let Current {
            listing, recent, ..
        } = self.current().await?;
        let removed = self.removed_names();
        if removed.contains(name.as_str()) {
            return Ok(None);
        }
        let named = |object: &&ObjectInfo| object.name == *name;
        let Some(this) = recent
            .iter()
            .find(named)
            .or_else(|| listing.objects.iter().find(named))
            .cloned()
        else {
            return Ok(None);
        };
        let key = sort_key(&this);
        let fresh: HashSet<&str> = recent.iter().map(|o| o.name.as_str()).collect();
        let last_before = |objects: &[ObjectInfo], skip: &dyn Fn(&ObjectInfo) -> bool| {
            let end = objects.partition_point(|object| sort_key(object) < key);
            objects[..end]
                .iter()
                .rev()
                .find(|object| !skip(object))
                .cloned()
        };
        let listed = last_before(&listing.objects, &|object| {
            fresh.contains(object.name.as_str()) || removed.contains(object.name.as_str())
        });
        let added = last_before(&recent, &|_| false);
        let newer = match (listed, added) {
            (Some(a), Some(b)) => Some(if sort_key(&a) > sort_key(&b) { a } else { b }),
            (a, b) => a.or(b),
        };
        let older = self.page(Some(key), 1).await?.objects.pop();
        Ok(Some(Around { newer, this, older }))
    }

    /// Walks the bucket now (the admin's "rescan"), and says how many objects the
    /// gallery holds after it.
    pub async fn rescan(&self) -> Result<usize> {
        let _only_one = self.listing.lock().await;
        self.take_listing(false, true).await?;
        let Some(Current {
            listing, recent, ..
        }) = self.snapshot()
        else {
            return Ok(0);
        };
        let removed = self.removed_names();
        let listed: HashSet<&str> = listing
            .objects
            .iter()
            .map(|object| object.name.as_str())
            .filter(|name| !removed.contains(*name))
            .collect();
        let unlisted = recent
            .iter()
            .filter(|object| !listed.contains(object.name.as_str()))
            .count();
        Ok(listed.len() + unlisted)
    }

    fn removed_names(&self) -> HashSet<String> {
        let state = self
            .state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.removed.keys().cloned().collect()
    }

    fn write_state(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The listing to serve from, the recent objects (sorted) to merge in, and why
    /// the last listing failed, if it did.
    async fn current(self: &Arc<Self>) -> Result<Current> {
        if let Some(found) = self.snapshot() {
            let journal_read = self.read_state().journal_read;
            // An instance that has not read the journal (or walked) for long may
            // have missed segments since removed: it walks instead.
            let long = journal::RETENTION / 2;
            let started = found.listing.started;
            let lost_track =
                started.elapsed() >= long && journal_read.is_some_and(|at| at.elapsed() >= long);
            if started.elapsed() >= found.listing.serves || lost_track {
                self.refresh_in_background();
            } else if journal_read.is_none_or(|at| at.elapsed() >= READ_EVERY) {
                self.read_journal_in_background();
            }
            return Ok(found);
        }
        // No listing yet: the index read, or the bucket walked.
        self.first_or_catching_up().await
    }

    fn read_state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn snapshot(&self) -> Option<Current> {
        let state = self.read_state();
        Some(Current {
            listing: state.listing.clone()?,
            recent: state.recent.iter().map(|r| r.object.clone()).collect(),
            problem: state.problem.clone(),
            catching_up: None,
        })
    }
}

/// The gallery's order: `listed` (from a walk) and `recent` from `recent_from`
/// on (what this server and the journal added since, whose other versions the
/// listing may hold), both sorted, merged, with what was `removed` since left out.
fn merged<'a>(
    listed: &'a [ObjectInfo],
    recent: &'a [ObjectInfo],
    recent_from: usize,
    removed: &'a HashSet<String>,
) -> impl Iterator<Item = &'a ObjectInfo> {
    let fresh: HashSet<&str> = recent.iter().map(|o| o.name.as_str()).collect();
    let added = &recent[recent_from..];
    let mut listed = listed
        .iter()
        .filter(move |object| !fresh.contains(object.name.as_str()))
        .filter(|object| !removed.contains(object.name.as_str()))
        .peekable();
    let mut added = added.iter().peekable();
    std::iter::from_fn(move || match (listed.peek(), added.peek()) {
        (Some(a), Some(b)) if sort_key(a) <= sort_key(b) => listed.next(),
        (Some(_), Some(_)) => added.next(),
        (Some(_), None) => listed.next(),
        (None, _) => added.next(),
    })
}

#[cfg(test)]
mod tests;
