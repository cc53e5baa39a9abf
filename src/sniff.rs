//! Image types, judged from the first bytes of a file. A name or a declared
//! `Content-Type` says nothing: the official Replit client stores everything as
//! `text/plain`, and a browser believes whatever extension a file has.

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt};
use image::ImageFormat;

use crate::brands::{self, Heif};

/// How many leading bytes are enough to judge every supported type (a HEIF
/// file's type box may list a few brands before the one that says which it is).
pub const SNIFF_LEN: usize = 64;

/// A supported image type. Made only from sniffed bytes (or, for display hints,
/// from a name): code that holds one knows the bytes were looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    Jpeg,
    Png,
    Gif,
    Webp,
    Avif,
    /// HEIC and HEIF: HEVC pictures, as phones take them.
    Heic,
}

impl ImageKind {
    /// Judges the type from the leading bytes (give at least [`SNIFF_LEN`] when the
    /// file has that many). Signatures per format are image's `guess_format`.
    pub fn sniff(head: &[u8]) -> Option<ImageKind> {
        match brands::heif(head) {
            Some(Heif::Avif) => return Some(ImageKind::Avif),
            Some(Heif::Heic) => return Some(ImageKind::Heic),
            None => {}
        }
        match image::guess_format(head).ok()? {
            ImageFormat::Jpeg => Some(ImageKind::Jpeg),
            ImageFormat::Png => Some(ImageKind::Png),
            ImageFormat::Gif => Some(ImageKind::Gif),
            ImageFormat::WebP => Some(ImageKind::Webp),
            _ => None,
        }
    }

    /// The type a name suggests: only a hint for listings, never used to serve.
    pub fn from_name(name: &str) -> Option<ImageKind> {
        let (_, extension) = name.rsplit_once('.')?;
        match extension.to_ascii_lowercase().as_str() {
            "jpg" | "jpeg" | "jpe" | "jfif" => Some(ImageKind::Jpeg),
            "png" => Some(ImageKind::Png),
            "gif" => Some(ImageKind::Gif),
            "webp" => Some(ImageKind::Webp),
            "avif" => Some(ImageKind::Avif),
            "heic" | "heif" | "hif" => Some(ImageKind::Heic),
            _ => None,
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Png => "image/png",
            ImageKind::Gif => "image/gif",
            ImageKind::Webp => "image/webp",
            ImageKind::Avif => "image/avif",
            ImageKind::Heic => "image/heic",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ImageKind::Jpeg => "jpg",
            ImageKind::Png => "png",
            ImageKind::Gif => "gif",
            ImageKind::Webp => "webp",
            ImageKind::Avif => "avif",
            ImageKind::Heic => "heic",
        }
    }
}

/// Reads from `bytes` until there are [`SNIFF_LEN`] bytes to judge, or it ends.
/// The caller sends these on first, then the rest of the stream.
pub async fn read_head<E>(
    bytes: &mut (impl Stream<Item = Result<Bytes, E>> + Unpin),
) -> Result<Bytes, E> {
    let mut head = BytesMut::new();
    while head.len() < SNIFF_LEN {
        match bytes.next().await {
            Some(chunk) => head.extend_from_slice(&chunk?),
            None => break,
        }
    }
    Ok(head.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    const JPEG: &[u8] = &[0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F'];
    const WEBP: &[u8] = b"RIFF\x24\0\0\0WEBPVP8 ";
    const AVIF: &[u8] = b"\0\0\0\x1cftypavif\0\0\0\0avifmif1";
    const HEIC: &[u8] = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";

    #[test]
    fn each_supported_type_is_recognised_by_its_bytes() {
        assert_eq!(ImageKind::sniff(PNG), Some(ImageKind::Png));
        assert_eq!(ImageKind::sniff(JPEG), Some(ImageKind::Jpeg));
        assert_eq!(
            ImageKind::sniff(b"GIF89a\x01\0\x01\0"),
            Some(ImageKind::Gif)
        );
        assert_eq!(
            ImageKind::sniff(b"GIF87a\x01\0\x01\0"),
            Some(ImageKind::Gif)
        );
        assert_eq!(ImageKind::sniff(WEBP), Some(ImageKind::Webp));
        assert_eq!(ImageKind::sniff(AVIF), Some(ImageKind::Avif));
        assert_eq!(ImageKind::sniff(HEIC), Some(ImageKind::Heic));
    }

    #[test]
    fn text_and_other_formats_are_not_images() {
        assert_eq!(ImageKind::sniff(b"hello, this is a note"), None);
        assert_eq!(
            ImageKind::sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\">"),
            None
        );
        assert_eq!(ImageKind::sniff(b"<!DOCTYPE html><html>"), None);
        assert_eq!(ImageKind::sniff(b"%PDF-1.7"), None);
        assert_eq!(ImageKind::sniff(b"BM\0\0"), None, "BMP is not supported");
        assert_eq!(ImageKind::sniff(b""), None);
    }

    #[test]
    fn a_truncated_signature_is_not_an_image() {
        assert_eq!(ImageKind::sniff(&PNG[..4]), None);
        assert_eq!(ImageKind::sniff(b"GIF8"), None);
        assert_eq!(ImageKind::sniff(b"RIFF\x24\0\0\0WAVE"), None);
    }

    #[test]
    fn a_name_only_hints() {
        assert_eq!(
            ImageKind::from_name("a/b/Photo.JPEG"),
            Some(ImageKind::Jpeg)
        );
        assert_eq!(ImageKind::from_name("notes.txt"), None);
        assert_eq!(ImageKind::from_name("no-extension"), None);
    }
}
