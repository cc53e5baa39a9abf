//! The catalog's changes as they happen: what this server stores or deletes
//! (shown here at once and told to the other instances through the journal), and
//! what the others told, read every few seconds while pages are asked for.

use std::sync::Arc;
use std::time::Instant;

use super::{journal, sort_key, Catalog, Recent};
use crate::error::Result;
use crate::names::ObjectName;
use crate::storage::ObjectInfo;

impl Catalog {
    /// Records objects this server has just stored: pages show them at once, and
    /// the other instances' pages once they have read the journal.
    pub async fn added(&self, objects: impl IntoIterator<Item = ObjectInfo>) {
        let objects: Vec<ObjectInfo> = objects.into_iter().collect();
        if objects.is_empty() {
            return;
        }
        let told = journal::Segment {
            added: objects.iter().map(journal::Entry::from).collect(),
            removed: Vec::new(),
        };
        self.apply_added(objects);
        self.tell(told).await;
    }

    /// Records an object this server has just deleted: pages leave it out at once,
    /// and the other instances' pages once they have read the journal.
    pub async fn removed(&self, name: &ObjectName) {
        self.apply_removed(name.as_str());
        self.tell(journal::Segment {
            added: Vec::new(),
            removed: vec![name.to_string()],
        })
        .await;
    }

    /// From now on this catalog's changes are told to other instances only when
    /// [`Catalog::flush`] is called (a terminal import, a second's worth at a time).
    pub fn hold_changes(&self) {
        self.journal.hold();
    }

    /// Tells the other instances the changes held back.
    pub async fn flush(&self) {
        if let Err(error) = self.journal.flush().await {
            tracing::warn!(
                "running servers on this bucket see these photos at their next walk: \
                 the journal could not be written: {}",
                error.report().chain
            );
        }
    }

    async fn tell(&self, changes: journal::Segment) {
        if let Err(error) = self.journal.tell(changes).await {
            tracing::warn!(
                "the other instances on this bucket see this change at their next walk, \
                 not sooner: the journal could not be written: {}",
                error.report().chain
            );
        }
    }

    pub(super) fn apply_added(&self, objects: Vec<ObjectInfo>) {
        let now = Instant::now();
        let mut state = self.write_state();
        for object in objects {
            state.removed.remove(object.name.as_str());
            state
                .recent
                .retain(|recent| recent.object.name != object.name);
            state.recent.push(Recent { object, added: now });
        }
        state
            .recent
            .sort_by(|a, b| sort_key(&a.object).cmp(&sort_key(&b.object)));
    }

    pub(super) fn apply_removed(&self, name: &str) {
        let mut state = self.write_state();
        state
            .recent
            .retain(|recent| recent.object.name.as_str() != name);
        state.removed.insert(name.to_owned(), Instant::now());
    }

    pub(super) fn read_journal_in_background(self: &Arc<Self>) {
        let Ok(guard) = self.reading.clone().try_lock_owned() else {
            return; // one read is under way
        };
        let catalog = Arc::clone(self);
        tokio::spawn(async move {
            let _only_one = guard;
            if let Err(error) = catalog.read_journal().await {
                tracing::warn!(
                    "the journal could not be read; other instances' changes show at the next walk: {}",
                    error.report().chain
                );
            }
        });
    }

    /// Reads what other instances stored and deleted since the last read.
    pub(super) async fn read_journal(&self) -> Result<()> {
        let began = Instant::now();
        for segment in self.journal.read_new().await? {
            self.apply_added(
                segment
                    .added
                    .iter()
                    .filter_map(journal::Entry::object)
                    .collect(),
            );
            for name in &segment.removed {
                self.apply_removed(name);
            }
        }
        self.write_state().journal_read = Some(began);
        Ok(())
    }
}
