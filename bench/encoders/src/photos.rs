//! Turns a folder of photos into the thumbnails to compare: each photo decoded and
//! resized as the app does it (fast_image_resize, Catmull-Rom, 640 → 480 → 320,
//! each from the one before), keeping the 480 and 320 copies.

use std::path::{Path, PathBuf};

use fast_image_resize::images::Image;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::RgbImage;
use rgb::RGB8;

/// The boxes the app resizes through, largest first (its `EDGES`, reversed).
const APP_EDGES: [u32; 3] = [640, 480, 320];
/// The boxes whose copies are encoded here.
pub const MEASURED_EDGES: [u32; 2] = [480, 320];

/// One resized copy of a photo: what every encoder is given.
pub struct Thumbnail {
    /// "photo.jpg@480".
    pub label: String,
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<RGB8>,
}

impl Thumbnail {
    /// Its pixels as bytes (R, G, B, ...).
    pub fn bytes(&self) -> &[u8] {
        rgb::bytemuck::cast_slice(&self.pixels)
    }
}

/// The JPEG and PNG files of `dir`, by name.
pub fn list(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            matches!(ext.to_ascii_lowercase().as_str(), "jpg" | "jpeg" | "png")
        })
        .collect();
    paths.sort();
    paths
}

/// The 480 and 320 thumbnails of the photo at `path` (sRGB assumed; alpha and
/// grey become RGB as in the app).
pub fn thumbnails(path: &Path) -> Vec<Thumbnail> {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut source = image::open(path)
        .unwrap_or_else(|e| panic!("cannot decode {}: {e}", path.display()))
        .to_rgb8();
    let mut out = Vec::new();
    for edge in APP_EDGES {
        source = fit(&source, edge);
        if MEASURED_EDGES.contains(&edge) {
            out.push(Thumbnail {
                label: format!("{name}@{edge}"),
                width: source.width(),
                height: source.height(),
                pixels: rgb::bytemuck::cast_slice(source.as_raw()).to_vec(),
            });
        }
    }
    out
}

/// The size that fits `edge`, rounded as the app rounds (never larger).
fn fitted_size(width: u32, height: u32, edge: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= edge {
        return (width.max(1), height.max(1));
    }
    let scale = |side: u32| {
        ((u64::from(side) * u64::from(edge) + u64::from(longest) / 2) / u64::from(longest)).max(1)
            as u32
    };
    (scale(width), scale(height))
}

/// The image resized to fit `edge` (Catmull-Rom, as the app's render.rs).
fn fit(image: &RgbImage, edge: u32) -> RgbImage {
    let (width, height) = fitted_size(image.width(), image.height(), edge);
    if (width, height) == image.dimensions() {
        return image.clone();
    }
    let source = Image::from_vec_u8(
        image.width(),
        image.height(),
        image.as_raw().clone(),
        PixelType::U8x3,
    )
    .expect("a whole RGB image");
    let mut target = Image::new(width, height, PixelType::U8x3);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom));
    Resizer::new()
        .resize(&source, &mut target, &options)
        .expect("the resize");
    RgbImage::from_raw(width, height, target.into_vec()).expect("a whole resized image")
}
