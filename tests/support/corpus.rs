//! A corpus of hostile files, made here, that every way in (an upload, a
//! terminal import) must refuse: each with the status and code an upload answers.

use reqwest::StatusCode;

use crate::helpers::{jpeg, png};

/// A 1×1 GIF.
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff\x21\xf9\x04\x01\x00\x00\x00\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b";

pub fn with(mut bytes: Vec<u8>, tail: &[u8]) -> Vec<u8> {
    bytes.extend_from_slice(tail);
    bytes
}

/// A file whose header says it is `width` × `height` (a decompression bomb: the
/// pixels are never there).
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut file = png(1, 1, 1);
    file[16..20].copy_from_slice(&width.to_be_bytes());
    file[20..24].copy_from_slice(&height.to_be_bytes());
    file
}

pub fn corpus() -> Vec<(&'static str, Vec<u8>, StatusCode, &'static str)> {
    use StatusCode as S;
    let long_png = png(30, 30, 4);
    let long_jpeg = jpeg(30, 30, 4);
    vec![
        ("script.svg", br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec(), S::UNSUPPORTED_MEDIA_TYPE, "unsupported_type"),
        ("disguised.png", br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#.to_vec(), S::UNSUPPORTED_MEDIA_TYPE, "unsupported_type"),
        ("page.jpg", b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>".to_vec(), S::UNSUPPORTED_MEDIA_TYPE, "unsupported_type"),
        ("data.gif", b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>".to_vec(), S::UNSUPPORTED_MEDIA_TYPE, "unsupported_type"),
        ("invoice.png", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF".to_vec(), S::UNSUPPORTED_MEDIA_TYPE, "unsupported_type"),
        ("archive.webp", b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec(), S::UNSUPPORTED_MEDIA_TYPE, "unsupported_type"),
        ("gifar.gif", with(GIF.to_vec(), b"*/=1;alert(document.domain);//"), S::UNPROCESSABLE_ENTITY, "invalid_image"),
        ("zip-behind.png", with(long_png.clone(), b"PK\x03\x04\x14\x00\x00\x00 hidden archive"), S::UNPROCESSABLE_ENTITY, "invalid_image"),
        ("page-behind.jpg", with(long_jpeg.clone(), b"<html><script>alert(1)</script></html>"), S::UNPROCESSABLE_ENTITY, "invalid_image"),
        ("comment.gif", {
            // A comment extension holding a script, inside a valid structure.
            let mut file = GIF[..19].to_vec();
            file.extend_from_slice(b"\x21\xfe\x1a<script>alert(1)</script>\x00");
            file.extend_from_slice(&GIF[19..]);
            file
        }, S::UNPROCESSABLE_ENTITY, "invalid_image"),
        ("cut.png", long_png[..long_png.len() - 20].to_vec(), S::UNPROCESSABLE_ENTITY, "invalid_image"),
        ("cut.jpg", long_jpeg[..long_jpeg.len() / 2].to_vec(), S::UNPROCESSABLE_ENTITY, "invalid_image"),
        ("header-only.png", long_png[..33].to_vec(), S::UNPROCESSABLE_ENTITY, "invalid_image"),
        ("no-ihdr.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x04tEXtabcd\x00\x00\x00\x00".to_vec(), S::UNPROCESSABLE_ENTITY, "invalid_image"),
        ("bomb.png", png_claiming(100_000, 100_000), S::UNPROCESSABLE_ENTITY, "too_many_pixels"),
        ("wide-bomb.gif", {
            let mut file = GIF.to_vec();
            file[6..10].copy_from_slice(&[0xff, 0xff, 0xff, 0xff]); // 65535 × 65535
            file
        }, S::UNPROCESSABLE_ENTITY, "too_many_pixels"),
        ("empty.png", Vec::new(), S::BAD_REQUEST, "empty_file"),
    ]
    .into_iter()
    .chain(hostile_heic())
    .collect()
}

/// Every `at` where `needle` begins in `haystack`.
fn all_at(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    (0..haystack.len().saturating_sub(needle.len()))
        .filter(|&at| &haystack[at..at + needle.len()] == needle)
        .collect()
}

/// HEIC files (made by heif-enc, see `located`) bent out of shape.
fn hostile_heic() -> Vec<(&'static str, Vec<u8>, StatusCode, &'static str)> {
    use StatusCode as S;
    let heic = crate::located::heif_with_location("heic");
    let lying = {
        // Every size property says 100,000 × 100,000.
        let mut file = heic.clone();
        for at in all_at(&heic, b"ispe") {
            file[at + 8..at + 12].copy_from_slice(&100_000u32.to_be_bytes());
            file[at + 12..at + 16].copy_from_slice(&100_000u32.to_be_bytes());
        }
        file
    };
    let huge_grid = {
        // The grid (kept in the metadata's own data box) says 65,535 × 65,535.
        let mut file = heic.clone();
        let at = all_at(&heic, b"idat")[0] + 4;
        file[at + 1] = 0; // 16-bit sizes
        file[at + 4..at + 8].copy_from_slice(&[0xff; 4]);
        file
    };
    let page = {
        // A HEIC's type box, then a page a browser would render.
        let mut file = heic[..24].to_vec();
        file[0..4].copy_from_slice(&24u32.to_be_bytes());
        let html = b"<html><script>alert(document.cookie)</script></html>";
        file.extend_from_slice(&((html.len() + 8) as u32).to_be_bytes());
        file.extend_from_slice(b"free");
        file.extend_from_slice(html);
        file
    };
    vec![
        (
            "cut.heic",
            heic[..heic.len() - 10].to_vec(),
            S::UNPROCESSABLE_ENTITY,
            "invalid_image",
        ),
        (
            "zip-behind.heic",
            with(heic.clone(), b"PK\x03\x04\x14\x00\x00\x00 hidden archive"),
            S::UNPROCESSABLE_ENTITY,
            "invalid_image",
        ),
        ("page.heic", page, S::UNPROCESSABLE_ENTITY, "invalid_image"),
        (
            "lying.heic",
            lying,
            S::UNPROCESSABLE_ENTITY,
            "too_many_pixels",
        ),
        (
            "huge-grid.heic",
            huge_grid,
            S::UNPROCESSABLE_ENTITY,
            "too_many_pixels",
        ),
    ]
}
