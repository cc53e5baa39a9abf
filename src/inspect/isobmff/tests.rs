//! HEIF files built box by box here: sizes, locations, and location taken out.

use crate::inspect::tests::inspect;
use crate::inspect::Problem;
use crate::sniff::ImageKind;

pub fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

fn full(kind: &[u8; 4], version: u8, body: &[u8]) -> Vec<u8> {
    let mut content = vec![version, 0, 0, 0];
    content.extend_from_slice(body);
    boxed(kind, &content)
}

/// An item entry (version 2): number, type, and for `mime` its content type.
fn infe(id: u16, kind: &[u8; 4], content_type: Option<&str>) -> Vec<u8> {
    let mut body = id.to_be_bytes().to_vec();
    body.extend_from_slice(&[0, 0]);
    body.extend_from_slice(kind);
    body.push(0); // no name
    if let Some(content_type) = content_type {
        body.extend_from_slice(content_type.as_bytes());
        body.push(0);
    }
    full(b"infe", 2, &body)
}

/// A HEIF file of one coded image item (`hvc1` or `av01`) of `width` ×
/// `height`, with an EXIF item (TIFF with a GPS position) and an XMP item
/// naming a city, both in the media data after the metadata.
pub fn with_location(brand: &[u8; 4], coded: &[u8; 4], width: u32, height: u32) -> Vec<u8> {
    located_at(brand, coded, width, height, 0)
}

/// [`with_location`], with the item locations `moved` bytes further on than
/// the items are.
fn located_at(brand: &[u8; 4], coded: &[u8; 4], width: u32, height: u32, moved: u32) -> Vec<u8> {
    let mut exif = 6u32.to_be_bytes().to_vec();
    exif.extend_from_slice(b"Exif\0\0");
    exif.extend_from_slice(&crate::inspect::location::tests::tiff_with_gps());
    let xmp = br#"<x:xmpmeta><rdf:Description photoshop:City="Paris"/></x:xmpmeta>"#.to_vec();
    let pixels = vec![7u8; 40];

    let mut ispe = vec![0, 0, 0, 0];
    ispe.extend_from_slice(&width.to_be_bytes());
    ispe.extend_from_slice(&height.to_be_bytes());
    let ipco = boxed(b"ipco", &boxed(b"ispe", &ispe));
    // Item 1 has property 1 (its size).
    let ipma = full(b"ipma", 0, &[0, 0, 0, 1, 0, 1, 1, 0x81]);
    let mut iinf_body = 3u16.to_be_bytes().to_vec();
    iinf_body.extend(infe(1, coded, None));
    iinf_body.extend(infe(2, b"Exif", None));
    iinf_body.extend(infe(3, b"mime", Some("application/rdf+xml")));
    let iinf = full(b"iinf", 0, &iinf_body);

    let build = |data_at: u32| {
        // Version 0: offset and length of 4 bytes, no base offset.
        let mut iloc_body = vec![0x44, 0x00];
        iloc_body.extend_from_slice(&3u16.to_be_bytes());
        let mut at = data_at;
        for (id, len) in [(1u16, pixels.len()), (2, exif.len()), (3, xmp.len())] {
            iloc_body.extend_from_slice(&id.to_be_bytes());
            iloc_body.extend_from_slice(&[0, 0]); // data reference
            iloc_body.extend_from_slice(&1u16.to_be_bytes());
            iloc_body.extend_from_slice(&at.to_be_bytes());
            iloc_body.extend_from_slice(&(len as u32).to_be_bytes());
            at += len as u32;
        }
        let mut meta_body = full(b"hdlr", 0, b"\0\0\0\0pict\0\0\0\0\0\0\0\0\0\0\0\0\0");
        meta_body.extend(full(b"iloc", 0, &iloc_body));
        meta_body.extend_from_slice(&iinf);
        meta_body.extend(boxed(b"iprp", &[ipco.clone(), ipma.clone()].concat()));
        let mut ftyp = brand.to_vec();
        ftyp.extend_from_slice(b"\0\0\0\0mif1");
        ftyp.extend_from_slice(brand);
        let mut file = boxed(b"ftyp", &ftyp);
        file.extend(full(b"meta", 0, &meta_body));
        let data_at = file.len() as u32 + 8;
        file.extend(boxed(
            b"mdat",
            &[pixels.clone(), exif.clone(), xmp.clone()].concat(),
        ));
        (file, data_at)
    };
    let (_, data_at) = build(0);
    build(data_at + moved).0
}

