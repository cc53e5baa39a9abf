//! Checking an image as it streams in, and taking location metadata out of it.
//! Each format is walked structure by structure (JPEG segments, PNG and WebP
//! chunks, GIF blocks, ISOBMFF boxes) without decoding a pixel: the header gives
//! the width and height (too many pixels is a decompression bomb), the walk must
//! end exactly where the format says the image ends (shorter is truncated; longer
//! hides another file, a polyglot), and the first bytes must hold no markup a
//! browser could take for a page. Metadata that can carry a location (EXIF GPS,
//! XMP and IPTC places) is blanked in place, so every offset stays valid.
//!
//! Only metadata segments are held whole (at most [`MAX_METADATA_BYTES`]); image
//! data passes straight through.

mod gif;
mod isobmff;
mod items;
mod jpeg;
pub mod location;
mod png;
mod webp;

use bytes::{Bytes, BytesMut};

use crate::sizes::megapixels;
use crate::sniff::ImageKind;

/// The largest metadata segment held in memory to be cleaned.
pub const MAX_METADATA_BYTES: usize = 8 * 1024 * 1024;
/// How far into a file markup is looked for.
const MARKUP_WINDOW: usize = 1024;

/// Why an image was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("its {format} header could not be read: {reason}")]
    Header {
        format: &'static str,
        reason: String,
    },
    #[error("it ends before the image does (the file is truncated)")]
    Truncated,
    #[error("more bytes follow the end of the image: a file hidden behind an image is refused")]
    TrailingData,
    #[error("it contains markup ({marker}): a file that is also a web page is refused")]
    Markup { marker: &'static str },
    #[error("it is {width} × {height} pixels ({} megapixels); the limit is {} megapixels", megapixels(*.width * *.height), .limit / 1_000_000)]
    TooManyPixels { width: u64, height: u64, limit: u64 },
}

/// What the walk learned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    pub width: u64,
    pub height: u64,
    /// Whether location metadata was found and blanked.
    pub location_removed: bool,
}

/// What the walk enforces and changes.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub max_pixels: u64,
    pub strip_location: bool,
}

/// State shared by every format's walker.
struct Walk {
    rules: Rules,
    facts: Facts,
    /// Bytes received and not yet handled.
    pending: BytesMut,
    /// Bytes handled and ready to be stored.
    out: BytesMut,
}

impl Walk {
    /// Records a frame's size, refusing one with too many pixels.
    fn dimensions(&mut self, width: u64, height: u64) -> Result<(), Problem> {
        if width.saturating_mul(height) > self.rules.max_pixels {
            return Err(Problem::TooManyPixels {
                width,
                height,
                limit: self.rules.max_pixels,
            });
        }
        if self.facts.width == 0 || width * height > self.facts.width * self.facts.height {
            self.facts.width = width;
            self.facts.height = height;
        }
        Ok(())
    }

    /// Moves up to `n` pending bytes to the output; how many it moved.
    fn pass(&mut self, n: u64) -> u64 {
        let k = (self.pending.len() as u64).min(n) as usize;
        let bytes = self.pending.split_to(k);
        self.out.extend_from_slice(&bytes);
        k as u64
    }

    /// Moves exactly `n` pending bytes to the output (the caller checked they are there).
    fn emit(&mut self, n: usize) {
        let bytes = self.pending.split_to(n);
        self.out.extend_from_slice(&bytes);
    }

    /// Takes exactly `n` pending bytes out, to be looked at or changed.
    fn take(&mut self, n: usize) -> BytesMut {
        self.pending.split_to(n)
    }

    fn has(&self, n: usize) -> bool {
        self.pending.len() >= n
    }
}

/// One format's walker: takes what it can from `walk.pending`; `Ok(false)` when it
/// needs more bytes.
trait Format: Send {
    fn step(&mut self, walk: &mut Walk) -> Result<bool, Problem>;
    /// Whether the image has ended where the format says it ends.
    fn complete(&self) -> bool;
    /// Why the file cannot end where it did (when `complete` says it cannot).
    fn ending_problem(&self) -> Problem {
        Problem::Truncated
    }
    /// Whether the header gave the dimensions.
    fn found_dimensions(&self, facts: &Facts) -> bool {
        facts.width > 0 && facts.height > 0
    }
    fn name(&self) -> &'static str;
}

