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

use chrono::Utc;

use crate::error::{Error, Result};
use crate::names::ObjectName;
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
/// How often the bucket may be walked.
pub mod pace;
/// Pages of it, each with the cursor of the next.
pub mod paging;

/// How long one listing serves pages before a new one is taken, at the least,
/// unless `LISTING_CACHE_SECONDS` says otherwise.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(5);
/// How often the journal is read while pages are asked for: what another
/// instance stores shows here within this and one request.
pub const READ_EVERY: Duration = Duration::from_secs(2);
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
}

#[derive(Debug, Clone)]
struct Listing {
    objects: Arc<[ObjectInfo]>,
    /// When the walk began: anything finished before then is in it.
    started: Instant,
    /// How long it serves before the next walk.
    serves: Duration,
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
    pub fn new(bucket: Bucket, pace: Pace) -> Arc<Self> {
        Arc::new(Catalog {
            journal: journal::Journal::new(bucket.clone()),
            bucket,
            pace,
            state: RwLock::new(State::default()),
            listing: Arc::new(tokio::sync::Mutex::new(())),
            reading: Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    /// Up to `limit` objects that sort after `after` (from the start when `None`).
    pub async fn page(self: &Arc<Self>, after: Option<SortKey<'_>>, limit: usize) -> Result<Page> {
        let (listing, recent, problem) = self.current().await?;
        let fresh: HashSet<&str> = recent.iter().map(|o| o.name.as_str()).collect();
        let removed = self.removed_names();
        let start = |objects: &[ObjectInfo]| match after {
            Some(after) => objects.partition_point(|object| sort_key(object) <= after),
            None => 0,
        };
        // Merge the two sorted runs; the listing may hold a recent object too.
        let mut listed = listing.objects[start(&listing.objects)..]
            .iter()
            .filter(|object| !fresh.contains(object.name.as_str()))
            .filter(|object| !removed.contains(object.name.as_str()))
            .peekable();
        let mut added = recent[start(&recent)..].iter().peekable();
        let mut objects = Vec::with_capacity(limit.min(1024));
        loop {
            let next = match (listed.peek(), added.peek()) {
                (Some(a), Some(b)) if sort_key(a) <= sort_key(b) => listed.next(),
                (Some(_), Some(_)) => added.next(),
                (Some(_), None) => listed.next(),
                (None, Some(_)) => added.next(),
                (None, None) => None,
            };
            let Some(next) = next else {
                return Ok(Page {
                    objects,
                    more: false,
                    problem,
                });
            };
            if objects.len() == limit {
                return Ok(Page {
                    objects,
                    more: true,
                    problem,
                });
            }
            objects.push(next.clone());
        }
    }

    /// The object `name` with the ones just before (newer) and after (older) it in
    /// the gallery's order; `None` when the catalog does not hold it.
    pub async fn around(self: &Arc<Self>, name: &ObjectName) -> Result<Option<Around>> {
        let (listing, recent, _) = self.current().await?;
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
        self.take_listing().await?;
        let Some((listing, recent, _)) = self.snapshot() else {
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
    async fn current(self: &Arc<Self>) -> Result<(Listing, Vec<ObjectInfo>, Option<String>)> {
        if let Some(found) = self.snapshot() {
            let journal_read = self.read_state().journal_read;
            // An instance that has not read the journal (or walked) for long may
            // have missed segments since removed: it walks instead.
            let long = journal::RETENTION / 2;
            let lost_track = found.0.started.elapsed() >= long
                && journal_read.is_some_and(|at| at.elapsed() >= long);
            if found.0.started.elapsed() >= found.0.serves || lost_track {
                self.refresh_in_background();
            } else if journal_read.is_none_or(|at| at.elapsed() >= READ_EVERY) {
                self.read_journal_in_background();
            }
            return Ok(found);
        }
        // No listing yet: this request waits for the index, or for a walk when
        // there is none (and so do any at the same time).
        let _only_one = self.listing.lock().await;
        if let Some(found) = self.snapshot() {
            return Ok(found);
        }
        if !self.load_index().await {
            self.take_listing().await?;
        }
        self.snapshot()
            .ok_or_else(|| Error::Internal("a listing vanished right after it was taken".into()))
    }

    fn read_state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn snapshot(&self) -> Option<(Listing, Vec<ObjectInfo>, Option<String>)> {
        let state = self.read_state();
        let listing = state.listing.clone()?;
        let recent = state.recent.iter().map(|r| r.object.clone()).collect();
        Some((listing, recent, state.problem.clone()))
    }

    fn refresh_in_background(self: &Arc<Self>) {
        let Ok(guard) = self.listing.clone().try_lock_owned() else {
            return; // one is already being taken
        };
        let catalog = Arc::clone(self);
        tokio::spawn(async move {
            let _only_one = guard;
            if let Err(error) = catalog.take_listing().await {
                tracing::warn!(
                    "the bucket could not be listed; the gallery shows the previous listing: {}",
                    error.report().chain
                );
                catalog.write_state().problem = Some(error.to_string());
            }
        });
    }

    /// Makes the index in the bucket, with what the journal says changed since,
    /// the listing pages are served from; `false` when there is no index to read.
    async fn load_index(&self) -> bool {
        let began = Instant::now();
        let index = match index::read_newest(&self.bucket).await {
            Ok(Some(index)) => index,
            Ok(None) => return false,
            Err(error) => {
                tracing::warn!(
                    "the index could not be read; the bucket is walked instead: {error}"
                );
                return false;
            }
        };
        let age = (Utc::now() - index.walked_at).to_std().unwrap_or_default();
        // Changes since the index was written (and some before: told twice, they
        // change nothing).
        if let Err(error) = self.read_journal().await {
            tracing::warn!("the journal could not be read: {error}");
        }
        let mut state = self.write_state();
        // An index older than the journal reaches back gets a walk soon after.
        let serves = self
            .pace
            .interval(index.objects.len())
            .min(journal::RETENTION / 2);
        state.index_digest = Some(index.digest);
        state.listing = Some(Listing {
            serves,
            objects: index.objects.into(),
            started: began.checked_sub(age).unwrap_or(began),
        });
        let took = began.elapsed();
        if took > Duration::from_secs(1) {
            tracing::info!(?took, "read the index");
        }
        true
    }

    /// Lists the bucket and makes that the listing pages are served from.
    async fn take_listing(&self) -> Result<()> {
        let started = Instant::now();
        let walked_at = Utc::now();
        let journal_read = self.read_state().journal_read;
        if journal_read.is_none_or(|at| at.elapsed() >= journal::RETENTION / 2) {
            // What the journal holds now is in the bucket already: the walk finds it.
            match self.journal.skip_all().await {
                Ok(()) => self.write_state().journal_read = Some(started),
                Err(error) => tracing::warn!("the journal could not be read: {error}"),
            }
        }
        let mut objects = self.bucket.list().await?;
        objects.sort_unstable_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        let took = started.elapsed();
        if took > Duration::from_secs(1) {
            tracing::info!(objects = objects.len(), ?took, "listed the bucket");
        }
        let digest = index::digest(&objects);
        let objects: Arc<[ObjectInfo]> = objects.into();
        let changed = {
            let mut state = self.write_state();
            state.problem = None;
            state.recent.retain(|recent| recent.added >= started);
            // A listing begun after a delete cannot hold the deleted object.
            state.removed.retain(|_, at| *at >= started);
            state.listing = Some(Listing {
                serves: self.pace.interval(objects.len()),
                objects: Arc::clone(&objects),
                started,
            });
            // An empty bucket needs no index, unless one says it holds something.
            state.index_digest.as_deref() != Some(digest.as_str())
                && (!objects.is_empty() || state.index_digest.is_some())
        };
        if changed {
            // The next start (here or on another instance) reads this, not the bucket.
            let written = index::write(&self.bucket, &objects, walked_at).await;
            match written {
                Ok(()) => self.write_state().index_digest = Some(digest),
                Err(error) => tracing::warn!(
                    "the index could not be written; the next start walks the bucket: {}",
                    error.report().chain
                ),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
