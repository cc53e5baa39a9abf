//! Taking places out of image metadata, in place: every byte keeps its offset, so
//! nothing that points into the file (EXIF offsets, MPF, chunk sizes) breaks.
//! - EXIF: the GPS IFD is emptied and its values zeroed (orientation and the rest
//!   of IFD0 stay).
//! - XMP: values of GPS and place properties (`exif:GPS*`, `photoshop:City`, IPTC
//!   locations, ...) are blanked with spaces.
//! - IPTC IIM (Photoshop APP13): city, sub-location, province, country are blanked.
//!
//! Each returns whether it removed anything.

/// A JPEG APP1 payload: EXIF or XMP (standard or extended).
pub fn clean_app1(payload: &mut [u8]) -> bool {
    const EXIF: &[u8] = b"Exif\0\0";
    const XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
    const EXTENDED_XMP: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";
    if payload.starts_with(EXIF) {
        clean_tiff(&mut payload[EXIF.len()..])
    } else if payload.starts_with(XMP) {
        clean_xmp(&mut payload[XMP.len()..])
    } else if payload.starts_with(EXTENDED_XMP) {
        // GUID (32), full length (4), offset (4), then a piece of the XMP.
        payload
            .get_mut(EXTENDED_XMP.len() + 40..)
            .is_some_and(clean_xmp)
    } else {
        false
    }
}

/// EXIF as WebP stores it: TIFF, sometimes behind an `Exif\0\0` header.
pub fn clean_exif(data: &mut [u8]) -> bool {
    match data.strip_prefix(b"Exif\0\0") {
        Some(_) => clean_tiff(&mut data[6..]),
        None => clean_tiff(data),
    }
}

/// A TIFF structure (EXIF): empties the GPS IFD that IFD0 points to. When the
/// structure cannot be followed, all of it is blanked: a place must not survive
/// because its container was odd.
pub fn clean_tiff(tiff: &mut [u8]) -> bool {
    match gps_ifd(tiff) {
        Ok(Some(gps)) => blank_ifd(tiff, gps).unwrap_or_else(|| blank_all(tiff)),
        Ok(None) => false,
        Err(()) => blank_all(tiff),
    }
}

fn blank_all(bytes: &mut [u8]) -> bool {
    let had_content = bytes.iter().any(|&b| b != 0);
    bytes.fill(0);
    had_content
}

#[derive(Clone, Copy)]
struct Order(bool); // true: big-endian ("MM")

