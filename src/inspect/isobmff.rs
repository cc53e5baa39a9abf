//! HEIF files, AVIF and HEIC alike (ISOBMFF, ISO/IEC 14496-12 / 23008-12): top-level
//! boxes that must add up to the file exactly. The `meta` box is read whole
//! (`items`): every image item's size (`ispe`, and a grid's own output size)
//! counts toward the pixel limit, every item must lie inside the file, and the
//! items that can carry a location (EXIF, XMP) are cleaned in place as their
//! bytes stream past (or inside `meta`, when they are kept in its `idat`).

use super::items::{self, Item, Method};
use super::location;
use super::{be32, header, Format, Problem, Walk, MAX_METADATA_BYTES};

/// A HEIF file's walker; `name` is the format it is (AVIF or HEIC).
#[derive(Debug)]
pub struct Heif {
    name: &'static str,
    state: State,
    boxes: u32,
    /// Where the next pending byte is in the file.
    offset: u64,
    /// Items in the file whose bytes are held as they pass, to be cleaned or
    /// checked, by where they begin.
    holds: Vec<Hold>,
    /// Where the furthest item ends (it must be inside the file).
    items_end: u64,
    seen_meta: bool,
}

#[derive(Debug, Default, Clone, Copy)]
enum State {
    #[default]
    Box,
    Copy(u64),
    /// A last box whose size is 0: it runs to the end of the file.
    Rest,
}

/// One item's bytes, held whole as they pass.
#[derive(Debug)]
struct Hold {
    item: Item,
    /// From the start of its first extent to the end of its last.
    start: u64,
    end: u64,
}

impl Heif {
    pub fn new(name: &'static str) -> Self {
        Heif {
            name,
            state: State::Box,
            boxes: 0,
            offset: 0,
            holds: Vec::new(),
            items_end: 0,
            seen_meta: false,
        }
    }

    fn broken(&self, reason: impl Into<String>) -> Problem {
        header(self.name, reason)
    }

    /// Reads the `meta` box, checks its items, cleans what it holds itself, and
    /// notes which items to hold as the rest of the file passes.
    fn meta(&mut self, walk: &mut Walk, meta: &mut [u8]) -> Result<(), Problem> {
        if self.seen_meta {
            return Err(self.broken("it has two metadata boxes"));
        }
        self.seen_meta = true;
        let after_meta = self.offset + meta.len() as u64;
        let read = items::read(meta).map_err(|reason| self.broken(reason))?;
        for item in &read.items {
            if item.is_image() {
                let (width, height) = item
                    .size
                    .ok_or_else(|| self.broken(format!("image item {} gives no size", item.id)))?;
                walk.dimensions(u64::from(width), u64::from(height))?;
            }
        }
        for item in read.items {
            let Some(location) = &item.location else {
                if item.carries_location() || item.is_grid() {
                    return Err(self.broken(format!("item {} says not where it is", item.id)));
                }
                continue;
            };
            let wanted = (item.carries_location() && walk.rules.strip_location) || item.is_grid();
            match location.method {
                Method::Idat => {
                    let (at, len) = read.idat.ok_or_else(|| {
                        self.broken(format!("item {} is in a data box there is not", item.id))
                    })?;
                    let idat = &mut meta[at..at + len];
                    let mut data = gather(idat, 0, &location.extents).ok_or_else(|| {
                        self.broken(format!("item {} lies outside its data box", item.id))
                    })?;
                    if wanted {
                        self.use_item(walk, &item, &mut data)?;
                        scatter(idat, 0, &location.extents, &data);
                    }
                }
                Method::File => {
                    for &(offset, length) in &location.extents {
                        let end = offset.saturating_add(length.max(1));
                        self.items_end = self.items_end.max(end);
                    }
                    if !wanted {
                        continue;
                    }
                    if location.extents.iter().any(|&(_, length)| length == 0) {
                        return Err(self.broken(format!("item {} has no length", item.id)));
                    }
                    let start = location.extents.iter().map(|e| e.0).min().unwrap_or(0);
                    let end = location
                        .extents
                        .iter()
                        .map(|&(offset, length)| offset.saturating_add(length))
                        .max()
                        .unwrap_or(0);
                    if start < after_meta {
                        return Err(self.broken(format!(
                            "item {} ({}) lies before the box that says where it is, so it cannot be {} as the file streams in",
                            item.id,
                            String::from_utf8_lossy(&item.kind),
                            if item.is_grid() { "checked" } else { "cleaned of a location" }
                        )));
                    }
                    if end - start > MAX_METADATA_BYTES as u64 {
                        return Err(self.broken(format!("item {} is too large", item.id)));
                    }
                    self.holds.push(Hold { item, start, end });
                }
                Method::Items if item.carries_location() && walk.rules.strip_location => {
                    return Err(self.broken(format!(
                        "item {} is built from other items, so a location in it cannot be taken out",
                        item.id
                    )));
                }
                Method::Items if item.is_grid() => {
                    return Err(
                        self.broken(format!("grid item {} is built from other items", item.id))
                    );
                }
                Method::Items => {}
            }
        }
        self.holds.sort_by_key(|hold| hold.start);
        if self
            .holds
            .windows(2)
            .any(|pair| pair[1].start < pair[0].end)
        {
            return Err(self.broken("two metadata items overlap"));
        }
        Ok(())
    }

