//! Uploading: the upload server function (`POST /api/upload`, multipart, files in
//! fields named `image`) and the widget that feeds it, one request per file so each
//! file shows its own progress and fails alone; on the server, its routes.

/// The batch's bar: files, bytes and time left, retry all, clear finished.
mod batch;
/// Folders dropped on the page, walked for their files.
mod folders;
/// One file of a batch, and where it is.
mod pending;
/// What the browser can tell of a file before sending it.
mod precheck;
/// Small previews drawn from picked files.
mod preview;
/// Where each file of a batch is, what comes next, and the batch's totals.
mod queue;
/// One file's row: preview, progress, cancel and retry.
mod row;
/// Sending one file, with progress and a way to stop it.
mod transfer;
/// The widget: the plain form, and everything it becomes with JavaScript.
mod widget;

/// The upload routes with the layer that decides who may use them.
#[cfg(feature = "ssr")]
pub mod routes;

pub use widget::UploadWidget;

use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};

use crate::api::codec::Json;
use crate::api::{ApiError, ImageInfo, UploadedImages};
use crate::erased::Erase;

/// The widget's name as a part of the app kept in a chunk of its own: its root
/// element carries it (see `crate::parts`).
pub const PART: &str = "upload";

/// What the upload widget is given (see [`UploadWidget`]).
pub struct UploadArgs {
    pub hydrated: RwSignal<bool>,
    pub max_file_bytes: u64,
    pub max_pixels: u64,
    pub on_uploaded: Callback<ImageInfo>,
}

/// The upload widget, in a WASM chunk of its own: only pages that offer uploading
/// load it (the server names it in the page, so the browser fetches it at once).
#[lazy]
pub fn upload_widget(props: UploadArgs) -> AnyView {
    let UploadArgs {
        hydrated,
        max_file_bytes,
        max_pixels,
        on_uploaded,
    } = props;
    view! { <UploadWidget hydrated max_file_bytes max_pixels on_uploaded/> }.erase()
}

/// Stores the files of a multipart body. A plain form post (a browser without
/// JavaScript) is answered with a redirect back to the gallery (303).
#[server(prefix = "/api", endpoint = "upload", input = MultipartFormData, output = Json)]
pub async fn upload_images(data: MultipartData) -> Result<UploadedImages, ApiError> {
    use crate::error::{respond, Error};
    use crate::http::forms;
    use crate::state::AppState;

    let state = expect_context::<AppState>();
    let multipart = data
        .into_inner()
        .ok_or_else(|| Error::BadRequest("no multipart body".into()))
        .map_err(respond)?;
    let stored = state.store_uploads(multipart).await;
    forms::answer(stored, routes::after_upload).map(|images| UploadedImages { images })
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
