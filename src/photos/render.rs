//! Makes a photo's derived images from its bytes: upright (EXIF orientation
//! applied), in the photo's own colours (its ICC profile kept, see colour.rs),
//! small WebP copies that fit boxes of [`EDGES`] pixels, and a ThumbHash
//! placeholder; with the facts read on the way (upright size, taken-at, camera,
//! whether it is animated). Pixels come from decode.rs, facts from exif.rs.
//! CPU-bound: call it from a blocking thread.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::metadata::Orientation;
use image::{DynamicImage, RgbImage};

use super::colour;
pub use super::decode::RenderError;
use super::decode::{decode_jpeg, decode_other, fitted_size, kind_is_animated, Decoded};
use super::exif::Exif;
use crate::api::links;
use crate::sniff::ImageKind;

/// The longest edge, in pixels, of each derived copy (part of their addresses).
pub const EDGES: [u32; 3] = links::THUMBNAIL_EDGES;
/// WebP quality of the copies (libwebp's 0–100 scale).
const QUALITY: f32 = 72.0;
/// ThumbHash works on images of at most 100×100.
const PLACEHOLDER_EDGE: u32 = 100;

/// One derived copy.
#[derive(Debug, Clone)]
pub struct Copy {
    /// The box it fits (its longest edge is at most this).
    pub edge: u32,
    pub width: u32,
    pub height: u32,
    pub webp: Vec<u8>,
}

/// What was made, and learned, from one photo.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The photo's size as it is shown (after its orientation).
    pub width: u32,
    pub height: u32,
    /// One per edge of [`EDGES`], smallest first; a copy is never larger than the
    /// photo itself.
    pub copies: Vec<Copy>,
    /// A ThumbHash of the photo (about 25 bytes).
    pub placeholder: Vec<u8>,
    pub taken_at: Option<String>,
    pub camera: Option<String>,
    /// More than one frame (GIF, WebP): the copies show the first.
    pub animated: bool,
}

/// Makes the derived images of a photo of type `kind`, refusing one of more than
/// `max_pixels` pixels before decoding it.
pub fn render(bytes: &[u8], kind: ImageKind, max_pixels: u64) -> Result<Rendered, RenderError> {
    let exif = Exif::read(bytes);
    let Decoded {
        image,
        profile,
        orientation,
        stored_size,
    } = decode(bytes, kind, max_pixels, EDGES[EDGES.len() - 1])?;
    let orientation = upright_by(kind, &exif, orientation);
    let mut copies = Vec::with_capacity(EDGES.len());
    // Largest first, each from the one before: every resize starts small.
    let mut source = image;
    for &edge in EDGES.iter().rev() {
        let fitted = fit(&source, edge)?;
        source = fitted.clone();
        copies.push(encode(fitted, orientation, profile.as_deref(), edge));
    }
    copies.reverse();
    let placeholder = placeholder(&source, orientation)?;
    let (width, height) = upright_size(stored_size, orientation);
    Ok(Rendered {
        width,
        height,
        copies,
        placeholder,
        taken_at: exif.taken_at,
        camera: exif.camera,
        animated: kind_is_animated(bytes, kind),
    })
}

/// The copy that fills a screen (`edge` of [`links::SCREEN_EDGES`]), made when a
/// viewer first asks for it rather than on upload: most photos are never opened.
pub fn screen_copy(
    bytes: &[u8],
    kind: ImageKind,
    max_pixels: u64,
    edge: u32,
) -> Result<Copy, RenderError> {
    let exif = Exif::read(bytes);
    let decoded = decode(bytes, kind, max_pixels, edge)?;
    let orientation = upright_by(kind, &exif, decoded.orientation);
    let fitted = fit(&decoded.image, edge)?;
    Ok(encode(
        fitted,
        orientation,
        decoded.profile.as_deref(),
        edge,
    ))
}

/// How to turn decoded pixels upright: by the EXIF orientation, except in a HEIF
/// file, whose own rotation and mirroring the decoder applied and whose EXIF
/// orientation only repeats them (ISO/IEC 23008-12 says not to apply it).
fn upright_by(kind: ImageKind, exif: &Exif, decoded: Orientation) -> Orientation {
    match kind {
        ImageKind::Heic | ImageKind::Avif => decoded,
        _ => exif.orientation.unwrap_or(decoded),
    }
}

