//! The gallery: the list server function (`GET /api/images?limit=N&cursor=C`, newest
//! first, a page at a time) and the grid that shows it.

use std::collections::HashSet;

use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use leptos_router::hooks::use_query_map;

use crate::api::links::{self, keys};
use crate::api::{ApiError, ErrorCode, ImageInfo, ImagePage};

/// One page of images, newest first. `cursor` is the `next_cursor` of the page before.
#[server(prefix = "/api", endpoint = "images", input = GetUrl)]
pub async fn list_images(
    limit: Option<u32>,
    cursor: Option<String>,
) -> Result<ImagePage, ApiError> {
    let state = expect_context::<crate::server::AppState>();
    ssr::page(&state.catalog, limit, cursor.as_deref())
        .await
        .map_err(crate::error::respond)
}

/// Deletes an image (the admin only). Deleting one that is already gone is not an
/// error: the end state is what was asked for. A plain form post (the confirm page,
/// without JavaScript) is redirected back to the gallery.
#[server(prefix = "/api", endpoint = "delete")]
pub async fn delete_image(name: String) -> Result<(), ApiError> {
    use crate::auth::ssr::{who, Who};
    use crate::error::Error;
    use crate::names::ObjectName;

    let state = expect_context::<crate::server::AppState>();
    let parts = expect_context::<axum::http::request::Parts>();
    let deleted = async {
        if who(&parts.extensions) != Who::Admin {
            return Err(Error::Unauthorized {
                action: "delete images".into(),
            });
        }
        let name = ObjectName::parse(&name).map_err(|_| Error::NotFound(name.clone()))?;
        state.bucket.delete(&name).await?;
        state.catalog.removed(&name);
        tracing::info!(name = %name, "deleted image");
        Ok(())
    };
    crate::forms::answer(deleted.await, |outcome| match outcome {
        Ok(()) => links::gallery_with(&links::Flash::Deleted),
        Err(error) => crate::forms::error_location(error),
    })
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::cmp::Reverse;
    use std::sync::Arc;

    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    use crate::api::{ImageInfo, ImagePage};
    use crate::catalog::{Catalog, SortKey};
    use crate::error::{Error, Result};
    use crate::sniff::ImageKind;
    use crate::storage::ObjectInfo;

    /// Images on a page when the client does not say.
    pub const DEFAULT_PAGE_SIZE: u32 = 60;
    /// The most images one page may hold.
    pub const MAX_PAGE_SIZE: u32 = 500;

    /// Where a page ends: the sort key of its last image. Paging by key rather than
    /// by offset keeps pages stable while new images arrive at the top.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Cursor {
        micros: i64,
        name: String,
    }

    impl Cursor {
        fn after(object: &ObjectInfo) -> Self {
            Cursor {
                micros: object.last_modified.timestamp_micros(),
                name: object.name.to_string(),
            }
        }

        fn key(&self) -> SortKey<'_> {
            (Reverse(self.micros), self.name.as_str())
        }

        fn encode(&self) -> String {
            URL_SAFE_NO_PAD.encode(format!("{}/{}", self.micros, self.name))
        }

        fn decode(cursor: &str) -> Result<Self> {
            let invalid = || Error::BadRequest("the cursor is not one this server gave out".into());
            let text = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
            let text = String::from_utf8(text).map_err(|_| invalid())?;
            let (micros, name) = text.split_once('/').ok_or_else(invalid)?;
            Ok(Cursor {
                micros: micros.parse().map_err(|_| invalid())?,
                name: name.to_owned(),
            })
        }
    }

    pub async fn page(
        catalog: &Arc<Catalog>,
        limit: Option<u32>,
        cursor: Option<&str>,
    ) -> Result<ImagePage> {
        let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE) as usize;
        let after = cursor
            .filter(|c| !c.is_empty())
            .map(Cursor::decode)
            .transpose()?;

        let page = catalog.page(after.as_ref().map(Cursor::key), limit).await?;
        let next_cursor = page
            .more
            .then(|| page.objects.last().map(|last| Cursor::after(last).encode()))
            .flatten();
        Ok(ImagePage {
            images: page.objects.iter().map(describe).collect(),
            next_cursor,
            bucket_problem: page.problem,
        })
    }

    fn describe(object: &ObjectInfo) -> ImageInfo {
        let content_type = ImageKind::from_name(object.name.as_str())
            .map(|kind| kind.mime())
            .unwrap_or("application/octet-stream");
        object.describe(content_type)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn a_cursor_survives_the_round_trip() {
            let cursor = Cursor {
                micros: 1_700_000_000_000_000,
                name: "albums/a b/c.png".into(),
            };
            assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        }

        #[test]
        fn a_forged_cursor_is_refused() {
            assert!(Cursor::decode("not base64!").is_err());
            assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode("no-slash")).is_err());
            assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode("soon/x.png")).is_err());
        }
    }
}

