//! `GET /image/{name}`: the raw bytes of any object, streamed from the bucket, with
//! the type judged from the bytes and the headers that keep a browser from doing
//! anything with them but showing them.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::stream::{self, StreamExt};

use super::headers::OBJECT_POLICY;
use crate::error::{Error, Result};
use crate::names::ObjectName;
use crate::sniff::{read_head, ImageKind};
use crate::state::AppState;

/// `GET /image/{name}` (and `HEAD`): the object's bytes, streamed from the bucket.
/// The type is judged from the bytes (a stored type can be wrong); anything that
/// is not a supported image goes out as an opaque download, never inline.
pub async fn image(
    State(state): State<AppState>,
    Path(name): Path<String>,
    request_headers: HeaderMap,
) -> Result<Response> {
    let name = ObjectName::parse(&name).map_err(|_| Error::NotFound(name.clone()))?;
    let object = state.bucket.get(&name).await?;
    let etag = object.info.e_tag.as_deref().map(quoted);

    // A browser that has this version already gets 304 and no bytes (RFC 9110 13.1.2).
    let if_none_match = request_headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok());
    if let (Some(etag), Some(if_none_match)) = (&etag, if_none_match) {
        if none_match_fails(if_none_match, etag) {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            cache_headers(
                response.headers_mut(),
                Some(etag),
                &object.info.last_modified,
            );
            return Ok(response);
        }
    }
    let mut bytes = object.bytes;

    // Read just enough to judge the type; those bytes go out first, then the rest.
    let head = read_head(&mut bytes).await?;
    let kind = ImageKind::sniff(&head);
    let body = stream::once(async move { Ok::<_, Error>(head) }).chain(bytes);

    let mut response = Response::new(Body::from_stream(body));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(object.info.size));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Even an image is only ever shown: nothing in it may run, load or be framed.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(OBJECT_POLICY),
    );
    cache_headers(headers, etag.as_deref(), &object.info.last_modified);
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
    Ok(response)
}

/// Browsers may keep an image five minutes, then ask again with its ETag.
fn cache_headers(
    headers: &mut HeaderMap,
    etag: Option<&str>,
    modified: &chrono::DateTime<chrono::Utc>,
) {
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    if let Some(etag) = etag.and_then(|etag| HeaderValue::from_str(etag).ok()) {
        headers.insert(header::ETAG, etag);
    }
    let http_date = modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    if let Ok(modified) = HeaderValue::from_str(&http_date) {
        headers.insert(header::LAST_MODIFIED, modified);
    }
}

/// An entity tag as HTTP writes it: in double quotes (S3 gives them so, the
/// local folder without).
fn quoted(etag: &str) -> String {
    if etag.starts_with('"') || etag.starts_with("W/\"") {
        etag.to_owned()
    } else {
        format!("\"{etag}\"")
    }
}

/// Whether `If-None-Match` names the current version: `*`, or any listed tag equal
/// to it by weak comparison (RFC 9110 8.8.3.2), so the answer is 304.
fn none_match_fails(if_none_match: &str, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    if_none_match.trim() == "*"
        || if_none_match
            .split(',')
            .any(|tag| opaque(tag) == opaque(etag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists() {
        assert!(none_match_fails("\"a\"", "\"a\""));
        assert!(none_match_fails("W/\"a\"", "\"a\""));
        assert!(none_match_fails("\"x\", \"a\"", "\"a\""));
        assert!(none_match_fails("*", "\"a\""));
        assert!(!none_match_fails("\"b\"", "\"a\""));
    }

    #[test]
    fn tags_are_quoted_once() {
        assert_eq!(quoted("abc"), "\"abc\"");
        assert_eq!(quoted("\"abc\""), "\"abc\"");
    }
}
