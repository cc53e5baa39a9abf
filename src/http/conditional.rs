//! Conditional and range requests (RFC 9110 13 and 14), judged from an object's
//! metadata alone: whether the client's copy is current (304), and which bytes a
//! `Range` asks for (206), or that it asks for none there are (416).

use std::ops::Range;

use axum::http::{header, HeaderMap};
use chrono::{DateTime, Utc};

use crate::storage::ObjectInfo;

/// An entity tag as HTTP writes it: in double quotes (S3 gives them so, the
/// local folder without).
pub fn quoted(etag: &str) -> String {
    if etag.starts_with('"') || etag.starts_with("W/\"") {
        etag.to_owned()
    } else {
        format!("\"{etag}\"")
    }
}

/// A time as HTTP writes it (`Last-Modified`).
pub fn http_date(time: &DateTime<Utc>) -> String {
    httpdate::fmt_http_date(std::time::SystemTime::from(*time))
}

/// Whether the request's preconditions say the client's copy is current, so the
/// answer is 304: `If-None-Match` when sent (it takes precedence), else
/// `If-Modified-Since` (RFC 9110 13.2.2).
pub fn not_modified(headers: &HeaderMap, object: &ObjectInfo) -> bool {
    let text = |name| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(if_none_match) = text(header::IF_NONE_MATCH) {
        return object
            .e_tag
            .as_deref()
            .is_some_and(|etag| none_match_fails(if_none_match, &quoted(etag)));
    }
    text(header::IF_MODIFIED_SINCE)
        .and_then(|since| httpdate::parse_http_date(since).ok())
        .is_some_and(|since| unchanged_since(object, since))
}

/// Whether the request carries a precondition [`not_modified`] reads.
pub fn is_conditional(headers: &HeaderMap) -> bool {
    headers.contains_key(header::IF_NONE_MATCH) || headers.contains_key(header::IF_MODIFIED_SINCE)
}

/// HTTP dates have whole seconds: the object is unchanged when its time,
/// truncated to the second, is not after `since`.
fn unchanged_since(object: &ObjectInfo, since: std::time::SystemTime) -> bool {
    let modified = object.last_modified.timestamp();
    let since = DateTime::<Utc>::from(since).timestamp();
    modified <= since
}

/// Whether `If-None-Match` names the current version: `*`, or any listed tag equal
/// to it by weak comparison (RFC 9110 8.8.3.2).
fn none_match_fails(if_none_match: &str, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    if_none_match.trim() == "*"
        || if_none_match
            .split(',')
            .any(|tag| opaque(tag) == opaque(etag))
}

/// What a `Range` header asks of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    /// The whole object: no range, one that is not valid or that this server does
    /// not serve in parts (several ranges), or an `If-Range` for another version.
    Whole,
    /// These bytes of it.
    Part(Range<u64>),
    /// No byte the object has (416).
    Nothing,
}

/// The bytes a request asks for (RFC 9110 14.2).
pub fn wanted(headers: &HeaderMap, object: &ObjectInfo) -> Wanted {
    let Some(range) = headers
        .get(header::RANGE)
        .and_then(|value| value.to_str().ok())
    else {
        return Wanted::Whole;
    };
    if !if_range_holds(headers, object) {
        return Wanted::Whole;
    }
    let Ok(parsed) = http_range_header::parse_range_header(range) else {
        // A range that does not parse is ignored, as RFC 9110 14.2 allows.
        return Wanted::Whole;
    };
    if parsed.ranges.len() != 1 {
        return Wanted::Whole;
    }
    if object.size == 0 {
        return Wanted::Nothing;
    }
    match parsed.validate(object.size) {
        Ok(ranges) => match ranges.first() {
            Some(range) => Wanted::Part(*range.start()..range.end() + 1),
            None => Wanted::Whole,
        },
        // A suffix longer than the object is all of it (RFC 9110 14.1.3).
        Err(http_range_header::RangeUnsatisfiableError::FileSuffixOutOfBounds) => {
            Wanted::Part(0..object.size)
        }
        Err(_) => Wanted::Nothing,
    }
}

/// `If-Range`: the range holds only for the version the client names, by a strong
/// entity tag or its exact modification time (RFC 9110 13.1.5).
fn if_range_holds(headers: &HeaderMap, object: &ObjectInfo) -> bool {
    let Some(if_range) = headers
        .get(header::IF_RANGE)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
    else {
        return true;
    };
    if if_range.starts_with("W/") {
        return false;
    }
    if if_range.starts_with('"') {
        return object
            .e_tag
            .as_deref()
            .is_some_and(|etag| quoted(etag) == if_range);
    }
    httpdate::parse_http_date(if_range).is_ok_and(|date| {
        DateTime::<Utc>::from(date).timestamp() == object.last_modified.timestamp()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::ObjectName;

    fn object(size: u64) -> ObjectInfo {
        ObjectInfo {
            name: ObjectName::parse("a.png").unwrap(),
            size,
            last_modified: DateTime::from_timestamp(1_700_000_000, 500_000_000).unwrap(),
            e_tag: Some("abc".into()),
        }
    }

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(name.clone(), value.parse().unwrap());
        }
        map
    }

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

    #[test]
    fn a_copy_from_the_same_second_or_later_is_current() {
        let object = object(10);
        let at = http_date(&object.last_modified);
        assert!(not_modified(
            &headers(&[(header::IF_MODIFIED_SINCE, &at)]),
            &object
        ));
        let earlier = "Tue, 14 Nov 2023 22:13:19 GMT";
        assert!(!not_modified(
            &headers(&[(header::IF_MODIFIED_SINCE, earlier)]),
            &object
        ));
        // If-None-Match wins over the date.
        let both = headers(&[
            (header::IF_NONE_MATCH, "\"other\""),
            (header::IF_MODIFIED_SINCE, &at),
        ]);
        assert!(!not_modified(&both, &object));
    }

    #[test]
    fn ranges_are_read_against_the_objects_size() {
        let object = object(100);
        let range = |value: &str| wanted(&headers(&[(header::RANGE, value)]), &object);
        assert_eq!(range("bytes=0-9"), Wanted::Part(0..10));
        assert_eq!(range("bytes=90-"), Wanted::Part(90..100));
        assert_eq!(range("bytes=-10"), Wanted::Part(90..100));
        assert_eq!(range("bytes=95-200"), Wanted::Part(95..100));
        assert_eq!(range("bytes=-500"), Wanted::Part(0..100));
        assert_eq!(range("bytes=100-"), Wanted::Nothing);
        assert_eq!(range("bytes=0-1,5-6"), Wanted::Whole);
        assert_eq!(range("pages=1"), Wanted::Whole);
        assert_eq!(wanted(&HeaderMap::new(), &object), Wanted::Whole);
    }

    #[test]
    fn if_range_keeps_the_range_only_for_the_named_version() {
        let object = object(100);
        let with = |if_range: &str| {
            wanted(
                &headers(&[(header::RANGE, "bytes=0-9"), (header::IF_RANGE, if_range)]),
                &object,
            )
        };
        assert_eq!(with("\"abc\""), Wanted::Part(0..10));
        assert_eq!(with("\"old\""), Wanted::Whole);
        assert_eq!(with("W/\"abc\""), Wanted::Whole);
        assert_eq!(with(&http_date(&object.last_modified)), Wanted::Part(0..10));
    }
}
