//! JSON on the wire, always read from text: what server functions answer and what
//! the page carries for its resources go through the one `serde_json` reader.
//!
//! `server_fn`'s own JSON codec reads bytes (`serde_json::from_slice`) while a
//! resource hydrates from a string (`from_str`): two readers, and every type the
//! browser decodes compiled twice into the WASM app. This codec reads the body as
//! UTF-8 text first, so each type has one decoder.

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::de::{DeserializeOwned, Error as _};
use serde::Serialize;

/// JSON, written as bytes and read as text.
pub struct JsonText;

/// A server function's answer (or body) in [`JsonText`].
pub type Json = Post<JsonText>;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(value: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(value).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| serde_json::Error::custom("the answer is not UTF-8 text"))?;
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ApiError, ErrorCode};

    #[test]
    fn what_is_written_reads_back() {
        let error = ApiError::new(ErrorCode::NotFound, "No image named “a.jpg”.");
        let bytes = <JsonText as Encodes<ApiError>>::encode(&error).unwrap();
        let back: ApiError = <JsonText as Decodes<ApiError>>::decode(bytes).unwrap();
        assert_eq!(back, error);
    }

    #[test]
    fn bytes_that_are_not_text_are_refused_with_a_reason() {
        let bytes = Bytes::from_static(b"\"\xff\"");
        let refused = <JsonText as Decodes<String>>::decode(bytes).unwrap_err();
        assert!(refused.to_string().contains("not UTF-8"), "{refused}");
    }
}
