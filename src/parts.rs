//! The parts of the WASM app kept in chunks of their own (`#[lazy]`, split by
//! `cargo leptos build --split`): the upload widget, the viewer, and the pages
//! other than the gallery (sign-in, delete, a photo's own). A page
//! the server rendered with one of them hydrates only once that part's code is
//! here: hydration runs through a part without waiting for it, and finding the
//! part's markup where nothing was drawn would break the page. So the entry point
//! fetches the parts the page shows first.

use futures::future::{join_all, LocalBoxFuture};
use leptos::prelude::document;

use crate::auth::page as sign_in;
use crate::gallery::delete;
use crate::gallery::viewer::{self, page as photo};
use crate::upload;

/// The attribute that names the part an element is the root of.
pub const ATTRIBUTE: &str = "data-part";

/// What fetches a part's code.
type Fetch = fn() -> LocalBoxFuture<'static, ()>;

/// Each part by the name its root carries, with what fetches its code.
const PARTS: [(&str, Fetch); 5] = [
    (upload::PART, || Box::pin(upload::__preload_upload_widget())),
    (viewer::PART, || Box::pin(viewer::__preload_viewer())),
    (photo::PART, || Box::pin(photo::__preload_photo_page())),
    (
        sign_in::PART,
        || Box::pin(sign_in::__preload_sign_in_page()),
    ),
    (delete::PAGE_PART, || {
        Box::pin(delete::__preload_delete_page())
    }),
];

/// Fetches the code of every part the page shows.
pub async fn load_shown() {
    let shown = |part: &str| {
        document()
            .query_selector(&format!("[{ATTRIBUTE}=\"{part}\"]"))
            .ok()
            .flatten()
            .is_some()
    };
    join_all(
        PARTS
            .iter()
            .filter(|(part, _)| shown(part))
            .map(|(_, fetch)| fetch()),
    )
    .await;
}
