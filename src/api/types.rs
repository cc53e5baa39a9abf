//! The types the API speaks, shared by the server and the browser.

use serde::{Deserialize, Serialize};

use super::links;

/// One image in the bucket, as the gallery and API clients see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageInfo {
    /// The object's name in the bucket (may contain `/` for objects put there by other tools).
    pub name: String,
    /// Where its raw bytes are served: `/image/{name}`, percent-encoded.
    pub url: String,
    /// Size in bytes.
    pub size: u64,
    /// The image type: judged from the bytes on upload; from the name in listings
    /// (the raw route always judges the bytes again).
    pub content_type: String,
    /// When it was stored, RFC 3339.
    pub uploaded_at: String,
    /// The name to show: the file's name as uploaded, or for objects other tools
    /// put into the bucket the last segment of their key.
    #[serde(default)]
    pub display_name: String,
    /// What is known of the photo itself once its derived images are made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<PhotoFacts>,
    /// In an upload's answer: these bytes were in the gallery already, as this
    /// photo, and nothing new was stored.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub already_in_gallery: bool,
}

/// A photo's shape, placeholder, small copies and facts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoFacts {
    /// Its size as shown (upright), in pixels.
    pub width: u32,
    pub height: u32,
    /// A tiny blurred picture of it (a `data:` URL of a PNG made from its
    /// ThumbHash), to paint before any image arrives.
    pub placeholder: String,
    /// Small upright copies, smallest first; empty when none can be made
    /// ([`PhotoFacts::problem`] says why).
    pub thumbnails: Vec<Thumbnail>,
    /// When it was taken, as the camera wrote it (local time, ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_at: Option<String>,
    /// The camera that took it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camera: Option<String>,
    /// It moves (GIF, WebP): the thumbnails show its first frame.
    #[serde(default)]
    pub animated: bool,
    /// Why no thumbnails can be shown (too many pixels, a type not decoded, broken
    /// bytes), in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// One small copy of a photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thumbnail {
    /// Where it is served; the address names the photo's version, so it never
    /// changes content and may be cached for good.
    pub url: String,
    pub width: u32,
    pub height: u32,
}

impl ImageInfo {
    /// Describes a stored object; `content_type` is what its bytes were judged to be
    /// (on upload), or what its name suggests (in listings).
    pub fn new(name: &str, size: u64, content_type: &str, uploaded_at: String) -> Self {
        ImageInfo {
            name: name.to_owned(),
            url: links::image(name),
            size,
            content_type: content_type.to_owned(),
            uploaded_at,
            display_name: display_name(name),
            photo: None,
            already_in_gallery: false,
        }
    }

    /// The `srcset` of its thumbnails (`url 320w, url 640w`), empty without any.
    pub fn srcset(&self) -> String {
        self.photo
            .iter()
            .flat_map(|photo| &photo.thumbnails)
            .map(|thumbnail| format!("{} {}w", thumbnail.url, thumbnail.width))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The name to show for a key: its last segment, without the unique id this
/// gallery adds to uploads (`IMG_2000-01m87jr2zqzqs5y170gmkm0g61.jpg` shows as
/// `IMG_2000.jpg`).
pub fn display_name(key: &str) -> String {
    let last = key.rsplit('/').next().unwrap_or(key);
    let (stem, extension) = last.rsplit_once('.').unwrap_or((last, ""));
    let without_id = stem
        .rsplit_once('-')
        .filter(|(base, id)| !base.is_empty() && is_upload_id(id))
        .map_or(stem, |(base, _)| base);
    if extension.is_empty() {
        without_id.to_owned()
    } else {
        format!("{without_id}.{extension}")
    }
}

/// Whether a key is one this gallery gave an upload: its last segment's stem ends
/// in `-` and the upload's ULID.
pub fn looks_uploaded(key: &str) -> bool {
    let last = key.rsplit('/').next().unwrap_or(key);
    let stem = last.rsplit_once('.').map_or(last, |(stem, _)| stem);
    stem.rsplit_once('-')
        .is_some_and(|(base, id)| !base.is_empty() && is_upload_id(id))
}

/// Whether `id` looks like the ULID an upload's name carries (26 characters of
/// Crockford's base 32, lower case).
fn is_upload_id(id: &str) -> bool {
    id.len() == 26
        && id.bytes().all(|b| {
            b.is_ascii_digit()
                || (b.is_ascii_lowercase() && !matches!(b, b'i' | b'l' | b'o' | b'u'))
        })
}

/// One page of the gallery, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImagePage {
    pub images: Vec<ImageInfo>,
    /// Pass back as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// Set when the bucket could not be listed just now: why, in words. The images
    /// are then those of the last listing that worked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_problem: Option<String>,
    /// Set while the server walks the bucket for the first time (its index was
    /// missing): how many objects it has found so far. The page is made of
    /// those, so newer photos may be missing from it until the walk ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catching_up: Option<u64>,
}

/// One photo as the viewer shows it, with its neighbours in the gallery's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoView {
    pub photo: ImageInfo,
    /// Copies that fill a screen, smallest first; empty when the photo has no
    /// copies (the viewer then shows the original).
    pub screens: Vec<Thumbnail>,
    /// The photo shown just before it (newer), if any.
    pub newer: Option<ImageInfo>,
    /// The photo shown just after it (older), if any.
    pub older: Option<ImageInfo>,
}

/// What an upload stored, in the order the files were sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedImages {
    pub images: Vec<ImageInfo>,
}

/// What the person looking at the page may do: the page shows only that.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub signed_in: bool,
    pub can_upload: bool,
    pub can_delete: bool,
    /// The largest file an upload may carry, in bytes (0: not said).
    #[serde(default)]
    pub max_file_bytes: u64,
    /// The most pixels an uploaded image may have (0: not said).
    #[serde(default)]
    pub max_pixels: u64,
}

/// The multipart field that carries files (the classic Flask guide's name).
pub const FILE_FIELD: &str = "image";

/// The image types the gallery accepts, in the words shown to people.
pub const SUPPORTED_TYPES: &str = "JPEG, PNG, GIF, WebP, AVIF or HEIC";

#[cfg(test)]
mod tests {
    use super::display_name;

    #[test]
    fn the_name_shown_leaves_out_the_upload_id_and_the_folders() {
        assert_eq!(
            display_name("IMG_2000-01m87jr2zqzqs5y170gmkm0g61.jpg"),
            "IMG_2000.jpg"
        );
        assert_eq!(display_name("albums/2024/beach.jpg"), "beach.jpg");
        // Only an id this gallery made is left out.
        assert_eq!(display_name("best-of-summer.jpg"), "best-of-summer.jpg");
        assert_eq!(display_name("README"), "README");
    }
}
