//! The parts of the WASM app kept in chunks of their own (`#[lazy]` and lazy
//! routes, split by `cargo leptos build --split`): the upload widget, the viewer,
//! and the pages other than the gallery (sign-in, delete, a photo's own). A page
//! the server rendered with one of them hydrates only once that part's code is
//! here: hydration runs through a part without waiting for it, and finding the
//! part's markup where nothing was drawn would break the page. So the entry point fetches
//! the parts the page shows first; the server named them in the page's head, so
//! the browser is already fetching them.

use leptos::prelude::document;
use leptos_router::LazyRoute;

use crate::auth::page::{self as sign_in, SignInRoute};
use crate::gallery::delete::{self, DeleteRoute};
use crate::gallery::viewer::{self, page::PhotoRoute};
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
    let (upload, viewer, photo_page, sign_in, delete_page) = (
        shown(upload::PART),
        shown(viewer::PART),
        shown(viewer::page::PART),
        shown(sign_in::PART),
        shown(delete::PAGE_PART),
    );
    futures::join!(
        async {
            if upload {
                upload::__preload_upload_widget().await;
            }
        },
        async {
            if viewer {
                viewer::__preload_viewer().await;
            }
        },
        async {
            if photo_page {
                PhotoRoute::preload().await;
            }
        },
        async {
            if sign_in {
                SignInRoute::preload().await;
            }
        },
        async {
            if delete_page {
                DeleteRoute::preload().await;
            }
        },
    );
}
