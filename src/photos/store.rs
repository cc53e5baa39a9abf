//! The photos' derived objects in the bucket: a photo's facts are found in memory,
//! else read from the bucket (another instance or an earlier run may have made
//! them), else made: once per photo version however many requests ask at the same
//! time (single flight), with a bounded number of decodes at once so memory stays
//! bounded. The copies are written before the facts, so facts in the bucket mean
//! the copies are there; making a new version removes the old one's objects.

use std::sync::Arc;

use bytes::Bytes;
use futures::stream::StreamExt;
use quick_cache::sync::Cache;
use tokio::sync::Semaphore;

use super::decoders;
use super::duplicates::{self, ContentHash};
use super::facts::Facts;
use super::flight::Flights;
use super::keys;
use super::render::{render, RenderError};
use crate::api::display_name;
use crate::error::{Error, Result};
use crate::names::ObjectName;
use crate::sniff::ImageKind;
use crate::storage::{Bucket, ObjectInfo};

/// Facts kept in memory (each well under a kilobyte but the placeholder's).
const KNOWN_FACTS: usize = 50_000;
/// Facts read from the bucket at once for one page.
const READS_AT_ONCE: usize = 16;
/// Facts files are small; anything larger is not ours.
const LARGEST_FACTS: u64 = 64 * 1024;

/// What is derived from the bucket's photos, and the making of it.
#[derive(Clone)]
pub struct Photos {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) bucket: Bucket,
    /// Originals with more pixels than this get no copies (`MAX_MEGAPIXELS`).
    pub(super) max_pixels: u64,
    /// Originals larger than this are not read to make copies (`MAX_FILE_BYTES`).
    largest_original: u64,
    /// By the name of the facts object (photo and version).
    known: Cache<String, Arc<Facts>>,
    /// The makings under way, by the name of the facts object they will write.
    flights: Flights<Arc<Facts>>,
    /// The screen-sized copies being made, by the name they will be written under.
    pub(super) screens: Flights<Bytes>,
    decodes: Arc<Semaphore>,
}

impl std::fmt::Debug for Photos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Photos")
            .field("known", &self.inner.known.len())
            .finish_non_exhaustive()
    }
}

impl Photos {
    /// `decodes` at most at once (about the number of cores).
    pub fn new(bucket: Bucket, max_pixels: u64, largest_original: u64, decodes: usize) -> Self {
        Photos {
            inner: Arc::new(Inner {
                bucket,
                max_pixels,
                largest_original,
                known: Cache::new(KNOWN_FACTS),
                flights: Flights::new(),
                screens: Flights::new(),
                decodes: Arc::new(Semaphore::new(decodes.max(1))),
            }),
        }
    }

    /// The facts of this version of a photo if they are in memory: no waiting.
    pub fn known(&self, info: &ObjectInfo) -> Option<Arc<Facts>> {
        let facts = keys::facts(&info.name, &keys::version(info));
        self.inner.known.get(facts.as_str())
    }

    /// Keeps facts found elsewhere (with the catalog's index) as this photo's.
    pub fn learn(&self, info: &ObjectInfo, facts: Facts) -> Arc<Facts> {
        self.remember(&keys::facts(&info.name, &facts.version), facts)
    }

    /// The facts of this version of a photo if they are made: from memory or the
    /// bucket, never made now.
    pub async fn find(&self, info: &ObjectInfo) -> Result<Option<Arc<Facts>>> {
        if let Some(facts) = self.known(info) {
            return Ok(Some(facts));
        }
        let facts_name = keys::facts(&info.name, &keys::version(info));
        Ok(self
            .read_facts(&facts_name)
            .await?
            .map(|facts| self.remember(&facts_name, facts)))
    }

    /// The facts of this version of a photo, from memory, the bucket, or made now.
    /// `uploaded_as` is the file's name as uploaded, when this server just stored it.
    pub async fn facts(&self, info: &ObjectInfo, uploaded_as: Option<&str>) -> Result<Arc<Facts>> {
        if let Some(facts) = self.known(info) {
            return Ok(facts);
        }
        let version = keys::version(info);
        let facts_name = keys::facts(&info.name, &version);
        let photos = self.clone();
        let info = info.clone();
        let uploaded_as = uploaded_as.map(str::to_owned);
        self.inner
            .flights
            .once(
                facts_name.as_str(),
                "making a photo's copies",
                move || async move { photos.find_or_make(&info, version, uploaded_as).await },
            )
            .await
    }

