//! Uploading: the upload server function (`POST /api/upload`, multipart, files in
//! fields named `image`) and the widget that feeds it, one request per file so each
//! file shows its own progress and fails alone.

mod transfer;
mod widget;

pub use widget::UploadWidget;

use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

use crate::error::ApiError;
use crate::model::UploadedImages;

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

/// The path of the upload endpoint (`/api/upload`), for the form and the widget.
pub const UPLOAD_PATH: &str = <UploadImages as leptos::server_fn::ServerFn>::PATH;

#[cfg(feature = "ssr")]
pub mod ssr {
    use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
    use leptos::prelude::use_context;
    use leptos_axum::ResponseOptions;

    use crate::error::{ApiError, Error, Result};
    use crate::model::{ImageInfo, UploadedImages};

    /// A browser navigating (a form post without JavaScript) asks for HTML.
    pub fn wants_html(headers: &HeaderMap) -> bool {
        headers
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
    }

    /// Where a browser goes after a form upload: the gallery, with a line saying
    /// what happened.
    pub fn gallery_location(stored: &Result<Vec<ImageInfo>>) -> String {
        match stored {
            Ok(images) => format!("/?uploaded={}", images.len()),
            Err(error) => error_location(error),
        }
    }

    /// When the request is a plain form post (no JavaScript), answers it with a
    /// redirect (303) to `location` and says so; else leaves the answer alone.
    pub fn redirect_form(location: &str) -> bool {
        let is_form = use_context::<axum::http::request::Parts>()
            .is_some_and(|parts| wants_html(&parts.headers));
        if is_form {
            if let (Some(response), Ok(location)) = (
                use_context::<ResponseOptions>(),
                HeaderValue::from_str(location),
            ) {
                response.insert_header(header::LOCATION, location);
                response.set_status(StatusCode::SEE_OTHER);
            }
        }
        is_form
    }

    /// The gallery with an error line, for a form whose request was refused.
    pub fn error_location(error: &Error) -> String {
        format!(
            "/?error={}",
            percent_encoding::utf8_percent_encode(
                &error.to_api().message,
                percent_encoding::NON_ALPHANUMERIC
            )
        )
    }

    /// The server function's answer: JSON for scripts and the widget, a redirect for
    /// a plain form.
    pub fn answer(stored: Result<Vec<ImageInfo>>) -> std::result::Result<UploadedImages, ApiError> {
        if redirect_form(&gallery_location(&stored)) {
            if let Err(error) = &stored {
                error.log();
            }
            return stored
                .map(|images| UploadedImages { images })
                .map_err(|e: Error| e.to_api());
        }
        stored
            .map(|images| UploadedImages { images })
            .map_err(crate::error::respond)
    }
}
