//! What every handler and server function can reach: the bucket, the catalog, the
//! upload limits and who may do what. Low in the house, so handlers import down
//! into it, never up into the file that assembles the server.

use std::sync::Arc;

use axum::extract::FromRef;
use axum_extra::extract::cookie::Key;
use leptos::config::LeptosOptions;

use crate::api::ImageInfo;
use crate::auth::policy::Policy;
use crate::auth::sessions::Sessions;
use crate::catalog::Catalog;
use crate::error::Result;
use crate::http::hot_objects::HotObjects;
use crate::ingest::{self, Limits};
use crate::photos::Photos;
use crate::storage::Bucket;

/// Cloned for every request (each extractor and layer takes its own), so it is
/// one shared pointer: cloning the parts themselves cost a sixth of the CPU of a
/// small image's answer.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Parts>);

impl AppState {
    pub fn new(parts: Parts) -> Self {
        AppState(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

/// The parts every handler can reach.
#[derive(Debug)]
pub struct Parts {
    pub leptos_options: LeptosOptions,
    pub bucket: Bucket,
    pub catalog: Arc<Catalog>,
    pub limits: Limits,
    pub policy: Policy,
    /// The sign-ins that are open, kept in the bucket.
    pub sessions: Sessions,
    /// Small images kept in memory for the image route.
    pub hot: HotObjects,
    /// What is derived from each photo, and its making.
    pub photos: Photos,
}

impl Parts {
    /// Stores the files of an upload request, makes their thumbnails and facts,
    /// and makes them show in the gallery. A photo whose copies cannot be made
    /// now is still stored: they are made when it is first shown.
    pub async fn store_uploads(
        &self,
        multipart: multer::Multipart<'static>,
    ) -> Result<Vec<ImageInfo>> {
        self.store_uploads_with(multipart, self.limits).await
    }

    /// As [`Parts::store_uploads`], under other limits (an import that keeps
    /// location).
    pub async fn store_uploads_with(
        &self,
        multipart: multer::Multipart<'static>,
        limits: ingest::Limits,
    ) -> Result<Vec<ImageInfo>> {
        let stored = ingest::store_all(&self.bucket, multipart, limits).await?;
        let mut answer = Vec::with_capacity(stored.len());
        for image in &stored {
            let mut info = image.info();
            match self
                .photos
                .facts(&image.object, Some(&info.display_name))
                .await
            {
                Ok(facts) => {
                    info.display_name.clone_from(&facts.name);
                    info.photo = Some(facts.show(&image.object.name));
                }
                Err(error) => {
                    tracing::warn!(name = %image.object.name, "copies not made yet: {error}")
                }
            }
            answer.push(info);
        }
        self.catalog
            .added(
                stored
                    .iter()
                    .filter(|image| !image.duplicate)
                    .map(|image| image.object.clone()),
            )
            .await;
        Ok(answer)
    }
}

/// The site's settings, for the Leptos integration (pages, the site's files).
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        state.leptos_options.clone()
    }
}

/// The key that signs session cookies (for `SignedCookieJar`).
impl FromRef<AppState> for Key {
    fn from_ref(state: &AppState) -> Key {
        state.policy.cookie_key()
    }
}