    /// The facts of each photo of a page, in order: from memory, else read from the
    /// bucket (a few at a time). A photo whose facts are not made yet gets `None`,
    /// and their making starts in the background.
    pub async fn of_page(&self, objects: &[ObjectInfo]) -> Vec<Option<Arc<Facts>>> {
        // Owned values: the future must not borrow across the stream's lifetimes.
        let photos = self.clone();
        futures::stream::iter(objects.to_vec())
            .map(move |info| {
                let photos = photos.clone();
                async move {
                    if let Some(facts) = photos.known(&info) {
                        return Some(facts);
                    }
                    let facts_name = keys::facts(&info.name, &keys::version(&info));
                    match photos.read_facts(&facts_name).await {
                        Ok(Some(facts)) => Some(photos.remember(&facts_name, facts)),
                        _ => {
                            photos.prepare(&info);
                            None
                        }
                    }
                }
            })
            .buffered(READS_AT_ONCE)
            .collect()
            .await
    }

    /// Starts finding or making the facts of a photo without waiting for them.
    pub fn prepare(&self, info: &ObjectInfo) {
        if self.known(info).is_some() {
            return;
        }
        let photos = self.clone();
        let info = info.clone();
        tokio::spawn(async move {
            if let Err(error) = photos.facts(&info, None).await {
                tracing::warn!(name = %info.name, "could not make the photo's copies: {error}");
            }
        });
    }

    /// Removes everything derived from a photo (it was deleted), and its content
    /// marker, so the same bytes may be uploaded again.
    pub async fn forget(&self, name: &ObjectName) -> Result<()> {
        let derived = self
            .inner
            .bucket
            .list_folder(&keys::photo_prefix(name))
            .await?;
        for object in derived
            .iter()
            .filter(|o| o.name.as_str().ends_with("/facts.json"))
        {
            if let Ok(Some(facts)) = self.read_facts(&object.name).await {
                if let Some(hash) = &facts.sha256 {
                    duplicates::release(&self.inner.bucket, hash, name).await?;
                }
            }
        }
        for object in derived {
            self.inner.known.remove(object.name.as_str());
            self.inner.bucket.delete(&object.name).await?;
        }
        Ok(())
    }

    async fn find_or_make(
        &self,
        info: &ObjectInfo,
        version: String,
        uploaded_as: Option<String>,
    ) -> Result<Arc<Facts>> {
        let facts_name = keys::facts(&info.name, &version);
        if let Some(facts) = self.read_facts(&facts_name).await? {
            return Ok(self.remember(&facts_name, facts));
        }
        let slot = self.decode_slot().await?;
        let name = uploaded_as.unwrap_or_else(|| display_name(info.name.as_str()));
        let mut sha256 = None;
        let facts = match self.original(info).await? {
            Ok((read, bytes, kind)) if keys::version(&read) == version => {
                sha256 = Some(ContentHash::of(&bytes));
                let max_pixels = self.inner.max_pixels;
                let rendered = decoders::run(slot, move || render(&bytes, kind, max_pixels)).await;
                match rendered {
                    Ok(rendered) => {
                        for copy in &rendered.copies {
                            let copy_name = keys::copy(&info.name, &version, copy.edge);
                            let bytes = Bytes::from(copy.webp.clone());
                            self.inner
                                .bucket
                                .put(&copy_name, "image/webp", bytes)
                                .await?;
                        }
                        Facts::rendered(version.clone(), name, &rendered)
                    }
                    Err(refused) => Facts::refused(version.clone(), name, &refused),
                }
            }
            // Replaced while this began: the new version is made when it is asked for.
            Ok(_) => return Err(Error::NotFound(info.name.to_string())),
            Err(refused) => Facts::refused(version.clone(), name, &refused),
        };
        let facts = Facts { sha256, ..facts };
        let json = serde_json::to_vec(&facts)
            .map_err(|error| Error::Internal(format!("facts could not be written: {error}")))?;
        self.inner
            .bucket
            .put(&facts_name, "application/json", Bytes::from(json))
            .await?;
        self.remove_other_versions(&info.name, &version).await;
        Ok(self.remember(&facts_name, facts))
    }

