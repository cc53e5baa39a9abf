//! Photos, not files: what is derived from each image in the bucket (small copies
//! for the grid, a placeholder, its shape and facts), kept in the bucket under a
//! hidden prefix so every instance and every restart has it, and made again from
//! the originals whenever it is missing.

/// Colours kept right: a photo's ICC profile travels with its copies.
pub mod colour;
/// Reading a photo's pixels, at a reduced scale where it can, and why it fails.
pub mod decode;
/// The bounded pool photos are decoded in, with panics and runaway decodes caught.
pub mod decoders;
/// The same bytes stored once: content hashes kept in the bucket.
pub mod duplicates;
/// Orientation, taken-at and camera from a photo's EXIF block.
pub mod exif;
/// A photo's facts as kept in the bucket, and as the API shows them.
pub mod facts;
/// One making at a time per key, shared by all who ask meanwhile.
pub mod flight;
/// HEIC pixels, through a decoder in safe Rust.
pub mod heif;
/// Where derived objects live: hidden prefix, photo, version.
pub mod keys;
/// Making the derived images and reading the facts, from a photo's bytes.
pub mod render;
/// The copies that fill a screen, made when a viewer first asks for them.
pub mod screen;
/// Finding or making a photo's facts and copies, once at a time.
pub mod store;

pub use store::Photos;
