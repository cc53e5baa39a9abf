//! The gallery a page at a time: newest first, each page ending in a cursor that
//! says where the next one starts (`GET /api/images?limit=N&cursor=C`).

use std::cmp::Reverse;
use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use super::{Catalog, SortKey};
use crate::api::{ImageInfo, ImagePage};
use crate::error::{Error, Result};
use crate::photos::facts::Facts;
use crate::photos::Photos;
use crate::sniff::ImageKind;
use crate::storage::ObjectInfo;

/// Images on a page when the client does not say.
pub const DEFAULT_PAGE_SIZE: u32 = 60;
/// The most images one page may hold.
pub const MAX_PAGE_SIZE: u32 = 500;

/// Where a page ends: the sort key of its last image. Paging by key rather than
/// by offset keeps pages stable while new images arrive at the top.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cursor {
    micros: i64,
    name: String,
}

impl Cursor {
    fn after(object: &ObjectInfo) -> Self {
        Cursor {
            micros: object.last_modified.timestamp_micros(),
            name: object.name.to_string(),
        }
    }

    fn key(&self) -> SortKey<'_> {
        (Reverse(self.micros), self.name.as_str())
    }

    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}/{}", self.micros, self.name))
    }

    fn decode(cursor: &str) -> Result<Self> {
        let invalid = || Error::BadRequest("the cursor is not one this server gave out".into());
        let text = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
        let text = String::from_utf8(text).map_err(|_| invalid())?;
        let (micros, name) = text.split_once('/').ok_or_else(invalid)?;
        Ok(Cursor {
            micros: micros.parse().map_err(|_| invalid())?,
            name: name.to_owned(),
        })
    }
}

/// The page of images after `cursor` (the first page without one), at most
/// `limit` (clamped to 1..=[`MAX_PAGE_SIZE`]) of them, and the cursor of the next.
pub async fn images_page(
    catalog: &Arc<Catalog>,
    photos: &Photos,
    limit: Option<u32>,
    cursor: Option<&str>,
) -> Result<ImagePage> {
    let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE) as usize;
    let after = cursor
        .filter(|c| !c.is_empty())
        .map(Cursor::decode)
        .transpose()?;

    let page = catalog.page(after.as_ref().map(Cursor::key), limit).await?;
    let next_cursor = page
        .more
        .then(|| page.objects.last().map(|last| Cursor::after(last).encode()))
        .flatten();
    Ok(ImagePage {
        images: described(catalog, photos, &page.objects).await,
        next_cursor,
        bucket_problem: page.problem,
        catching_up: page.catching_up.map(|found| found as u64),
    })
}

/// The facts of each of `objects` that this server knows or the index keeps:
/// found without a request to the bucket for most pages.
pub async fn known_or_kept(
    catalog: &Catalog,
    photos: &Photos,
    objects: &[ObjectInfo],
) -> Vec<Option<Arc<Facts>>> {
    let mut facts: Vec<Option<Arc<Facts>>> = objects.iter().map(|o| photos.known(o)).collect();
    let missing: Vec<usize> = (0..objects.len())
        .filter(|&at| facts[at].is_none())
        .collect();
    if missing.is_empty() {
        return facts;
    }
    let wanted: Vec<ObjectInfo> = missing.iter().map(|&at| objects[at].clone()).collect();
    for (at, kept) in missing.into_iter().zip(catalog.kept_facts(&wanted).await) {
        facts[at] = kept.map(|kept| photos.learn(&objects[at], kept));
    }
    facts
}

/// Listed objects as the API shows them, with the facts of those that have them:
/// known, kept with the index, else read from the bucket (the making of the
/// others begins).
pub async fn described(
    catalog: &Catalog,
    photos: &Photos,
    objects: &[ObjectInfo],
) -> Vec<ImageInfo> {
    let mut facts = known_or_kept(catalog, photos, objects).await;
    let missing: Vec<usize> = (0..objects.len())
        .filter(|&at| facts[at].is_none())
        .collect();
    if !missing.is_empty() {
        let wanted: Vec<ObjectInfo> = missing.iter().map(|&at| objects[at].clone()).collect();
        for (at, read) in missing.into_iter().zip(photos.of_page(&wanted).await) {
            facts[at] = read;
        }
    }
    objects
        .iter()
        .zip(facts)
        .map(|(object, facts)| {
            let mut image = describe(object);
            if let Some(facts) = facts {
                image.display_name.clone_from(&facts.name);
                image.photo = Some(facts.show(&object.name));
            }
            image
        })
        .collect()
}

/// A listed object as the API shows it; its type is guessed from its name here (the
/// raw route judges the bytes).
pub fn describe(object: &ObjectInfo) -> ImageInfo {
    let content_type = ImageKind::from_name(object.name.as_str())
        .map(|kind| kind.mime())
        .unwrap_or("application/octet-stream");
    object.describe(content_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_the_round_trip() {
        let cursor = Cursor {
            micros: 1_700_000_000_000_000,
            name: "albums/a b/c.png".into(),
        };
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
    }

    #[test]
    fn a_forged_cursor_is_refused() {
        assert!(Cursor::decode("not base64!").is_err());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode("no-slash")).is_err());
        assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode("soon/x.png")).is_err());
    }
}
