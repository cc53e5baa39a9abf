//! The items of a HEIF file (ISO/IEC 23008-12: HEIC and AVIF alike), as its `meta`
//! box describes them: what each item is (`iinf`), where its bytes lie (`iloc`:
//! in the file, or in the `meta` box's own `idat`), and its size (`ispe`, through
//! `iprp`/`ipma`). Read from the `meta` box held whole; nothing is decoded.

use std::collections::HashMap;

/// Why a `meta` box could not be read.
pub type Broken = String;

/// One item: a coded image, a grid of them, EXIF, XMP, ...
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Item {
    pub id: u32,
    /// `hvc1`, `av01`, `grid`, `Exif`, `mime`, ...
    pub kind: [u8; 4],
    /// For `mime` items: the content type (`application/rdf+xml` is XMP).
    pub content_type: String,
    /// For `mime` items: how the content is encoded (empty: as it is).
    pub content_encoding: String,
    pub location: Option<Location>,
    /// Its spatial extent (`ispe`), when it has one.
    pub size: Option<(u32, u32)>,
}

impl Item {
    /// An item that can say where the photo was taken.
    pub fn carries_location(&self) -> bool {
        &self.kind == b"Exif" || self.is_xmp()
    }

    /// An item that is an image (coded, or made of others).
    pub fn is_image(&self) -> bool {
        matches!(
            &self.kind,
            b"hvc1" | b"av01" | b"grid" | b"iden" | b"iovl" | b"jpeg"
        )
    }

    pub fn is_grid(&self) -> bool {
        &self.kind == b"grid"
    }

    pub fn is_xmp(&self) -> bool {
        &self.kind == b"mime" && self.content_type.trim() == "application/rdf+xml"
    }
}

/// Where an item's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub method: Method,
    /// Each extent's offset (from the start of the file, or of the `idat` data)
    /// and length, in order; a length of 0 runs to the end.
    pub extents: Vec<(u64, u64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Offsets count from the start of the file.
    File,
    /// Offsets count from the start of the `idat` box's data.
    Idat,
    /// The bytes are made of other items' (construction method 2).
    Items,
}

/// What a `meta` box says.
#[derive(Debug, Default)]
pub struct Meta {
    pub items: Vec<Item>,
    /// Where the `idat` data is inside the `meta` box (offset, length).
    pub idat: Option<(usize, usize)>,
}

