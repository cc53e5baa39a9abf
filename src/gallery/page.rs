//! The gallery page: what a form post did, the upload widget (for those who may
//! upload), and the grid.

use leptos::prelude::*;

use super::grid::GalleryGrid;
use super::list_images;
use crate::address;
use crate::api::links::{self, keys, Flash};
use crate::api::{ApiError, ImageInfo, ImagePage};
use crate::auth::session::current_session;
use crate::erased::Erase;
use crate::top_bar::TopBar;
use crate::upload::{upload_widget, UploadArgs};

/// The gallery page: what a form upload said, the upload widget, the grid.
#[component]
pub fn GalleryPage() -> impl IntoView {
    // Set only in the browser, once the WASM app runs: end-to-end tests wait for it.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    let uploaded = RwSignal::new(Vec::<ImageInfo>::new());
    let flash = StoredValue::new(Flash::read(address::query));

    // What this viewer may do (the page offers only that) and the images. Both are
    // made here and read in one <Transition>: resources created inside a Suspense,
    // or read by two of them, can stall a server-rendered response.
    let session = Resource::new(|| (), |_| current_session());
    let page = gallery_page();

    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the gallery…"</p> }>
            {move || Suspend::new(async move {
                let session = session.await.unwrap_or_default();
                let page = page.await;
                let upload = if session.can_upload {
                    let on_uploaded = Callback::new(move |image: ImageInfo| uploaded.update(|all| all.insert(0, image)));
                    let props = UploadArgs { hydrated, max_file_bytes: session.max_file_bytes, max_pixels: session.max_pixels, on_uploaded };
                    Some(upload_widget(props).await)
                } else {
                    None
                };
                view! {
                    <TopBar session/>
                    <main data-hydrated=move || hydrated.get().to_string()>
                        {flash.get_value().map(|flash| view! { <FlashBanner flash/> })}
                        {upload.unwrap_or_else(|| view! {
                            <p class="signin-prompt" data-testid="signin-prompt">
                                <a href=links::SIGN_IN>"Sign in"</a>" to upload images."
                            </p>
                        }.erase())}
                        <GalleryGrid page uploaded can_delete=session.can_delete/>
                    </main>
                }
            })}
        </Transition>
    }
    .erase()
}

/// What a plain form post did, in one line.
#[component]
fn FlashBanner(flash: Flash) -> impl IntoView {
    match flash {
        Flash::Error(message) => view! {
            <p class="banner error" role="alert" data-testid="form-error">{message}</p>
        }
        .erase(),
        Flash::Deleted => view! {
            <p class="banner ok" role="status">"The image was deleted."</p>
        }
        .erase(),
        Flash::Uploaded { stored, already } => view! {
            <p class="banner ok" role="status" data-testid="form-uploaded">{uploaded_line(stored, already)}</p>
        }
        .erase(),
    }
}

/// "2 images uploaded; 1 was in the gallery already."
fn uploaded_line(stored: usize, already: usize) -> String {
    let images = |n: usize| {
        if n == 1 {
            "1 image".to_owned()
        } else {
            format!("{n} images")
        }
    };
    match (stored, already) {
        (stored, 0) => format!("{} uploaded.", images(stored)),
        (0, 1) => "That image is in the gallery already: nothing new was stored.".to_owned(),
        (0, already) => {
            format!("Those {already} images are in the gallery already: nothing new was stored.")
        }
        (stored, already) => format!(
            "{} uploaded; {} {} in the gallery already.",
            images(stored),
            already,
            if already == 1 { "was" } else { "were" }
        ),
    }
}

/// The page of the bucket the `cursor` query parameter names. Created by the page
/// itself, outside any `<Suspense>`: a resource made inside one that is re-rendered
/// while it loads can keep the server's response from ever finishing.
fn gallery_page() -> Resource<Result<ImagePage, ApiError>> {
    let cursor = address::query(keys::CURSOR).filter(|c| !c.is_empty());
    Resource::new(move || cursor.clone(), |cursor| list_images(None, cursor))
}
