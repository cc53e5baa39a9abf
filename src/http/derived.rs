//! `GET /derived/{version}/{edge}/{name}`: the copy of one version of a photo that
//! fits `edge` pixels, from memory or the bucket, made first when it is missing
//! (for photos other tools put into the bucket). The address names the version,
//! so browsers keep the answer for good. `current` in place of the version is
//! sent on to the photo's current one (for tiles whose facts are not known yet).
//! Thumbnails are made with a photo's facts; the copies that fill a screen
//! (`SCREEN_EDGES`) when first asked for.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use bytes::Bytes;

use super::assets::IMMUTABLE;
use super::headers::only_shown;
use super::hot_objects::{HotObject, Lookup};
use crate::api::links;
use crate::error::{Error, Result};
use crate::names::ObjectName;
use crate::photos::{keys, render};
use crate::sniff::ImageKind;
use crate::state::AppState;

/// The version segment that stands for "whatever the photo is now".
pub const CURRENT: &str = "current";
/// A copy is small; anything larger under a copy's name is not one of ours.
const LARGEST_COPY: u64 = 4 * 1024 * 1024;

pub async fn derived(
    State(state): State<AppState>,
    Path((version, edge, name)): Path<(String, u32, String)>,
    request: HeaderMap,
) -> Result<Response> {
    let missing = || Error::NotFound(name.clone());
    let photo = ObjectName::parse(&name).map_err(|_| missing())?;
    let for_screens = links::SCREEN_EDGES.contains(&edge);
    if !render::EDGES.contains(&edge) && !for_screens {
        return Err(missing());
    }
    if version == CURRENT {
        let info = state.bucket.head(&photo).await?;
        let version = keys::version(&info);
        return Ok(
            Redirect::temporary(&links::derived(&version, edge, photo.as_str())).into_response(),
        );
    }
    if !keys::is_version(&version) {
        return Err(missing());
    }
    let etag = format!("\"{version}-{edge}\"");
    if request
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == etag))
    {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        cache_headers(response.headers_mut(), &etag);
        return Ok(response);
    }

    let copy = keys::copy(&photo, &version, edge);
    // A copy never changes under its name; a stale one is read again only in case
    // its photo was deleted.
    if let Lookup::Fresh(object) = state.hot.lookup(&copy) {
        return Ok(answer(object.bytes.clone(), &etag));
    }
    let (info, bytes) = match state.bucket.read_all(&copy, LARGEST_COPY).await {
        Ok(found) => found,
        Err(Error::NotFound(_)) => {
            // Not made yet: made now, if the address names the photo as it is.
            let original = state.bucket.head(&photo).await?;
            if keys::version(&original) != version {
                return Err(missing());
            }
            if for_screens {
                let bytes = state.photos.screen_copy(&original, edge).await?;
                return Ok(answer(bytes, &etag));
            }
            let facts = state.photos.facts(&original, None).await?;
            if let Some(problem) = &facts.problem {
                return Err(Error::NotFound(format!("{name} (no thumbnail: {problem})")));
            }
            state.bucket.read_all(&copy, LARGEST_COPY).await?
        }
        Err(error) => return Err(error),
    };
    state.hot.keep(HotObject {
        info,
        kind: Some(ImageKind::Webp),
        bytes: bytes.clone(),
    });
    Ok(answer(bytes, &etag))
}

fn answer(bytes: Bytes, etag: &str) -> Response {
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/webp"));
    only_shown(headers);
    cache_headers(headers, etag);
    response
}

fn cache_headers(headers: &mut HeaderMap, etag: &str) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
}
