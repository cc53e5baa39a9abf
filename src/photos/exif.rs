//! What a photo's EXIF block says that the gallery shows or uses: orientation,
//! when it was taken and by which camera. Never where: location is not read.

use std::io::Cursor;

use image::metadata::Orientation;

/// What the EXIF block says, when there is one (never where the photo was taken).
#[derive(Debug, Default)]
pub struct Exif {
    pub orientation: Option<Orientation>,
    pub taken_at: Option<String>,
    pub camera: Option<String>,
}

impl Exif {
    pub fn read(bytes: &[u8]) -> Exif {
        let Ok(exif) = exif::Reader::new().read_from_container(&mut Cursor::new(bytes)) else {
            return Exif::default();
        };
        let field = |tag| exif.get_field(tag, exif::In::PRIMARY);
        let text = |tag| {
            field(tag).and_then(|f| match &f.value {
                exif::Value::Ascii(parts) => parts
                    .first()
                    .map(|part| String::from_utf8_lossy(part).trim().to_string())
                    .filter(|text| !text.is_empty()),
                _ => None,
            })
        };
        let number = |tag| field(tag).and_then(|f| f.value.get_uint(0));
        let orientation = number(exif::Tag::Orientation)
            .and_then(|value| u8::try_from(value).ok())
            .and_then(Orientation::from_exif);
        // "2024:06:01 14:03:22" as an ISO 8601 local time.
        let taken_at = text(exif::Tag::DateTimeOriginal)
            .or_else(|| text(exif::Tag::DateTime))
            .and_then(|stamp| {
                let (date, time) = stamp.split_once(' ')?;
                Some(format!("{}T{time}", date.replace(':', "-")))
            });
        let camera = match (text(exif::Tag::Make), text(exif::Tag::Model)) {
            (Some(make), Some(model)) if model.starts_with(&make) => Some(model),
            (Some(make), Some(model)) => Some(format!("{make} {model}")),
            (make, model) => make.or(model),
        };
        Exif {
            orientation,
            taken_at,
            camera,
        }
    }
}