    /// Cleans an item that may carry a location, or checks a grid's size.
    fn use_item(&self, walk: &mut Walk, item: &Item, data: &mut [u8]) -> Result<(), Problem> {
        if item.is_grid() {
            let (width, height) = items::grid_size(data)
                .ok_or_else(|| self.broken(format!("grid item {} does not read", item.id)))?;
            return walk.dimensions(u64::from(width), u64::from(height));
        }
        let removed = if &item.kind == b"Exif" {
            clean_exif_item(data)
        } else if item.content_encoding.trim().is_empty() {
            location::clean_xmp(data)
        } else {
            // Compressed XMP cannot be read here: none of it is kept.
            blank(data)
        };
        walk.facts.location_removed |= removed;
        Ok(())
    }
}

/// EXIF as HEIF stores it: the length of a header to skip (usually `Exif\0\0`),
/// then TIFF. What cannot be followed is blanked whole.
fn clean_exif_item(data: &mut [u8]) -> bool {
    let skip = data.get(..4).map(|b| be32(b) as usize);
    match skip.and_then(|skip| data.get_mut(4 + skip..)) {
        Some(tiff) if !tiff.is_empty() => location::clean_tiff(tiff),
        _ => blank(data),
    }
}

fn blank(data: &mut [u8]) -> bool {
    let had = data.iter().any(|&b| b != 0);
    data.fill(0);
    had
}

/// An item's bytes, from its extents in `bytes` (which begins at `base`).
fn gather(bytes: &[u8], base: u64, extents: &[(u64, u64)]) -> Option<Vec<u8>> {
    let mut data = Vec::new();
    for &(offset, length) in extents {
        let from = usize::try_from(offset.checked_sub(base)?).ok()?;
        let to = if length == 0 {
            bytes.len()
        } else {
            from.checked_add(usize::try_from(length).ok()?)?
        };
        data.extend_from_slice(bytes.get(from..to)?);
    }
    Some(data)
}

/// Puts an item's bytes back where [`gather`] took them from.
fn scatter(bytes: &mut [u8], base: u64, extents: &[(u64, u64)], data: &[u8]) {
    let mut taken = 0;
    for &(offset, length) in extents {
        let from = (offset - base) as usize;
        let length = if length == 0 {
            bytes.len() - from
        } else {
            length as usize
        };
        bytes[from..from + length].copy_from_slice(&data[taken..taken + length]);
        taken += length;
    }
}

