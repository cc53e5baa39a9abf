//! Any bytes: the type sniffer and the structure checks never panic, never loop,
//! and a file they accept comes out the same length (cleaning is in place).
#![no_main]

use bucket_gallery::inspect::{Inspector, Rules};
use bucket_gallery::sniff::ImageKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&split, file)) = data.split_first() else {
        return;
    };
    let Some(kind) = ImageKind::sniff(file) else {
        return;
    };
    let rules = Rules {
        max_pixels: 50_000_000,
        strip_location: split & 1 == 0,
    };
    let mut inspector = Inspector::new(kind, rules);
    let mut out = Vec::with_capacity(file.len());
    // Pieces of a size the first byte picks, as a network would split them.
    let piece = usize::from(split).max(1);
    for chunk in file.chunks(piece) {
        match inspector.feed(chunk) {
            Ok(bytes) => out.extend_from_slice(&bytes),
            Err(_) => return,
        }
    }
    if let Ok((rest, facts)) = inspector.finish() {
        out.extend_from_slice(&rest);
        assert_eq!(out.len(), file.len());
        assert!(facts.width > 0 && facts.height > 0);
        assert!(facts.width.saturating_mul(facts.height) <= 50_000_000);
    }
});
