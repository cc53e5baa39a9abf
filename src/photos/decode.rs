//! Reading a photo's pixels: JPEGs at a reduced scale (DCT scaling to 1/2, 1/4 or
//! 1/8) when the copies are that much smaller, other types through `image`; the
//! pixel limit checked from the header before anything is decoded; and why a photo
//! cannot be read.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage};

use crate::sniff::ImageKind;

/// Why no derived images could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("it has {megapixels} megapixels, more than the {limit} this gallery decodes")]
    TooManyPixels { megapixels: u64, limit: u64 },
    #[error("{0} images are stored and served, but not yet shown as thumbnails")]
    NotDecoded(&'static str),
    #[error("its bytes are not an image this gallery shows")]
    NotAnImage,
    #[error("its pixels could not be read: {0}")]
    Broken(String),
}

/// Pixels, perhaps at a reduced scale, with what the file says of them.
pub struct Decoded {
    pub image: RgbImage,
    /// The colour profile the file carries, if any.
    pub profile: Option<Vec<u8>>,
    /// The orientation the format itself declares (EXIF inside JPEGs is read apart).
    pub orientation: Orientation,
    /// The photo's size as stored, before its orientation.
    pub stored_size: (u32, u32),
}

/// A JPEG, decoded at the smallest DCT scale that still covers `largest` pixels on
/// its longest side.
pub fn decode_jpeg(bytes: &[u8], max_pixels: u64, largest: u32) -> Result<Decoded, RenderError> {
    let broken = |error: jpeg_decoder::Error| RenderError::Broken(error.to_string());
    let mut decoder = jpeg_decoder::Decoder::new(Cursor::new(bytes));
    decoder.read_info().map_err(broken)?;
    let info = decoder
        .info()
        .ok_or_else(|| RenderError::Broken("no JPEG header".into()))?;
    check_pixels(u32::from(info.width), u32::from(info.height), max_pixels)?;
    let (w, h) = fitted_size(u32::from(info.width), u32::from(info.height), largest);
    let (width, height) = decoder.scale(to_u16(w), to_u16(h)).map_err(broken)?;
    let pixels = decoder.decode().map_err(broken)?;
    let (width, height) = (u32::from(width), u32::from(height));
    let rgb = match decoder.info().map(|info| info.pixel_format) {
        Some(jpeg_decoder::PixelFormat::RGB24) => pixels,
        Some(jpeg_decoder::PixelFormat::L8) => pixels.iter().flat_map(|&l| [l, l, l]).collect(),
        Some(jpeg_decoder::PixelFormat::L16) => pixels
            .chunks_exact(2)
            .flat_map(|l| [l[0], l[0], l[0]])
            .collect(),
        Some(jpeg_decoder::PixelFormat::CMYK32) => pixels
            .chunks_exact(4)
            .flat_map(|p| {
                // Adobe's CMYK JPEGs store the inks inverted.
                let k = u16::from(p[3]);
                let channel = |c: u8| ((u16::from(c) * k) / 255) as u8;
                [channel(p[0]), channel(p[1]), channel(p[2])]
            })
            .collect(),
        None => return Err(RenderError::Broken("no JPEG header".into())),
    };
    let image = RgbImage::from_raw(width, height, rgb)
        .ok_or_else(|| RenderError::Broken("fewer pixels than the header says".into()))?;
    Ok(Decoded {
        image,
        profile: decoder.icc_profile(),
        orientation: Orientation::NoTransforms,
        stored_size: (u32::from(info.width), u32::from(info.height)),
    })
}

/// PNG, GIF (its first frame) and WebP, through `image`, with their own
/// orientation (PNG's and WebP's EXIF chunk).
pub fn decode_other(bytes: &[u8], max_pixels: u64) -> Result<Decoded, RenderError> {
    let broken = |error: image::ImageError| RenderError::Broken(error.to_string());
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|error| RenderError::Broken(error.to_string()))?;
    let mut decoder = reader.into_decoder().map_err(broken)?;
    let (width, height) = decoder.dimensions();
    check_pixels(width, height, max_pixels)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let profile = decoder.icc_profile().ok().flatten();
    let image = DynamicImage::from_decoder(decoder).map_err(broken)?;
    Ok(Decoded {
        image: image.to_rgb8(),
        profile,
        orientation,
        stored_size: (width, height),
    })
}

fn check_pixels(width: u32, height: u32, max_pixels: u64) -> Result<(), RenderError> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels > max_pixels {
        return Err(RenderError::TooManyPixels {
            megapixels: pixels.div_ceil(1_000_000),
            limit: max_pixels / 1_000_000,
        });
    }
    Ok(())
}

/// The size that fits `edge` on the longest side, keeping the shape; never larger.
pub fn fitted_size(width: u32, height: u32, edge: u32) -> (u32, u32) {
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

fn to_u16(side: u32) -> u16 {
    u16::try_from(side).unwrap_or(u16::MAX)
}

/// More than one frame (GIF, WebP).
pub fn kind_is_animated(bytes: &[u8], kind: ImageKind) -> bool {
    match kind {
        ImageKind::Gif => image::codecs::gif::GifDecoder::new(Cursor::new(bytes))
            .map(|decoder| {
                use image::AnimationDecoder;
                decoder.into_frames().take(2).count() > 1
            })
            .unwrap_or(false),
        ImageKind::Webp => image::codecs::webp::WebPDecoder::new(Cursor::new(bytes))
            .map(|decoder| decoder.has_animation())
            .unwrap_or(false),
        _ => false,
    }
}