/// The pixels of a photo, JPEGs at the smallest scale that still covers `largest`.
fn decode(
    bytes: &[u8],
    kind: ImageKind,
    max_pixels: u64,
    largest: u32,
) -> Result<Decoded, RenderError> {
    match kind {
        ImageKind::Jpeg => decode_jpeg(bytes, max_pixels, largest),
        ImageKind::Png | ImageKind::Gif | ImageKind::Webp => decode_other(bytes, max_pixels),
        ImageKind::Avif => Err(RenderError::NotDecoded("AVIF")),
        ImageKind::Heic => super::heif::decode_heic(bytes, max_pixels),
    }
}

/// A resized image turned upright and encoded as WebP, with its colour profile
/// when it is not sRGB.
fn encode(fitted: RgbImage, orientation: Orientation, profile: Option<&[u8]>, edge: u32) -> Copy {
    let mut upright = DynamicImage::ImageRgb8(fitted);
    upright.apply_orientation(orientation);
    let upright = upright.to_rgb8();
    let mut webp = webp::Encoder::from_rgb(upright.as_raw(), upright.width(), upright.height())
        .encode(QUALITY)
        .to_vec();
    if let Some(profile) = profile.filter(|p| !colour::is_srgb(p)) {
        webp = colour::with_profile(webp, upright.width(), upright.height(), profile);
    }
    Copy {
        edge,
        width: upright.width(),
        height: upright.height(),
        webp,
    }
}

/// The image resized to fit `edge` (Catmull-Rom, SIMD where the CPU has it).
fn fit(image: &RgbImage, edge: u32) -> Result<RgbImage, RenderError> {
    let (width, height) = fitted_size(image.width(), image.height(), edge);
    if (width, height) == image.dimensions() {
        return Ok(image.clone());
    }
    let resize_error = |error: &dyn std::fmt::Display| RenderError::Broken(error.to_string());
    // Borrowed, not copied: a 12 MP photo is 36 MB.
    let source = ImageRef::new(
        image.width(),
        image.height(),
        image.as_raw(),
        PixelType::U8x3,
    )
    .map_err(|e| resize_error(&e))?;
    let mut target = Image::new(width, height, PixelType::U8x3);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom));
    Resizer::new()
        .resize(&source, &mut target, &options)
        .map_err(|e| resize_error(&e))?;
    RgbImage::from_raw(width, height, target.into_vec())
        .ok_or_else(|| RenderError::Broken("the resized image came out short".into()))
}

/// A ThumbHash of the upright image.
fn placeholder(image: &RgbImage, orientation: Orientation) -> Result<Vec<u8>, RenderError> {
    let small = fit(image, PLACEHOLDER_EDGE)?;
    let mut upright = DynamicImage::ImageRgb8(small);
    upright.apply_orientation(orientation);
    let rgba = upright.to_rgba8();
    Ok(thumbhash::rgba_to_thumb_hash(
        rgba.width() as usize,
        rgba.height() as usize,
        rgba.as_raw(),
    ))
}

