//! The copies of a photo that fill a screen (`SCREEN_EDGES`), for the viewer: made
//! when first asked for, once however many ask at the same time, within the same
//! bound on decodes as the thumbnails, and kept in the bucket beside them.

use bytes::Bytes;

use super::decoders;
use super::keys;
use super::render::screen_copy;
use super::Photos;
use crate::api::links::SCREEN_EDGES;
use crate::error::{Error, Result};
use crate::storage::ObjectInfo;

impl Photos {
    /// The copy of this version of a photo that fits `edge` (one of
    /// [`SCREEN_EDGES`]), made and stored now. Call it when the bucket has none.
    pub async fn screen_copy(&self, info: &ObjectInfo, edge: u32) -> Result<Bytes> {
        if !SCREEN_EDGES.contains(&edge) {
            return Err(Error::NotFound(format!("{} at {edge} pixels", info.name)));
        }
        let copy_name = keys::copy(&info.name, &keys::version(info), edge);
        let photos = self.clone();
        let info = info.clone();
        self.inner
            .screens
            .once(
                copy_name.as_str(),
                "making a screen copy",
                move || async move { photos.make_screen_copy(&info, edge).await },
            )
            .await
    }

    async fn make_screen_copy(&self, info: &ObjectInfo, edge: u32) -> Result<Bytes> {
        let version = keys::version(info);
        let slot = self.decode_slot().await?;
        let (read, bytes, kind) = self
            .original(info)
            .await?
            .map_err(|why| Error::NotFound(format!("{} (no copy: {why})", info.name)))?;
        if keys::version(&read) != version {
            // Replaced meanwhile: the new version's copy is asked for by its own address.
            return Err(Error::NotFound(info.name.to_string()));
        }
        let max_pixels = self.inner.max_pixels;
        let copy = decoders::run(slot, move || screen_copy(&bytes, kind, max_pixels, edge))
            .await
            .map_err(|why| Error::NotFound(format!("{} (no copy: {why})", info.name)))?;
        let webp = Bytes::from(copy.webp);
        let copy_name = keys::copy(&info.name, &version, edge);
        self.inner
            .bucket
            .put(&copy_name, "image/webp", webp.clone())
            .await?;
        Ok(webp)
    }
}
