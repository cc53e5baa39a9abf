//! Sending one file to the upload endpoint from the browser, with progress.
//! The server function's own client uses `fetch`, which reports no upload
//! progress, so this sends the same multipart request with `XMLHttpRequest`.

use futures::channel::oneshot;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, FormData, ProgressEvent, XmlHttpRequest};

use crate::api::links;
use crate::api::{ApiError, ErrorCode, ImageInfo, UploadedImages, FILE_FIELD};

/// Uploads `file` alone; `on_progress(sent, total)` is called as bytes leave.
pub async fn send_file(
    file: &File,
    on_progress: impl Fn(f64, f64) + 'static,
) -> Result<ImageInfo, ApiError> {
    let request = XmlHttpRequest::new().map_err(browser_error)?;
    request
        .open("POST", links::api::UPLOAD)
        .map_err(browser_error)?;
    // JSON, not a redirect: a request that accepts HTML is treated as a plain form.
    request
        .set_request_header("Accept", "application/json")
        .map_err(browser_error)?;

    let progress = Closure::<dyn Fn(ProgressEvent)>::new(move |event: ProgressEvent| {
        if event.length_computable() {
            on_progress(event.loaded(), event.total());
        }
    });
    let upload = request.upload().map_err(browser_error)?;
    upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));

    let (finished_tx, finished_rx) = oneshot::channel::<bool>();
    let finished_tx = std::cell::RefCell::new(Some(finished_tx));
    let on_end = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
        if let Some(tx) = finished_tx.borrow_mut().take() {
            let _ = tx.send(event.type_() == "load");
        }
    });
    for end in ["load", "error", "abort", "timeout"] {
        request
            .add_event_listener_with_callback(end, on_end.as_ref().unchecked_ref())
            .map_err(browser_error)?;
    }

    let form = FormData::new().map_err(browser_error)?;
    form.append_with_blob_and_filename(FILE_FIELD, file, &file.name())
        .map_err(browser_error)?;
    request
        .send_with_opt_form_data(Some(&form))
        .map_err(browser_error)?;

    let loaded = finished_rx.await.unwrap_or(false);
    // The closures must live until the request has ended.
    drop((progress, on_end));
    if !loaded {
        return Err(ApiError::new(
            ErrorCode::StorageUnavailable,
            format!(
                "{} could not be sent: the server did not answer",
                file.name()
            ),
        ));
    }

    let status = request.status().unwrap_or(0);
    let body = request.response_text().ok().flatten().unwrap_or_default();
    if (200..300).contains(&status) {
        serde_json::from_str::<UploadedImages>(&body)
            .ok()
            .and_then(|uploaded| uploaded.images.into_iter().next())
            .ok_or_else(|| {
                ApiError::new(ErrorCode::Internal, "the server's answer could not be read")
            })
    } else {
        Err(serde_json::from_str::<ApiError>(&body).unwrap_or_else(|_| {
            ApiError::new(ErrorCode::Internal, format!("the server answered {status}"))
        }))
    }
}

fn browser_error(error: JsValue) -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        format!("the browser could not send the file: {error:?}"),
    )
}
