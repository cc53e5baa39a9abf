//! How long making a photo's derived images takes, beside `vipsthumbnail` making
//! one 640-pixel WebP of the same photo on the same machine (libvips-tools from
//! apt; skipped when it is not installed). Prints numbers, asserts nothing.
//!
//!     cargo bench --features ssr --bench derive

// Shared with the other benches, which use the rest of it.
#[allow(dead_code)]
#[path = "support.rs"]
mod support;

use std::process::Command;

use bucket_gallery::photos::render::render;
use bucket_gallery::sniff::ImageKind;
use support::{median, ms, photo_like};

const RUNS: usize = 7;

fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    println!("all derived images of one photo (median of {RUNS} runs)");
    println!(
        "{:<34} {:>12} {:>16} {:>8}",
        "photo", "ours", "vipsthumbnail", "ratio"
    );
    for (label, width, height) in [
        ("12 MP JPEG (4032 × 3024)", 4032, 3024),
        ("24 MP JPEG (6000 × 4000)", 6000, 4000),
    ] {
        let jpeg = photo_like(width, height);
        let path = dir.path().join(format!("{width}x{height}.jpg"));
        std::fs::write(&path, &jpeg).expect("the photo is written");
        let ours = median(RUNS, || {
            let rendered = render(&jpeg, ImageKind::Jpeg, u64::MAX).expect("it renders");
            assert_eq!(rendered.copies.len(), 3);
        });
        let out = dir.path().join("out.webp");
        let vips = which_vips().map(|vips| {
            median(RUNS, || {
                let status = Command::new(&vips)
                    .arg(&path)
                    .args(["-s", "640x640", "-o"])
                    .arg(&out)
                    .status()
                    .expect("vipsthumbnail runs");
                assert!(status.success());
            })
        });
        match vips {
            Some(vips) => println!(
                "{label:<34} {:>9.0} ms {:>13.0} ms {:>7.2}×",
                ms(ours),
                ms(vips),
                ours.as_secs_f64() / vips.as_secs_f64()
            ),
            None => println!("{label:<34} {:>9.0} ms {:>16}", ms(ours), "(not installed)"),
        }
        let rendered = render(&jpeg, ImageKind::Jpeg, u64::MAX).expect("it renders");
        let sizes: Vec<String> = rendered
            .copies
            .iter()
            .map(|c| format!("{}×{}: {} KB", c.width, c.height, c.webp.len() / 1024))
            .collect();
        println!(
            "    {} KB original → {}",
            jpeg.len() / 1024,
            sizes.join(", ")
        );
    }
}

fn which_vips() -> Option<String> {
    let found = Command::new("sh")
        .args(["-c", "command -v vipsthumbnail"])
        .output()
        .ok()?;
    found
        .status
        .success()
        .then(|| String::from_utf8_lossy(&found.stdout).trim().to_owned())
}
