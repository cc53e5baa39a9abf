//! The page shell and the router. The gallery with its upload widget is served at
//! `/` and, for users of the classic Flask guide, at `/upload`; each photo at
//! `/photo/{name}`; `/signin` signs in.
//! The shell sends the page's Content-Security-Policy, with this response's nonce.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Meta, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, SsrMode, StaticSegment, WildcardSegment};

use crate::api::links;
use crate::auth::page::SignInRoute;
use crate::gallery::delete::DeleteRoute;
use crate::gallery::page::GalleryPage;
use crate::gallery::viewer::page::{self as photo, PhotoRoute};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::http::headers::page_policy(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <AutoReload options=options.clone()/>
                // Loaded when the browser is idle, at low priority: the first
                // screen's thumbnails (the largest paint) come first on a slow network.
                <HydrationScripts options defer=true/>
                // Nothing is painted before the whole first page of the grid has
                // arrived: a row painted while the rest of its page is still on the
                // way would be the grid's last row, then stretch as the rest comes
                // (a layout shift). Pages without the marker render once parsed.
                <link rel="expect" href=format!("#{}", links::GRID_END) blocking="render"/>
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
        <Title text="bucket-gallery"/>
        <Meta name="description" content="Drop photos into a bucket and browse them as a gallery."/>
        <Router>
            <Routes fallback=|| view! { <p class="banner error">"There is no page here."</p> }>
                // Async: the server sends the page once the gallery is loaded, so it
                // is complete without JavaScript (streamed parts need a script to show).
                <Route path=segment(links::GALLERY) view=GalleryPage ssr=SsrMode::Async/>
                <Route path=segment(links::CLASSIC_UPLOAD) view=GalleryPage ssr=SsrMode::Async/>
                <Route path=segment(links::SIGN_IN) view={Lazy::<SignInRoute>::new()}/>
                <Route path=segment(links::DELETE_PAGE) view={Lazy::<DeleteRoute>::new()}/>
                <Route path=(segment(links::PHOTO_PREFIX.trim_end_matches('/')), WildcardSegment(photo::NAME))
                    view={Lazy::<PhotoRoute>::new()} ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}

/// A one-segment address as the router writes it (without its `/`).
fn segment(path: &'static str) -> StaticSegment<&'static str> {
    StaticSegment(path.trim_start_matches('/'))
}
