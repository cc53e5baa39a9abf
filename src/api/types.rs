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
        }
    }
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
}

/// The multipart field that carries files (the classic Flask guide's name).
pub const FILE_FIELD: &str = "image";

/// The image types the gallery accepts, in the words shown to people.
pub const SUPPORTED_TYPES: &str = "JPEG, PNG, GIF, WebP or AVIF";
