//! The encoders compared, each with its quality scale, and the decoder that turns
//! what it made back into RGB pixels so its quality can be measured.

use std::io::Cursor;

use imgref::Img;
use rgb::RGB8;

use crate::photos::Thumbnail;

/// One encoder at fixed settings other than its quality.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Codec {
    /// What the app does: `webp::Encoder::encode(q)` (libwebp, method 4).
    WebpApp,
    /// Same library, slowest and best method (6): a one-line change for the app.
    WebpM6,
    /// ravif (rav1e), 10-bit 4:4:4, at this rav1e speed (1 slow … 10 fast), one thread.
    Avif { speed: u8 },
    /// jpeg-encoder: 4:2:0 (box-averaged chroma), optimised Huffman tables, progressive.
    JpegEncoder,
    /// MozJPEG defaults (trellis quantisation, progressive scans, 4:2:0), plain C.
    #[cfg(feature = "mozjpeg")]
    Mozjpeg,
}

impl Codec {
    /// Its name in the tables.
    pub fn name(self) -> String {
        match self {
            Codec::WebpApp => "webp (app, m4)".into(),
            Codec::WebpM6 => "webp m6".into(),
            Codec::Avif { speed } => format!("avif ravif s{speed}"),
            Codec::JpegEncoder => "jpeg jpeg-encoder".into(),
            #[cfg(feature = "mozjpeg")]
            Codec::Mozjpeg => "jpeg mozjpeg".into(),
        }
    }

    /// The range of its quality setting (higher is better), searched in whole steps.
    pub fn qualities(self) -> (u32, u32) {
        match self {
            Codec::WebpApp | Codec::WebpM6 => (0, 100),
            Codec::Avif { .. } | Codec::JpegEncoder => (1, 100),
            #[cfg(feature = "mozjpeg")]
            Codec::Mozjpeg => (1, 100),
        }
    }

    /// The encoded file of `thumb` at `quality`.
    pub fn encode(self, thumb: &Thumbnail, quality: u32) -> Vec<u8> {
        let (w, h) = (thumb.width, thumb.height);
        match self {
            Codec::WebpApp => webp::Encoder::from_rgb(thumb.bytes(), w, h)
                .encode(quality as f32)
                .to_vec(),
            Codec::WebpM6 => {
                let mut config = webp::WebPConfig::new().expect("a WebP config");
                config.quality = quality as f32;
                config.method = 6;
                webp::Encoder::from_rgb(thumb.bytes(), w, h)
                    .encode_advanced(&config)
                    .expect("a WebP")
                    .to_vec()
            }
            Codec::Avif { speed } => ravif::Encoder::new()
                .with_quality(quality as f32)
                .with_speed(speed)
                .with_num_threads(Some(1))
                .encode_rgb(Img::new(&thumb.pixels[..], w as usize, h as usize))
                .expect("an AVIF")
                .avif_file,
            Codec::JpegEncoder => {
                let mut out = Vec::new();
                let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality as u8);
                encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
                encoder.set_chroma_subsampling_method(jpeg_encoder::ChromaSubsamplingMethod::Average);
                encoder.set_optimized_huffman_tables(true);
                encoder.set_progressive(true);
                encoder
                    .encode(thumb.bytes(), w as u16, h as u16, jpeg_encoder::ColorType::Rgb)
                    .expect("a JPEG");
                out
            }
            #[cfg(feature = "mozjpeg")]
            Codec::Mozjpeg => {
                let mut compress = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
                compress.set_size(w as usize, h as usize);
                compress.set_quality(quality as f32);
                let mut started = compress.start_compress(Vec::new()).expect("MozJPEG starts");
                started.write_scanlines(thumb.bytes()).expect("MozJPEG takes the rows");
                started.finish().expect("a JPEG")
            }
        }
    }

    /// The pixels a viewer would see from `file` (made by this codec).
    pub fn decode(self, file: &[u8]) -> (u32, u32, Vec<RGB8>) {
        match self {
            Codec::WebpApp | Codec::WebpM6 => {
                let image = webp::Decoder::new(file).decode().expect("a WebP decodes");
                let pixels = match image.layout() {
                    webp::PixelLayout::Rgb => to_pixels(&image),
                    webp::PixelLayout::Rgba => image.chunks_exact(4).map(|p| RGB8::new(p[0], p[1], p[2])).collect(),
                };
                (image.width(), image.height(), pixels)
            }
            Codec::Avif { .. } => decode_avif(file),
            Codec::JpegEncoder => decode_jpeg(file),
            #[cfg(feature = "mozjpeg")]
            Codec::Mozjpeg => decode_jpeg(file),
        }
    }
}

fn to_pixels(bytes: &[u8]) -> Vec<RGB8> {
    rgb::bytemuck::cast_slice(bytes).to_vec()
}

/// A JPEG decoded by image's decoder (zune-jpeg).
fn decode_jpeg(file: &[u8]) -> (u32, u32, Vec<RGB8>) {
    let rgb = image::load(Cursor::new(file), image::ImageFormat::Jpeg)
        .expect("a JPEG decodes")
        .to_rgb8();
    (rgb.width(), rgb.height(), to_pixels(rgb.as_raw()))
}

/// An AVIF decoded by zenavif (rav1d-safe, pure Rust); 10-bit samples rounded to 8.
fn decode_avif(file: &[u8]) -> (u32, u32, Vec<RGB8>) {
    let buffer = zenavif::decode(file).expect("an AVIF decodes");
    let (w, h) = (buffer.width(), buffer.height());
    if let Some(img) = buffer.try_as_imgref::<rgb::Rgb<u8>>() {
        return (w, h, img.pixels().collect());
    }
    let img = buffer
        .try_as_imgref::<rgb::Rgb<u16>>()
        .expect("AVIF decoded as RGB, 8 or 16 bits");
    let round = |v: u16| ((u32::from(v) * 255 + 32767) / 65535) as u8;
    let pixels = img
        .pixels()
        .map(|p| RGB8::new(round(p.r), round(p.g), round(p.b)))
        .collect();
    (w, h, pixels)
}