pub fn minimal(width: u32, height: u32) -> Vec<u8> {
    with_location(b"avif", b"av01", width, height)
}

fn has(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn the_size_comes_from_the_spatial_extent() {
    let (_, facts) = inspect(ImageKind::Avif, &minimal(640, 480)).unwrap();
    assert_eq!((facts.width, facts.height), (640, 480));
}

#[test]
fn exif_gps_and_xmp_places_are_taken_out_in_place() {
    for (kind, brand, coded) in [
        (ImageKind::Avif, b"avif", b"av01"),
        (ImageKind::Heic, b"heic", b"hvc1"),
    ] {
        let file = with_location(brand, coded, 64, 48);
        assert!(has(&file, b"Paris"));
        let (out, facts) = inspect(kind, &file).unwrap();
        assert_eq!(out.len(), file.len(), "every offset stays");
        assert!(facts.location_removed);
        assert!(!has(&out, b"Paris"), "the city is blanked");
        // The GPS IFD's values are zeroed; orientation (IFD0) stays.
        let gps = crate::inspect::location::tests::tiff_with_gps();
        assert!(has(&file, &gps) && !has(&out, &gps));
        let ifd0 = &gps[10..22];
        assert!(has(&out, ifd0), "IFD0 kept");
    }
}

#[test]
fn with_location_kept_the_file_passes_unchanged() {
    let file = with_location(b"heic", b"hvc1", 64, 48);
    let mut rules = crate::inspect::tests::rules();
    rules.strip_location = false;
    let mut inspector = crate::inspect::Inspector::new(ImageKind::Heic, rules);
    let mut out = inspector.feed(&file).unwrap().to_vec();
    let (rest, facts) = inspector.finish().unwrap();
    out.extend_from_slice(&rest);
    assert_eq!(out, file);
    assert!(!facts.location_removed);
}

#[test]
fn items_must_lie_inside_the_file() {
    let past_the_end = located_at(b"heic", b"hvc1", 8, 8, 1000);
    assert!(matches!(
        inspect(ImageKind::Heic, &past_the_end).unwrap_err(),
        Problem::Header { .. }
    ));
    // Moved by a few bytes, the EXIF item runs into the XMP item's bytes
    // and the XMP item past the media data.
    let overlapping = located_at(b"heic", b"hvc1", 8, 8, 3);
    assert!(inspect(ImageKind::Heic, &overlapping).is_err());
}

#[test]
fn a_location_before_the_metadata_cannot_be_taken_out_and_is_refused() {
    // The media data first, then the metadata that points back into it.
    let file = with_location(b"heic", b"hvc1", 8, 8);
    let ftyp_len = 24;
    let meta_len = u32::from_be_bytes(file[ftyp_len..ftyp_len + 4].try_into().unwrap()) as usize;
    let (ftyp, rest) = file.split_at(ftyp_len);
    let (meta, mdat) = rest.split_at(meta_len);
    let mdat_first = [ftyp, mdat, meta].concat();
    let refused = inspect(ImageKind::Heic, &mdat_first).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("lies before the box that says where it is"),
        "{refused}"
    );
    // With the location kept there is nothing to take out.
    let mut rules = crate::inspect::tests::rules();
    rules.strip_location = false;
    let mut inspector = crate::inspect::Inspector::new(ImageKind::Heic, rules);
    inspector.feed(&mdat_first).unwrap();
    assert!(inspector.finish().is_ok());
}

#[test]
fn boxes_must_add_up_to_the_file() {
    let file = minimal(4, 4);
    assert_eq!(
        inspect(ImageKind::Avif, &file[..file.len() - 1]).unwrap_err(),
        Problem::Truncated
    );
    let mut longer = file;
    longer.extend_from_slice(b"%PDF-1.7 hidden");
    assert!(inspect(ImageKind::Avif, &longer).is_err());
    assert!(matches!(
        inspect(ImageKind::Avif, &minimal(60_000, 60_000)).unwrap_err(),
        Problem::TooManyPixels { .. }
    ));
}
