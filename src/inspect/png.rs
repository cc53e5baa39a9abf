//! PNG (ISO/IEC 15948): the signature, then chunks from IHDR (the size) to IEND.
//! eXIf (EXIF) and iTXt with XMP are cleaned of places, and their CRC made anew.

use super::{be32, header, location, Format, Problem, Walk, MAX_METADATA_BYTES};

#[derive(Debug, Default)]
pub struct Png {
    state: State,
}

#[derive(Debug, Default, Clone, Copy)]
enum State {
    #[default]
    Signature,
    FirstChunk,
    Chunk,
    Copy(u64),
    End,
}

const FORMAT: &str = "PNG";
const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

impl Format for Png {
    fn name(&self) -> &'static str {
        FORMAT
    }

    fn complete(&self) -> bool {
        matches!(self.state, State::End)
    }

    fn step(&mut self, walk: &mut Walk) -> Result<bool, Problem> {
        match self.state {
            State::Signature => {
                if !walk.has(8) {
                    return Ok(false);
                }
                if &walk.pending[..8] != SIGNATURE {
                    return Err(header(FORMAT, "the signature is wrong"));
                }
                walk.emit(8);
                self.state = State::FirstChunk;
            }
            State::FirstChunk => {
                if !walk.has(8 + 13 + 4) {
                    return Ok(false);
                }
                if &walk.pending[4..8] != b"IHDR" || be32(&walk.pending[..4]) != 13 {
                    return Err(header(
                        FORMAT,
                        "it does not begin with an image header (IHDR)",
                    ));
                }
                let width = u64::from(be32(&walk.pending[8..12]));
                let height = u64::from(be32(&walk.pending[12..16]));
                if width == 0 || height == 0 {
                    return Err(header(FORMAT, "the image is 0 pixels wide or high"));
                }
                walk.dimensions(width, height)?;
                walk.emit(25);
                self.state = State::Chunk;
            }
            State::Chunk => {
                if !walk.has(8) {
                    return Ok(false);
                }
                let length = be32(&walk.pending[..4]);
                if length > i32::MAX as u32 {
                    return Err(header(FORMAT, "a chunk has an impossible length"));
                }
                let kind: [u8; 4] = [
                    walk.pending[4],
                    walk.pending[5],
                    walk.pending[6],
                    walk.pending[7],
                ];
                if !kind.iter().all(u8::is_ascii_alphabetic) {
                    return Err(header(FORMAT, "a chunk has an invalid type"));
                }
                let whole = 12 + length as usize;
                if &kind == b"IEND" {
                    if !walk.has(whole) {
                        return Ok(false);
                    }
                    walk.emit(whole);
                    self.state = State::End;
                    return Ok(true);
                }
                let metadata = matches!(&kind, b"eXIf" | b"iTXt");
                if walk.rules.strip_location && metadata && whole <= MAX_METADATA_BYTES {
                    if !walk.has(whole) {
                        return Ok(false);
                    }
                    let mut chunk = walk.take(whole);
                    let data_end = 8 + length as usize;
                    let removed = if &kind == b"eXIf" {
                        location::clean_tiff(&mut chunk[8..data_end])
                    } else {
                        clean_itxt(&mut chunk[8..data_end])
                    };
                    if removed {
                        let crc = crc32fast::hash(&chunk[4..data_end]);
                        chunk[data_end..].copy_from_slice(&crc.to_be_bytes());
                        walk.facts.location_removed = true;
                    }
                    walk.out.extend_from_slice(&chunk);
                    return Ok(true);
                }
                walk.emit(8);
                self.state = State::Copy(u64::from(length) + 4);
            }
            State::Copy(left) => {
                let moved = walk.pass(left);
                if moved == 0 {
                    return Ok(false);
                }
                self.state = match left - moved {
                    0 => State::Chunk,
                    left => State::Copy(left),
                };
            }
            State::End => return Err(Problem::TrailingData),
        }
        Ok(true)
    }
}

/// iTXt: keyword, NUL, compression flag, method, language, NUL, translated
/// keyword, NUL, text. Only uncompressed XMP is cleaned.
fn clean_itxt(data: &mut [u8]) -> bool {
    let Some(keyword_end) = data.iter().position(|&b| b == 0) else {
        return false;
    };
    if &data[..keyword_end] != b"XML:com.adobe.xmp" || data.get(keyword_end + 1) != Some(&0) {
        return false;
    }
    let mut at = keyword_end + 3;
    for _ in 0..2 {
        match data
            .get(at..)
            .and_then(|rest| rest.iter().position(|&b| b == 0))
        {
            Some(end) => at += end + 1,
            None => return false,
        }
    }
    data.get_mut(at..).is_some_and(location::clean_xmp)
}

#[cfg(test)]
mod tests {
    use crate::inspect::tests::inspect;
    use crate::inspect::Problem;
    use crate::sniff::ImageKind;

    pub fn encoded(width: u32, height: u32) -> Vec<u8> {
        let image =
            image::RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 7]));
        let mut out = std::io::Cursor::new(Vec::new());
        image.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn a_real_png_passes_unchanged_with_its_size() {
        let file = encoded(17, 9);
        let (out, facts) = inspect(ImageKind::Png, &file).unwrap();
        assert_eq!(out, file);
        assert_eq!((facts.width, facts.height), (17, 9));
    }

    #[test]
    fn a_cut_png_is_truncated_and_a_longer_one_hides_something() {
        let file = encoded(17, 9);
        assert_eq!(
            inspect(ImageKind::Png, &file[..file.len() - 5]).unwrap_err(),
            Problem::Truncated
        );
        let mut longer = file.clone();
        longer.extend_from_slice(b"PK\x03\x04zip");
        assert_eq!(
            inspect(ImageKind::Png, &longer).unwrap_err(),
            Problem::TrailingData
        );
    }

    #[test]
    fn a_header_claiming_a_huge_image_is_refused_before_any_pixel() {
        let mut file = encoded(1, 1);
        file[16..20].copy_from_slice(&100_000u32.to_be_bytes()); // width
        file[20..24].copy_from_slice(&100_000u32.to_be_bytes()); // height
        assert!(matches!(
            inspect(ImageKind::Png, &file).unwrap_err(),
            Problem::TooManyPixels { .. }
        ));
    }
}
