//! What the browser can tell about a file before any byte of it is sent: that it
//! is empty, larger than the gallery takes, not an image at all
//! (judged from its first bytes, as the server judges them, never from its name),
//! or of more pixels than the gallery takes (from its header: JPEG, PNG, GIF,
//! WebP). The server checks everything again; this saves sending what it would
//! refuse, and says why at once, in the server's own words.

use crate::api::SUPPORTED_TYPES;
use crate::brands;
use crate::sizes::{human_bytes, megapixels};

/// How many bytes of a file [`judge`] reads: a JPEG's size comes after its EXIF
/// block, which may hold a thumbnail of its own.
pub const HEAD_BYTES: u32 = 128 * 1024;

/// The gallery's limits, as the session tells them (0: not known).
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    pub largest_file: u64,
    pub most_pixels: u64,
}

/// Why `name` would be refused, if it would be: from its `size`, the gallery's
/// `limits` and the `head` of its bytes.
pub fn judge(name: &str, size: u64, limits: Limits, head: &[u8]) -> Result<(), String> {
    let largest = limits.largest_file;
    if size == 0 {
        return Err(format!("{name} is empty: there is no image in it"));
    }
    if largest > 0 && size > largest {
        return Err(format!(
            "{name} is larger than the limit of {}",
            human_bytes(largest)
        ));
    }
    if !supported(head) {
        return Err(format!(
            "{name} is not a supported image: {SUPPORTED_TYPES}"
        ));
    }
    match dimensions(head) {
            Some((width, height)) if limits.most_pixels > 0 && width * height > limits.most_pixels => {
                Err(format!(
                    "{name} is not a valid image: it is {width} × {height} pixels ({} megapixels); the limit is {} megapixels",
                    megapixels(width * height),
                    limits.most_pixels / 1_000_000
                ))
            }
        _ => Ok(()),
    }
}

/// Whether the head is of a type the gallery takes (JPEG, PNG, GIF, WebP, and
/// the HEIF images: AVIF and HEIC).
fn supported(head: &[u8]) -> bool {
    let starts = |magic: &[u8]| head.starts_with(magic);
    starts(&[0xFF, 0xD8, 0xFF])
        || starts(b"\x89PNG\r\n\x1a\n")
        || starts(b"GIF87a")
        || starts(b"GIF89a")
        || (starts(b"RIFF") && head.get(8..12) == Some(b"WEBP"))
        || brands::heif(head).is_some()
}