/// The page of the bucket the `cursor` query parameter names. Created by the page
/// itself, outside any `<Suspense>`: a resource made inside one that is re-rendered
/// while it loads can keep the server's response from ever finishing.
pub fn gallery_page() -> Resource<Result<ImagePage, ApiError>> {
    let query = use_query_map();
    let cursor = move || query.read().get(keys::CURSOR).filter(|c| !c.is_empty());
    Resource::new(cursor, |cursor| list_images(None, cursor))
}

/// The grid of images, newest first: those uploaded from this page, then the page
/// of the bucket the `cursor` query parameter names, then a link to older ones.
#[component]
pub fn GalleryGrid(
    /// The loaded page (see [`gallery_page`]).
    page: Result<ImagePage, ApiError>,
    /// Images uploaded since the page loaded, newest first.
    uploaded: RwSignal<Vec<ImageInfo>>,
    /// Whether the viewer may delete (the tiles then offer it).
    can_delete: bool,
) -> impl IntoView {
    let query = use_query_map();
    let on_first_page = query
        .read_untracked()
        .get(keys::CURSOR)
        .filter(|c| !c.is_empty())
        .is_none();
    let content = match page {
        Ok(page) => view! {
            {page.bucket_problem.clone().map(|reason| view! { <BucketDown reason stale=true/> })}
            <Grid page uploaded on_first_page can_delete/>
        }
        .into_any(),
        Err(error) if error.code == ErrorCode::StorageUnavailable => view! {
            <BucketDown reason=error.message stale=false/>
        }
        .into_any(),
        Err(error) => view! {
            <p class="banner error" role="alert">"The gallery could not be loaded: " {error.message}</p>
        }
        .into_any(),
    };
    view! { <section class="gallery" aria-label="Gallery">{content}</section> }.into_any()
}

/// `/delete?name=...`: the question before a delete, for a browser without
/// JavaScript. The form posts to the delete server function, which comes back to
/// the gallery.
#[component]
pub fn DeleteConfirmPage() -> impl IntoView {
    let query = use_query_map();
    let name = query.read_untracked().get(keys::NAME).unwrap_or_default();
    let caption = name.rsplit('/').next().unwrap_or_default().to_owned();
    let image_url = links::image(&name);
    view! {
        <main class="confirm-delete">
            <h2>"Delete " <q>{caption}</q> "?"</h2>
            <img src=image_url alt=name.clone() class="confirm-preview"/>
            <p>"It is removed from the bucket for good."</p>
            <form method="post" action=links::api::DELETE>
                <input type="hidden" name="name" value=name/>
                <button type="submit" class="danger">"Delete"</button>
                " "
                <a href=links::GALLERY>"Keep it"</a>
            </form>
        </main>
    }
    .into_any()
}

/// The bucket cannot be used: why, and what still works.
#[component]
fn BucketDown(reason: String, stale: bool) -> impl IntoView {
    let consequence = if stale {
        "The images below are those listed before; uploads fail until the bucket is back."
    } else {
        "Images and uploads return as soon as the bucket does: reload this page to try again."
    };
    view! {
        <div class="banner error" role="alert" data-testid="bucket-down">
            <strong>"The bucket cannot be used right now"</strong>
            <p>{reason}</p>
            <p>{consequence}</p>
        </div>
    }
    .into_any()
}