impl Order {
    fn u16(self, bytes: &[u8], at: usize) -> Option<u16> {
        let b: [u8; 2] = bytes.get(at..at + 2)?.try_into().ok()?;
        Some(if self.0 {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    }

    fn u32(self, bytes: &[u8], at: usize) -> Option<u32> {
        let b: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
        Some(if self.0 {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }
}

const GPS_IFD_POINTER: u16 = 0x8825;

fn order(tiff: &[u8]) -> Result<Order, ()> {
    match tiff.get(..4) {
        Some(b"II*\0") => Ok(Order(false)),
        Some(b"MM\0*") => Ok(Order(true)),
        _ => Err(()),
    }
}

/// Where the GPS IFD starts, if IFD0 has one.
fn gps_ifd(tiff: &[u8]) -> Result<Option<(Order, usize)>, ()> {
    let order = order(tiff)?;
    let ifd0 = order.u32(tiff, 4).ok_or(())? as usize;
    let count = order.u16(tiff, ifd0).ok_or(())? as usize;
    for i in 0..count {
        let entry = ifd0 + 2 + 12 * i;
        let tag = order.u16(tiff, entry).ok_or(())?;
        if tag == GPS_IFD_POINTER {
            let at = order.u32(tiff, entry + 8).ok_or(())? as usize;
            return Ok(Some((order, at)));
        }
    }
    Ok(None)
}

/// Zeroes every value of an IFD's entries, then the entries and their count: an
/// empty IFD is left where the GPS one was.
fn blank_ifd(tiff: &mut [u8], (order, at): (Order, usize)) -> Option<bool> {
    let count = order.u16(tiff, at)? as usize;
    let entries_end = at + 2 + 12 * count;
    if entries_end + 4 > tiff.len() {
        return None;
    }
    for i in 0..count {
        let entry = at + 2 + 12 * i;
        let kind = order.u16(tiff, entry + 2)?;
        let values = order.u32(tiff, entry + 4)? as usize;
        let size = values.checked_mul(type_size(kind))?;
        if size > 4 {
            let offset = order.u32(tiff, entry + 8)? as usize;
            tiff.get_mut(offset..offset.checked_add(size)?)?.fill(0);
        }
    }
    // The count, the entries and the next-IFD offset after them (a GPS IFD has none).
    tiff[at..entries_end + 4].fill(0);
    Some(count > 0)
}

fn type_size(kind: u16) -> usize {
    match kind {
        1 | 2 | 6 | 7 => 1,
        3 | 8 => 2,
        4 | 9 | 11 => 4,
        5 | 10 | 12 => 8,
        _ => 1,
    }
}

/// XMP properties that hold a place; a property matches by prefix.
const XMP_PLACES: [&str; 16] = [
    "exif:GPS",
    "exifEX:GPS",
    "photoshop:City",
    "photoshop:State",
    "photoshop:Country",
    "Iptc4xmpCore:Location",
    "Iptc4xmpCore:CountryCode",
    "Iptc4xmpExt:LocationCreated",
    "Iptc4xmpExt:LocationShown",
    "Iptc4xmpExt:City",
    "Iptc4xmpExt:CountryName",
    "Iptc4xmpExt:CountryCode",
    "Iptc4xmpExt:ProvinceState",
    "Iptc4xmpExt:Sublocation",
    "Iptc4xmpExt:WorldRegion",
    "Iptc4xmpExt:GPS",
];

/// Blanks the values of place properties in XMP text: `prop="value"` and
/// `<prop>value</prop>` alike (a structured value loses its text parts).
pub fn clean_xmp(xmp: &mut [u8]) -> bool {
    let mut removed = false;
    for property in XMP_PLACES {
        let needle = property.as_bytes();
        let mut at = 0;
        while let Some(pos) = find(&xmp[at..], needle) {
            let start = at + pos;
            at = start + needle.len();
            // The rest of the property name, e.g. `Latitude` in `exif:GPSLatitude`.
            while at < xmp.len() && (xmp[at].is_ascii_alphanumeric() || xmp[at] == b'_') {
                at += 1;
            }
            let is_element = start > 0 && xmp[start - 1] == b'<';
            match xmp.get(at) {
                Some(b'=') => {
                    let Some(&quote) = xmp.get(at + 1) else { break };
                    if quote != b'"' && quote != b'\'' {
                        continue;
                    }
                    let value_start = at + 2;
                    if let Some(len) = xmp[value_start..].iter().position(|&b| b == quote) {
                        removed |= blank(&mut xmp[value_start..value_start + len]);
                        at = value_start + len;
                    }
                }
                _ if is_element => {
                    // Text up to the element's closing tag: blank the text between tags.
                    let close = format!("</{}", String::from_utf8_lossy(&xmp[start..at]));
                    let Some(end) = find(&xmp[at..], close.as_bytes()).map(|e| at + e) else {
                        continue;
                    };
                    let mut inside = false;
                    for byte in &mut xmp[at..end] {
                        match *byte {
                            b'<' => inside = true,
                            b'>' => inside = false,
                            b' ' | b'\n' | b'\r' | b'\t' => {}
                            _ if !inside => {
                                *byte = b' ';
                                removed = true;
                            }
                            _ => {}
                        }
                    }
                    at = end;
                }
                _ => {}
            }
        }
    }
    removed
}

fn blank(value: &mut [u8]) -> bool {
    let had = value.iter().any(|&b| b != b' ');
    value.fill(b' ');
    had
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// IPTC IIM datasets (record 2) that name a place.
const IPTC_PLACES: [u8; 5] = [90, 92, 95, 100, 101];

/// A JPEG APP13 payload: Photoshop image resources; resource 0x0404 holds IPTC.
pub fn clean_app13(payload: &mut [u8]) -> bool {
    const PHOTOSHOP: &[u8] = b"Photoshop 3.0\0";
    if !payload.starts_with(PHOTOSHOP) {
        return false;
    }
    let mut removed = false;
    let mut at = PHOTOSHOP.len();
    while at + 12 <= payload.len() && &payload[at..at + 4] == b"8BIM" {
        let id = u16::from_be_bytes([payload[at + 4], payload[at + 5]]);
        // A Pascal name, padded to an even length (count byte included).
        let name_field = 1 + payload[at + 6] as usize;
        let p = at + 6 + name_field + (name_field % 2);
        let Some(size_bytes) = payload.get(p..p + 4) else {
            break;
        };
        let size = u32::from_be_bytes(size_bytes.try_into().unwrap_or_default()) as usize;
        let data_start = p + 4;
        let Some(data_end) = data_start.checked_add(size).filter(|&e| e <= payload.len()) else {
            break;
        };
        if id == 0x0404 {
            removed |= clean_iim(&mut payload[data_start..data_end]);
        }
        at = data_end + (size % 2);
    }
    removed
}

fn clean_iim(iim: &mut [u8]) -> bool {
    let mut removed = false;
    let mut at = 0;
    while at + 5 <= iim.len() && iim[at] == 0x1C {
        let (record, dataset) = (iim[at + 1], iim[at + 2]);
        let size = u16::from_be_bytes([iim[at + 3], iim[at + 4]]) as usize;
        if size & 0x8000 != 0 {
            break; // an extended dataset: not used for places
        }
        let start = at + 5;
        let Some(value) = iim.get_mut(start..start + size) else {
            break;
        };
        if record == 2 && IPTC_PLACES.contains(&dataset) {
            removed |= blank(value);
        }
        at = start + size;
    }
    removed
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A little-endian TIFF with IFD0 holding Orientation and a GPS IFD pointer,
    /// and a GPS IFD with a latitude (three rationals, stored out of line).
    pub fn tiff_with_gps() -> Vec<u8> {
        let mut t = b"II*\0".to_vec();
        t.extend_from_slice(&8u32.to_le_bytes()); // IFD0 at 8
        t.extend_from_slice(&2u16.to_le_bytes()); // two entries
                                                  // Orientation (0x0112), SHORT, 1, value 6
        t.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]);
        // GPS IFD pointer, LONG, 1, offset 38
        t.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0, 38, 0, 0, 0]);
        t.extend_from_slice(&0u32.to_le_bytes()); // no IFD1
        assert_eq!(t.len(), 38);
        t.extend_from_slice(&2u16.to_le_bytes()); // GPS IFD: two entries
                                                  // GPSLatitudeRef (1), ASCII, 2, "N\0"
        t.extend_from_slice(&[1, 0, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]);
        // GPSLatitude (2), RATIONAL, 3, at offset 68
        t.extend_from_slice(&[2, 0, 5, 0, 3, 0, 0, 0, 68, 0, 0, 0]);
        t.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(t.len(), 68);
        for (n, d) in [(52u32, 1u32), (31, 1), (1234, 100)] {
            t.extend_from_slice(&n.to_le_bytes());
            t.extend_from_slice(&d.to_le_bytes());
        }
        t
    }

    #[test]
    fn the_gps_ifd_is_emptied_and_orientation_kept() {
        let mut tiff = tiff_with_gps();
        assert!(clean_tiff(&mut tiff));
        assert_eq!(tiff.len(), tiff_with_gps().len());
        assert_eq!(&tiff[10..22], &tiff_with_gps()[10..22], "orientation stays");
        assert!(tiff[38..].iter().all(|&b| b == 0), "no trace of the place");
        assert!(!clean_tiff(&mut tiff), "nothing left to remove");
    }

    #[test]
    fn exif_without_gps_is_left_alone() {
        let mut tiff = tiff_with_gps()[..38].to_vec();
        tiff[8] = 1; // only the orientation entry
        let before = tiff.clone();
        assert!(!clean_tiff(&mut tiff));
        assert_eq!(tiff, before);
    }

    #[test]
    fn broken_exif_is_blanked_rather_than_kept() {
        let mut tiff = b"II*\0\xff\xff\xff\x7fGPS?".to_vec();
        assert!(clean_tiff(&mut tiff));
        assert!(tiff.iter().all(|&b| b == 0));
    }

    #[test]
    fn xmp_places_are_blanked_in_attributes_and_elements() {
        let mut xmp = br#"<rdf:Description exif:GPSLatitude="52,31.2N" tiff:Orientation="6">
<photoshop:City>Berlin</photoshop:City><dc:title>Trip</dc:title>"#
            .to_vec();
        let length = xmp.len();
        assert!(clean_xmp(&mut xmp));
        let text = String::from_utf8(xmp).unwrap();
        assert_eq!(text.len(), length);
        assert!(
            !text.contains("52,31") && !text.contains("Berlin"),
            "{text}"
        );
        assert!(text.contains(r#"tiff:Orientation="6""#) && text.contains("Trip"));
    }

    #[test]
    fn iptc_places_are_blanked() {
        let mut payload = b"Photoshop 3.0\08BIM\x04\x04\0\0".to_vec();
        let iim = b"\x1c\x02\x5a\x00\x06Berlin\x1c\x02\x05\x00\x04Trip";
        payload.extend_from_slice(&(iim.len() as u32).to_be_bytes());
        payload.extend_from_slice(iim);
        assert!(clean_app13(&mut payload));
        let text = String::from_utf8_lossy(&payload);
        assert!(!text.contains("Berlin") && text.contains("Trip"), "{text}");
    }
}