/// Width and height from an image's header, where the head holds it.
fn dimensions(head: &[u8]) -> Option<(u64, u64)> {
    let be16 = |at: usize| {
        head.get(at..at + 2)
            .map(|b| u64::from(u16::from_be_bytes([b[0], b[1]])))
    };
    let le16 = |at: usize| {
        head.get(at..at + 2)
            .map(|b| u64::from(u16::from_le_bytes([b[0], b[1]])))
    };
    let be32 = |at: usize| {
        head.get(at..at + 4)
            .map(|b| u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])))
    };
    let le24 = |at: usize| {
        head.get(at..at + 3)
            .map(|b| u64::from(b[0]) | u64::from(b[1]) << 8 | u64::from(b[2]) << 16)
    };
    if head.starts_with(b"\x89PNG") {
        return Some((be32(16)?, be32(20)?));
    }
    if head.starts_with(b"GIF8") {
        return Some((le16(6)?, le16(8)?));
    }
    if head.starts_with(b"RIFF") {
        return match head.get(12..16)? {
            b"VP8X" => Some((le24(24)? + 1, le24(27)? + 1)),
            b"VP8 " => Some((le16(26)? & 0x3FFF, le16(28)? & 0x3FFF)),
            b"VP8L" => {
                let bits = head.get(21..25)?;
                let bits = u32::from_le_bytes([bits[0], bits[1], bits[2], bits[3]]);
                Some((
                    u64::from(bits & 0x3FFF) + 1,
                    u64::from((bits >> 14) & 0x3FFF) + 1,
                ))
            }
            _ => None,
        };
    }
    if head.starts_with(&[0xFF, 0xD8]) {
        // Segment by segment to the frame header (SOF0 to SOF15 but DHT, JPG, DAC).
        let mut at = 2;
        loop {
            if *head.get(at)? != 0xFF {
                return None;
            }
            let marker = *head.get(at + 1)?;
            if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
                return Some((be16(at + 7)?, be16(at + 5)?));
            }
            at += 2 + usize::try_from(be16(at + 2)?).ok()?;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len();
        let mut bytes = (size as u32).to_be_bytes().to_vec();
        bytes.extend_from_slice(b"ftyp");
        bytes.extend_from_slice(major);
        bytes.extend_from_slice(&[0, 0, 0, 0]);
        for brand in compatible {
            bytes.extend_from_slice(*brand);
        }
        bytes.extend_from_slice(&[0; 8]);
        bytes
    }

    #[test]
    fn images_the_gallery_takes_pass() {
        for head in [
            b"\xFF\xD8\xFF\xE0\0\x10JFIF".to_vec(),
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
            b"GIF89a\x01\0".to_vec(),
            b"RIFF\x24\0\0\0WEBPVP8 ".to_vec(),
            ftyp(b"avif", &[b"mif1", b"miaf"]),
            ftyp(b"mif1", &[b"avif", b"miaf"]),
            ftyp(b"heic", &[b"mif1", b"heic"]),
            ftyp(b"mif1", &[b"heic"]),
        ] {
            assert_eq!(judge("a", 100, LIMITS, &head), Ok(()), "{head:?}");
        }
    }

    #[test]
    fn empty_too_large_and_other_files_say_why() {
        assert_eq!(
            judge("x.png", 0, LIMITS, b""),
            Err("x.png is empty: there is no image in it".to_owned())
        );
        assert_eq!(
            judge(
                "big.jpg",
                17 * 1024 * 1024,
                Limits {
                    largest_file: 16 * 1024 * 1024,
                    most_pixels: 0
                },
                b"\xFF\xD8\xFF"
            ),
            Err("big.jpg is larger than the limit of 16 MiB".to_owned())
        );
        assert_eq!(
            judge("notes.jpg", 10, LIMITS, b"just some notes"),
            Err(format!(
                "notes.jpg is not a supported image: {SUPPORTED_TYPES}"
            ))
        );
        // The limit is not known: the server will say.
        assert_eq!(
            judge("big.jpg", u64::MAX, Limits::default(), b"\xFF\xD8\xFF"),
            Ok(())
        );
    }

    const LIMITS: Limits = Limits {
        largest_file: 1000,
        most_pixels: 50_000_000,
    };

    /// A real file's bytes, made by `image`.
    fn encoded(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
        let picture = image::RgbImage::from_pixel(width, height, image::Rgb([90, 120, 200]));
        let mut bytes = std::io::Cursor::new(Vec::new());
        picture.write_to(&mut bytes, format).expect("encoded");
        bytes.into_inner()
    }

    #[test]
    fn the_size_is_read_from_each_header() {
        for format in [
            image::ImageFormat::Png,
            image::ImageFormat::Gif,
            image::ImageFormat::WebP,
        ] {
            assert_eq!(
                dimensions(&encoded(300, 200, format)),
                Some((300, 200)),
                "{format:?}"
            );
        }
        let mut jpeg = encoded(300, 200, image::ImageFormat::Jpeg);
        // An APP1 segment (as EXIF is) before the frame header.
        let app1 = [&[0xFF, 0xE1, 0x00, 0x10][..], &[0u8; 14]].concat();
        jpeg.splice(2..2, app1);
        assert_eq!(dimensions(&jpeg), Some((300, 200)));
    }

    #[test]
    fn too_many_pixels_are_refused_in_the_servers_words() {
        let png = encoded(2000, 1000, image::ImageFormat::Png);
        let limits = Limits {
            largest_file: 0,
            most_pixels: 1_000_000,
        };
        assert_eq!(
            judge("wide.png", png.len() as u64, limits, &png),
            Err("wide.png is not a valid image: it is 2000 × 1000 pixels (2.0 megapixels); the limit is 1 megapixels".to_owned())
        );
        let roomy = Limits {
            most_pixels: 50_000_000,
            ..limits
        };
        assert_eq!(judge("wide.png", png.len() as u64, roomy, &png), Ok(()));
    }
}
