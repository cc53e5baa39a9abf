//! What every handler and server function can reach: the bucket, the catalog, the
//! upload limits and who may do what. Low in the house, so handlers import down
//! into it, never up into the file that assembles the server.

use std::sync::Arc;

use axum::extract::FromRef;
use axum_extra::extract::cookie::Key;
use leptos::config::LeptosOptions;

use crate::api::ImageInfo;
use crate::auth::policy::Policy;
use crate::catalog::Catalog;
use crate::error::Result;
use crate::http::hot_objects::HotObjects;
use crate::ingest::{self, Limits};
use crate::photos::Photos;
use crate::storage::Bucket;

#[derive(Debug, Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub bucket: Bucket,
    pub catalog: Arc<Catalog>,
    pub limits: Limits,
    pub policy: Policy,
    /// Small images kept in memory for the image route.
    pub hot: HotObjects,
    /// What is derived from each photo, and its making.
    pub photos: Photos,
}

impl AppState {
    /// Stores the files of an upload request, makes their thumbnails and facts,
    /// and makes them show in the gallery. A photo whose copies cannot be made
    /// now is still stored: they are made when it is first shown.
    pub async fn store_uploads(
        &self,
        multipart: multer::Multipart<'static>,
    ) -> Result<Vec<ImageInfo>> {
        let stored = ingest::store_all(&self.bucket, multipart, self.limits).await?;
        let mut answer = Vec::with_capacity(stored.len());
        for image in &stored {
            let mut info = image.info();
            match self
                .photos
                .facts(&image.object, Some(&info.display_name))
                .await
            {
                Ok(facts) => info.photo = Some(facts.show(&image.object.name)),
                Err(error) => {
                    tracing::warn!(name = %image.object.name, "copies not made yet: {error}")
                }
            }
            answer.push(info);
        }
        self.catalog
            .added(stored.iter().map(|image| image.object.clone()));
        Ok(answer)
    }
}

/// The key that signs session cookies (for `SignedCookieJar`).
impl FromRef<AppState> for Key {
    fn from_ref(state: &AppState) -> Key {
        state.policy.cookie_key()
    }
}
