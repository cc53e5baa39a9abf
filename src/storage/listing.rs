//! Walking the bucket: every object (the gallery's listing, shown as it is
//! found while a long walk runs), or one folder of the gallery's own objects.

use std::sync::{Mutex, PoisonError};

use futures::StreamExt;

use super::{problem, Bucket, ObjectInfo};
use crate::error::Result;
use crate::names::ObjectName;

/// Objects found before they are shown to whoever watches the walk.
const SHOWN_BY: usize = 1000;

impl Bucket {
    /// Every object in the bucket, in no particular order (no backend promises one).
    /// Names no reader could ask for again, and hidden ones (a segment starting
    /// with `.`, such as `.DS_Store`), are left out.
    pub async fn list(&self) -> Result<Vec<ObjectInfo>> {
        self.list_showing(&Mutex::default()).await
    }

    /// [`Bucket::list`], with what is found kept in `so_far` as the walk goes (a
    /// page may be made of it while a long walk runs); taken out of it at the end.
    pub async fn list_showing(&self, so_far: &Mutex<Vec<ObjectInfo>>) -> Result<Vec<ObjectInfo>> {
        let shown = || so_far.lock().unwrap_or_else(PoisonError::into_inner);
        self.call(|store| async move {
            shown().clear(); // a walk begun again shows anew
            let mut found = Vec::with_capacity(SHOWN_BY);
            let mut listing = store.list(None);
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
