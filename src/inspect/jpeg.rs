//! JPEG (ITU T.81): segments from SOI to EOI. A frame header (SOFn) gives the size;
//! APP1 (EXIF, XMP) and APP13 (IPTC) are cleaned of places. Phones append further
//! JPEGs after the first EOI (MPF: depth maps, gain maps): each is walked the same
//! way. After the last image only what phones are known to write may follow, each
//! recognised by its own structure: a motion photo's MP4 (declared in the XMP,
//! beginning with an `ftyp` box), Samsung's SEF trailer (ending in `SEFT`), or
//! zero padding. Anything else after the end is refused.

use super::{be16, header, location, Format, Problem, Walk};

#[derive(Debug, Default)]
pub struct Jpeg {
    state: State,
    /// A complete image has been walked (at least one EOI seen).
    ended: bool,
    /// The XMP says a motion photo's video follows the image.
    declares_motion: bool,
    trailer: Trailer,
}

/// What follows the last image, as far as telling what it is needs.
#[derive(Debug, Default)]
struct Trailer {
    length: u64,
    /// The first 8 bytes and the last 4.
    head: Vec<u8>,
    tail: [u8; 4],
    all_zero: bool,
}

impl Trailer {
    fn take(&mut self, bytes: &[u8]) {
        if self.length == 0 {
            self.all_zero = true;
        }
        self.length += bytes.len() as u64;
        let room = 8usize.saturating_sub(self.head.len());
        self.head.extend_from_slice(&bytes[..bytes.len().min(room)]);
        for &byte in bytes.iter().rev().take(4).collect::<Vec<_>>().iter().rev() {
            self.tail.rotate_left(1);
            self.tail[3] = *byte;
        }
        self.all_zero &= bytes.iter().all(|&b| b == 0);
    }
}

#[derive(Debug, Default, Clone, Copy)]
enum State {
    #[default]
    Start,
    Marker,
    /// Segment payload bytes still to pass through; then markers again, or scan
    /// data when the segment was SOS.
    Copy {
        left: u64,
        then_scan: bool,
    },
    Scan,
    End,
    /// Bytes after the last image (see the module's note).
    Trailer,
}

const FORMAT: &str = "JPEG";

fn is_frame_header(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF)
}

