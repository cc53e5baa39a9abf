//! `/photo/{name}`: a photo's own address, to open directly, share or reload. The
//! server renders the viewer on the photo, complete: without JavaScript it is a
//! plain page with the photo, its details, the previous and next photos as links,
//! and download; with it, the same viewer as over the grid. A name with no photo
//! behind it is a 404 page that says so.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::{lazy_route, LazyRoute};

use super::super::view_photo;
use super::{viewer, ViewerArgs};
use crate::api::{links, ErrorCode};
use crate::auth::session::current_session;
use crate::erased::Erase;

/// The route's parameter: the photo's name (the rest of the path).
pub const NAME: &str = "name";

/// The photo page's name as a part of the app kept in a chunk of its own (see
/// `crate::parts`); the viewer it shows is another.
pub const PART: &str = "photo-page";

/// A photo's own page as a route whose code is a WASM chunk of its own.
pub struct PhotoRoute;

#[lazy_route]
impl LazyRoute for PhotoRoute {
    fn data() -> Self {
        PhotoRoute
    }

    fn view(_this: Self) -> AnyView {
        view! { <PhotoPage/> }.erase()
    }
}

#[component]
pub fn PhotoPage() -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let params = use_params_map();
    let name = move || params.read().get(NAME).unwrap_or_default();
    let view = Resource::new(name, view_photo);
    let session = Resource::new(|| (), |_| current_session());
    let navigate = use_navigate();
    let close = Callback::new(move |_: String| navigate(links::GALLERY, Default::default()));

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
