//! One photo as the viewer shows it: described with its facts, the copies that
//! fill a screen, and the photos just before and after it in the gallery's order.

use std::sync::Arc;

use super::paging::{describe, described, known_or_kept};
use super::{Around, Catalog};
use crate::api::PhotoView;
use crate::error::{Error, Result};
use crate::names::ObjectName;
use crate::photos::Photos;
use crate::storage::Bucket;

/// The photo `name` with its neighbours. One the catalog does not list yet (put
/// there by another tool a moment ago) is shown alone; a hidden object or one
/// that is not there is not found.
pub async fn photo_view(
    catalog: &Arc<Catalog>,
    photos: &Photos,
    bucket: &Bucket,
    name: &str,
) -> Result<PhotoView> {
    let missing = || Error::NotFound(name.to_owned());
    let name = ObjectName::parse(name).map_err(|_| missing())?;
    if name.is_hidden() {
        return Err(missing());
    }
    let Around { newer, this, older } = match catalog.around(&name).await? {
        Some(around) => around,
        None => Around {
            newer: None,
            this: bucket.head(&name).await?,
            older: None,
        },
    };
    let mut photo = describe(&this);
    let mut screens = Vec::new();
    // The viewer needs the photo's shape: its facts are waited for (made now
    // if need be); without them it still shows the original.
    let found = known_or_kept(catalog, photos, std::slice::from_ref(&this))
        .await
        .pop()
        .flatten();
    let facts = match found {
        Some(facts) => Ok(facts),
        None => photos.facts(&this, None).await,
    };
    match facts {
        Ok(facts) => {
            photo.display_name.clone_from(&facts.name);
            photo.photo = Some(facts.show(&name));
            screens = facts.screens(&name);
        }
        Err(error) => tracing::debug!(name = %name, "no facts for the viewer: {error}"),
    }
    let neighbour = |object: Option<_>| async {
        let objects: Vec<_> = object.into_iter().collect();
        described(catalog, photos, &objects).await.pop()
    };
    Ok(PhotoView {
        photo,
        screens,
        newer: neighbour(newer).await,
        older: neighbour(older).await,
    })
}