impl Format for Jpeg {
    fn name(&self) -> &'static str {
        FORMAT
    }

    fn complete(&self) -> bool {
        self.ended && (matches!(self.state, State::End) || self.known_trailer())
    }

    fn ending_problem(&self) -> Problem {
        match self.state {
            State::Trailer => Problem::TrailingData,
            _ => Problem::Truncated,
        }
    }

    fn step(&mut self, walk: &mut Walk) -> Result<bool, Problem> {
        match self.state {
            State::Start => {
                if !walk.has(3) {
                    return Ok(false);
                }
                if walk.pending[..3] != [0xFF, 0xD8, 0xFF] {
                    return Err(header(
                        FORMAT,
                        "it does not start with a start-of-image marker",
                    ));
                }
                walk.emit(2);
                self.state = State::Marker;
            }
            State::Marker => {
                if !walk.has(2) {
                    return Ok(false);
                }
                if walk.pending[0] != 0xFF {
                    return Err(header(FORMAT, "a segment does not start with a marker"));
                }
                let marker = walk.pending[1];
                match marker {
                    0xFF => walk.emit(1), // fill byte
                    0xD9 => {
                        walk.emit(2);
                        self.ended = true;
                        self.state = State::End;
                    }
                    0x01 | 0xD0..=0xD7 => walk.emit(2),
                    0xD8 | 0x00 => return Err(header(FORMAT, "a marker is out of place")),
                    _ => return self.segment(walk, marker),
                }
            }
            State::Copy { left, then_scan } => {
                let moved = walk.pass(left);
                if moved == 0 && left > 0 {
                    return Ok(false);
                }
                self.state = match left - moved {
                    0 if then_scan => State::Scan,
                    0 => State::Marker,
                    left => State::Copy { left, then_scan },
                };
            }
            State::Scan => {
                // Entropy-coded data runs to the next marker that is neither a
                // stuffed 0xFF00 nor a restart marker.
                let data = &walk.pending;
                let mut i = 0;
                let mut found = None;
                while let Some(at) = data[i..].iter().position(|&b| b == 0xFF) {
                    let at = i + at;
                    match data.get(at + 1) {
                        None => break,
                        Some(0x00 | 0xD0..=0xD7) => i = at + 2,
                        Some(_) => {
                            found = Some(at);
                            break;
                        }
                    }
                }
                match found {
                    Some(at) => {
                        walk.emit(at);
                        self.state = State::Marker;
                    }
                    None => {
                        // Keep a last 0xFF: its marker byte has not come yet.
                        let keep = usize::from(data.last() == Some(&0xFF));
                        let n = data.len() - keep;
                        if n == 0 {
                            return Ok(false);
                        }
                        walk.emit(n);
                    }
                }
            }
            State::End => {
                // Another image (MPF) may follow; nothing else may.
                if walk.pending.len() < 3
                    && walk
                        .pending
                        .starts_with(&[0xFF, 0xD8][..walk.pending.len().min(2)])
                {
                    return Ok(false);
                }
                if walk.pending.starts_with(&[0xFF, 0xD8, 0xFF]) {
                    self.state = State::Start;
                } else {
                    self.state = State::Trailer;
                }
            }
            State::Trailer => {
                let n = walk.pending.len();
                self.trailer.take(&walk.pending);
                walk.emit(n);
            }
        }
        Ok(true)
    }
}

/// Whether an APP1 payload is XMP that declares a motion photo (Google's
/// `GCamera:MotionPhoto` / `MicroVideo`, or a container item of that meaning).
fn declares_motion_photo(payload: &[u8]) -> bool {
    const MARKS: [&[u8]; 4] = [
        b"MotionPhoto=\"1\"",
        b"MicroVideo=\"1\"",
        b"Semantic=\"MotionPhoto\"",
        b"<GCamera:MotionPhoto>1<",
    ];
    payload.starts_with(b"http://ns.adobe.com/xap/1.0/\0")
        && MARKS
            .iter()
            .any(|mark| payload.windows(mark.len()).any(|w| w == *mark))
}

impl Jpeg {
    /// Whether what follows the last image is one of the trailers phones write.
    fn known_trailer(&self) -> bool {
        if !matches!(self.state, State::Trailer) {
            return false;
        }
        let trailer = &self.trailer;
        let motion_video = self.declares_motion && trailer.head.get(4..8) == Some(b"ftyp");
        let samsung = trailer.length >= 8 && &trailer.tail == b"SEFT";
        trailer.all_zero || motion_video || samsung
    }

