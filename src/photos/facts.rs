//! A photo's facts as kept in the bucket (`facts.json` beside its copies): what
//! was made and learned from one version of it, and how the API shows that.

use base64::Engine;
use serde::{Deserialize, Serialize};

use super::decode::fitted_size;
use super::render::{RenderError, Rendered};
use crate::api::{links, PhotoFacts, Thumbnail};
use crate::names::ObjectName;

/// The facts of one version of a photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// The version of the original they describe.
    pub version: String,
    /// The name to show: as uploaded, or the key's last segment.
    pub name: String,
    /// Upright size; 0 × 0 when the photo could not be read.
    pub width: u32,
    pub height: u32,
    /// The ThumbHash, base64.
    pub thumbhash: String,
    /// The placeholder as a `data:` URL, made once from the ThumbHash (left out
    /// where facts are kept by the thousand: see [`Facts::with_placeholder`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub placeholder: String,
    /// The copies made, smallest first.
    pub copies: Vec<CopyFacts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camera: Option<String>,
    #[serde(default)]
    pub animated: bool,
    /// Why no copies could be made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The SHA-256 of the original's bytes (hex), to forget its content marker
    /// when it is deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// One copy that was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyFacts {
    pub edge: u32,
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
}

impl Facts {
    /// The facts of what [`super::render::render`] made.
    pub fn rendered(version: String, name: String, rendered: &Rendered) -> Facts {
        Facts {
            version,
            name,
            width: rendered.width,
            height: rendered.height,
            thumbhash: base64::engine::general_purpose::STANDARD.encode(&rendered.placeholder),
            placeholder: placeholder_url(&rendered.placeholder).unwrap_or_default(),
            copies: rendered
                .copies
                .iter()
                .map(|copy| CopyFacts {
                    edge: copy.edge,
                    width: copy.width,
                    height: copy.height,
                    bytes: copy.webp.len() as u64,
                })
                .collect(),
            taken_at: rendered.taken_at.clone(),
            camera: rendered.camera.clone(),
            animated: rendered.animated,
            problem: None,
            sha256: None,
        }
    }

    /// The facts of a photo no copy could be made of, and why.
    pub fn refused(version: String, name: String, why: &RenderError) -> Facts {
        Facts {
            version,
            name,
            width: 0,
            height: 0,
            thumbhash: String::new(),
            placeholder: String::new(),
            copies: Vec::new(),
            taken_at: None,
            camera: None,
            animated: false,
            problem: Some(why.to_string()),
            sha256: None,
        }
    }

    /// Without the placeholder, which is most of their size and is drawn again
    /// from the ThumbHash ([`Facts::with_placeholder`]).
    pub fn without_placeholder(self) -> Facts {
        Facts {
            placeholder: String::new(),
            ..self
        }
    }

    /// With the placeholder drawn from the ThumbHash when it was left out.
    pub fn with_placeholder(self) -> Facts {
        if !self.placeholder.is_empty() || self.thumbhash.is_empty() {
            return self;
        }
        let drawn = base64::engine::general_purpose::STANDARD
            .decode(&self.thumbhash)
            .ok()
            .and_then(|thumbhash| placeholder_url(&thumbhash));
        Facts {
            placeholder: drawn.unwrap_or_default(),
            ..self
        }
    }

    /// How the API shows them, for the photo `name`.
    pub fn show(&self, name: &ObjectName) -> PhotoFacts {
        PhotoFacts {
            width: self.width,
            height: self.height,
            placeholder: self.placeholder.clone(),
            thumbnails: self
                .copies
                .iter()
                .map(|copy| Thumbnail {
                    url: links::derived(&self.version, copy.edge, name.as_str()),
                    width: copy.width,
                    height: copy.height,
                })
                .collect(),
            taken_at: self.taken_at.clone(),
            camera: self.camera.clone(),
            animated: self.animated,
            problem: self.problem.clone(),
        }
    }

    /// The copies that fill a screen (made when first asked for), smallest first;
    /// none when the photo has no copies at all.
    pub fn screens(&self, name: &ObjectName) -> Vec<Thumbnail> {
        if self.copies.is_empty() {
            return Vec::new();
        }
        links::SCREEN_EDGES
            .iter()
            .map(|&edge| {
                let (width, height) = fitted_size(self.width, self.height, edge);
                Thumbnail {
                    url: links::derived(&self.version, edge, name.as_str()),
                    width,
                    height,
                }
            })
            .collect()
    }
}

/// The placeholder's longest edge: it is blurred anyway, and browsers smooth it
/// when they scale it up; smaller is lighter in every page.
const PLACEHOLDER_EDGE: u32 = 16;

/// A ThumbHash drawn as a tiny PNG, as a `data:` URL (a few hundred bytes).
fn placeholder_url(thumbhash: &[u8]) -> Option<String> {
    let (width, height, rgba) = thumbhash::thumb_hash_to_rgba(thumbhash).ok()?;
    let (width, height) = (u32::try_from(width).ok()?, u32::try_from(height).ok()?);
    let image = image::RgbaImage::from_raw(width, height, rgba)?;
    let scale = f64::from(PLACEHOLDER_EDGE) / f64::from(width.max(height));
    let small = if scale < 1.0 {
        let side = |s: u32| ((f64::from(s) * scale).round() as u32).max(1);
        image::imageops::thumbnail(&image, side(width), side(height))
    } else {
        image
    };
    let opaque = small.pixels().all(|pixel| pixel[3] == u8::MAX);
    let small = if opaque {
        image::DynamicImage::ImageRgb8(image::DynamicImage::ImageRgba8(small).to_rgb8())
    } else {
        image::DynamicImage::ImageRgba8(small)
    };
    let mut png = std::io::Cursor::new(Vec::new());
    small.write_to(&mut png, image::ImageFormat::Png).ok()?;
    Some(format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png.into_inner())
    ))
}