    /// One of the bounded number of decodes at once, held while it lives (and
    /// given to the decode, see `decoders`).
    pub(super) async fn decode_slot(&self) -> Result<tokio::sync::OwnedSemaphorePermit> {
        Arc::clone(&self.inner.decodes)
            .acquire_owned()
            .await
            .map_err(|_| Error::Internal("the decoders were closed".into()))
    }

    /// The original's bytes and type, or why no copies can be made of it.
    pub(super) async fn original(
        &self,
        info: &ObjectInfo,
    ) -> Result<std::result::Result<(ObjectInfo, Bytes, ImageKind), RenderError>> {
        if info.size > self.inner.largest_original {
            return Ok(Err(RenderError::Broken(format!(
                "it is larger than the {} bytes this gallery reads",
                self.inner.largest_original
            ))));
        }
        let (read, bytes) = self
            .inner
            .bucket
            .read_all(&info.name, self.inner.largest_original)
            .await?;
        Ok(match ImageKind::sniff(&bytes) {
            Some(kind) => Ok((read, bytes, kind)),
            None => Err(RenderError::NotAnImage),
        })
    }

    async fn read_facts(&self, facts_name: &ObjectName) -> Result<Option<Facts>> {
        match self.inner.bucket.read_all(facts_name, LARGEST_FACTS).await {
            Ok((_, bytes)) => Ok(serde_json::from_slice(&bytes).ok()),
            Err(Error::NotFound(_)) => Ok(None),
            Err(error) => Err(error),
        }
    }

    fn remember(&self, facts_name: &ObjectName, facts: Facts) -> Arc<Facts> {
        let facts = Arc::new(facts);
        self.inner
            .known
            .insert(facts_name.as_str().to_owned(), Arc::clone(&facts));
        facts
    }

    /// Copies and facts of the photo's other versions are of no use any more.
    async fn remove_other_versions(&self, name: &ObjectName, version: &str) {
        let folder = keys::photo_prefix(name);
        let Ok(derived) = self.inner.bucket.list_folder(&folder).await else {
            return;
        };
        let current = format!("{folder}{version}/");
        for object in derived {
            if !object.name.as_str().starts_with(&current) {
                if let Err(error) = self.inner.bucket.delete(&object.name).await {
                    tracing::debug!(name = %object.name, "an old copy stays: {error}");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Settings;

    fn png(width: u32, height: u32) -> Bytes {
        let image = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x * y) % 256) as u8])
        });
        let mut bytes = std::io::Cursor::new(Vec::new());
        image
            .write_to(&mut bytes, image::ImageFormat::Png)
            .expect("a PNG");
        Bytes::from(bytes.into_inner())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_asking_at_once_share_one_making() {
        let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
        let name = ObjectName::parse("albums/beach.png").unwrap();
        bucket.put(&name, "image/png", png(900, 600)).await.unwrap();
        let info = bucket.head(&name).await.unwrap();
        let photos = Photos::new(bucket.clone(), 100_000_000, 1 << 30, 2);

        let asks = (0..12).map(|_| photos.facts(&info, None));
        let made = futures::future::try_join_all(asks).await.unwrap();

        // One making, shared: every ask got the very facts it made.
        assert!(made.iter().all(|facts| Arc::ptr_eq(facts, &made[0])));
        assert_eq!((made[0].width, made[0].height), (900, 600));
        let derived = bucket
            .list_folder(&keys::photo_prefix(&name))
            .await
            .unwrap();
        assert_eq!(derived.len(), 1 + EDGES_MADE, "{derived:?}");
    }

    /// One copy per edge of the thumbnails.
    const EDGES_MADE: usize = crate::api::links::THUMBNAIL_EDGES.len();
}
