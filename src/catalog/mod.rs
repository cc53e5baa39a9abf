//! The gallery's view of the bucket: every object, newest first. Listing a bucket
//! costs a walk of the folder (or one request per 1,000 objects on S3), so one
//! sorted listing serves every page for `max_age` (`LISTING_CACHE_SECONDS`). When
//! it is older, pages are still served from it at once while a fresh listing is
//! taken in the background (stale-while-revalidate): objects that other tools put
//! into the bucket show within `max_age` plus the time one listing takes. What this
//! server stores shows at once: it is kept beside the listing until a listing
//! taken after it replaces it.

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::names::ObjectName;
use crate::storage::{Bucket, ObjectInfo};

/// One photo with its neighbours, as the viewer shows it.
pub mod around;
/// Pages of it, each with the cursor of the next.
pub mod paging;

/// How long one listing serves pages before a new one is taken, unless
/// `LISTING_CACHE_SECONDS` says otherwise.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(5);

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
    max_age: Duration,
    state: RwLock<State>,
    /// Held by whoever is taking a listing, so only one runs at a time.
    listing: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Debug, Default)]
struct State {
    listing: Option<Listing>,
    /// Objects stored by this server that the listing may not hold yet, newest first.
    recent: Vec<Recent>,
    /// Why the last attempt at a listing failed, until one succeeds.
    problem: Option<String>,
    /// Objects this server deleted that the listing may still hold, and when.
    removed: HashMap<String, Instant>,
}

