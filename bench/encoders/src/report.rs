//! Prints the comparison as a Markdown table, and writes encoded files (and what
//! they decode to) for looking at.

use std::path::Path;

use crate::codecs::Codec;
use crate::photos::Thumbnail;

/// One encoder at one DSSIM target, over a set of thumbnails.
pub struct Row {
    pub codec: String,
    pub target: f64,
    /// The target is the app's own level (WebP q72's mean DSSIM).
    pub is_app: bool,
    /// The one quality setting used for the whole set.
    pub setting: u32,
    pub dssim: f64,
    pub bytes: usize,
    pub ms: f64,
    /// Mean bytes when each thumbnail gets its own lowest setting meeting the target.
    pub tuned_bytes: usize,
}

/// The table: one block of rows per target, bytes relative to the app's encoder
/// (WebP method 4) at the same target.
pub fn print(rows: &[Row]) {
    println!(
        "| target DSSIM | encoder | setting | mean DSSIM | mean bytes | mean encode ms | bytes vs WebP | per-photo setting: bytes vs WebP |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        let webp = rows
            .iter()
            .find(|r| r.target == row.target && r.codec == Codec::WebpApp.name())
            .expect("a WebP row at every target");
        let target = if row.is_app {
            format!("{:.5} (app: WebP q72)", row.target)
        } else {
            format!("{:.3}", row.target)
        };
        println!(
            "| {target} | {} | q{} | {:.5} | {} | {:.1} | {:.2} | {:.2} |",
            row.codec,
            row.setting,
            row.dssim,
            row.bytes,
            row.ms,
            row.bytes as f64 / webp.bytes as f64,
            row.tuned_bytes as f64 / webp.tuned_bytes as f64,
        );
    }
}

/// Writes `thumb` through `codec` at `quality` into `dir`, and the PNG it decodes to.
pub fn dump(dir: &Path, thumb: &Thumbnail, codec: Codec, quality: u32) {
    let file = codec.encode(thumb, quality);
    let ext = match codec {
        Codec::WebpApp | Codec::WebpM6 => "webp",
        Codec::Avif { .. } => "avif",
        _ => "jpg",
    };
    let stem = format!(
        "{}.{}.q{quality}",
        thumb.label.replace('@', "-"),
        codec.name().replace([' ', '(', ')', ','], "")
    );
    std::fs::write(dir.join(format!("{stem}.{ext}")), &file).expect("the file is written");
    let (w, h, pixels) = codec.decode(&file);
    let bytes: &[u8] = rgb::bytemuck::cast_slice(&pixels);
    image::save_buffer(
        dir.join(format!("{stem}.decoded.png")),
        bytes,
        w,
        h,
        image::ExtendedColorType::Rgb8,
    )
    .expect("the decoded PNG is written");
    let source: &[u8] = rgb::bytemuck::cast_slice(&thumb.pixels);
    let source_png = dir.join(format!("{}.source.png", thumb.label.replace('@', "-")));
    if !source_png.exists() {
        image::save_buffer(source_png, source, thumb.width, thumb.height, image::ExtendedColorType::Rgb8)
            .expect("the source PNG is written");
    }
}