/// Reads a `meta` box, header included.
pub fn read(meta: &[u8]) -> Result<Meta, Broken> {
    let header = match meta.get(..4).map(be32) {
        Some(1) => 16,
        _ => 8,
    };
    let (_, body) = full_box_body(meta, header).ok_or("the metadata box is cut short")?;
    let body_at = header + 4;
    let mut kinds: Vec<Item> = Vec::new();
    let mut locations: HashMap<u32, Location> = HashMap::new();
    let mut properties: Vec<Option<(u32, u32)>> = Vec::new();
    let mut associations: Vec<(u32, Vec<u16>)> = Vec::new();
    let mut idat = None;
    for (kind, at, inner) in boxes(body, body_at)? {
        match &kind {
            b"iinf" => kinds = item_infos(inner)?,
            b"iloc" => locations = item_locations(inner)?,
            b"idat" => idat = Some((at, inner.len())),
            b"iprp" => {
                for (kind, _, inner) in boxes(inner, 0)? {
                    match &kind {
                        b"ipco" => properties = property_sizes(inner)?,
                        b"ipma" => associations.extend(property_associations(inner)?),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    let mut items = kinds;
    for item in &mut items {
        item.location = locations.remove(&item.id);
    }
    for (id, indexes) in associations {
        let Some(item) = items.iter_mut().find(|item| item.id == id) else {
            continue;
        };
        for index in indexes {
            // Index 0 means "no property"; the rest count from 1.
            let property = usize::from(index)
                .checked_sub(1)
                .and_then(|at| properties.get(at));
            match property {
                Some(Some(size)) => item.size = Some(*size),
                Some(None) => {}
                None if index == 0 => {}
                None => return Err(format!("item {id} names a property that is not there")),
            }
        }
    }
    Ok(Meta { items, idat })
}

/// A box inside the metadata: its type, where its content begins in the
/// enclosing buffer, and its content.
type Inner<'a> = ([u8; 4], usize, &'a [u8]);

/// The boxes in `bytes` (whose first byte is at `base` in the enclosing buffer).
fn boxes(bytes: &[u8], base: usize) -> Result<Vec<Inner<'_>>, Broken> {
    let mut found = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &bytes[at..];
        if rest.len() < 8 {
            return Err("a box inside the metadata is cut short".into());
        }
        let size32 = be32(&rest[..4]);
        let kind = [rest[4], rest[5], rest[6], rest[7]];
        let (size, header) = match size32 {
            0 => (rest.len() as u64, 8),
            1 => {
                let large = rest
                    .get(8..16)
                    .ok_or("a box inside the metadata is cut short")?;
                (u64::from_be_bytes(large.try_into().unwrap_or_default()), 16)
            }
            size => (u64::from(size), 8),
        };
        if size < header as u64 || size > rest.len() as u64 {
            return Err(format!(
                "a box inside the metadata ({}) has an impossible size",
                String::from_utf8_lossy(&kind)
            ));
        }
        let size = size as usize;
        found.push((kind, base + at + header, &rest[header..size]));
        at += size;
    }
    Ok(found)
}

/// A full box's version and flags, and what follows them.
fn full_box_body(bytes: &[u8], skip: usize) -> Option<((u8, u32), &[u8])> {
    let head = bytes.get(skip..skip + 4)?;
    let flags = u32::from_be_bytes([0, head[1], head[2], head[3]]);
    Some(((head[0], flags), &bytes[skip + 4..]))
}

/// `iinf`: one `infe` per item.
fn item_infos(iinf: &[u8]) -> Result<Vec<Item>, Broken> {
    let ((version, _), body) = full_box_body(iinf, 0).ok_or("the item list is cut short")?;
    let mut reader = Reader(body);
    let count = if version == 0 {
        u32::from(reader.u16()?)
    } else {
        reader.u32()?
    };
    let entries = boxes(reader.0, 0)?;
    if entries.len() != count as usize {
        return Err(format!(
            "the item list says {count} items and holds {}",
            entries.len()
        ));
    }
    let mut items = Vec::with_capacity(entries.len());
    for (kind, _, infe) in entries {
        if &kind != b"infe" {
            return Err("the item list holds something other than items".into());
        }
        let ((version, _), body) = full_box_body(infe, 0).ok_or("an item entry is cut short")?;
        let mut reader = Reader(body);
        let mut item = Item::default();
        match version {
            // Versions 0 and 1 name no item type: nothing here needs them.
            0 | 1 => {
                item.id = u32::from(reader.u16()?);
                items.push(item);
                continue;
            }
            2 => item.id = u32::from(reader.u16()?),
            3 => item.id = reader.u32()?,
            _ => return Err(format!("an item entry of version {version}")),
        }
        let _protection = reader.u16()?;
        item.kind = reader.kind()?;
        let _name = reader.string()?;
        if &item.kind == b"mime" {
            item.content_type = reader.string()?;
            // Optional; absent means none.
            item.content_encoding = reader.string().unwrap_or_default();
        }
        items.push(item);
    }
    let mut ids: Vec<u32> = items.iter().map(|item| item.id).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|pair| pair[0] == pair[1]) {
        return Err("two items have the same number".into());
    }
    Ok(items)
}

/// `iloc`: where each item's bytes are.
fn item_locations(iloc: &[u8]) -> Result<HashMap<u32, Location>, Broken> {
    let ((version, _), body) = full_box_body(iloc, 0).ok_or("the item locations are cut short")?;
    if version > 2 {
        return Err(format!("item locations of version {version}"));
    }
    let mut reader = Reader(body);
    let sizes = reader.u16()?;
    let offset_size = sizes >> 12;
    let length_size = (sizes >> 8) & 0xf;
    let base_offset_size = (sizes >> 4) & 0xf;
    let index_size = if version == 0 { 0 } else { sizes & 0xf };
    let count = if version < 2 {
        u32::from(reader.u16()?)
    } else {
        reader.u32()?
    };
    let mut locations = HashMap::new();
    for _ in 0..count {
        let id = if version < 2 {
            u32::from(reader.u16()?)
        } else {
            reader.u32()?
        };
        let method = if version == 0 {
            Method::File
        } else {
            match reader.u16()? & 0xf {
                0 => Method::File,
                1 => Method::Idat,
                2 => Method::Items,
                other => return Err(format!("item {id} is located by method {other}")),
            }
        };
        let _data_reference = reader.u16()?;
        let base = reader.sized(base_offset_size)?;
        let extent_count = reader.u16()?;
        let mut extents = Vec::with_capacity(usize::from(extent_count));
        for _ in 0..extent_count {
            let _index = reader.sized(index_size)?;
            let offset = reader.sized(offset_size)?;
            let length = reader.sized(length_size)?;
            let offset = base
                .checked_add(offset)
                .ok_or_else(|| format!("item {id} lies past any file"))?;
            extents.push((offset, length));
        }
        if locations.insert(id, Location { method, extents }).is_some() {
            return Err(format!("item {id} is located twice"));
        }
    }
    Ok(locations)
}

/// `ipco`: the properties in order; for each, its spatial extent if it is one.
fn property_sizes(ipco: &[u8]) -> Result<Vec<Option<(u32, u32)>>, Broken> {
    boxes(ipco, 0)?
        .into_iter()
        .map(|(kind, _, body)| {
            if &kind != b"ispe" {
                return Ok(None);
            }
            let (_, body) = full_box_body(body, 0).ok_or("a size property is cut short")?;
            let mut reader = Reader(body);
            Ok(Some((reader.u32()?, reader.u32()?)))
        })
        .collect()
}

/// `ipma`: the properties of each item, by their index in `ipco` (from 1).
fn property_associations(ipma: &[u8]) -> Result<Vec<(u32, Vec<u16>)>, Broken> {
    let ((version, flags), body) =
        full_box_body(ipma, 0).ok_or("the item properties are cut short")?;
    let mut reader = Reader(body);
    let count = reader.u32()?;
    let mut found = Vec::new();
    for _ in 0..count {
        let id = if version < 1 {
            u32::from(reader.u16()?)
        } else {
            reader.u32()?
        };
        let associations = reader.u8()?;
        let mut indexes = Vec::with_capacity(usize::from(associations));
        for _ in 0..associations {
            indexes.push(if flags & 1 == 1 {
                reader.u16()? & 0x7fff
            } else {
                u16::from(reader.u8()? & 0x7f)
            });
        }
        found.push((id, indexes));
    }
    Ok(found)
}

/// The size of the image a `grid` item's data describes (its output width and
/// height), when it reads as one.
pub fn grid_size(data: &[u8]) -> Option<(u32, u32)> {
    let mut reader = Reader(data);
    let _version = reader.u8().ok()?;
    let flags = reader.u8().ok()?;
    let _rows = reader.u8().ok()?;
    let _columns = reader.u8().ok()?;
    if flags & 1 == 1 {
        Some((reader.u32().ok()?, reader.u32().ok()?))
    } else {
        Some((u32::from(reader.u16().ok()?), u32::from(reader.u16().ok()?)))
    }
}

fn be32(bytes: &[u8]) -> u32 {
    u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
}

/// Reads big-endian fields off the front of a box's content.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Broken> {
        if self.0.len() < n {
            return Err("a box inside the metadata ends too soon".into());
        }
        let (taken, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(taken)
    }

    fn u8(&mut self) -> Result<u8, Broken> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, Broken> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, Broken> {
        Ok(be32(self.take(4)?))
    }

    fn kind(&mut self) -> Result<[u8; 4], Broken> {
        let b = self.take(4)?;
        Ok([b[0], b[1], b[2], b[3]])
    }

    /// A field of 0, 4 or 8 bytes, as `iloc` sizes them.
    fn sized(&mut self, size: u16) -> Result<u64, Broken> {
        match size {
            0 => Ok(0),
            4 => Ok(u64::from(self.u32()?)),
            8 => {
                let b = self.take(8)?;
                Ok(u64::from_be_bytes(b.try_into().unwrap_or_default()))
            }
            other => Err(format!("an item location field of {other} bytes")),
        }
    }

    /// A string ended by a zero byte.
    fn string(&mut self) -> Result<String, Broken> {
        let end = self
            .0
            .iter()
            .position(|&b| b == 0)
            .ok_or("a name inside the metadata has no end")?;
        let text = String::from_utf8_lossy(&self.0[..end]).into_owned();
        self.0 = &self.0[end + 1..];
        Ok(text)
    }
}
