//! Any bytes taken for a HEIC: a file the structure checks accept is decoded
//! (as the gallery decodes its photos) without a panic, a hang, or more memory
//! than its pixel limit allows; one they refuse never reaches the decoder.
#![no_main]

use bucket_gallery::inspect::{Inspector, Rules};
use bucket_gallery::sniff::ImageKind;
use libfuzzer_sys::fuzz_target;

/// Small, so that each input decodes quickly.
const MAX_PIXELS: u64 = 4_000_000;

fuzz_target!(|file: &[u8]| {
    if ImageKind::sniff(file) != Some(ImageKind::Heic) {
        return;
    }
    let rules = Rules {
        max_pixels: MAX_PIXELS,
        strip_location: true,
    };
    let mut inspector = Inspector::new(ImageKind::Heic, rules);
    let Ok(mut cleaned) = inspector.feed(file).map(|bytes| bytes.to_vec()) else {
        return;
    };
    let Ok((rest, _)) = inspector.finish() else {
        return;
    };
    cleaned.extend_from_slice(&rest);
    let options = heifer::Options {
        max_threads: 1,
        max_pixels: MAX_PIXELS,
    };
    if let Ok(image) = heifer::decode_rgba8(&cleaned, &options) {
        assert!(u64::from(image.width) * u64::from(image.height) <= MAX_PIXELS);
    }
});