impl Format for Heif {
    fn name(&self) -> &'static str {
        self.name
    }

    fn complete(&self) -> bool {
        matches!(self.state, State::Box | State::Rest)
            && self.boxes > 0
            && self.holds.is_empty()
            && self.items_end <= self.offset
    }

    fn ending_problem(&self) -> Problem {
        if matches!(self.state, State::Box | State::Rest) && self.boxes > 0 {
            return self.broken("an item lies past the end of the file");
        }
        Problem::Truncated
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
                    return Err(self.broken("a box has an invalid type"));
                }
                if self.boxes == 0 && &kind != b"ftyp" {
                    return Err(self.broken("it does not begin with a file type box"));
                }
                self.boxes += 1;
                let (size, header_len) = match be32(&walk.pending[..4]) {
                    0 => (None, 8),
                    1 => {
                        if !walk.has(16) {
                            return Ok(false);
                        }
                        let large =
                            u64::from_be_bytes(walk.pending[8..16].try_into().unwrap_or_default());
                        (Some(large), 16)
                    }
                    size => (Some(u64::from(size)), 8),
                };
                if self
                    .holds
                    .first()
                    .is_some_and(|hold| hold.start < self.offset + header_len as u64)
                {
                    return Err(self.broken("a metadata item lies across a box's header"));
                }
                let Some(size) = size else {
                    walk.emit(8);
                    self.offset += 8;
                    self.state = State::Rest;
                    return Ok(true);
                };
                if size < header_len as u64 {
                    return Err(self.broken("a box has an impossible size"));
                }
                if &kind == b"meta" {
                    if size as usize > MAX_METADATA_BYTES {
                        return Err(self.broken("the metadata box is too large"));
                    }
                    if !walk.has(size as usize) {
                        return Ok(false);
                    }
                    let mut meta = walk.take(size as usize);
                    self.meta(walk, &mut meta)?;
                    self.offset += size;
                    walk.out.extend_from_slice(&meta);
                    return Ok(true);
                }
                walk.emit(header_len);
                self.offset += header_len as u64;
                self.state = State::Copy(size - header_len as u64);
            }
            State::Copy(_) | State::Rest if self.next_hold_within() => return self.hold(walk),
            State::Copy(left) => {
                let moved = walk.pass(left);
                if moved == 0 && left > 0 {
                    return Ok(false);
                }
                self.offset += moved;
                self.state = self.after(left, moved);
            }
            State::Rest => {
                let n = walk.pending.len();
                walk.emit(n);
                self.offset += n as u64;
            }
        }
        Ok(true)
    }
}

impl Heif {
    /// The bytes left in the box being passed (all the rest, in a last box).
    fn left(&self) -> u64 {
        match self.state {
            State::Copy(left) => left,
            _ => u64::MAX,
        }
    }

    /// Whether the next held item begins in the box being passed.
    fn next_hold_within(&self) -> bool {
        let end = self.offset.saturating_add(self.left());
        self.holds.first().is_some_and(|hold| hold.start < end)
    }

    /// Passes the box's bytes up to the next held item, then holds the item
    /// whole, cleans or checks it, and passes it on.
    fn hold(&mut self, walk: &mut Walk) -> Result<bool, Problem> {
        let left = self.left();
        let (start, end) = (self.holds[0].start, self.holds[0].end);
        if start > self.offset {
            let moved = walk.pass(start - self.offset);
            self.offset += moved;
            self.state = self.after(left, moved);
            return Ok(moved > 0);
        }
        if end - start > left {
            return Err(self.broken("a metadata item lies across the end of its box"));
        }
        let span = (end - start) as usize;
        if !walk.has(span) {
            return Ok(false);
        }
        let Hold { mut item, .. } = self.holds.remove(0);
        let extents = item
            .location
            .take()
            .map(|location| location.extents)
            .unwrap_or_default();
        let mut bytes = walk.take(span);
        let mut data = gather(&bytes, start, &extents)
            .ok_or_else(|| self.broken(format!("item {} does not read", item.id)))?;
        self.use_item(walk, &item, &mut data)?;
        scatter(&mut bytes, start, &extents, &data);
        walk.out.extend_from_slice(&bytes);
        self.offset += span as u64;
        self.state = self.after(left, span as u64);
        Ok(true)
    }

    /// The state after `moved` of the `left` bytes of a box have passed.
    fn after(&self, left: u64, moved: u64) -> State {
        match self.state {
            State::Rest => State::Rest,
            _ => match left - moved {
                0 => State::Box,
                left => State::Copy(left),
            },
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
