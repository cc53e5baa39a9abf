//! `GET /image/{name}`: the raw bytes of any object, from memory when it is small
//! and hot (see `hot_objects.rs`), else streamed from the bucket, with the type
//! judged from the bytes and the headers that keep a browser from doing anything
//! with them but showing them. `HEAD`, conditional and range requests are
//! answered from the object's metadata first (see `conditional.rs`).

use std::ops::Range;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::BytesMut;
use futures::stream::{self, StreamExt, TryStreamExt};

use super::conditional::{http_date, is_conditional, not_modified, quoted, wanted, Wanted};
use super::headers::only_shown;
use super::hot_objects::{HotObject, Lookup};
use crate::error::{Error, Result};
use crate::names::ObjectName;
use crate::sniff::{read_head, ImageKind, SNIFF_LEN};
use crate::state::AppState;
use crate::storage::{Bucket, ObjectInfo};

/// Objects up to this size go out whole, in one write; larger ones stream.
const ONE_WRITE_BYTES: u64 = 64 * 1024;

/// `GET /image/{name}` (and `HEAD`): the object's bytes, from memory or streamed
/// from the bucket. The type is judged from the bytes (a stored type can be
/// wrong); anything that is not a supported image goes out as an opaque download,
/// never inline.
pub async fn image(
    State(state): State<AppState>,
    method: Method,
    Path(name): Path<String>,
    request: HeaderMap,
) -> Result<Response> {
    let name = served_name(&name)?;
    let bucket = &state.bucket;
    let hot = &state.hot;
    let mut known = None;
    match hot.lookup(&name) {
        Lookup::Fresh(object) => return Ok(from_memory(&method, &request, &object)),
        Lookup::Stale(_) => {
            // One metadata request says whether the copy is still the object.
            let info = bucket.head(&name).await.inspect_err(|error| {
                if matches!(error, Error::NotFound(_)) {
                    hot.forget(&name);
                }
            })?;
            if let Some(object) = hot.confirm(&info) {
                return Ok(from_memory(&method, &request, &object));
            }
            known = Some(info);
        }
        Lookup::Missing => {}
    }

    // What can be decided from the metadata is, before any byte is read.
    if method == Method::HEAD || is_conditional(&request) || request.contains_key(header::RANGE) {
        let info = match known {
            Some(info) => info,
            None => bucket.head(&name).await?,
        };
        if not_modified(&request, &info) {
            return Ok(unchanged(&info));
        }
        match wanted(&request, &info) {
            Wanted::Nothing => return Ok(unsatisfiable(&info)),
            Wanted::Part(range) => {
                let kind = judge(bucket, &name, info.size).await?;
                let body = if method == Method::HEAD {
                    Body::empty()
                } else {
                    Body::from_stream(bucket.get_range(&name, range.clone()).await?.bytes)
                };
                return Ok(bytes_response(&info, kind, Some(range), body));
            }
            Wanted::Whole if method == Method::HEAD => {
                let kind = judge(bucket, &name, info.size).await?;
                return Ok(bytes_response(&info, kind, None, Body::empty()));
            }
            Wanted::Whole => {}
        }
    }

    let object = bucket.get(&name).await?;
    let info = object.info;
    let mut bytes = object.bytes;
    // Read just enough to judge the type; those bytes go out first, then the rest.
    let head = read_head(&mut bytes).await?;
    let kind = ImageKind::sniff(&head);
    let body = if info.size <= ONE_WRITE_BYTES || hot.would_keep(info.size) {
        let whole = bytes
            .try_fold(BytesMut::from(&head[..]), |mut whole, chunk| async move {
                whole.extend_from_slice(&chunk);
                Ok(whole)
            })
            .await?
            .freeze();
        hot.keep(HotObject {
            info: info.clone(),
            kind,
            bytes: whole.clone(),
        });
        Body::from(whole)
    } else {
        Body::from_stream(stream::once(async move { Ok::<_, Error>(head) }).chain(bytes))
    };
    Ok(bytes_response(&info, kind, None, body))
}

