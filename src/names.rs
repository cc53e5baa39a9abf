//! Object names. An [`ObjectName`] is valid by construction: no empty, `.` or `..`
//! segment, no leading `/`, no control characters. Names for uploads come from the
//! file's own name, made safe, plus a unique id, so two uploads never share a name,
//! even when they race: no conditional put is needed (some S3 servers ignore them).

use std::fmt;
use std::sync::{LazyLock, Mutex};

use unicode_normalization::UnicodeNormalization;

use crate::api::links;
use crate::sniff::ImageKind;

/// Longest stem kept from an uploaded file's name, in characters.
const MAX_STEM_CHARS: usize = 60;
/// Longest name accepted when reading (S3 and GCS allow 1024 bytes).
const MAX_NAME_BYTES: usize = 1024;
/// The stem used when nothing of the original name survives.
const FALLBACK_STEM: &str = "image";

/// A valid object name in the bucket.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectName(String);

/// Why a string is not a valid object name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the name is empty")]
    Empty,
    #[error("the name is longer than {MAX_NAME_BYTES} bytes")]
    TooLong,
    #[error("the name has an empty, `.` or `..` path segment")]
    BadSegment,
    #[error("the name contains a control character")]
    ControlCharacter,
}

impl ObjectName {
    /// Validates a name that names an existing object (from a URL or a listing).
    pub fn parse(name: &str) -> Result<Self, NameError> {
        if name.is_empty() {
            return Err(NameError::Empty);
        }
        if name.len() > MAX_NAME_BYTES {
            return Err(NameError::TooLong);
        }
        if name.chars().any(char::is_control) {
            return Err(NameError::ControlCharacter);
        }
        if name
            .split('/')
            .any(|segment| matches!(segment, "" | "." | ".."))
        {
            return Err(NameError::BadSegment);
        }
        Ok(ObjectName(name.to_owned()))
    }

    /// A fresh, unique name for an upload: the original name made safe, a unique
    /// id, and the extension of the type its bytes really are.
    /// `"My Cat (1).JPG"` becomes `"My-Cat-1-01jd2x5e9q8z7y6w5v4t3s2r1p.jpg"`.
    pub fn for_upload(original: &str, kind: ImageKind) -> Self {
        let stem = safe_stem(original);
        let id = unique_id();
        ObjectName(format!("{stem}-{id}.{}", kind.extension()))
    }

