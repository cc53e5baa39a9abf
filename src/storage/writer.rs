//! Writing one new object as its bytes stream in. A file smaller than one part is
//! kept in memory and stored with a single conditional put (create, never
//! overwrite); a larger one becomes a multipart upload, at most two parts in flight,
//! completed on `finish` and aborted on failure, so no backend is left holding a
//! partial object or orphaned parts.
//!
//! A write whose answer fails in a way that may have reached the store is settled
//! by asking the store (see outcome.rs): stored, made again, or reported as what it
//! is, never guessed.
//!
//! object_store's `BufWriter` does the same switch, but it cannot ask for a
//! create-only put, which is what keeps two writers of one name from overwriting
//! each other on the stores that honour it.

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use chrono::Utc;
use object_store::{
    Attribute, Attributes, ObjectMeta, ObjectStore, ObjectStoreExt, PutMode, PutMultipartOptions,
    PutOptions, PutPayload, WriteMultipart,
};

use super::outcome::{self, Found};
use super::{problem, ObjectInfo};
use crate::error::{Error, Result};
use crate::names::ObjectName;

/// Parts written at once per upload before the writer waits.
const PARTS_IN_FLIGHT: usize = 2;
/// Times a put found not to have happened is made again (the name is ours alone).
const PUTS_AGAIN: usize = 2;

/// An object being written. Dropping it unfinished aborts the upload.
pub struct NewObject {
    store: Arc<dyn ObjectStore>,
    name: ObjectName,
    /// Kept with the object on backends that keep attributes (None: they don't).
    content_type: Option<&'static str>,
    /// This write's id, kept with the object where attributes are kept: how a
    /// write whose answer was lost knows its object.
    write_id: String,
    /// Bytes written so far.
    written: u64,
    part_size: usize,
    /// Bytes not yet handed to a part.
    buffer: Vec<Bytes>,
    buffered: usize,
    /// The multipart upload, once the bytes outgrew one part.
    writer: Option<WriteMultipart>,
    finished: bool,
}

/// What a failed write turned out to be.
enum Settled {
    Stored(ObjectInfo),
    /// Nothing was stored: it may be made again.
    NotStored(Error),
    Failed(Error),
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
            write_id: outcome::new_write_id(),
            written: 0,
            part_size,
            buffer: Vec::new(),
            buffered: 0,
            writer: None,
            finished: false,
        }
    }

    fn attributes(&self) -> Attributes {
        self.content_type
            .map(|mime| {
                Attributes::from_iter([
                    (Attribute::ContentType, mime.into()),
                    outcome::mark(&self.write_id),
                ])
            })
            .unwrap_or_default()
    }

    /// The id this write can be recognised by, where the backend keeps it.
    fn recognisable_by(&self) -> Option<&str> {
        self.content_type.map(|_| self.write_id.as_str())
    }

    /// Appends bytes, waiting while too many parts are in flight.
    pub async fn write(&mut self, bytes: Bytes) -> Result<()> {
        if self.finished {
            return Err(finished());
        }
        self.written += bytes.len() as u64;
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
        let e_tag = match self.writer.take() {
            Some(writer) => match writer.finish().await {
                Ok(done) => done.e_tag,
                Err(error) => {
                    return match self.settle(error).await {
                        Settled::Stored(info) => Ok(info),
                        Settled::NotStored(error) | Settled::Failed(error) => Err(error),
                    }
                }
            },
            None => {
                let payload = PutPayload::from_iter(std::mem::take(&mut self.buffer));
                let options = PutOptions {
                    mode: PutMode::Create,
                    attributes: self.attributes(),
                    ..Default::default()
                };
                let mut again = 0;
                loop {
                    let put = self
                        .store
                        .put_opts(&path, payload.clone(), options.clone())
                        .await;
                    match put {
                        Ok(done) => break done.e_tag,
                        Err(error) => match self.settle(error).await {
                            Settled::Stored(info) => return Ok(info),
                            Settled::NotStored(_) if again < PUTS_AGAIN => again += 1,
                            Settled::NotStored(error) | Settled::Failed(error) => {
                                return Err(error)
                            }
                        },
                    }
                }
            }
        };
        match self.store.head(&path).await {
            Ok(meta) => Ok(ObjectInfo::from_meta(self.name.clone(), meta)),
            // Stored: only its record could not be read back. What was sent stands in.
            Err(error) => {
                tracing::warn!(name = %self.name, "stored, but could not be read back: {error}");
                Ok(ObjectInfo::from_meta(
                    self.name.clone(),
                    ObjectMeta {
                        location: path,
                        last_modified: Utc::now(),
                        size: self.written,
                        e_tag,
                        version: None,
                    },
                ))
            }
        }
    }

    /// Settles a write whose request failed: a failure the store gives before
    /// doing anything is reported as it is; any other is looked into, and the write
    /// counts as stored when the bucket holds what it sent.
    /// (Owned parts only: the upload in flight is not `Sync`.)
    fn settle(&self, error: object_store::Error) -> impl Future<Output = Settled> + Send + 'static {
        let store = Arc::clone(&self.store);
        let name = self.name.clone();
        let write_id = self.recognisable_by().map(str::to_owned);
        let size = self.written;
        async move {
            if !outcome::may_have_happened(&error) {
                return Settled::Failed(problem::not_overwritten(error, &name));
            }
            let found =
                outcome::look(store.as_ref(), &name.to_path(), write_id.as_deref(), size).await;
            tracing::info!(%name, "a write failed ({error}); the bucket holds: {found:?}");
            match found {
                Found::Ours(meta) => Settled::Stored(ObjectInfo::from_meta(name, meta)),
                Found::Nothing => Settled::NotStored(outcome::nothing_stored(error, &name)),
                Found::Other => Settled::Failed(problem::not_overwritten(error, &name)),
                Found::Unknown(_) => Settled::Failed(outcome::outcome_unknown(error, &name)),
            }
        }
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
