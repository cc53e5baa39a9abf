//! Small previews of picked files: decoded by the browser at preview size
//! (`createImageBitmap` with a resize, the photo's orientation applied) and drawn
//! on a small canvas, one file at a time in the order they came. No object URL of
//! the original is kept and no full-size picture stays decoded, so a few hundred
//! phone photos do not fill a phone's memory.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, File, HtmlCanvasElement, ImageBitmap};

/// The canvas's side in pixels (a 56 CSS pixel square on a 2× screen).
pub const SIDE: u32 = 112;

/// Draws a square preview of `file` (the middle of it) on `canvas`; false when the
/// browser cannot decode it (the row then shows a mark instead).
pub async fn draw(file: &File, canvas: &HtmlCanvasElement) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let options = web_sys::ImageBitmapOptions::new();
    options.set_resize_height(SIDE);
    options.set_resize_quality(web_sys::ResizeQuality::Medium);
    let Ok(decoding) =
        window.create_image_bitmap_with_blob_and_image_bitmap_options(file, &options)
    else {
        return false;
    };
    let Some(bitmap) = JsFuture::from(decoding)
        .await
        .ok()
        .and_then(|bitmap| bitmap.dyn_into::<ImageBitmap>().ok())
    else {
        return false;
    };
    let drawn = paint(&bitmap, canvas).is_some();
    bitmap.close();
    drawn
}

fn paint(bitmap: &ImageBitmap, canvas: &HtmlCanvasElement) -> Option<()> {
    canvas.set_width(SIDE);
    canvas.set_height(SIDE);
    let context = canvas
        .get_context("2d")
        .ok()
        .flatten()?
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()?;
    let (width, height) = (f64::from(bitmap.width()), f64::from(bitmap.height()));
    let side = width.min(height);
    let side_px = f64::from(SIDE);
    context
        .draw_image_with_image_bitmap_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(
            bitmap,
            (width - side) / 2.0,
            (height - side) / 2.0,
            side,
            side,
            0.0,
            0.0,
            side_px,
            side_px,
        )
        .ok()
}
