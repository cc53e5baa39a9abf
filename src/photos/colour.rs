//! Colours kept right: a photo whose pixels are in another colour space than sRGB
//! (an iPhone's Display P3, a camera's Adobe RGB) keeps its ICC profile in its
//! WebP copies, so browsers show them as they show the original. The profile goes
//! in an `ICCP` chunk of the extended WebP format (a `VP8X` header announces it).
//! sRGB profiles are left out: sRGB is what a copy without one means anyway.

/// Whether a profile describes sRGB (its description names it), so it need not
/// travel with the copies.
pub fn is_srgb(profile: &[u8]) -> bool {
    profile.windows(4).any(|window| window == b"sRGB")
}

/// A simple lossy WebP (`RIFF`, `WEBP`, one `VP8 ` chunk) of `width` × `height`,
/// rewritten in the extended format with `profile` beside the image. Anything
/// that is not a simple WebP comes back as it was.
pub fn with_profile(webp: Vec<u8>, width: u32, height: u32, profile: &[u8]) -> Vec<u8> {
    let simple = webp.len() > 20
        && &webp[0..4] == b"RIFF"
        && &webp[8..12] == b"WEBP"
        && &webp[12..16] == b"VP8 ";
    if !simple || profile.is_empty() || width == 0 || height == 0 {
        return webp;
    }
    let image = &webp[12..];
    let mut chunks = Vec::with_capacity(image.len() + profile.len() + 40);
    // VP8X: flags (ICC profile present), 3 reserved bytes, canvas size minus one.
    chunks.extend_from_slice(b"VP8X");
    chunks.extend_from_slice(&10u32.to_le_bytes());
    chunks.push(0b0010_0000);
    chunks.extend_from_slice(&[0, 0, 0]);
    chunks.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    chunks.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    // ICCP, padded to an even length as every RIFF chunk is.
    chunks.extend_from_slice(b"ICCP");
    chunks.extend_from_slice(&(profile.len() as u32).to_le_bytes());
    chunks.extend_from_slice(profile);
    if profile.len() % 2 == 1 {
        chunks.push(0);
    }
    chunks.extend_from_slice(image);
    let mut out = Vec::with_capacity(chunks.len() + 12);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&((chunks.len() + 4) as u32).to_le_bytes());
    out.extend_from_slice(b"WEBP");
    out.extend_from_slice(&chunks);
    out
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use image::ImageDecoder;

    use super::*;

    #[test]
    fn a_copy_carries_the_profile_and_still_decodes() {
        let pixels = vec![200u8; 16 * 8 * 3];
        let webp = webp::Encoder::from_rgb(&pixels, 16, 8)
            .encode(80.0)
            .to_vec();
        let profile = b"a Display P3 profile, odd length".to_vec();

        let tagged = with_profile(webp, 16, 8, &profile);

        let mut decoder = image::codecs::webp::WebPDecoder::new(Cursor::new(&tagged)).unwrap();
        assert_eq!(decoder.icc_profile().unwrap(), Some(profile));
        assert_eq!(decoder.dimensions(), (16, 8));
        let decoded = image::DynamicImage::from_decoder(decoder).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (16, 8));
    }

    #[test]
    fn srgb_profiles_are_recognised() {
        assert!(is_srgb(b"....desc....sRGB IEC61966-2.1...."));
        assert!(!is_srgb(b"....desc....Display P3...."));
    }
}