    /// A marker with a length: held whole when it must be read or cleaned.
    fn segment(&mut self, walk: &mut Walk, marker: u8) -> Result<bool, Problem> {
        if !walk.has(4) {
            return Ok(false);
        }
        let length = usize::from(be16(&walk.pending[2..4]));
        if length < 2 {
            return Err(header(FORMAT, "a segment has an impossible length"));
        }
        let whole = length + 2;
        // APP1 is always read whole: its XMP may declare a motion photo.
        let cleaned = marker == 0xE1 || (walk.rules.strip_location && marker == 0xED);
        if is_frame_header(marker) || cleaned {
            if !walk.has(whole) {
                return Ok(false);
            }
            let mut segment = walk.take(whole);
            if is_frame_header(marker) {
                if length < 7 {
                    return Err(header(FORMAT, "the frame header is too short"));
                }
                let height = u64::from(be16(&segment[5..7]));
                let width = u64::from(be16(&segment[7..9]));
                if width == 0 || height == 0 {
                    return Err(header(FORMAT, "the frame is 0 pixels wide or high"));
                }
                walk.dimensions(width, height)?;
            } else {
                let payload = &mut segment[4..];
                if marker == 0xE1 {
                    self.declares_motion |= declares_motion_photo(payload);
                }
                if walk.rules.strip_location {
                    let removed = match marker {
                        0xE1 => location::clean_app1(payload),
                        _ => location::clean_app13(payload),
                    };
                    walk.facts.location_removed |= removed;
                }
            }
            walk.out.extend_from_slice(&segment);
            self.state = if marker == 0xDA {
                State::Scan
            } else {
                State::Marker
            };
            return Ok(true);
        }
        walk.emit(4);
        self.state = State::Copy {
            left: (length - 2) as u64,
            then_scan: marker == 0xDA,
        };
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use crate::inspect::tests::inspect;
    use crate::inspect::Problem;
    use crate::sniff::ImageKind;

    fn encoded(width: u32, height: u32) -> Vec<u8> {
        let image =
            image::RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 7]));
        let mut out = std::io::Cursor::new(Vec::new());
        image.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_real_jpeg_passes_unchanged_with_its_size() {
        let file = encoded(33, 21);
        let (out, facts) = inspect(ImageKind::Jpeg, &file).unwrap();
        assert_eq!(out, file);
        assert_eq!((facts.width, facts.height), (33, 21));
    }

    #[test]
    fn a_cut_jpeg_is_truncated() {
        let file = encoded(33, 21);
        assert_eq!(
            inspect(ImageKind::Jpeg, &file[..file.len() - 40]).unwrap_err(),
            Problem::Truncated
        );
    }

    fn with_xmp(file: &[u8], xmp: &str) -> Vec<u8> {
        let mut payload = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
        payload.extend_from_slice(xmp.as_bytes());
        let mut out = file[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&payload);
        out.extend_from_slice(&file[2..]);
        out
    }

    /// The start of an MP4, as a motion photo appends it.
    const MP4: &[u8] = b"\0\0\0\x1cftypisom\0\0\x02\0isomiso2mp41\0\0\0\x08free";

    #[test]
    fn a_motion_photo_keeps_its_declared_video() {
        let photo = with_xmp(
            &encoded(8, 8),
            r#"<rdf:Description GCamera:MotionPhoto="1"/>"#,
        );
        let mut file = photo.clone();
        file.extend_from_slice(MP4);
        let (out, _) = inspect(ImageKind::Jpeg, &file).unwrap();
        assert_eq!(out, file);

        let mut undeclared = encoded(8, 8);
        undeclared.extend_from_slice(MP4);
        assert_eq!(
            inspect(ImageKind::Jpeg, &undeclared).unwrap_err(),
            Problem::TrailingData
        );
    }

    #[test]
    fn samsung_trailers_and_zero_padding_are_kept() {
        let mut samsung = encoded(8, 8);
        samsung.extend_from_slice(
            b"\0\0\x01\x0aImage_UTC_Data1700000000000SEFH\0\0\0\x01\0\0\0\0\x20\0\0\0SEFT",
        );
        assert!(inspect(ImageKind::Jpeg, &samsung).is_ok());
        let mut padded = encoded(8, 8);
        padded.extend_from_slice(&[0; 64]);
        assert!(inspect(ImageKind::Jpeg, &padded).is_ok());
    }

    #[test]
    fn bytes_after_the_end_are_refused_but_a_second_image_is_not() {
        let mut file = encoded(8, 8);
        let mut with_page = file.clone();
        with_page.extend_from_slice(b"PK\x03\x04 a zip archive");
        assert!(matches!(
            inspect(ImageKind::Jpeg, &with_page).unwrap_err(),
            Problem::TrailingData
        ));
        file.extend_from_slice(&encoded(4, 4));
        assert!(inspect(ImageKind::Jpeg, &file).is_ok());
    }
}
