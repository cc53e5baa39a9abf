//! `/photo/{name}`: a photo's own address, to open directly, share or reload. The
//! server renders the viewer on the photo, complete: without JavaScript it is a
//! plain page with the photo, its details, the previous and next photos as links,
//! and download; with it, the same viewer as over the grid. A name with no photo
//! behind it is a 404 page that says so.

use leptos::prelude::*;
use leptos_meta::Title;

use super::super::view_photo;
use super::{viewer, ViewerArgs};
use crate::api::{links, ErrorCode};
use crate::auth::session::current_session;
use crate::erased::Erase;

/// The photo page's name as a part of the app kept in a chunk of its own (see
/// `crate::parts`); the viewer it shows is another.
pub const PART: &str = "photo-page";

/// The page of photo `name`, whose code is a WASM chunk of its own.
#[lazy]
pub fn photo_page(name: String) -> AnyView {
    view! { <PhotoPage name/> }.erase()
}

#[component]
pub fn PhotoPage(
    /// The photo's name (the rest of the page's path).
    name: String,
) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let view = Resource::new(move || name.clone(), view_photo);
    let session = Resource::new(|| (), |_| current_session());
    // Closing the viewer goes to the gallery's page.
    let close = Callback::new(move |_: String| {
        let _ = window().location().assign(links::GALLERY);
    });

    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading the photo…"</p> }>
            {move || Suspend::new(async move {
                let session = session.await.unwrap_or_default();
                match view.await {
                    Ok(view) => {
                        let title = format!("{} · bucket-gallery", view.photo.display_name);
                        let shown = viewer(ViewerArgs {
                            start: view.photo.clone(),
                            known: Some(view),
                            can_delete: session.can_delete,
                            close_href: links::GALLERY.to_owned(),
                            on_close: close,
                            on_deleted: Callback::new(|_: String| {}),
                        })
                        .await;
                        view! {
                            <Title text=title/>
                            <main class="photo-page" data-part=PART data-hydrated=move || hydrated.get().to_string()>
                                {shown}
                            </main>
                        }
                        .erase()
                    }
                    Err(error) => {
                        #[cfg(feature = "ssr")]
                        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                            use axum::http::StatusCode;
                            response.set_status(match error.code {
                                ErrorCode::NotFound => StatusCode::NOT_FOUND,
                                ErrorCode::StorageUnavailable => StatusCode::SERVICE_UNAVAILABLE,
                                _ => StatusCode::INTERNAL_SERVER_ERROR,
                            });
                        }
                        let message = if error.code == ErrorCode::NotFound {
                            "There is no photo at this address: it may have been deleted.".to_owned()
                        } else {
                            format!("The photo could not be shown: {}", error.message)
                        };
                        view! {
                            <main class="photo-missing" data-part=PART>
                                <p class="banner error" role="alert" data-testid="photo-missing">{message}</p>
                                <p><a href=links::GALLERY>"Back to the gallery"</a></p>
                            </main>
                        }
                        .erase()
                    }
                }
            })}
        </Transition>
    }
    .erase()
}