/// The size after the orientation: a quarter turn swaps the sides.
fn upright_size((width, height): (u32, u32), orientation: Orientation) -> (u32, u32) {
    match orientation {
        Orientation::Rotate90
        | Orientation::Rotate270
        | Orientation::Rotate90FlipH
        | Orientation::Rotate270FlipH => (height, width),
        _ => (width, height),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use image::codecs::gif::GifEncoder;
    use image::{Frame, ImageFormat, RgbaImage};

    use super::*;

    const PLENTY: u64 = 100_000_000;

    fn encoded(image: &RgbImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    /// A picture whose halves differ, so a turn shows in the copies.
    fn picture(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, _| {
            if x < width / 2 {
                image::Rgb([250, 20, 20])
            } else {
                image::Rgb([20, 20, 250])
            }
        })
    }

    /// `jpeg` with an EXIF block (APP1) saying `orientation`, a camera and a time.
    fn with_exif(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        let ascii = |text: &str| {
            let mut bytes = text.as_bytes().to_vec();
            bytes.push(0);
            bytes
        };
        let make = ascii("Pixel");
        let model = ascii("Pixel 7");
        let date = ascii("2024:06:01 14:03:22");
        // Little-endian TIFF: IFD0 with Orientation, Make, Model, then an Exif IFD
        // with DateTimeOriginal. Values longer than 4 bytes follow the IFDs.
        let ifd0_entries = 4u16;
        let ifd0_len = 2 + 12 * u32::from(ifd0_entries) + 4;
        let exif_ifd_at = 8 + ifd0_len;
        let exif_ifd_len = 2 + 12 + 4;
        let mut data_at = exif_ifd_at + exif_ifd_len;
        let mut tiff = b"II*\0".to_vec();
        tiff.extend(8u32.to_le_bytes());
        let mut data = Vec::new();
        let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
            tiff.extend(tag.to_le_bytes());
            tiff.extend(kind.to_le_bytes());
            tiff.extend(count.to_le_bytes());
            tiff.extend(value);
        };
        tiff.extend(ifd0_entries.to_le_bytes());
        let mut short = [0; 4];
        short[..2].copy_from_slice(&orientation.to_le_bytes());
        entry(&mut tiff, 0x0112, 3, 1, short);
        for (tag, text) in [(0x010f_u16, &make), (0x0110, &model)] {
            entry(&mut tiff, tag, 2, text.len() as u32, data_at.to_le_bytes());
            data.extend_from_slice(text);
            data_at += text.len() as u32;
        }
        entry(&mut tiff, 0x8769, 4, 1, exif_ifd_at.to_le_bytes());
        tiff.extend(0u32.to_le_bytes());
        tiff.extend(1u16.to_le_bytes());
        entry(
            &mut tiff,
            0x9003,
            2,
            date.len() as u32,
            data_at.to_le_bytes(),
        );
        tiff.extend(0u32.to_le_bytes());
        data.extend_from_slice(&date);
        tiff.extend(data);

        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend([0xFF, 0xE1]);
        out.extend(((app1.len() + 2) as u16).to_be_bytes());
        out.extend(app1);
        out.extend(&jpeg[2..]);
        out
    }

    #[test]
    fn a_jpeg_gets_a_copy_per_edge_with_its_shape() {
        let jpeg = encoded(&picture(1600, 1200), ImageFormat::Jpeg);

        let rendered = render(&jpeg, ImageKind::Jpeg, PLENTY).unwrap();

        assert_eq!((rendered.width, rendered.height), (1600, 1200));
        let sizes: Vec<_> = rendered
            .copies
            .iter()
            .map(|c| (c.edge, c.width, c.height))
            .collect();
        assert_eq!(sizes, [(320, 320, 240), (480, 480, 360), (640, 640, 480)]);
        for copy in &rendered.copies {
            assert_eq!(ImageKind::sniff(&copy.webp), Some(ImageKind::Webp));
            let decoded = image::load_from_memory(&copy.webp).unwrap();
            assert_eq!(
                (decoded.width(), decoded.height()),
                (copy.width, copy.height)
            );
        }
        let (w, h, _) = thumbhash::thumb_hash_to_rgba(&rendered.placeholder).unwrap();
        assert!(w > h, "the placeholder has the photo's shape: {w}×{h}");
        assert!(!rendered.animated);
    }

    #[test]
    fn a_turned_phone_photo_comes_out_upright_with_its_exif_facts() {
        let jpeg = with_exif(&encoded(&picture(800, 600), ImageFormat::Jpeg), 6);

        let rendered = render(&jpeg, ImageKind::Jpeg, PLENTY).unwrap();

        assert_eq!((rendered.width, rendered.height), (600, 800));
        let small = &rendered.copies[0];
        assert_eq!((small.width, small.height), (240, 320));
        // Turned a quarter clockwise: the red left half is now on top.
        let decoded = image::load_from_memory(&small.webp).unwrap().to_rgb8();
        let top = decoded.get_pixel(120, 20);
        let bottom = decoded.get_pixel(120, 300);
        assert!(top[0] > 150 && top[2] < 100, "top is red: {top:?}");
        assert!(
            bottom[2] > 150 && bottom[0] < 100,
            "bottom is blue: {bottom:?}"
        );
        assert_eq!(rendered.taken_at.as_deref(), Some("2024-06-01T14:03:22"));
        assert_eq!(rendered.camera.as_deref(), Some("Pixel 7"));
    }

    /// `jpeg` with an ICC profile (APP2 `ICC_PROFILE`) holding `profile`.
    fn with_icc(jpeg: &[u8], profile: &[u8]) -> Vec<u8> {
        let mut app2 = b"ICC_PROFILE\0".to_vec();
        app2.extend([1, 1]);
        app2.extend_from_slice(profile);
        let mut out = jpeg[..2].to_vec();
        out.extend([0xFF, 0xE2]);
        out.extend(((app2.len() + 2) as u16).to_be_bytes());
        out.extend(app2);
        out.extend(&jpeg[2..]);
        out
    }

    #[test]
    fn a_wide_gamut_photo_keeps_its_profile_and_an_srgb_one_needs_none() {
        use image::ImageDecoder;
        let jpeg = encoded(&picture(400, 300), ImageFormat::Jpeg);
        let profile_of = |rendered: &Rendered| {
            let mut decoder =
                image::codecs::webp::WebPDecoder::new(Cursor::new(&rendered.copies[0].webp))
                    .unwrap();
            decoder.icc_profile().unwrap()
        };

        let p3 = b"....desc....Display P3....".to_vec();
        let wide = render(&with_icc(&jpeg, &p3), ImageKind::Jpeg, PLENTY).unwrap();
        assert_eq!(profile_of(&wide), Some(p3));

        let srgb = b"....desc....sRGB IEC61966-2.1....".to_vec();
        let plain = render(&with_icc(&jpeg, &srgb), ImageKind::Jpeg, PLENTY).unwrap();
        assert_eq!(profile_of(&plain), None);
    }

    #[test]
    fn a_small_image_is_never_enlarged() {
        let png = encoded(&picture(100, 50), ImageFormat::Png);

        let rendered = render(&png, ImageKind::Png, PLENTY).unwrap();

        assert!(rendered
            .copies
            .iter()
            .all(|c| (c.width, c.height) == (100, 50)));
    }

    #[test]
    fn too_many_pixels_are_refused_from_the_header() {
        let png = encoded(&picture(2000, 1000), ImageFormat::Png);

        let refused = render(&png, ImageKind::Png, 1_000_000).unwrap_err();

        assert_eq!(
            refused,
            RenderError::TooManyPixels {
                megapixels: 2,
                limit: 1
            }
        );
        assert!(refused.to_string().contains("more than the 1"));
    }

    #[test]
    fn an_animated_gif_shows_its_first_frame_and_says_it_moves() {
        let mut gif = Vec::new();
        {
            let mut encoder = GifEncoder::new(&mut gif);
            for shade in [10u8, 200] {
                let frame = RgbaImage::from_pixel(40, 30, image::Rgba([shade, shade, shade, 255]));
                encoder.encode_frame(Frame::new(frame)).unwrap();
            }
        }

        let rendered = render(&gif, ImageKind::Gif, PLENTY).unwrap();

        assert!(rendered.animated);
        assert_eq!((rendered.width, rendered.height), (40, 30));
        let first = image::load_from_memory(&rendered.copies[0].webp)
            .unwrap()
            .to_rgb8();
        assert!(first.get_pixel(20, 15)[0] < 60, "the first frame, dark");
    }

    #[test]
    fn broken_bytes_say_so() {
        let mut jpeg = encoded(&picture(64, 64), ImageFormat::Jpeg);
        jpeg.truncate(40);
        assert!(matches!(
            render(&jpeg, ImageKind::Jpeg, PLENTY),
            Err(RenderError::Broken(_))
        ));
        assert!(matches!(
            render(b"\0\0\0\x1cftypavif", ImageKind::Avif, PLENTY),
            Err(RenderError::NotDecoded("AVIF"))
        ));
    }
}