#[component]
fn Grid(
    page: ImagePage,
    uploaded: RwSignal<Vec<ImageInfo>>,
    on_first_page: bool,
    can_delete: bool,
) -> impl IntoView {
    let deleted = RwSignal::new(HashSet::<String>::new());
    let ImagePage {
        images,
        next_cursor,
        ..
    } = page;
    let listed = StoredValue::new(images);
    let tiles = move || {
        let listed = listed.get_value();
        let mut tiles = if on_first_page {
            uploaded.get()
        } else {
            Vec::new()
        };
        let fresh: HashSet<String> = tiles.iter().map(|i| i.name.clone()).collect();
        tiles.extend(listed.into_iter().filter(|i| !fresh.contains(&i.name)));
        let gone = deleted.read();
        tiles.retain(|image| !gone.contains(&image.name));
        tiles
    };
    let is_empty = move || tiles().is_empty();

    view! {
        <Show when=move || !is_empty() fallback=move || view! {
            <p class="empty" data-testid="empty-gallery">
                {if on_first_page { "No images yet. Drop some anywhere on this page to start." } else { "No older images." }}
            </p>
        }>
            <ul class="grid" data-testid="gallery">
                <For each=tiles key=|image| image.name.clone() let:image>
                    <Tile image can_delete deleted/>
                </For>
            </ul>
        </Show>
        <nav class="pager">
            {(!on_first_page).then(|| view! { <a href=links::GALLERY>"Newest"</a> })}
            {next_cursor.map(|cursor| view! {
                <a href=links::gallery_from(&cursor) data-testid="older">"Older images"</a>
            })}
        </nav>
    }
    .into_any()
}

#[component]
fn Tile(image: ImageInfo, can_delete: bool, deleted: RwSignal<HashSet<String>>) -> impl IntoView {
    let ImageInfo { name, url, .. } = image;
    let caption = name.rsplit('/').next().unwrap_or_default().to_owned();
    let (link, title, data_name) = (url.clone(), name.clone(), name.clone());
    let delete = can_delete.then(|| {
        let confirm_page = links::delete_page(&name);
        view! {
            <DeleteControl name=name.clone() caption=caption.clone() deleted/>
            // Without JavaScript, a page of its own asks first.
            <a class="delete no-js-only" href=confirm_page data-testid="delete-page">"Delete"</a>
        }
    });
    view! {
        <li class="tile" data-testid="gallery-item" data-name=data_name>
            // rel="external": the router must let the browser open raw bytes itself.
            <a href=link rel="external" title=title>
                <img src=url alt=name loading="lazy" decoding="async"/>
            </a>
            <span class="caption">{caption}</span>
            {delete}
        </li>
    }
    .into_any()
}

/// Delete, then a question before anything is removed; the tile leaves the grid
/// once the bucket has let the image go. Needs JavaScript (hidden until then).
#[component]
fn DeleteControl(
    name: String,
    caption: String,
    deleted: RwSignal<HashSet<String>>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let failed = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let name = StoredValue::new(name);
    let confirm = move |_| {
        busy.set(true);
        let target = name.get_value();
        leptos::task::spawn_local(async move {
            match delete_image(target.clone()).await {
                Ok(()) => deleted.update(|gone| {
                    gone.insert(target);
                }),
                Err(error) => {
                    failed.set(Some(error.message));
                    busy.set(false);
                    asking.set(false);
                }
            }
        });
    };
    view! {
        <div class="delete needs-js">
            <Show when=move || asking.get() fallback=move || view! {
                <button type="button" class="quiet" data-testid="delete" on:click=move |_| asking.set(true)>
                    "Delete"
                </button>
            }>
                <p class="confirm" role="group" aria-label="Confirm delete">
                    <span>"Delete " <q>{caption.clone()}</q> "?"</span>
                    <button type="button" class="danger" data-testid="confirm-delete" disabled=move || busy.get() on:click=confirm>
                        "Delete"
                    </button>
                    <button type="button" class="quiet" data-testid="cancel-delete" on:click=move |_| asking.set(false)>
                        "Keep"
                    </button>
                </p>
            </Show>
            {move || failed.get().map(|message| view! { <p class="error" role="alert">{message}</p> })}
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use leptos::server_fn::ServerFn;

    use super::{DeleteImage, ListImages};
    use crate::api::links;

    #[test]
    fn the_gallery_addresses_are_the_server_functions_own() {
        assert_eq!(links::api::DELETE, <DeleteImage as ServerFn>::PATH);
        assert_eq!(links::api::IMAGES, <ListImages as ServerFn>::PATH);
    }
}