/// The object a request names, if it is one that is served: the bucket's
/// housekeeping (the gallery's own `.gallery/`, a `.DS_Store`) never is: not
/// listed, not there.
pub fn served_name(name: &str) -> Result<ObjectName> {
    ObjectName::parse(name)
        .ok()
        .filter(|name| !name.is_hidden())
        .ok_or_else(|| Error::NotFound(name.to_owned()))
}

/// The answer to any request for an object held in memory.
fn from_memory(method: &Method, request: &HeaderMap, object: &HotObject) -> Response {
    let info = &object.info;
    if not_modified(request, info) {
        return unchanged(info);
    }
    let part = match wanted(request, info) {
        Wanted::Nothing => return unsatisfiable(info),
        Wanted::Part(range) => Some(range),
        Wanted::Whole => None,
    };
    let body = match (method, &part) {
        (&Method::HEAD, _) => Body::empty(),
        (_, Some(range)) => Body::from(object.bytes.slice(to_usize(range))),
        (_, None) => Body::from(object.bytes.clone()),
    };
    bytes_response(info, object.kind, part, body)
}

fn to_usize(range: &Range<u64>) -> Range<usize> {
    // Within an object held in memory, so within `usize`.
    range.start as usize..range.end as usize
}

/// 200 with the whole object, or 206 with the bytes of `part`.
fn bytes_response(
    info: &ObjectInfo,
    kind: Option<ImageKind>,
    part: Option<Range<u64>>,
    body: Body,
) -> Response {
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    match part {
        None => object_headers(headers, info, kind, info.size),
        Some(range) => {
            object_headers(headers, info, kind, range.end - range.start);
            let content_range = format!("bytes {}-{}/{}", range.start, range.end - 1, info.size);
            if let Ok(value) = HeaderValue::from_str(&content_range) {
                headers.insert(header::CONTENT_RANGE, value);
            }
            *response.status_mut() = StatusCode::PARTIAL_CONTENT;
        }
    }
    response
}

/// 304: the client's copy is current.
fn unchanged(info: &ObjectInfo) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    validators(response.headers_mut(), info);
    response
}

/// The type of an object, judged from its first bytes (read alone).
async fn judge(bucket: &Bucket, name: &ObjectName, size: u64) -> Result<Option<ImageKind>> {
    let end = size.min(SNIFF_LEN as u64);
    if end == 0 {
        return Ok(None);
    }
    let mut start = bucket.get_range(name, 0..end).await?.bytes;
    Ok(ImageKind::sniff(&read_head(&mut start).await?))
}

/// 416: the range names no byte of the object; `Content-Range` says how many it has.
fn unsatisfiable(info: &ObjectInfo) -> Response {
    let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("bytes */{}", info.size)) {
        response.headers_mut().insert(header::CONTENT_RANGE, value);
    }
    response
}

/// The headers of an object's bytes: type, length, validators, caching, and what
/// keeps a browser from running anything in them.
fn object_headers(
    headers: &mut HeaderMap,
    info: &ObjectInfo,
    kind: Option<ImageKind>,
    length: u64,
) {
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    // Even an image is only ever shown: nothing in it may run, load or be framed.
    only_shown(headers);
    validators(headers, info);
    match kind {
        Some(kind) => {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind.mime()));
        }
        None => {
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            headers.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment"),
            );
        }
    }
}

/// Browsers may keep an image five minutes, then ask again with its ETag or date.
fn validators(headers: &mut HeaderMap, info: &ObjectInfo) {
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    if let Some(etag) = info
        .e_tag
        .as_deref()
        .and_then(|etag| HeaderValue::from_str(&quoted(etag)).ok())
    {
        headers.insert(header::ETAG, etag);
    }
    if let Ok(modified) = HeaderValue::from_str(&http_date(&info.last_modified)) {
        headers.insert(header::LAST_MODIFIED, modified);
    }
}
