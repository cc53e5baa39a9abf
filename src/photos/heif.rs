//! HEIC pixels (HEVC in a HEIF file, as phones take them), through heifer: the
//! primary image with its grid tiles assembled and its rotation, mirroring and
//! crop applied, at 8 bits whatever the coded depth, in the file's own colours
//! with its ICC profile kept beside them (as for JPEG). The pixel limit is the
//! decoder's own, checked before any buffer is made.

use image::metadata::Orientation;
use image::RgbImage;

use super::decode::{Decoded, RenderError};

/// Decodes a HEIC file of at most `max_pixels` pixels.
pub fn decode_heic(bytes: &[u8], max_pixels: u64) -> Result<Decoded, RenderError> {
    let broken = |error: heifer::Error| RenderError::Broken(format!("HEIC: {error}"));
    let options = heifer::Options {
        // Grid tiles on every core (a phone's photo is dozens of tiles).
        max_threads: 0,
        max_pixels,
    };
    let profile = heifer::read_metadata(bytes).map_err(broken)?.icc_profile;
    let decoded = heifer::decode_rgba8(bytes, &options).map_err(|error| match error {
        heifer::Error::Invalid(reason) if reason.contains("too large") => {
            RenderError::Broken(format!(
                "HEIC: its size is none, or more than the {} megapixels this gallery decodes",
                max_pixels / 1_000_000
            ))
        }
        error => broken(error),
    })?;
    let (width, height) = (decoded.width, decoded.height);
    // Phones' photos have no alpha; where there is one, the colour under it is
    // kept. Packed in place: a second buffer would be 36 MB more at 12 MP.
    let mut rgb = decoded.data;
    let pixels = rgb.len() / 4;
    for pixel in 0..pixels {
        rgb.copy_within(pixel * 4..pixel * 4 + 3, pixel * 3);
    }
    rgb.truncate(pixels * 3);
    let image = RgbImage::from_raw(width, height, rgb)
        .ok_or_else(|| RenderError::Broken("HEIC: fewer pixels than its size says".into()))?;
    Ok(Decoded {
        image,
        profile,
        // Rotation and mirroring (irot, imir) are applied; an EXIF orientation
        // in a HEIF file is not to be applied again (ISO/IEC 23008-12).
        orientation: Orientation::NoTransforms,
        stored_size: (width, height),
    })
}
