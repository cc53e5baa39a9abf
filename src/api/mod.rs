//! The wire contract, the same on both sides: the types the API speaks, its error
//! codes, and every address and query key. Nothing here knows the server.

/// JSON read from text: one decoder per type for pages and server functions alike.
pub mod codec;
/// `ApiError` and its stable codes: `{"error": {"code", "message"}}`.
pub mod errors;
/// Paths, query keys and the functions that build every link.
pub mod links;
/// `ImageInfo`, `ImagePage`, `PhotoView`, `UploadedImages`, `Session`.
pub mod types;

pub use errors::{ApiError, ErrorCode};
pub use types::{
    display_name, looks_uploaded, ImageInfo, ImagePage, PhotoFacts, PhotoView, Session, Thumbnail,
    UploadedImages, FILE_FIELD, SUPPORTED_TYPES,
};
