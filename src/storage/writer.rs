//! Writing one new object as its bytes stream in. A file smaller than one part is
//! kept in memory and stored with a single conditional put (create, never
//! overwrite); a larger one becomes a multipart upload, at most two parts in flight,
//! completed on `finish` and aborted on failure, so no backend is left holding a
//! partial object or orphaned parts.
//!
//! object_store's `BufWriter` does the same switch, but it cannot ask for a
//! create-only put, which is what keeps two writers of one name from overwriting
//! each other on the stores that honour it.

use std::sync::Arc;

use bytes::Bytes;
use object_store::{
    Attribute, Attributes, ObjectStore, ObjectStoreExt, PutMode, PutMultipartOptions, PutOptions,
    PutPayload, WriteMultipart,
};

use super::{problem, ObjectInfo};
use crate::error::{Error, Result};
use crate::names::ObjectName;

/// Parts written at once per upload before the writer waits.
const PARTS_IN_FLIGHT: usize = 2;

/// An object being written. Dropping it unfinished aborts the upload.
pub struct NewObject {
    store: Arc<dyn ObjectStore>,
    name: ObjectName,
    /// Kept with the object on backends that keep attributes.
    content_type: Option<&'static str>,
    part_size: usize,
    /// Bytes not yet handed to a part.
    buffer: Vec<Bytes>,
    buffered: usize,
    /// The multipart upload, once the bytes outgrew one part.
    writer: Option<WriteMultipart>,
    finished: bool,
}

impl NewObject {
    pub(super) fn new(
        store: Arc<dyn ObjectStore>,
        name: ObjectName,
        content_type: Option<&'static str>,
        part_size: usize,
    ) -> Self {
        NewObject {
            store,
            name,
            content_type,
            part_size,
            buffer: Vec::new(),
            buffered: 0,
            writer: None,
            finished: false,
        }
    }

    fn attributes(&self) -> Attributes {
        self.content_type
            .map(|mime| Attributes::from_iter([(Attribute::ContentType, mime)]))
            .unwrap_or_default()
    }

    /// Appends bytes, waiting while too many parts are in flight.
    pub async fn write(&mut self, bytes: Bytes) -> Result<()> {
        if self.finished {
            return Err(finished());
        }
        if let Some(writer) = self.writer.as_mut() {
            writer.wait_for_capacity(PARTS_IN_FLIGHT).await?;
            writer.put(bytes);
            return Ok(());
        }
        self.buffered += bytes.len();
        self.buffer.push(bytes);
        if self.buffered >= self.part_size {
            self.start_multipart().await?;
        }
        Ok(())
    }

    async fn start_multipart(&mut self) -> Result<()> {
        let options = PutMultipartOptions {
            attributes: self.attributes(),
            ..Default::default()
        };
        let upload = self
            .store
            .put_multipart_opts(&self.name.to_path(), options)
            .await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, self.part_size);
        for bytes in self.buffer.drain(..) {
            writer.put(bytes);
        }
        self.buffered = 0;
        self.writer = Some(writer);
        Ok(())
    }

    /// Makes the object visible under its name, and tells what the bucket recorded.
    pub async fn finish(mut self) -> Result<ObjectInfo> {
        if self.finished {
            return Err(finished());
        }
        self.finished = true;
        let path = self.name.to_path();
        match self.writer.take() {
            Some(writer) => {
                writer.finish().await?;
            }
            None => {
                let payload = PutPayload::from_iter(std::mem::take(&mut self.buffer));
                let options = PutOptions {
                    mode: PutMode::Create,
                    attributes: self.attributes(),
                    ..Default::default()
                };
                self.store
                    .put_opts(&path, payload, options)
                    .await
                    .map_err(|error| problem::not_overwritten(error, &self.name))?;
            }
        }
        let meta = self.store.head(&path).await?;
        Ok(ObjectInfo::from_meta(self.name.clone(), meta))
    }

    /// Throws away everything written so far.
    pub async fn abort(mut self) -> Result<()> {
        self.finished = true;
        self.buffer.clear();
        if let Some(writer) = self.writer.take() {
            writer.abort().await?;
        }
        Ok(())
    }
}

impl Drop for NewObject {
    fn drop(&mut self) {
        if let Some(writer) = self.writer.take() {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    if let Err(error) = writer.abort().await {
                        tracing::warn!("could not clean up an interrupted upload: {error}");
                    }
                });
            }
        }
    }
}

fn finished() -> Error {
    Error::Internal("write to an upload that has already finished".into())
}
