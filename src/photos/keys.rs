//! Where a photo's derived objects live in the bucket: under the hidden prefix
//! `.gallery/v1/`, then the photo's key, then its version (a short hash of the
//! original's ETag, size and time), so a replaced original never shows an old
//! thumbnail and every derived name can be cached for good.

use sha2::{Digest, Sha256};

use crate::names::ObjectName;
use crate::storage::ObjectInfo;

/// Everything derived lives under this prefix; the gallery never lists it. The
/// `v1` changes when what is derived changes, so all of it is made anew.
pub const PREFIX: &str = ".gallery/v1";
/// The facts of one version of a photo: written last, so its presence means the
/// copies are there too.
const FACTS: &str = "facts.json";

/// A short, URL-safe name for one version of an object. Its time counts to the
/// second: some stores (Garage) list it to the millisecond but say it to the
/// second when the object is read, and both must name the same version (the
/// ETag and size tell apart versions written within one second).
pub fn version(info: &ObjectInfo) -> String {
    let mut hash = Sha256::new();
    hash.update(info.e_tag.as_deref().unwrap_or_default());
    hash.update(info.size.to_le_bytes());
    hash.update(info.last_modified.timestamp().to_le_bytes());
    hash.finalize()[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Whether `text` could be a version made by [`version`].
pub fn is_version(text: &str) -> bool {
    text.len() == 16
        && text
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// The folder of everything derived from the photo `name`, all versions.
pub fn photo_prefix(name: &ObjectName) -> String {
    format!("{PREFIX}/{name}/")
}

/// The facts of one version of a photo.
pub fn facts(name: &ObjectName, version: &str) -> ObjectName {
    derived(name, version, FACTS)
}

/// The copy that fits `edge` pixels, of one version of a photo.
pub fn copy(name: &ObjectName, version: &str, edge: u32) -> ObjectName {
    derived(name, version, &format!("{edge}.webp"))
}

fn derived(name: &ObjectName, version: &str, file: &str) -> ObjectName {
    // Every part is a valid name segment: the photo's own name, a hex version, a
    // fixed file name.
    ObjectName::parse(&format!("{PREFIX}/{name}/{version}/{file}"))
        .unwrap_or_else(|_| unreachable!("derived names are built from valid parts"))
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn info(e_tag: &str) -> ObjectInfo {
        ObjectInfo {
            name: ObjectName::parse("albums/beach.jpg").unwrap(),
            size: 1000,
            last_modified: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
            e_tag: Some(e_tag.into()),
        }
    }

    #[test]
    fn a_replaced_original_has_another_version() {
        assert_eq!(version(&info("a")), version(&info("a")));
        assert_ne!(version(&info("a")), version(&info("b")));
        assert!(is_version(&version(&info("a"))));
        assert!(!is_version("../../etc"));
    }

    #[test]
    fn a_time_listed_to_the_millisecond_and_read_to_the_second_is_one_version() {
        let listed = info("a");
        let read = ObjectInfo {
            last_modified: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
            ..listed.clone()
        };
        let listed = ObjectInfo {
            last_modified: Utc.timestamp_opt(1_700_000_000, 123_000_000).unwrap(),
            ..listed
        };
        assert_eq!(version(&listed), version(&read));
    }

    #[test]
    fn derived_objects_are_hidden_under_the_photos_own_folder() {
        let name = ObjectName::parse("albums/beach.jpg").unwrap();
        let copy = copy(&name, "0123456789abcdef", 320);
        assert_eq!(
            copy.as_str(),
            ".gallery/v1/albums/beach.jpg/0123456789abcdef/320.webp"
        );
        assert!(copy.is_hidden());
        assert!(copy.as_str().starts_with(&photo_prefix(&name)));
    }
}