    /// Whether a segment starts with `.` (`.DS_Store`, `album/.keep`): such objects
    /// are the bucket's housekeeping, not images to show.
    pub fn is_hidden(&self) -> bool {
        self.0.split('/').any(|segment| segment.starts_with('.'))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Where the raw bytes are served: `/image/` and the name, percent-encoded.
    pub fn url(&self) -> String {
        links::image(&self.0)
    }

    #[cfg(feature = "ssr")]
    pub fn to_path(&self) -> object_store::path::Path {
        // Every segment is non-empty and neither `.` nor `..`, so this cannot fail
        // on a name built by this type; `from` would encode instead of refusing.
        object_store::path::Path::parse(&self.0).unwrap_or_else(|_| self.0.as_str().into())
    }
}

impl fmt::Display for ObjectName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The part of an uploaded file's name worth keeping: its last path component
/// without the extension, NFC-normalised, letters and digits kept, every other run
/// of characters turned into one `-`, bounded in length.
fn safe_stem(original: &str) -> String {
    let base = original.rsplit(['/', '\\']).next().unwrap_or_default();
    let without_extension = base.rsplit_once('.').map_or(base, |(stem, _)| stem);
    let mut stem = String::new();
    for c in without_extension.nfc() {
        if c.is_alphanumeric() || c == '_' {
            stem.push(c);
        } else if !stem.ends_with('-') && !stem.is_empty() {
            stem.push('-');
        }
        if stem.chars().count() >= MAX_STEM_CHARS {
            break;
        }
    }
    let stem = stem.trim_end_matches('-');
    if stem.is_empty() {
        FALLBACK_STEM.to_owned()
    } else {
        stem.to_owned()
    }
}

/// A ULID: 48 bits of milliseconds and 80 random bits, lower-cased for URLs. The
/// generator is monotonic, so two ids made in the same millisecond in this process
/// still differ; across processes the 80 random bits make a clash unthinkable.
pub fn unique_id() -> String {
    static GENERATOR: LazyLock<Mutex<ulid::Generator>> =
        LazyLock::new(|| Mutex::new(ulid::Generator::new()));
    let generated = GENERATOR
        .lock()
        .map_err(|_| ())
        .and_then(|mut generator| generator.generate().map_err(|_| ()));
    generated
        .unwrap_or_else(|()| ulid::Ulid::new())
        .to_string()
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn stem_of(name: &ObjectName) -> &str {
        name.as_str().rsplit_once('-').unwrap().0
    }

    #[test]
    fn an_upload_name_keeps_the_readable_part_of_the_original() {
        let name = ObjectName::for_upload("My Cat (1).JPG", ImageKind::Jpeg);
        assert_eq!(stem_of(&name), "My-Cat-1");
        assert!(name.as_str().ends_with(".jpg"));
    }

    #[test]
    fn the_extension_follows_the_real_type_not_the_name() {
        let name = ObjectName::for_upload("holiday.png", ImageKind::Jpeg);
        assert!(name.as_str().starts_with("holiday-"));
        assert!(name.as_str().ends_with(".jpg"));
    }

    #[test]
    fn path_components_and_traversal_are_dropped() {
        for hostile in [
            "../../etc/passwd.png",
            "..\\..\\win.ini",
            "/abs/path/x.png",
            "a/../../x.png",
        ] {
            let name = ObjectName::for_upload(hostile, ImageKind::Png);
            assert!(!name.as_str().contains('/'), "{name}");
            assert!(!name.as_str().contains(".."), "{name}");
            assert!(!name.as_str().contains('\\'), "{name}");
        }
    }

    #[test]
    fn control_characters_and_nul_never_survive() {
        let name = ObjectName::for_upload("a\0b\r\nc\u{7f}.png", ImageKind::Png);
        assert!(!name.as_str().chars().any(char::is_control), "{name:?}");
        assert_eq!(stem_of(&name), "a-b-c");
    }

    #[test]
    fn a_name_with_nothing_readable_falls_back() {
        for empty in ["", ".png", "...", "()!!.gif", ".hidden"] {
            let name = ObjectName::for_upload(empty, ImageKind::Png);
            assert!(name.as_str().starts_with("image-"), "{name}");
        }
    }

    #[test]
    fn unicode_is_normalised_and_kept() {
        // "é" as e + combining acute becomes the single composed character.
        let name = ObjectName::for_upload("cafe\u{301} 東京.webp", ImageKind::Webp);
        assert_eq!(stem_of(&name), "caf\u{e9}-東京");
    }

    #[test]
    fn long_names_are_bounded() {
        let name = ObjectName::for_upload(&"x".repeat(5000), ImageKind::Gif);
        assert!(name.as_str().len() < 100, "{}", name.as_str().len());
    }

    #[test]
    fn many_uploads_of_one_name_never_collide() {
        let names: HashSet<_> = (0..10_000)
            .map(|_| ObjectName::for_upload("cat.jpg", ImageKind::Jpeg))
            .collect();
        assert_eq!(names.len(), 10_000);
    }

    #[test]
    fn parse_refuses_names_that_escape_or_hide() {
        assert_eq!(ObjectName::parse(""), Err(NameError::Empty));
        assert_eq!(ObjectName::parse("../x.png"), Err(NameError::BadSegment));
        assert_eq!(ObjectName::parse("/x.png"), Err(NameError::BadSegment));
        assert_eq!(ObjectName::parse("a//b.png"), Err(NameError::BadSegment));
        assert_eq!(ObjectName::parse("a/./b.png"), Err(NameError::BadSegment));
        assert_eq!(
            ObjectName::parse("a\0.png"),
            Err(NameError::ControlCharacter)
        );
        assert!(ObjectName::parse("albums/2024/beach.jpg").is_ok());
    }

    #[test]
    fn urls_encode_each_segment() {
        let name = ObjectName::parse("albums/my cat?.jpg").unwrap();
        assert_eq!(name.url(), "/image/albums/my%20cat%3F.jpg");
    }
}
