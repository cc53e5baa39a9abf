//! Where a photo was taken does not leave with it: GPS and other places are taken
//! out of stored JPEG, PNG and WebP originals (orientation stays), unless
//! KEEP_LOCATION is set. The files are made here, with real EXIF and XMP.

use crate::helpers::{jpeg, png, spawn_app, spawn_app_with, TestApp};

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
fn latitude_bytes() -> Vec<u8> {
    exif_with_gps()[68..].to_vec()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
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
fn jpeg_with_location() -> Vec<u8> {
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
fn png_with_location() -> Vec<u8> {
    let image = png(24, 16, 3);
    [
        &image[..33],
        &png_chunk(b"eXIf", &exif_with_gps()),
        &image[33..],
    ]
    .concat()
}

/// A WebP (VP8X canvas, a lossless bitstream header) with an EXIF chunk.
fn webp_with_location() -> Vec<u8> {
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

async fn stored_bytes(app: &TestApp, name: &str, file: &[u8]) -> Vec<u8> {
    let info = app.upload_ok(name, file).await;
    app.get(&info.url)
        .await
        .bytes()
        .await
        .expect("the bytes")
        .to_vec()
}

#[tokio::test]
async fn gps_and_places_are_taken_out_of_a_jpeg_and_orientation_stays() {
    let app = spawn_app().await;
    let original = jpeg_with_location();

    let stored = stored_bytes(&app, "trip.jpg", &original).await;

    assert_eq!(stored.len(), original.len(), "cleaned in place");
    assert!(
        !contains(&stored, &latitude_bytes()),
        "the latitude is gone"
    );
    assert!(!contains(&stored, b"Berlin") && !contains(&stored, b"13,24.5E"));
    assert!(
        contains(&stored, &[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0]),
        "orientation stays"
    );
    assert!(contains(&stored, br#"tiff:Orientation="6""#));
    let decoded = image::load_from_memory(&stored).expect("still a valid JPEG");
    assert_eq!((decoded.width(), decoded.height()), (24, 16));
}

#[tokio::test]
async fn gps_is_taken_out_of_a_png_whose_chunk_stays_valid() {
    let app = spawn_app().await;
    let original = png_with_location();

    let stored = stored_bytes(&app, "trip.png", &original).await;

    assert_eq!(stored.len(), original.len());
    assert!(!contains(&stored, &latitude_bytes()));
    // The image crate checks every chunk's CRC while decoding.
    let decoded = image::load_from_memory(&stored).expect("still a valid PNG");
    assert_eq!(decoded.width(), 24);
}

#[tokio::test]
async fn gps_is_taken_out_of_a_webp() {
    let app = spawn_app().await;
    let original = webp_with_location();

    let stored = stored_bytes(&app, "trip.webp", &original).await;

    assert_eq!(stored.len(), original.len());
    assert!(!contains(&stored, &latitude_bytes()));
}

#[tokio::test]
async fn with_keep_location_the_original_is_stored_as_it_came() {
    let app = spawn_app_with(|config| config.keep_location = true).await;

    for (name, original) in [
        ("trip.jpg", jpeg_with_location()),
        ("trip.png", png_with_location()),
        ("trip.webp", webp_with_location()),
    ] {
        assert_eq!(
            stored_bytes(&app, name, &original).await,
            original,
            "{name}"
        );
    }
}
