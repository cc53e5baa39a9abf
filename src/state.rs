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
use crate::ingest::{self, Limits};
use crate::storage::Bucket;

#[derive(Debug, Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub bucket: Bucket,
    pub catalog: Arc<Catalog>,
    pub limits: Limits,
    pub policy: Policy,
}

impl AppState {
    /// Stores the files of an upload request and makes them show in the gallery.
    pub async fn store_uploads(
        &self,
        multipart: multer::Multipart<'static>,
    ) -> Result<Vec<ImageInfo>> {
        let stored = ingest::store_all(&self.bucket, multipart, self.limits).await?;
        self.catalog
            .added(stored.iter().map(|image| image.object.clone()));
        Ok(stored.iter().map(ingest::Stored::info).collect())
    }
}

/// The key that signs session cookies (for `SignedCookieJar`).
impl FromRef<AppState> for Key {
    fn from_ref(state: &AppState) -> Key {
        state.policy.cookie_key()
    }
}
