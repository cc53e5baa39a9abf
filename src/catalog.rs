//! The gallery's view of the bucket: every object, newest first. Listing a bucket
//! costs a walk of the folder (or one request per 1,000 objects on S3), so one
//! sorted listing serves every page for a short while: objects that other tools put
//! into the bucket appear within `max_age` (`LISTING_CACHE_SECONDS`); what this
//! server stores or deletes shows at once.

use std::cmp::Reverse;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::error::Result;
use crate::storage::{Bucket, ObjectInfo};

/// Sorted listings of one bucket, reused for at most `max_age`.
#[derive(Debug)]
pub struct Catalog {
    bucket: Bucket,
    max_age: Duration,
    /// Held while a listing is taken, so concurrent pages wait for one listing
    /// instead of each walking the bucket.
    latest: Mutex<Option<Listing>>,
}

#[derive(Debug)]
struct Listing {
    objects: Arc<[ObjectInfo]>,
    taken: Instant,
}

impl Catalog {
    pub fn new(bucket: Bucket, max_age: Duration) -> Self {
        Catalog {
            bucket,
            max_age,
            latest: Mutex::new(None),
        }
    }

    /// Every object, newest first; ties (same modification time) by name.
    pub async fn newest_first(&self) -> Result<Arc<[ObjectInfo]>> {
        let mut latest = self.latest.lock().await;
        if let Some(listing) = latest.as_ref().filter(|l| l.taken.elapsed() < self.max_age) {
            return Ok(listing.objects.clone());
        }
        let taken = Instant::now();
        let mut objects = self.bucket.list().await?;
        objects.sort_unstable_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        let objects: Arc<[ObjectInfo]> = objects.into();
        *latest = Some(Listing {
            objects: objects.clone(),
            taken,
        });
        Ok(objects)
    }

    /// Forgets the listing: called after this server changed the bucket.
    pub async fn changed(&self) {
        *self.latest.lock().await = None;
    }
}

/// The order of the gallery: newest first, then by name.
pub fn sort_key(object: &ObjectInfo) -> (Reverse<i64>, &str) {
    (
        Reverse(object.last_modified.timestamp_micros()),
        object.name.as_str(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::put_for_test as put;

    #[tokio::test]
    async fn a_listing_is_reused_until_it_is_too_old() {
        let bucket = Bucket::from_url("memory://").unwrap();
        let catalog = Catalog::new(bucket.clone(), Duration::from_secs(3600));
        put(&bucket, "a.png").await;
        assert_eq!(catalog.newest_first().await.unwrap().len(), 1);

        put(&bucket, "b.png").await; // as another tool would, behind the catalog's back

        assert_eq!(
            catalog.newest_first().await.unwrap().len(),
            1,
            "still the cached listing"
        );
        catalog.changed().await;
        assert_eq!(catalog.newest_first().await.unwrap().len(), 2);
    }

    #[tokio::test]
    async fn with_no_max_age_every_call_lists_again() {
        let bucket = Bucket::from_url("memory://").unwrap();
        let catalog = Catalog::new(bucket.clone(), Duration::ZERO);
        catalog.newest_first().await.unwrap();

        put(&bucket, "b.png").await;

        assert_eq!(catalog.newest_first().await.unwrap().len(), 1);
    }
}
