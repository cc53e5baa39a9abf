//! Walking the bucket: every object (the gallery's listing, shown as it is
//! found while a long walk runs), or one folder of the gallery's own objects.

use std::sync::{Mutex, PoisonError};

use futures::StreamExt;

use super::{problem, Bucket, ObjectInfo};
use crate::error::Result;
use crate::names::ObjectName;

/// Objects found before they are shown to whoever watches the walk.
const SHOWN_BY: usize = 1000;
/// Where the gallery keeps what it derives (copies, facts, the catalog): hidden,
/// and so never listed, and on a large bucket most of its objects.
const OWN: &str = ".gallery/";
/// The first key after every key that begins with [`OWN`] (`0` follows `/`).
const PAST_OWN: &str = ".gallery0";

impl Bucket {
    /// Every object in the bucket, in no particular order (no backend promises one).
    /// Names no reader could ask for again, and hidden ones (a segment starting
    /// with `.`, such as `.DS_Store`), are left out. On stores that list in key
    /// order (S3, GCS, memory) the gallery's own objects are skipped, not paged
    /// through: a walk costs a request per 1,000 photos, whatever was derived.
    pub async fn list(&self) -> Result<Vec<ObjectInfo>> {
        self.list_showing(&Mutex::default()).await
    }

    /// [`Bucket::list`], with what is found kept in `so_far` as the walk goes (a
    /// page may be made of it while a long walk runs); taken out of it at the end.
    pub async fn list_showing(&self, so_far: &Mutex<Vec<ObjectInfo>>) -> Result<Vec<ObjectInfo>> {
        let shown = || so_far.lock().unwrap_or_else(PoisonError::into_inner);
        let in_order = self.inner.lists_in_order;
        self.call(|store| async move {
            shown().clear(); // a walk begun again shows anew
            let mut found = Vec::with_capacity(SHOWN_BY);
            let mut listing = if in_order {
                // The gallery's own objects (several per photo) are one range of
                // keys: listed up to it, then on from just after it.
                let before = store.list(None).take_while(|meta| {
                    let before = meta
                        .as_ref()
                        .map_or(true, |meta| meta.location.as_ref() < OWN);
                    futures::future::ready(before)
                });
                let after = store.list_with_offset(None, &object_store::path::Path::from(PAST_OWN));
                before.chain(after).boxed()
            } else {
                store.list(None)
            };
            while let Some(meta) = listing.next().await {
                let meta = meta?;
                let Ok(name) = ObjectName::parse(meta.location.as_ref()) else {
                    continue;
                };
                if !name.is_hidden() {
                    found.push(ObjectInfo::from_meta(name, meta));
                    if found.len() == SHOWN_BY {
                        shown().append(&mut found);
                    }
                }
            }
            shown().append(&mut found);
            Ok(std::mem::take(&mut *shown()))
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
