//! GIF (87a, 89a): the logical screen (the size), colour tables, then image and
//! extension blocks of sub-blocks, up to the trailer. Every frame's size counts
//! toward the pixel limit. GIF keeps no location.

use super::{header, le16, Format, Problem, Walk};

#[derive(Debug, Default)]
pub struct Gif {
    state: State,
}

#[derive(Debug, Default, Clone, Copy)]
enum State {
    #[default]
    Screen,
    Block,
    CodeSize,
    SubBlocks,
    /// Bytes still to pass, then the state to go on with.
    Copy(u64, Then),
    End,
}

#[derive(Debug, Clone, Copy)]
enum Then {
    Block,
    CodeSize,
    SubBlocks,
}

const FORMAT: &str = "GIF";

fn color_table(packed: u8) -> u64 {
    if packed & 0x80 == 0 {
        0
    } else {
        3 << ((packed & 0x07) + 1)
    }
}

impl Format for Gif {
    fn name(&self) -> &'static str {
        FORMAT
    }

    fn complete(&self) -> bool {
        matches!(self.state, State::End)
    }

    fn step(&mut self, walk: &mut Walk) -> Result<bool, Problem> {
        match self.state {
            State::Screen => {
                if !walk.has(13) {
                    return Ok(false);
                }
                if !matches!(&walk.pending[..6], b"GIF87a" | b"GIF89a") {
                    return Err(header(FORMAT, "the signature is wrong"));
                }
                let width = u64::from(le16(&walk.pending[6..8]));
                let height = u64::from(le16(&walk.pending[8..10]));
                if width == 0 || height == 0 {
                    return Err(header(FORMAT, "the screen is 0 pixels wide or high"));
                }
                walk.dimensions(width, height)?;
                let table = color_table(walk.pending[10]);
                walk.emit(13);
                self.state = State::Copy(table, Then::Block);
            }
            State::Block => {
                if !walk.has(1) {
                    return Ok(false);
                }
                match walk.pending[0] {
                    0x2C => {
                        if !walk.has(10) {
                            return Ok(false);
                        }
                        let width = u64::from(le16(&walk.pending[5..7]));
                        let height = u64::from(le16(&walk.pending[7..9]));
                        walk.dimensions(width.max(1), height.max(1))?;
                        let table = color_table(walk.pending[9]);
                        walk.emit(10);
                        self.state = State::Copy(table, Then::CodeSize);
                    }
                    0x21 => {
                        if !walk.has(2) {
                            return Ok(false);
                        }
                        walk.emit(2);
                        self.state = State::SubBlocks;
                    }
                    0x3B => {
                        walk.emit(1);
                        self.state = State::End;
                    }
                    other => {
                        return Err(header(FORMAT, format!("an unknown block (0x{other:02x})")));
                    }
                }
            }
            State::CodeSize => {
                if !walk.has(1) {
                    return Ok(false);
                }
                walk.emit(1);
                self.state = State::SubBlocks;
            }
            State::SubBlocks => {
                if !walk.has(1) {
                    return Ok(false);
                }
                let size = u64::from(walk.pending[0]);
                walk.emit(1);
                self.state = if size == 0 {
                    State::Block
                } else {
                    State::Copy(size, Then::SubBlocks)
                };
            }
            State::Copy(left, then) => {
                if left > 0 {
                    let moved = walk.pass(left);
                    if moved == 0 {
                        return Ok(false);
                    }
                    if moved < left {
                        self.state = State::Copy(left - moved, then);
                        return Ok(true);
                    }
                }
                self.state = match then {
                    Then::Block => State::Block,
                    Then::CodeSize => State::CodeSize,
                    Then::SubBlocks => State::SubBlocks,
                };
            }
            State::End => return Err(Problem::TrailingData),
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use crate::inspect::tests::inspect;
    use crate::inspect::Problem;
    use crate::sniff::ImageKind;

    /// A 1×1 GIF, the smallest real one.
    pub const ONE_PIXEL: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff\x21\xf9\x04\x01\x00\x00\x00\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b";

    #[test]
    fn a_real_gif_passes_with_its_size() {
        let (out, facts) = inspect(ImageKind::Gif, ONE_PIXEL).unwrap();
        assert_eq!(out, ONE_PIXEL);
        assert_eq!((facts.width, facts.height), (1, 1));
    }

    #[test]
    fn a_gif_with_a_script_after_its_trailer_is_refused() {
        let mut file = ONE_PIXEL.to_vec();
        file.extend_from_slice(b"*/=1;alert(document.domain);");
        assert!(matches!(
            inspect(ImageKind::Gif, &file).unwrap_err(),
            Problem::TrailingData
        ));
        assert_eq!(
            inspect(ImageKind::Gif, &ONE_PIXEL[..30]).unwrap_err(),
            Problem::Truncated
        );
    }
}
