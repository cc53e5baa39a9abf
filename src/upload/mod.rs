//! Uploading: the upload server function (`POST /api/upload`, multipart, files in
//! fields named `image`) and the widget that feeds it, one request per file so each
//! file shows its own progress and fails alone.

mod transfer;
mod widget;

pub use widget::UploadWidget;

use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

use crate::api::{ApiError, UploadedImages};

/// Stores the files of a multipart body. A plain form post (a browser without
/// JavaScript) is answered with a redirect back to the gallery (303).
#[server(prefix = "/api", endpoint = "upload", input = MultipartFormData)]
pub async fn upload_images(data: MultipartData) -> Result<UploadedImages, ApiError> {
    let state = expect_context::<crate::server::AppState>();
    let multipart = data
        .into_inner()
        .ok_or_else(|| crate::error::Error::BadRequest("no multipart body".into()))
        .map_err(crate::error::respond)?;
    let stored = state.store_uploads(multipart).await;
    ssr::answer(stored)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::links::{self, Flash};
    use crate::api::{ApiError, ImageInfo, UploadedImages};
    use crate::error::Result;
    use crate::forms;

    /// Where a browser goes after a form upload: the gallery, with a line saying
    /// what happened.
    pub fn gallery_location(stored: &Result<Vec<ImageInfo>>) -> String {
        match stored {
            Ok(images) => links::gallery_with(&Flash::Uploaded(images.len())),
            Err(error) => forms::error_location(error),
        }
    }

    /// The server function's answer: JSON for scripts and the widget, a redirect for
    /// a plain form.
    pub fn answer(stored: Result<Vec<ImageInfo>>) -> std::result::Result<UploadedImages, ApiError> {
        forms::answer(stored, gallery_location).map(|images| UploadedImages { images })
    }
}

#[cfg(test)]
mod tests {
    use leptos::server_fn::ServerFn;

    use super::UploadImages;
    use crate::api::links;

    #[test]
    fn the_upload_address_is_the_server_functions_own() {
        assert_eq!(links::api::UPLOAD, <UploadImages as ServerFn>::PATH);
    }
}