/// Checks (and cleans) one file as its bytes arrive.
pub struct Inspector {
    format: Box<dyn Format>,
    walk: Walk,
    seen: u64,
    window: Vec<u8>,
}

impl Inspector {
    pub fn new(kind: ImageKind, rules: Rules) -> Self {
        let format: Box<dyn Format> = match kind {
            ImageKind::Jpeg => Box::new(jpeg::Jpeg::default()),
            ImageKind::Png => Box::new(png::Png::default()),
            ImageKind::Gif => Box::new(gif::Gif::default()),
            ImageKind::Webp => Box::new(webp::Webp::default()),
            ImageKind::Avif => Box::new(isobmff::Heif::new("AVIF")),
            ImageKind::Heic => Box::new(isobmff::Heif::new("HEIC")),
        };
        Inspector {
            format,
            walk: Walk {
                rules,
                facts: Facts::default(),
                pending: BytesMut::new(),
                out: BytesMut::new(),
            },
            seen: 0,
            window: Vec::new(),
        }
    }

    /// Takes the next bytes of the file; gives back those ready to be stored.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Bytes, Problem> {
        self.seen += bytes.len() as u64;
        if self.window.len() < MARKUP_WINDOW {
            let room = MARKUP_WINDOW - self.window.len();
            self.window
                .extend_from_slice(&bytes[..bytes.len().min(room)]);
            markup(&self.window)?;
        }
        self.walk.pending.extend_from_slice(bytes);
        while !self.walk.pending.is_empty() && self.format.step(&mut self.walk)? {}
        Ok(self.walk.out.split().freeze())
    }

    /// The file has ended: checks that the image did too, and gives back what is
    /// left to store and what was learned.
    pub fn finish(mut self) -> Result<(Bytes, Facts), Problem> {
        while !self.walk.pending.is_empty() && self.format.step(&mut self.walk)? {}
        if !self.walk.pending.is_empty() {
            return Err(Problem::Truncated);
        }
        if !self.format.complete() {
            return Err(self.format.ending_problem());
        }
        if !self.format.found_dimensions(&self.walk.facts) {
            return Err(Problem::Header {
                format: self.format.name(),
                reason: "it gives no width and height".into(),
            });
        }
        Ok((self.walk.out.split().freeze(), self.walk.facts))
    }

    /// Bytes seen so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }
}

/// Markup a browser could run or render as a page, looked for near the start.
fn markup(window: &[u8]) -> Result<(), Problem> {
    const MARKERS: [&str; 9] = [
        "<script",
        "<html",
        "<body",
        "<iframe",
        "<svg",
        "<!doctype html",
        "<object",
        "<embed",
        "javascript:",
    ];
    let lower: Vec<u8> = window.iter().map(u8::to_ascii_lowercase).collect();
    for marker in MARKERS {
        if lower
            .windows(marker.len())
            .any(|candidate| candidate == marker.as_bytes())
        {
            return Err(Problem::Markup { marker });
        }
    }
    Ok(())
}

fn header(format: &'static str, reason: impl Into<String>) -> Problem {
    Problem::Header {
        format,
        reason: reason.into(),
    }
}

fn be16(bytes: &[u8]) -> u16 {
    u16::from_be_bytes([bytes[0], bytes[1]])
}

fn be32(bytes: &[u8]) -> u32 {
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

fn le16(bytes: &[u8]) -> u16 {
    u16::from_le_bytes([bytes[0], bytes[1]])
}

fn le32(bytes: &[u8]) -> u32 {
    u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn rules() -> Rules {
        Rules {
            max_pixels: 50_000_000,
            strip_location: true,
        }
    }

    /// Feeds a file in small pieces, as a network would, and finishes.
    pub fn inspect(kind: ImageKind, file: &[u8]) -> Result<(Vec<u8>, Facts), Problem> {
        let mut inspector = Inspector::new(kind, rules());
        let mut out = Vec::new();
        for piece in file.chunks(7) {
            out.extend_from_slice(&inspector.feed(piece)?);
        }
        let (rest, facts) = inspector.finish()?;
        out.extend_from_slice(&rest);
        Ok((out, facts))
    }

    #[test]
    fn markup_near_the_start_is_found_in_any_case() {
        assert_eq!(
            markup(b"GIF89a<ScRiPt>alert(1)</script>"),
            Err(Problem::Markup { marker: "<script" })
        );
        assert!(markup(b"\x89PNG\r\n\x1a\n plain bytes").is_ok());
    }
}
