//! WebP: a RIFF container whose declared size must be exactly the file's. The size
//! comes from VP8X (the canvas), or else the VP8 / VP8L bitstream header. EXIF and
//! XMP chunks are cleaned of places.

use super::{header, le16, le32, location, Format, Problem, Walk, MAX_METADATA_BYTES};

#[derive(Debug, Default)]
pub struct Webp {
    state: State,
    /// Where the RIFF container says the file ends, and how far the walk is.
    end: u64,
    at: u64,
    canvas: bool,
}

#[derive(Debug, Default, Clone, Copy)]
enum State {
    #[default]
    Riff,
    Chunk,
    Copy(u64),
    End,
}

const FORMAT: &str = "WebP";

impl Format for Webp {
    fn name(&self) -> &'static str {
        FORMAT
    }

    fn complete(&self) -> bool {
        matches!(self.state, State::End)
    }

    fn step(&mut self, walk: &mut Walk) -> Result<bool, Problem> {
        match self.state {
            State::Riff => {
                if !walk.has(12) {
                    return Ok(false);
                }
                if &walk.pending[..4] != b"RIFF" || &walk.pending[8..12] != b"WEBP" {
                    return Err(header(FORMAT, "it is not a RIFF WEBP file"));
                }
                self.end = u64::from(le32(&walk.pending[4..8])) + 8;
                self.at = 12;
                walk.emit(12);
                self.state = self.next_chunk();
            }
            State::Chunk => {
                if !walk.has(8) {
                    return Ok(false);
                }
                let fourcc: [u8; 4] = [
                    walk.pending[0],
                    walk.pending[1],
                    walk.pending[2],
                    walk.pending[3],
                ];
                let size = u64::from(le32(&walk.pending[4..8]));
                let padded = size + (size & 1);
                if self.at + 8 + padded > self.end {
                    return Err(header(
                        FORMAT,
                        "a chunk runs past the end the file declares",
                    ));
                }
                let whole = 8 + padded as usize;
                match &fourcc {
                    b"VP8X" | b"VP8 " | b"VP8L" => {
                        let needed = 8 + 10.min(size as usize);
                        if !walk.has(needed) {
                            return Ok(false);
                        }
                        self.dimensions(walk, &fourcc, size)?;
                    }
                    b"EXIF" | b"XMP "
                        if walk.rules.strip_location && whole <= MAX_METADATA_BYTES =>
                    {
                        if !walk.has(whole) {
                            return Ok(false);
                        }
                        let mut chunk = walk.take(whole);
                        let data = &mut chunk[8..8 + size as usize];
                        let removed = if &fourcc == b"EXIF" {
                            location::clean_exif(data)
                        } else {
                            location::clean_xmp(data)
                        };
                        walk.facts.location_removed |= removed;
                        walk.out.extend_from_slice(&chunk);
                        self.at += whole as u64;
                        self.state = self.next_chunk();
                        return Ok(true);
                    }
                    _ => {}
                }
                walk.emit(8);
                self.at += 8;
                self.state = State::Copy(padded);
            }
            State::Copy(left) => {
                let moved = walk.pass(left);
                if moved == 0 && left > 0 {
                    return Ok(false);
                }
                self.at += moved;
                self.state = match left - moved {
                    0 => self.next_chunk(),
                    left => State::Copy(left),
                };
            }
            State::End => return Err(Problem::TrailingData),
        }
        Ok(true)
    }
}

impl Webp {
    fn next_chunk(&self) -> State {
        if self.at >= self.end {
            State::End
        } else {
            State::Chunk
        }
    }

    fn dimensions(&mut self, walk: &mut Walk, fourcc: &[u8; 4], size: u64) -> Result<(), Problem> {
        let data = &walk.pending[8..];
        let (width, height) = match fourcc {
            b"VP8X" if size >= 10 => {
                self.canvas = true;
                let w = u64::from(le32(&[data[4], data[5], data[6], 0])) + 1;
                let h = u64::from(le32(&[data[7], data[8], data[9], 0])) + 1;
                (w, h)
            }
            b"VP8 " if size >= 10 && !self.canvas => {
                if data[3..6] != [0x9D, 0x01, 0x2A] {
                    return Err(header(FORMAT, "the VP8 frame has no start code"));
                }
                (
                    u64::from(le16(&data[6..8]) & 0x3FFF),
                    u64::from(le16(&data[8..10]) & 0x3FFF),
                )
            }
            b"VP8L" if size >= 5 && !self.canvas => {
                if data[0] != 0x2F {
                    return Err(header(FORMAT, "the VP8L bitstream has no signature"));
                }
                let bits = le32(&data[1..5]);
                (
                    u64::from(bits & 0x3FFF) + 1,
                    u64::from((bits >> 14) & 0x3FFF) + 1,
                )
            }
            _ if self.canvas => return Ok(()),
            _ => return Err(header(FORMAT, "the image chunk is too short")),
        };
        if width == 0 || height == 0 {
            return Err(header(FORMAT, "the image is 0 pixels wide or high"));
        }
        walk.dimensions(width, height)
    }
}

#[cfg(test)]
mod tests {
    use crate::inspect::tests::inspect;
    use crate::inspect::Problem;
    use crate::sniff::ImageKind;

    /// A lossless 2×3 WebP, as libwebp writes one (VP8L).
    pub fn lossless() -> Vec<u8> {
        let bits: u32 = (2 - 1) | ((3 - 1) << 14);
        let mut vp8l = vec![0x2F];
        vp8l.extend_from_slice(&bits.to_le_bytes());
        vp8l.extend_from_slice(&[0, 0, 0]); // (bitstream; not decoded here)
        let mut body = b"WEBPVP8L".to_vec();
        body.extend_from_slice(&(vp8l.len() as u32).to_le_bytes());
        body.extend_from_slice(&vp8l);
        let mut file = b"RIFF".to_vec();
        file.extend_from_slice(&(body.len() as u32).to_le_bytes());
        file.extend_from_slice(&body);
        file
    }

    #[test]
    fn the_size_comes_from_the_bitstream_header() {
        let (_, facts) = inspect(ImageKind::Webp, &lossless()).unwrap();
        assert_eq!((facts.width, facts.height), (2, 3));
    }

    #[test]
    fn the_riff_size_must_be_the_file_size() {
        let file = lossless();
        assert_eq!(
            inspect(ImageKind::Webp, &file[..file.len() - 2]).unwrap_err(),
            Problem::Truncated
        );
        let mut longer = file.clone();
        longer.extend_from_slice(b"<script>");
        assert!(inspect(ImageKind::Webp, &longer).is_err());
    }
}
