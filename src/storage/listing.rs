//! Walking the bucket: every object (the gallery's listing, shown as it is
//! found while a long walk runs), or one folder of the gallery's own objects.

use std::sync::{Mutex, MutexGuard, PoisonError};

use futures::stream::BoxStream;
use futures::StreamExt;
use object_store::ObjectMeta;

use super::{problem, Bucket, ObjectInfo};
use crate::error::Result;
use crate::names::ObjectName;

/// Objects found before they are shown to whoever watches the walk.
const SHOWN_BY: usize = 1000;
/// Keys one listing request returns (S3, GCS).
pub const KEYS_PER_REQUEST: usize = 1000;
/// Where the gallery keeps what it derives (copies, facts, the catalog): hidden,
/// and so never listed, and on a large bucket most of its objects.
const OWN: &str = ".gallery/";
/// The first key after every key that begins with [`OWN`] (`0` follows `/`).
const PAST_OWN: &str = ".gallery0";

/// What one walk of the bucket found, and what it cost.
#[derive(Debug, Default)]
pub struct Walked {
    /// Every object, in no particular order (no backend promises one).
    pub objects: Vec<ObjectInfo>,
    /// Listing requests it took (a store lists 1,000 keys a request; a folder,
    /// which has none, is counted as if it did).
    pub requests: usize,
    /// Whether it skipped the gallery's own objects.
    pub skipped_own: bool,
    /// The gallery's own objects it paged through (none when it skipped them).
    pub own: usize,
}

impl Bucket {
    /// Whether each request is one the store counts (and bills): any store but
    /// a local folder, whose walks cost the disk's time instead.
    pub fn counts_requests(&self) -> bool {
        self.inner.counts_requests
    }

    /// Every object in the bucket, in no particular order (no backend promises one).
    /// Names no reader could ask for again, and hidden ones (a segment starting
    /// with `.`, such as `.DS_Store`), are left out. On stores that list in key
    /// order (S3, GCS, memory) the gallery's own objects are skipped, not paged
    /// through: a walk costs a request per 1,000 photos, whatever was derived.
    pub async fn list(&self) -> Result<Vec<ObjectInfo>> {
        Ok(self.walk(&Mutex::default(), true).await?.objects)
    }

    /// Walks the bucket, with what is found kept in `so_far` as the walk goes (a
    /// page may be made of it while a long walk runs; taken out of it at the
    /// end). With `skip_own`, on stores that list in key order, the gallery's own
    /// objects (several per photo, one range of keys) are skipped: listed up to
    /// them, then on from just after them. That costs a request more than a walk
    /// of a bucket that fits in one, and saves one per 1,000 of them.
    pub async fn walk(&self, so_far: &Mutex<Vec<ObjectInfo>>, skip_own: bool) -> Result<Walked> {
        let skip_own = skip_own && self.inner.lists_in_order;
        self.call(|store| async move {
            let mut walk = Found {
                found: Vec::with_capacity(SHOWN_BY),
                own: 0,
                so_far,
            };
            walk.shown().clear(); // a walk begun again shows anew
            let requests = if skip_own {
                let before = walk.take(store.list(None), Some(OWN)).await?;
                let after = store.list_with_offset(None, &object_store::path::Path::from(PAST_OWN));
                listing_requests(before) + listing_requests(walk.take(after, None).await?)
            } else {
                listing_requests(walk.take(store.list(None), None).await?)
            };
            walk.show();
            let objects = std::mem::take(&mut *walk.shown());
            Ok(Walked {
                objects,
                requests,
                skipped_own: skip_own,
                own: walk.own,
            })
        })
        .await
        .map_err(problem::missing_bucket)
    }

    /// The objects whose names start with `prefix` (a folder: it ends in `/`),
    /// hidden ones included: for the gallery's own objects under `.gallery/`.
    pub async fn list_folder(&self, prefix: &str) -> Result<Vec<ObjectInfo>> {
        let folder = object_store::path::Path::from(prefix.trim_end_matches('/'));
        self.call(|store| {
            let folder = folder.clone();
            async move {
                let mut objects = Vec::new();
                let mut listing = store.list(Some(&folder));
                while let Some(meta) = listing.next().await {
                    let meta = meta?;
                    if let Ok(name) = ObjectName::parse(meta.location.as_ref()) {
                        objects.push(ObjectInfo::from_meta(name, meta));
                    }
                }
                Ok(objects)
            }
        })
        .await
    }
}

/// What a walk has found and not shown yet.
struct Found<'a> {
    found: Vec<ObjectInfo>,
    own: usize,
    so_far: &'a Mutex<Vec<ObjectInfo>>,
}

impl Found<'_> {
    /// Takes what `listing` lists, up to the first key at or past `until`;
    /// answers how many keys the store sent (that one included).
    async fn take(
        &mut self,
        mut listing: BoxStream<'_, object_store::Result<ObjectMeta>>,
        until: Option<&str>,
    ) -> object_store::Result<usize> {
        let mut keys = 0;
        while let Some(meta) = listing.next().await {
            let meta = meta?;
            keys += 1;
            let key = meta.location.as_ref();
            if until.is_some_and(|until| key >= until) {
                break;
            }
            if key.starts_with(OWN) {
                self.own += 1;
                continue;
            }
            let Ok(name) = ObjectName::parse(key) else {
                continue;
            };
            if !name.is_hidden() {
                self.found.push(ObjectInfo::from_meta(name, meta));
                if self.found.len() == SHOWN_BY {
                    self.show();
                }
            }
        }
        Ok(keys)
    }

    fn shown(&self) -> MutexGuard<'_, Vec<ObjectInfo>> {
        self.so_far.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn show(&mut self) {
        let mut found = std::mem::take(&mut self.found);
        self.shown().append(&mut found);
        self.found = found;
    }
}

/// The listing requests that return `keys` keys (an empty answer is one).
pub fn listing_requests(keys: usize) -> usize {
    keys.div_ceil(KEYS_PER_REQUEST).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{put_for_test as put, Settings};

    #[tokio::test]
    async fn a_walk_in_key_order_skips_the_galleries_own_objects_and_finds_the_rest() {
        let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
        assert!(bucket.inner.lists_in_order);
        // Around the skipped range: a name just before it and just after it, and
        // hidden names of other tools, which are left out as everywhere.
        for name in [
            "-first.png",
            ".gallery/v1/a.png/0123456789abcdef/320.webp",
            ".gallery/catalog/journal/x.json",
            ".gallery.png",
            ".gallery0/x.png",
            ".other/x.png",
            "a.png",
            "albums/.hidden.png",
            "albums/z.png",
        ] {
            put(&bucket, name).await;
        }
        let mut found: Vec<String> = bucket
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|object| object.name.to_string())
            .collect();
        found.sort();
        assert_eq!(found, ["-first.png", "a.png", "albums/z.png"]);
    }
}
