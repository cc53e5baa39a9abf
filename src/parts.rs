//! The parts of the WASM app kept in chunks of their own (`#[lazy]`, split by
//! `cargo leptos build --split`): the upload widget and the viewer. A page the
//! server rendered with one of them hydrates only once that part's code is here:
//! hydration runs through a part without waiting for it, and finding the part's
//! markup where nothing was drawn would break the page. So the entry point fetches
//! the parts the page shows first; the server named them in the page's head, so
//! the browser is already fetching them.

use leptos::prelude::document;

use crate::gallery::viewer;
use crate::upload;

/// The attribute that names the part an element is the root of.
pub const ATTRIBUTE: &str = "data-part";

/// Fetches the code of every part the page shows.
pub async fn load_shown() {
    let shown = |part: &str| {
        document()
            .query_selector(&format!("[{ATTRIBUTE}=\"{part}\"]"))
            .ok()
            .flatten()
            .is_some()
    };
    let upload = shown(upload::PART);
    let viewer = shown(viewer::PART);
    let uploads = async {
        if upload {
            upload::__preload_upload_widget().await;
        }
    };
    let viewers = async {
        if viewer {
            viewer::__preload_viewer().await;
        }
    };
    futures::join!(uploads, viewers);
}
