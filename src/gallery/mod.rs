//! The gallery: its server API (`GET /api/images?limit=N&cursor=C`, newest first, a
//! page at a time; `GET /api/photo?name=N`, one photo and its neighbours;
//! `POST /api/delete`), and the page, grid, viewer and delete controls that show it.

/// Deleting from the page, and the question page without JavaScript.
pub mod delete;
/// Which of the first screen's tiles is likely the largest (fetched first).
pub mod first_screen;
/// The grid of one page of photos.
pub mod grid;
/// Loading older photos as the end of the grid scrolls near.
pub mod more;
/// The gallery page: what a form did, the upload widget, the grid.
pub mod page;
/// One photo full screen: over the grid, and at its own address.
pub mod viewer;

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

use crate::api::codec::Json;
use crate::api::{ApiError, ImagePage, PhotoView};

/// One page of images, newest first. `cursor` is the `next_cursor` of the page before.
#[server(prefix = "/api", endpoint = "images", input = GetUrl, output = Json)]
pub async fn list_images(
    limit: Option<u32>,
    cursor: Option<String>,
) -> Result<ImagePage, ApiError> {
    use crate::catalog::paging::images_page;
    use crate::error::respond;
    use crate::state::AppState;

    let state = expect_context::<AppState>();
    images_page(&state.catalog, &state.photos, limit, cursor.as_deref())
        .await
        .map_err(respond)
}

/// One photo with what the viewer shows of it, and its neighbours (newer, older).
#[server(prefix = "/api", endpoint = "photo", input = GetUrl, output = Json)]
pub async fn view_photo(name: String) -> Result<PhotoView, ApiError> {
    use crate::catalog::around;
    use crate::error::respond;
    use crate::state::AppState;

    let state = expect_context::<AppState>();
    around::photo_view(&state.catalog, &state.photos, &state.bucket, &name)
        .await
        .map_err(respond)
}

/// Deletes an image (the admin only: see [`routes`]). Deleting one that is already
/// gone is not an error: the end state is what was asked for. A plain form post
/// (the confirm page, without JavaScript) is redirected back to the gallery.
#[server(prefix = "/api", endpoint = "delete", output = Json)]
pub async fn delete_image(name: String) -> Result<(), ApiError> {
    use crate::api::links::{self, Flash};
    use crate::error::Error;
    use crate::http::forms;
    use crate::names::ObjectName;
    use crate::state::AppState;

    let state = expect_context::<AppState>();
    let deleted = async {
        let name = ObjectName::parse(&name).map_err(|_| Error::NotFound(name.clone()))?;
        state.bucket.delete(&name).await?;
        state.photos.forget(&name).await?;
        state.catalog.removed(&name).await;
        state.hot.forget(&name);
        tracing::info!(name = %name, "deleted image");
        Ok(())
    };
    forms::answer(deleted.await, |outcome| match outcome {
        Ok(()) => links::gallery_with(&Flash::Deleted),
        Err(error) => forms::error_location(error),
    })
}

/// Walks the whole bucket now (the admin only: see [`routes`]), so that objects
/// other tools put into or took out of it show without waiting for the next walk
/// (`RECONCILE_REQUESTS_PER_HOUR`); answers how many photos the gallery holds.
#[server(prefix = "/api", endpoint = "rescan", output = Json)]
pub async fn rescan() -> Result<usize, ApiError> {
    use crate::error::respond;
    use crate::state::AppState;

    let state = expect_context::<AppState>();
    let photos = state.catalog.rescan().await.map_err(respond)?;
    tracing::info!(photos, "rescanned the bucket");
    Ok(photos)
}

/// The gallery's server API: listing for whoever may view, deleting and
/// rescanning for the admin.
#[cfg(feature = "ssr")]
pub fn routes(state: &crate::state::AppState) -> axum::Router<crate::state::AppState> {
    use axum::middleware::from_fn_with_state;
    use axum::routing::{get, post};

    use crate::api::links;
    use crate::auth::guard::may_delete;
    use crate::http::server_fns;

    let admin_only =
        || post(server_fns::answer).route_layer(from_fn_with_state(state.clone(), may_delete));
    axum::Router::new()
        .route(links::api::IMAGES, get(server_fns::answer))
        .route(links::api::PHOTO, get(server_fns::answer))
        .route(links::api::DELETE, admin_only())
        .route(links::api::RESCAN, admin_only())
}

#[cfg(test)]
mod tests {
    use leptos::server_fn::ServerFn;

    use super::{DeleteImage, ListImages, Rescan, ViewPhoto};
    use crate::api::links;

    #[test]
    fn the_gallery_addresses_are_the_server_functions_own() {
        assert_eq!(links::api::DELETE, <DeleteImage as ServerFn>::PATH);
        assert_eq!(links::api::IMAGES, <ListImages as ServerFn>::PATH);
        assert_eq!(links::api::PHOTO, <ViewPhoto as ServerFn>::PATH);
        assert_eq!(links::api::RESCAN, <Rescan as ServerFn>::PATH);
    }
}
