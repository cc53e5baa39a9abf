//! The page shell and the router. There is one page, the gallery with its upload
//! widget, served at `/` and, for users of the classic Flask guide, at `/upload`.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Meta, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_query_map;
use leptos_router::{SsrMode, StaticSegment};

use crate::gallery::GalleryGrid;
use crate::model::ImageInfo;
use crate::upload::UploadWidget;

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/bucket-gallery.css"/>
        <Title text="bucket-gallery"/>
        <Meta name="description" content="Drop photos into a bucket and browse them as a gallery."/>
        <Router>
            <Routes fallback=|| view! { <p class="banner error">"There is no page here."</p> }>
                // Async: the server sends the page once the gallery is loaded, so it
                // is complete without JavaScript (streamed parts need a script to show).
                <Route path=StaticSegment("") view=GalleryPage ssr=SsrMode::Async/>
                <Route path=StaticSegment("upload") view=GalleryPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}

/// The gallery page: what a form upload said, the upload widget, the grid.
#[component]
fn GalleryPage() -> impl IntoView {
    // Set only in the browser, once the WASM app runs: end-to-end tests wait for it.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));

    let uploaded = RwSignal::new(Vec::<ImageInfo>::new());
    let query = use_query_map();
    let form_error = move || query.read().get("error");
    let form_stored = move || {
        query
            .read()
            .get("uploaded")
            .and_then(|n| n.parse::<usize>().ok())
    };

    view! {
        <header class="top">
            <h1><a href="/">"bucket-gallery"</a></h1>
        </header>
        <main data-hydrated=move || hydrated.get().to_string()>
            {move || form_error().map(|message| view! {
                <p class="banner error" role="alert" data-testid="form-error">{message}</p>
            })}
            {move || form_stored().map(|count| view! {
                <p class="banner ok" role="status">
                    {if count == 1 { "1 image uploaded.".to_owned() } else { format!("{count} images uploaded.") }}
                </p>
            })}
            <UploadWidget hydrated on_uploaded=move |image: ImageInfo| uploaded.update(|all| all.insert(0, image))/>
            <GalleryGrid uploaded/>
        </main>
    }
    .into_any()
}
