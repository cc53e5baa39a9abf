//! AVIF (ISOBMFF, ISO/IEC 14496-12 / 23008-12): top-level boxes that must add up to
//! the file exactly. The `meta` box is read whole for its image spatial extents
//! (`ispe`): the largest counts toward the pixel limit.

use super::{be32, header, Format, Problem, Walk, MAX_METADATA_BYTES};

#[derive(Debug, Default)]
pub struct Avif {
    state: State,
    boxes: u32,
}

#[derive(Debug, Default, Clone, Copy)]
enum State {
    #[default]
    Box,
    Copy(u64),
    /// A last box whose size is 0: it runs to the end of the file.
    Rest,
}

const FORMAT: &str = "AVIF";

impl Format for Avif {
    fn name(&self) -> &'static str {
        FORMAT
    }

    fn complete(&self) -> bool {
        matches!(self.state, State::Box | State::Rest) && self.boxes > 0
    }

    fn step(&mut self, walk: &mut Walk) -> Result<bool, Problem> {
        match self.state {
            State::Box => {
                if !walk.has(8) {
                    return Ok(false);
                }
                let kind = [
                    walk.pending[4],
                    walk.pending[5],
                    walk.pending[6],
                    walk.pending[7],
                ];
                if !kind.iter().all(|b| b.is_ascii_alphanumeric() || *b == b' ') {
                    return Err(header(FORMAT, "a box has an invalid type"));
                }
                if self.boxes == 0 && &kind != b"ftyp" {
                    return Err(header(FORMAT, "it does not begin with a file type box"));
                }
                self.boxes += 1;
                let (size, header_len) = match be32(&walk.pending[..4]) {
                    0 => {
                        walk.emit(8);
                        self.state = State::Rest;
                        return Ok(true);
                    }
                    1 => {
                        if !walk.has(16) {
                            return Ok(false);
                        }
                        let large =
                            u64::from_be_bytes(walk.pending[8..16].try_into().unwrap_or_default());
                        (large, 16)
                    }
                    size => (u64::from(size), 8),
                };
                if size < header_len as u64 {
                    return Err(header(FORMAT, "a box has an impossible size"));
                }
                if &kind == b"meta" {
                    if size as usize > MAX_METADATA_BYTES {
                        return Err(header(FORMAT, "the metadata box is too large"));
                    }
                    if !walk.has(size as usize) {
                        return Ok(false);
                    }
                    let meta = walk.take(size as usize);
                    for (width, height) in extents(&meta) {
                        walk.dimensions(width, height)?;
                    }
                    walk.out.extend_from_slice(&meta);
                    return Ok(true);
                }
                walk.emit(header_len);
                self.state = State::Copy(size - header_len as u64);
            }
            State::Copy(left) => {
                let moved = walk.pass(left);
                if moved == 0 && left > 0 {
                    return Ok(false);
                }
                self.state = match left - moved {
                    0 => State::Box,
                    left => State::Copy(left),
                };
            }
            State::Rest => {
                let n = walk.pending.len();
                walk.emit(n);
            }
        }
        Ok(true)
    }
}

/// Every `ispe` property in a `meta` box: its width and height.
fn extents(meta: &[u8]) -> Vec<(u64, u64)> {
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(pos) = meta[at..].windows(4).position(|w| w == b"ispe") {
        let start = at + pos;
        // type, then version and flags (4), width (4), height (4)
        if let Some(values) = meta.get(start + 8..start + 16) {
            found.push((u64::from(be32(&values[..4])), u64::from(be32(&values[4..]))));
        }
        at = start + 4;
    }
    found
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::inspect::tests::inspect;
    use crate::inspect::Problem;
    use crate::sniff::ImageKind;

    fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    /// The boxes of an AVIF that matter here: ftyp, a meta box with one `ispe`,
    /// and the image data.
    pub fn minimal(width: u32, height: u32) -> Vec<u8> {
        let mut ispe = vec![0, 0, 0, 0];
        ispe.extend_from_slice(&width.to_be_bytes());
        ispe.extend_from_slice(&height.to_be_bytes());
        let ipco = boxed(b"ipco", &boxed(b"ispe", &ispe));
        let mut meta = vec![0, 0, 0, 0];
        meta.extend_from_slice(&boxed(b"iprp", &ipco));
        let mut file = boxed(b"ftyp", b"avif\0\0\0\0avifmif1miaf");
        file.extend_from_slice(&boxed(b"meta", &meta));
        file.extend_from_slice(&boxed(b"mdat", &[1, 2, 3, 4, 5]));
        file
    }

    #[test]
    fn the_size_comes_from_the_spatial_extent() {
        let (out, facts) = inspect(ImageKind::Avif, &minimal(640, 480)).unwrap();
        assert_eq!(out, minimal(640, 480));
        assert_eq!((facts.width, facts.height), (640, 480));
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
}
