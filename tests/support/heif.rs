//! HEIC files made here with libheif's own tools (Debian's libheif-examples):
//! `heif-enc` makes them from PNGs drawn by the tests (8-bit, or 10-bit from a
//! 16-bit PNG), and `heif-convert` decodes them as the reference the gallery's
//! pixels are compared with. A file turned or mirrored gets an `irot` or `imir`
//! property written into its boxes, which heif-enc does not write.

use std::process::{Command, Stdio};

use image::{ImageBuffer, Rgb, RgbImage};

use crate::located::heif_enc;

/// A photo-like picture of `width` × `height`: colour that changes smoothly
/// across it (as in photos, whose colour varies far more slowly than their
/// light) under a fine texture of light and shade, so that a decoder's colour
/// conversion and its upsampling of the colour planes both show.
pub fn picture(width: u32, height: u32) -> RgbImage {
    ImageBuffer::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32 / width as f32, y as f32 / height as f32);
        let texture = (x as f32 * 0.21).sin() * (y as f32 * 0.13).cos() * 24.0;
        let channel = |base: f32| (base * 160.0 + 48.0 + texture).clamp(0.0, 255.0) as u8;
        Rgb([channel(fx), channel(fy), channel(1.0 - (fx + fy) / 2.0)])
    })
}

/// A HEIC of `picture` made by heif-enc, at `bits` per sample (8 or 10).
pub fn heic(picture: &RgbImage, bits: u8) -> Vec<u8> {
    let folder = tempfile::tempdir().unwrap();
    let (png, heic) = (folder.path().join("in.png"), folder.path().join("out.heic"));
    if bits > 8 {
        let deep: ImageBuffer<Rgb<u16>, Vec<u16>> =
            ImageBuffer::from_fn(picture.width(), picture.height(), |x, y| {
                let p = picture.get_pixel(x, y).0;
                Rgb(p.map(|c| u16::from(c) * 257))
            });
        deep.save(&png).unwrap();
    } else {
        picture.save(&png).unwrap();
    }
    let bits = bits.to_string();
    heif_enc(&[
        "-b".as_ref(),
        bits.as_ref(),
        png.as_os_str(),
        "-o".as_ref(),
        heic.as_os_str(),
    ]);
    std::fs::read(&heic).unwrap()
}

/// The pixels libheif decodes from `file` (8 bits a sample).
pub fn decoded_by_libheif(file: &[u8]) -> RgbImage {
    let folder = tempfile::tempdir().unwrap();
    let (input, output) = (folder.path().join("in.heic"), folder.path().join("out.png"));
    std::fs::write(&input, file).unwrap();
    let status = Command::new("heif-convert")
        .arg(&input)
        .arg(&output)
        .stdout(Stdio::null())
        .status()
        .expect("heif-convert runs (apt-get install libheif-examples)");
    assert!(status.success(), "heif-convert: {status}");
    image::open(&output).unwrap().to_rgb8()
}

/// Peak signal-to-noise ratio of `b` against `a` (same size), in dB.
pub fn psnr(a: &RgbImage, b: &RgbImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let squares: f64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| (f64::from(*x) - f64::from(*y)).powi(2))
        .sum();
    let mse = squares / a.as_raw().len() as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0 * 255.0 / mse).log10()
    }
}

fn be32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap())
}

fn grow(bytes: &mut [u8], at: usize, by: u32) {
    let size = be32(bytes, at) + by;
    bytes[at..at + 4].copy_from_slice(&size.to_be_bytes());
}

/// The boxes between `start` and `end`: type and where each begins.
fn boxes(bytes: &[u8], start: usize, end: usize) -> Vec<([u8; 4], usize)> {
    let mut found = Vec::new();
    let mut at = start;
    while at < end {
        found.push((bytes[at + 4..at + 8].try_into().unwrap(), at));
        at += be32(bytes, at) as usize;
    }
    found
}

fn find(found: &[([u8; 4], usize)], kind: &[u8; 4]) -> usize {
    found.iter().find(|(k, _)| k == kind).unwrap().1
}

/// `file` (as heif-enc writes it) with one more property on its primary item:
/// `irot` (`value` quarter turns anticlockwise) or `imir` (`value` 0: mirrored
/// top to bottom, 1: left to right). Sizes and item locations are put right.
pub fn transformed(file: &[u8], property: &[u8; 4], value: u8) -> Vec<u8> {
    let mut b = file.to_vec();
    let top = boxes(&b, 0, b.len());
    let meta = find(&top, b"meta");
    let in_meta = boxes(&b, meta + 12, meta + be32(&b, meta) as usize);
    let (iprp, iloc, pitm) = (
        find(&in_meta, b"iprp"),
        find(&in_meta, b"iloc"),
        find(&in_meta, b"pitm"),
    );
    let primary = u16::from_be_bytes([b[pitm + 12], b[pitm + 13]]);
    let in_iprp = boxes(&b, iprp + 8, iprp + be32(&b, iprp) as usize);
    let (ipco, ipma) = (find(&in_iprp, b"ipco"), find(&in_iprp, b"ipma"));
    let properties = boxes(&b, ipco + 8, ipco + be32(&b, ipco) as usize).len();
    assert_eq!(b[ipma + 8], 0, "ipma version 0");
    assert_eq!(b[ipma + 11] & 1, 0, "7-bit property indexes");
    // The association, added to the primary item's entry in ipma.
    let mut at = ipma + 16;
    let mut association_at = None;
    for _ in 0..be32(&b, ipma + 12) {
        let (id, count) = (u16::from_be_bytes([b[at], b[at + 1]]), b[at + 2]);
        if id == primary {
            b[at + 2] = count + 1;
            association_at = Some(at + 3 + usize::from(count));
        }
        at += 3 + usize::from(count);
    }
    let association = 0x80 | (properties as u8 + 1); // essential
    b.insert(
        association_at.expect("the primary item has properties"),
        association,
    );
    let new_box = [&9u32.to_be_bytes()[..], property, &[value]].concat();
    let ipco_end = ipco + be32(&b, ipco) as usize;
    b.splice(ipco_end..ipco_end, new_box.iter().copied());
    let added = new_box.len() as u32 + 1;
    grow(&mut b, ipma + new_box.len(), 1);
    grow(&mut b, ipco, new_box.len() as u32);
    grow(&mut b, iprp, added);
    grow(&mut b, meta, added);
    // Item locations (before iprp, so not moved) point into the file after it.
    let version = b[iloc + 8];
    let sizes = u16::from_be_bytes([b[iloc + 12], b[iloc + 13]]);
    let (offset_size, length_size, base_size) = (sizes >> 12, (sizes >> 8) & 15, (sizes >> 4) & 15);
    let index_size = if version == 0 { 0 } else { sizes & 15 };
    assert!(offset_size == 4 && length_size == 4 && matches!(base_size, 0 | 4) && version < 2);
    let mut at = iloc + 16;
    for _ in 0..u16::from_be_bytes([b[iloc + 14], b[iloc + 15]]) {
        at += 2;
        let mut method = 0;
        if version >= 1 {
            method = u16::from_be_bytes([b[at], b[at + 1]]) & 15;
            at += 2;
        }
        at += 2;
        if base_size == 4 {
            if method == 0 {
                grow(&mut b, at, added);
            }
            at += 4;
        }
        let extents = u16::from_be_bytes([b[at], b[at + 1]]);
        at += 2;
        for _ in 0..extents {
            at += usize::from(index_size);
            if method == 0 && base_size == 0 {
                grow(&mut b, at, added);
            }
            at += 8;
        }
    }
    b
}
