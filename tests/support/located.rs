//! Photos that say where they were taken, made here with real EXIF and XMP:
//! a JPEG, a PNG and a WebP carrying a GPS latitude (and the JPEG a city), for
//! every way in (an upload, a terminal import) to strip or keep.

use crate::helpers::{jpeg, png};

/// A little-endian TIFF (EXIF) with IFD0 holding Orientation 6 and a GPS IFD with
/// latitude 52° 31' 12.34" N (three rationals, stored out of line).
fn exif_with_gps() -> Vec<u8> {
    let mut t = b"II*\0".to_vec();
    t.extend_from_slice(&8u32.to_le_bytes());
    t.extend_from_slice(&2u16.to_le_bytes());
    t.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]); // Orientation = 6
    t.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0, 38, 0, 0, 0]); // GPS IFD at 38
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(&2u16.to_le_bytes());
    t.extend_from_slice(&[1, 0, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]); // GPSLatitudeRef
    t.extend_from_slice(&[2, 0, 5, 0, 3, 0, 0, 0, 68, 0, 0, 0]); // GPSLatitude at 68
    t.extend_from_slice(&0u32.to_le_bytes());
    for (n, d) in [(52u32, 1u32), (31, 1), (1234, 100)] {
        t.extend_from_slice(&n.to_le_bytes());
        t.extend_from_slice(&d.to_le_bytes());
    }
    t
}

/// The latitude's bytes, as they sit in the file.
pub fn latitude_bytes() -> Vec<u8> {
    exif_with_gps()[68..].to_vec()
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn jpeg_segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut segment = vec![0xFF, marker];
    segment.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(payload);
    segment
}

/// A real JPEG with an EXIF segment (GPS) and an XMP segment (a city), as a
/// phone's camera writes them: right after the start-of-image marker.
pub fn jpeg_with_location() -> Vec<u8> {
    let image = jpeg(24, 16, 3);
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&exif_with_gps());
    let xmp = [
        &b"http://ns.adobe.com/xap/1.0/\0"[..],
        br#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description exif:GPSLongitude="13,24.5E" photoshop:City="Berlin" tiff:Orientation="6"/></rdf:RDF></x:xmpmeta>"#,
    ]
    .concat();
    [
        &image[..2],
        &jpeg_segment(0xE1, &exif),
        &jpeg_segment(0xE1, &xmp),
        &image[2..],
    ]
    .concat()
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(kind);
    chunk.extend_from_slice(data);
    let crc = crc32fast::hash(&chunk[4..]);
    chunk.extend_from_slice(&crc.to_be_bytes());
    chunk
}

/// A real PNG with an eXIf chunk (GPS) after its header.
pub fn png_with_location() -> Vec<u8> {
    let image = png(24, 16, 3);
    [
        &image[..33],
        &png_chunk(b"eXIf", &exif_with_gps()),
        &image[33..],
    ]
    .concat()
}

/// A WebP (VP8X canvas, a lossless bitstream header) with an EXIF chunk.
pub fn webp_with_location() -> Vec<u8> {
    let chunk = |kind: &[u8; 4], data: &[u8]| {
        let mut out = kind.to_vec();
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(data);
        if data.len() % 2 == 1 {
            out.push(0);
        }
        out
    };
    let vp8x = [0x08, 0, 0, 0, 23, 0, 0, 15, 0, 0]; // EXIF flag; 24 × 16
    let bits: u32 = 23 | (15 << 14);
    let vp8l = [&[0x2F][..], &bits.to_le_bytes(), &[0, 0, 0]].concat();
    let body = [
        &b"WEBP"[..],
        &chunk(b"VP8X", &vp8x),
        &chunk(b"VP8L", &vp8l),
        &chunk(b"EXIF", &exif_with_gps()),
    ]
    .concat();
    [&b"RIFF"[..], &(body.len() as u32).to_le_bytes(), &body].concat()
}

/// A HEIF file made by libheif's `heif-enc` (Debian's libheif-examples) from
/// [`jpeg_with_location`]: `extension` `heic` for HEVC pictures, `avif` for AV1.
/// It carries the JPEG's EXIF (GPS, orientation) and XMP (a city) as items.
pub fn heif_with_location(extension: &str) -> Vec<u8> {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let jpeg = folder.path().join("trip.jpg");
    let out = folder.path().join(format!("trip.{extension}"));
    std::fs::write(&jpeg, jpeg_with_location()).expect("the JPEG written");
    heif_enc(&[jpeg.as_os_str(), "-o".as_ref(), out.as_os_str()]);
    std::fs::read(&out).expect("heif-enc's output")
}

/// Runs `heif-enc` (quietly, at middling quality) with `args`.
pub fn heif_enc(args: &[&std::ffi::OsStr]) {
    let status = std::process::Command::new("heif-enc")
        .args(["-q", "60"])
        .args(args)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("heif-enc runs (apt-get install libheif-examples; scripts/test installs it)");
    assert!(status.success(), "heif-enc {args:?}: {status}");
}

/// What `exiftool` reads of `file`'s tags, one `Group:Tag: value` per line.
pub fn exiftool(file: &[u8]) -> String {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let path = folder.path().join("photo");
    std::fs::write(&path, file).expect("the file written");
    let output = std::process::Command::new("exiftool")
        .args(["-a", "-G1", "-s", "-n"])
        .arg(&path)
        .output()
        .expect("exiftool runs (apt-get install libimage-exiftool-perl; scripts/test installs it)");
    assert!(output.status.success(), "exiftool failed");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The lines of an [`exiftool`] report that still say where: GPS tags and places
/// with a value.
pub fn places(told: &str) -> Vec<&str> {
    told.lines()
        .filter(|line| {
            ["GPS", "City", "Country", "Location"]
                .iter()
                .any(|tag| line.contains(tag))
        })
        .filter(|line| !line.trim_end().ends_with(':'))
        .collect()
}