#[derive(Debug, Clone)]
struct Listing {
    objects: Arc<[ObjectInfo]>,
    /// When the walk began: anything finished before then is in it.
    started: Instant,
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
    pub fn new(bucket: Bucket, max_age: Duration) -> Arc<Self> {
        Arc::new(Catalog {
            bucket,
            max_age,
            state: RwLock::new(State::default()),
            listing: Arc::new(tokio::sync::Mutex::new(())),
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

    /// Records objects this server has just stored: pages show them at once.
    pub fn added(&self, objects: impl IntoIterator<Item = ObjectInfo>) {
        let now = Instant::now();
        let mut state = self.write_state();
        for object in objects {
            state.recent.push(Recent { object, added: now });
        }
        state
            .recent
            .sort_by(|a, b| sort_key(&a.object).cmp(&sort_key(&b.object)));
    }

    /// Records an object this server has just deleted: pages leave it out at once.
    pub fn removed(&self, name: &ObjectName) {
        let mut state = self.write_state();
        state.recent.retain(|recent| recent.object.name != *name);
        state
            .removed
            .insert(name.as_str().to_string(), Instant::now());
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
            if found.0.started.elapsed() >= self.max_age {
                self.refresh_in_background();
            }
            return Ok(found);
        }
        // No listing yet: this request waits for one (and so do any at the same time).
        let _only_one = self.listing.lock().await;
        if let Some(found) = self.snapshot() {
            return Ok(found);
        }
        self.take_listing().await?;
        self.snapshot()
            .ok_or_else(|| Error::Internal("a listing vanished right after it was taken".into()))
    }

    fn snapshot(&self) -> Option<(Listing, Vec<ObjectInfo>, Option<String>)> {
        let state = self
            .state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
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

    /// Lists the bucket and makes that the listing pages are served from.
    async fn take_listing(&self) -> Result<()> {
        let started = Instant::now();
        let mut objects = self.bucket.list().await?;
        objects.sort_unstable_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        let took = started.elapsed();
        if took > Duration::from_secs(1) {
            tracing::info!(objects = objects.len(), ?took, "listed the bucket");
        }
        let mut state = self.write_state();
        state.problem = None;
        state.recent.retain(|recent| recent.added >= started);
        // A listing begun after a delete cannot hold the deleted object.
        state.removed.retain(|_, at| *at >= started);
        state.listing = Some(Listing {
            objects: objects.into(),
            started,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{put_for_test as put, Settings};

    async fn names(catalog: &Arc<Catalog>) -> Vec<String> {
        let page = catalog.page(None, 100).await.unwrap();
        page.objects
            .into_iter()
            .map(|o| o.name.to_string())
            .collect()
    }

    #[tokio::test]
    async fn a_listing_is_reused_until_it_is_too_old() {
        let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
        let catalog = Catalog::new(bucket.clone(), Duration::from_secs(3600));
        put(&bucket, "a.png").await;
        assert_eq!(names(&catalog).await, ["a.png"]);

        put(&bucket, "b.png").await; // as another tool would, behind the catalog's back

        assert_eq!(
            names(&catalog).await,
            ["a.png"],
            "still the listing taken before"
        );
    }

    #[tokio::test]
    async fn an_old_listing_is_served_while_a_new_one_is_taken() {
        let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
        let catalog = Catalog::new(bucket.clone(), Duration::ZERO);
        put(&bucket, "a.png").await;
        assert_eq!(names(&catalog).await, ["a.png"]);
        put(&bucket, "b.png").await;

        assert_eq!(
            names(&catalog).await,
            ["a.png"],
            "served at once from the old listing"
        );
        let _wait_for_the_refresh = catalog.listing.lock().await;
        assert_eq!(names(&catalog).await.len(), 2);
    }

    #[tokio::test]
    async fn what_this_server_adds_shows_at_once_and_only_once() {
        let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
        let catalog = Catalog::new(bucket.clone(), Duration::from_secs(3600));
        put(&bucket, "old.png").await;
        names(&catalog).await;

        put(&bucket, "new.png").await;
        let new = bucket
            .list()
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.name.as_str() == "new.png");
        catalog.added(new);

        assert_eq!(names(&catalog).await, ["new.png", "old.png"]);
        catalog.take_listing().await.unwrap();
        assert_eq!(
            names(&catalog).await,
            ["new.png", "old.png"],
            "no double after a new listing"
        );
    }

    #[tokio::test]
    async fn what_this_server_deletes_is_gone_at_once() {
        let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
        let catalog = Catalog::new(bucket.clone(), Duration::from_secs(3600));
        put(&bucket, "a.png").await;
        put(&bucket, "b.png").await;
        names(&catalog).await;

        let a = ObjectName::parse("a.png").unwrap();
        bucket.delete(&a).await.unwrap();
        catalog.removed(&a);

        assert_eq!(names(&catalog).await, ["b.png"]);
        catalog.take_listing().await.unwrap();
        assert_eq!(names(&catalog).await, ["b.png"]);
    }

    #[tokio::test]
    async fn a_photo_knows_its_neighbours_in_the_gallery_order() {
        let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
        for name in ["a.png", "b.png", "c.png"] {
            put(&bucket, name).await;
        }
        let catalog = Catalog::new(bucket.clone(), Duration::from_secs(3600));
        let order = names(&catalog).await;
        put(&bucket, "d.png").await;
        let d = bucket
            .list()
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.name.as_str() == "d.png");
        catalog.added(d);
        let order = [vec!["d.png".to_owned()], order].concat();
        let around = |name: &str| {
            let catalog = Arc::clone(&catalog);
            let name = ObjectName::parse(name).unwrap();
            async move {
                let found = catalog.around(&name).await.unwrap()?;
                let name = |o: Option<ObjectInfo>| o.map(|o| o.name.to_string());
                Some((
                    name(found.newer),
                    found.this.name.to_string(),
                    name(found.older),
                ))
            }
        };

        for (i, name) in order.iter().enumerate() {
            let (newer, this, older) = around(name).await.expect("found");
            assert_eq!(this, *name);
            assert_eq!(newer.as_ref(), i.checked_sub(1).map(|i| &order[i]));
            assert_eq!(older.as_ref(), order.get(i + 1));
        }
        let b = ObjectName::parse(&order[2]).unwrap();
        catalog.removed(&b);
        let (_, _, older) = around(&order[1]).await.unwrap();
        assert_eq!(
            older.as_ref(),
            Some(&order[3]),
            "a deleted neighbour is skipped"
        );
        assert!(around(&order[2]).await.is_none());
        assert!(around("never.png").await.is_none());
    }

    #[tokio::test]
    async fn pages_follow_each_other_without_gaps() {
        let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
        for name in ["a.png", "b.png", "c.png", "d.png", "e.png"] {
            put(&bucket, name).await;
        }
        let catalog = Catalog::new(bucket, Duration::from_secs(3600));

        let mut seen = Vec::new();
        let mut after: Option<ObjectInfo> = None;
        loop {
            let page = catalog.page(after.as_ref().map(sort_key), 2).await.unwrap();
            seen.extend(page.objects.iter().map(|o| o.name.to_string()));
            after = page.objects.last().cloned();
            if !page.more {
                break;
            }
        }
        assert_eq!(seen.len(), 5);
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 5);
    }
}
