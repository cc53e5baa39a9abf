//! Which HEIF image a file is, from the brands of its file type box (`ftyp`):
//! AVIF (AV1 pictures) or HEIC (HEVC pictures, as phones take them). Used by the
//! server's judging of a file and by the browser's, so both judge alike.

/// The HEIF image a file type box names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heif {
    Avif,
    Heic,
}

/// Judges `head`, the first bytes of a file: `None` when it does not begin with a
/// file type box, or its brands name neither. The major brand decides; a
/// generic one (`mif1`, `msf1`, `miaf`) leaves it to the compatible brands.
pub fn heif(head: &[u8]) -> Option<Heif> {
    if head.get(4..8) != Some(b"ftyp") {
        return None;
    }
    let size = head
        .get(0..4)
        .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    let end = (size as usize).clamp(8, head.len());
    let major = head.get(8..12)?;
    let compatible = (16..end).step_by(4).filter_map(|at| head.get(at..at + 4));
    let named = |brand: &[u8]| match brand {
        b"avif" | b"avis" => Some(Heif::Avif),
        b"heic" | b"heix" | b"heim" | b"heis" | b"hevc" | b"hevx" => Some(Heif::Heic),
        _ => None,
    };
    named(major).or_else(|| {
        let generic = matches!(major, b"mif1" | b"msf1" | b"miaf");
        let mut named_ones = compatible.filter_map(named);
        generic.then(|| named_ones.next()).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len() as u32;
        let mut head = size.to_be_bytes().to_vec();
        head.extend_from_slice(b"ftyp");
        head.extend_from_slice(major);
        head.extend_from_slice(&[0, 0, 0, 0]);
        for brand in compatible {
            head.extend_from_slice(*brand);
        }
        head.extend_from_slice(b"\0\0\0\x08free");
        head
    }

    #[test]
    fn the_major_brand_decides_and_a_generic_one_defers_to_the_others() {
        assert_eq!(heif(&ftyp(b"heic", &[b"mif1", b"heic"])), Some(Heif::Heic));
        assert_eq!(heif(&ftyp(b"heix", &[b"mif1"])), Some(Heif::Heic));
        assert_eq!(heif(&ftyp(b"avif", &[b"mif1", b"miaf"])), Some(Heif::Avif));
        assert_eq!(heif(&ftyp(b"mif1", &[b"avif", b"miaf"])), Some(Heif::Avif));
        assert_eq!(heif(&ftyp(b"mif1", &[b"heic"])), Some(Heif::Heic));
        assert_eq!(heif(&ftyp(b"mif1", &[b"miaf"])), None, "which pictures?");
        assert_eq!(heif(&ftyp(b"isom", &[b"avif"])), None, "a video");
        assert_eq!(heif(&ftyp(b"mp42", &[b"isom"])), None);
        assert_eq!(heif(b"\0\0\0\x18ftyp"), None, "cut short");
        assert_eq!(heif(b"\x89PNG\r\n\x1a\n"), None);
    }
}
