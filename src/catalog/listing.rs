//! Taking the listing pages are served from: at the first request, the index
//! read (or, when there is none, the bucket walked, with what the walk found so
//! far served meanwhile as "catching up"); later, walks in the background as the
//! pace allows, each kept as the next index when it found the bucket changed,
//! unless another instance walked since (`walks`): then its walk is taken.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::FutureExt;

use super::{index, journal, shelf, sort_key, walks, Catalog, Current, Listing};
use crate::error::{Error, Result};
use crate::storage::{listing_requests, ObjectInfo, KEYS_PER_REQUEST};

/// How far the clocks of two instances may disagree: what this server stored or
/// deleted within this of another instance's walk is kept beside the listing
/// taken from it (told twice, it changes nothing).
const CLOCK_SKEW: Duration = Duration::from_secs(300);
/// The most objects pages are made of while catching up (the newest found).
const PROVISIONAL: usize = 10_000;
/// How long a walk that found only what this server stored or deleted, or what
/// the journal told, may leave the index as it is: a server starting reads the
/// index and the journal, which keeps those changes for an hour. A bucket with
/// photos coming in is written an index of every quarter hour rather than of
/// every walk.
const INDEX_KEPT_FOR: Duration = Duration::from_secs(15 * 60);
/// Walks of a bucket that takes at least this many listing requests are told to
/// the other instances, and looked for before walking: telling and looking cost
/// a request each, so sharing the walks of a smaller bucket would cost more
/// than it saves.
const SHARED_FROM: usize = 5;

impl Catalog {
    /// The first listing: the index is read, or the bucket walked when there is
    /// none. A request waits for that a while, then is served what the walk
    /// has found so far, said to be catching up; the walk goes on meanwhile.
    pub(super) async fn first_or_catching_up(self: &Arc<Self>) -> Result<Current> {
        let catalog = Arc::clone(self);
        let first = self
            .first
            .once("first", "taking the first listing", move || async move {
                catalog.first_listing().await
            });
        let mut first = std::pin::pin!(first);
        let waited = if self.catch_up_after.is_zero() {
            first.as_mut().now_or_never() // begun, not waited for
        } else {
            tokio::time::timeout(self.catch_up_after, first.as_mut())
                .await
                .ok()
        };
        let found_some = || !self.found_so_far().is_empty();
        match waited {
            Some(taken) => taken?,
            None if found_some() => return Ok(self.catching_up()),
            // The bucket has not answered yet (or the index is being read): the
            // outcome is waited for, a failure said as it was, unless the walk
            // finds something meanwhile.
            None => loop {
                const LOOK_EVERY: Duration = Duration::from_millis(100);
                match tokio::time::timeout(LOOK_EVERY, first.as_mut()).await {
                    Ok(taken) => break taken?,
                    Err(_) if found_some() => return Ok(self.catching_up()),
                    Err(_) => {}
                }
            },
        }
        self.snapshot()
            .ok_or_else(|| Error::Internal("a listing vanished right after it was taken".into()))
    }

    /// What the walk under way has found so far.
    fn found_so_far(&self) -> std::sync::MutexGuard<'_, Vec<ObjectInfo>> {
        self.so_far
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(super) async fn first_listing(&self) -> Result<()> {
        let _only_one = self.listing.lock().await;
        if self.snapshot().is_none() && !self.load_index().await {
            self.take_listing(false, false).await?;
        }
        Ok(())
    }

    /// The newest of what the first walk has found so far, in the gallery's
    /// order (sorted again at most once a second).
    pub(super) fn catching_up(&self) -> Current {
        let found = self.found_so_far().len();
        let mut state = self.write_state();
        let sorted_lately = state
            .provisional
            .as_ref()
            .is_some_and(|listing| listing.started.elapsed() < Duration::from_secs(1));
        if !sorted_lately {
            // The newest of what was found, not all of it: a copy of a large
            // walk's findings would double what it holds.
            let mut objects = {
                let mut found = self.found_so_far();
                if found.len() > PROVISIONAL {
                    found.select_nth_unstable_by(PROVISIONAL, |a, b| sort_key(a).cmp(&sort_key(b)));
                }
                found[..found.len().min(PROVISIONAL)].to_vec()
            };
            objects.sort_unstable_by(|a, b| sort_key(a).cmp(&sort_key(b)));
            state.provisional = Some(Listing {
                objects: objects.into(),
                started: Instant::now(),
                serves: Duration::ZERO,
            });
        }
        let listing = state.provisional.clone().unwrap_or_else(|| Listing {
            objects: Arc::new([]),
            started: Instant::now(),
            serves: Duration::ZERO,
        });
        Current {
            catching_up: Some(found),
            listing,
            recent: state.recent.iter().map(|r| r.object.clone()).collect(),
            problem: state.problem.clone(),
        }
    }

