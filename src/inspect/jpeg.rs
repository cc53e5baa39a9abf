//! JPEG (ITU T.81): segments from SOI to EOI. A frame header (SOFn) gives the size;
//! APP1 (EXIF, XMP) and APP13 (IPTC) are cleaned of places. Phones append further
//! JPEGs after the first EOI (MPF: depth maps, gain maps): each is walked the same
//! way; anything else after EOI is refused.

use super::{be16, header, location, Format, Problem, Walk};

#[derive(Debug, Default)]
pub struct Jpeg {
    state: State,
    /// A complete image has been walked (at least one EOI seen).
    ended: bool,
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
        self.ended && matches!(self.state, State::End)
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
                    return Err(Problem::TrailingData);
                }
            }
        }
        Ok(true)
    }
}

impl Jpeg {
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
        let cleaned = walk.rules.strip_location && matches!(marker, 0xE1 | 0xED);
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
                let removed = match marker {
                    0xE1 => location::clean_app1(payload),
                    _ => location::clean_app13(payload),
                };
                walk.facts.location_removed |= removed;
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
