//! What the browser can tell about a file before any byte of it is sent: that it
//! is empty, larger than the gallery takes, an iPhone's HEIC, or not an image at
//! all (judged from its first bytes, as the server judges them, never from its
//! name). The server checks everything again; this saves sending what it would
//! refuse, and says why at once, in the server's own words.

use crate::api::SUPPORTED_TYPES;
use crate::sizes::human_bytes;

/// How many bytes of a file [`judge`] needs.
pub const HEAD_BYTES: u32 = 32;

/// Why `name` would be refused, if it would be: from its `size`, the `largest`
/// file the gallery takes (0: not known) and the `head` of its bytes.
pub fn judge(name: &str, size: u64, largest: u64, head: &[u8]) -> Result<(), String> {
    if size == 0 {
        return Err(format!("{name} is empty: there is no image in it"));
    }
    if largest > 0 && size > largest {
        return Err(format!(
            "{name} is larger than the limit of {}",
            human_bytes(largest)
        ));
    }
    match kind(head) {
        Some(Kind::Supported) => Ok(()),
        Some(Kind::Heic) => Err(format!(
            "{name}: HEIC photos are not supported yet: export them as JPEG, or set the iPhone camera to Most Compatible"
        )),
        None => Err(format!("{name} is not a supported image: {SUPPORTED_TYPES}")),
    }
}

enum Kind {
    Supported,
    Heic,
}

fn kind(head: &[u8]) -> Option<Kind> {
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(&[0xFF, 0xD8, 0xFF])
        || starts(b"\x89PNG\r\n\x1a\n")
        || starts(b"GIF87a")
        || starts(b"GIF89a")
        || (starts(b"RIFF") && head.get(8..12) == Some(b"WEBP"))
    {
        return Some(Kind::Supported);
    }
    // ISO base media (AVIF, HEIC): a `ftyp` box whose brands say which.
    if head.get(4..8) != Some(b"ftyp") {
        return None;
    }
    let size = head
        .get(0..4)
        .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    let end = (size as usize).clamp(8, head.len());
    let brands: Vec<&[u8]> = std::iter::once(head.get(8..12))
        .chain((16..end).step_by(4).map(|at| head.get(at..at + 4)))
        .flatten()
        .collect();
    if brands
        .iter()
        .any(|brand| matches!(*brand, b"avif" | b"avis"))
    {
        return Some(Kind::Supported);
    }
    if brands.iter().any(|brand| {
        matches!(
            *brand,
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1"
        )
    }) {
        return Some(Kind::Heic);
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
        ] {
            assert_eq!(judge("a", 100, 1000, &head), Ok(()), "{head:?}");
        }
    }

    #[test]
    fn an_iphone_photo_is_refused_with_what_to_do() {
        for head in [
            ftyp(b"heic", &[b"mif1", b"heic"]),
            ftyp(b"mif1", &[b"heic"]),
        ] {
            assert_eq!(
                judge("IMG_3000.HEIC", 100, 1000, &head),
                Err("IMG_3000.HEIC: HEIC photos are not supported yet: export them as JPEG, or set the iPhone camera to Most Compatible".to_owned())
            );
        }
    }

    #[test]
    fn empty_too_large_and_other_files_say_why() {
        assert_eq!(
            judge("x.png", 0, 1000, b""),
            Err("x.png is empty: there is no image in it".to_owned())
        );
        assert_eq!(
            judge(
                "big.jpg",
                17 * 1024 * 1024,
                16 * 1024 * 1024,
                b"\xFF\xD8\xFF"
            ),
            Err("big.jpg is larger than the limit of 16 MiB".to_owned())
        );
        assert_eq!(
            judge("notes.jpg", 10, 1000, b"just some notes"),
            Err(format!(
                "notes.jpg is not a supported image: {SUPPORTED_TYPES}"
            ))
        );
        // The limit is not known: the server will say.
        assert_eq!(judge("big.jpg", u64::MAX, 0, b"\xFF\xD8\xFF"), Ok(()));
    }
}
