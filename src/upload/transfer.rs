//! Sending one file to the upload endpoint from the browser, with progress, and a
//! way to stop it. The server function's own client uses `fetch`, which reports no
//! upload progress, so this sends the same multipart request with `XMLHttpRequest`.
//! How it ended is told the way the queue needs it (queue.rs): stored, refused
//! (a 4xx: trying again cannot help), failed (no answer, a 5xx, a timeout or too
//! many requests: trying again may), or stopped.

use futures::channel::oneshot;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{File, FormData, ProgressEvent, XmlHttpRequest};

use super::queue::Sent;
use crate::api::links;
use crate::api::{ApiError, UploadedImages, FILE_FIELD};

/// One file on its way.
pub struct Transfer {
    request: XmlHttpRequest,
    name: String,
    /// Whether it ended by arriving (`load`), or how it did not.
    ended: oneshot::Receiver<String>,
    /// The listeners must live until the request has ended.
    _progress: Closure<dyn Fn(ProgressEvent)>,
    _on_end: Closure<dyn Fn(web_sys::Event)>,
}

impl Transfer {
    /// Starts sending `file` alone; `on_progress(sent, total)` is called as bytes leave.
    pub fn start(
        file: &File,
        on_progress: impl Fn(f64, f64) + 'static,
    ) -> Result<Transfer, String> {
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
        request
            .upload()
            .map_err(browser_error)?
            .set_onprogress(Some(progress.as_ref().unchecked_ref()));

        let (ended_tx, ended) = oneshot::channel::<String>();
        let ended_tx = std::cell::RefCell::new(Some(ended_tx));
        let on_end = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
            if let Some(tx) = ended_tx.borrow_mut().take() {
                let _ = tx.send(event.type_());
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
        Ok(Transfer {
            request,
            name: file.name(),
            ended,
            _progress: progress,
            _on_end: on_end,
        })
    }

    /// What stops it: call `abort()` on it.
    pub fn stopper(&self) -> XmlHttpRequest {
        self.request.clone()
    }

    /// How it ended.
    pub async fn ended(self) -> Sent {
        let how = self.ended.await.unwrap_or_else(|_| "error".to_owned());
        match how.as_str() {
            "load" => {}
            "abort" => return Sent::Stopped,
            _ => {
                return Sent::Failed(format!(
                    "{} could not be sent: the connection failed",
                    self.name
                ))
            }
        }
        let status = self.request.status().unwrap_or(0);
        let body = self
            .request
            .response_text()
            .ok()
            .flatten()
            .unwrap_or_default();
        let said = || {
            serde_json::from_str::<ApiError>(&body)
                .map(|error| error.message)
                .unwrap_or_else(|_| format!("the server answered {status}"))
        };
        match status {
            200..=299 => serde_json::from_str::<UploadedImages>(&body)
                .ok()
                .and_then(|uploaded| uploaded.images.into_iter().next())
                .map(|image| Sent::Stored(Box::new(image)))
                .unwrap_or_else(|| Sent::Failed("the server's answer could not be read".into())),
            // Too slow, or too many at once: later may work.
            408 | 429 => Sent::Failed(said()),
            400..=499 => Sent::Refused(said()),
            _ => Sent::Failed(said()),
        }
    }
}

fn browser_error(error: JsValue) -> String {
    format!("the browser could not send the file: {error:?}")
}