    pub(super) fn refresh_in_background(self: &Arc<Self>) {
        let Ok(guard) = self.listing.clone().try_lock_owned() else {
            return; // one is already being taken
        };
        let catalog = Arc::clone(self);
        tokio::spawn(async move {
            let _only_one = guard;
            let shared = catalog.shares_walks();
            if shared && catalog.take_another_walk().await {
                return;
            }
            if let Err(error) = catalog.take_listing(shared, false).await {
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
    pub(super) async fn load_index(&self) -> bool {
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
        // Changes since the index was written (and some before: told twice, they
        // change nothing).
        if let Err(error) = self.read_journal().await {
            tracing::warn!("the journal could not be read: {error}");
        }
        let walked_at = index.walked_at;
        self.serve_index(index, walked_at);
        let took = began.elapsed();
        if took > Duration::from_secs(1) {
            tracing::info!(?took, "read the index");
        }
        true
    }

    /// Makes `index`, from a walk begun at `walked_at`, the listing pages are
    /// served from.
    fn serve_index(&self, index: index::Index, walked_at: DateTime<Utc>) {
        let started = instant_of(walked_at);
        let mut state = self.write_state();
        // An index older than the journal reaches back gets a walk soon after.
        let serves = self
            .pace
            .interval(listing_requests(index.objects.len()))
            .min(journal::RETENTION / 2);
        state.index_digest = Some(index.digest);
        state.index_at = Some(started);
        state.shelf = Some(Arc::new(index.shelf));
        state.walked_at = Some(walked_at);
        state.provisional = None;
        forget_what_the_walk_holds(&mut state, started.checked_sub(CLOCK_SKEW));
        state.listing = Some(Listing {
            serves,
            objects: index.objects.into(),
            started,
        });
    }

    /// Takes the walk another instance told of, when it began after this
    /// listing's and is not too old to serve: its index, or, when it found what
    /// this listing holds, just its time. `false` when there is none to take
    /// (this server then walks).
    pub(super) async fn take_another_walk(&self) -> bool {
        let (ours, digest, serves) = {
            let state = self.read_state();
            let serves = state.listing.as_ref().map(|listing| listing.serves);
            (state.walked_at, state.index_digest.clone(), serves)
        };
        let (Some(ours), Some(serves)) = (ours, serves) else {
            return false;
        };
        let walk = match walks::last(&self.bucket).await {
            Ok(Some(walk)) => walk,
            Ok(None) => return false,
            Err(error) => {
                tracing::debug!("the last walk could not be read: {error}");
                return false;
            }
        };
        let theirs = walk.began_at();
        let age = (Utc::now() - theirs).to_std().unwrap_or_default();
        if theirs <= ours || age >= serves {
            return false;
        }
        if digest.as_deref() == Some(walk.digest.as_str()) {
            let started = instant_of(theirs);
            let mut state = self.write_state();
            state.walked_at = Some(theirs);
            forget_what_the_walk_holds(&mut state, started.checked_sub(CLOCK_SKEW));
            if let Some(listing) = &mut state.listing {
                listing.started = started;
            }
            return true;
        }
        match index::read(&self.bucket, &walk.index).await {
            Ok(index) if index.digest == walk.digest => {
                self.serve_index(index, theirs);
                true
            }
            Ok(_) => false,
            Err(error) => {
                tracing::debug!(index = %walk.index, "the last walk's index could not be read: {error}");
                false
            }
        }
    }

    /// Whether this bucket's walks are told to the other instances and looked
    /// for before walking.
    fn shares_walks(&self) -> bool {
        let state = self.read_state();
        let objects = state.listing.as_ref().map_or(0, |l| l.objects.len());
        listing_requests(objects) >= SHARED_FROM
    }

    /// Whether the next walk skips the gallery's own objects: when they were
    /// seen to take a listing request or more, or, before they are counted,
    /// unless the bucket seems small (a walk that skips them takes a request
    /// more than one that fits in one).
    fn skips_own(&self) -> bool {
        let state = self.read_state();
        match state.own_objects {
            Some(own) => own >= KEYS_PER_REQUEST,
            None => state
                .listing
                .as_ref()
                .is_none_or(|listing| listing.objects.len() >= KEYS_PER_REQUEST),
        }
    }

    /// Lists the bucket and makes that the listing pages are served from; paces
    /// the next walk by the requests this one took (`looked`: one more, made
    /// before it for another instance's walk). `asked`: the admin asked for this
    /// walk, and whatever it finds changed is written as the index at once.
    pub(super) async fn take_listing(&self, looked: bool, asked: bool) -> Result<()> {
        let started = Instant::now();
        let walked_at = Utc::now();
        let mut requests = usize::from(looked);
        let journal_read = self.read_state().journal_read;
        if journal_read.is_none_or(|at| at.elapsed() >= journal::RETENTION / 2) {
            // What the journal holds now is in the bucket already: the walk finds it.
            requests += 1;
            match self.journal.skip_all().await {
                Ok(()) => self.write_state().journal_read = Some(started),
                Err(error) => tracing::warn!("the journal could not be read: {error}"),
            }
        }
        let walked = self.bucket.walk(&self.so_far, self.skips_own()).await?;
        requests += walked.requests;
        if !walked.skipped_own {
            self.write_state().own_objects = Some(walked.own);
        }
        let mut objects = walked.objects;
        objects.sort_unstable_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        let took = started.elapsed();
        if took > Duration::from_secs(1) {
            tracing::info!(objects = objects.len(), ?took, "listed the bucket");
        }
        let digest = index::digest(&objects);
        // Whether the walk found just what pages showed already: the last
        // listing with what this server and the journal added or removed since.
        let expected = {
            let state = self.read_state();
            state.listing.as_ref().is_some_and(|listing| {
                let recent: Vec<ObjectInfo> =
                    state.recent.iter().map(|r| r.object.clone()).collect();
                let removed = state.removed.keys().cloned().collect();
                let shown = super::merged(&listing.objects, &recent, 0, &removed);
                index::digest(shown) == digest
            })
        };
        let objects: Arc<[ObjectInfo]> = objects.into();
        let changed = {
            let mut state = self.write_state();
            let index_fresh = state
                .index_at
                .is_some_and(|at| at.elapsed() < INDEX_KEPT_FOR);
            state.problem = None;
            state.provisional = None;
            state.walked_at = Some(walked_at);
            forget_what_the_walk_holds(&mut state, Some(started));
            state.listing = Some(Listing {
                serves: self.pace.interval(requests),
                objects: Arc::clone(&objects),
                started,
            });
            // An empty bucket needs no index, unless one says it holds something;
            // a fresh index with the journal beside it holds what was expected.
            state.index_digest.as_deref() != Some(digest.as_str())
                && (!objects.is_empty() || state.index_digest.is_some())
                && (asked || !(expected && index_fresh))
        };
        if changed {
            // The next start (here or on another instance) reads this, not the bucket.
            let previous = self.read_state().shelf.clone();
            let sources = shelf::Sources {
                photos: self.photos.as_ref(),
                previous: previous.as_deref().map(|shelf| (shelf, &self.shelves)),
            };
            let written = index::write(&self.bucket, &objects, walked_at, &sources).await;
            match written {
                Ok(written) => {
                    requests += written.requests;
                    let mut state = self.write_state();
                    state.index_digest = Some(digest.clone());
                    state.index_at = Some(started);
                    state.shelf = Some(Arc::new(written.shelf));
                }
                Err(error) => tracing::warn!(
                    "the index could not be written; the next start walks the bucket: {}",
                    error.report().chain
                ),
            }
        }
        // The other instances take this walk rather than walking themselves.
        let told = if listing_requests(objects.len()) < SHARED_FROM {
            None
        } else {
            let state = self.read_state();
            let index = state.shelf.as_deref().and_then(index::id_of);
            let current = state.index_digest.as_deref() == Some(digest.as_str());
            index.filter(|_| current).map(|index| walks::Walk {
                began: walked_at.timestamp_nanos_opt().unwrap_or_default(),
                digest: digest.clone(),
                index: index.to_owned(),
            })
        };
        if let Some(walk) = told {
            requests += 1;
            if let Err(error) = walks::tell(&self.bucket, &walk).await {
                tracing::debug!("the walk could not be told: {error}");
            }
        }
        if !self.bucket.counts_requests() {
            // A folder's walk costs the disk's time, about as long per 1,000
            // objects as a request; what it writes costs little.
            requests = listing_requests(objects.len());
        }
        let serves = self.pace.interval(requests);
        if let Some(listing) = &mut self.write_state().listing {
            if listing.started == started {
                listing.serves = serves;
            }
        }
        Ok(())
    }
}

/// The instant, on this machine's clock, of a moment on the wall clock.
fn instant_of(moment: DateTime<Utc>) -> Instant {
    let now = Instant::now();
    let age = (Utc::now() - moment).to_std().unwrap_or_default();
    now.checked_sub(age).unwrap_or(now)
}

/// Stored (or deleted) here before a walk began (`started`): the listing it
/// makes holds it (or not), so it need not be kept beside it any more.
fn forget_what_the_walk_holds(state: &mut super::State, started: Option<Instant>) {
    let Some(started) = started else {
        return; // too early to tell: kept until a later walk
    };
    state.recent.retain(|recent| recent.added >= started);
    // A listing begun after a delete cannot hold the deleted object.
    state.removed.retain(|_, at| *at >= started);
}
