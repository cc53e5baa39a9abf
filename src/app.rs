//! The page shell and the app's pages. The gallery with its upload widget is served
//! at `/` and, for users of the classic Flask guide, at `/upload`; each photo at
//! `/photo/{name}`; `/signin` signs in; `/delete?name=` asks before a delete.
//! Each page is a document of its own, chosen by its address on both sides (no
//! client-side router: links load pages, which keeps the WASM every page loads
//! small); the pages other than the gallery are WASM chunks of their own.
//! The shell sends the page's Content-Security-Policy, with this response's nonce.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Meta, MetaTags, Title};

use crate::address;
use crate::api::links;
use crate::auth::page::sign_in_page;
use crate::erased::Erase;
use crate::gallery::delete::delete_page;
use crate::gallery::page::GalleryPage;
use crate::gallery::viewer::page::photo_page;

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::http::headers::page_policy(&options);
    // The stylesheet goes into the page, so it paints with no request first; the
    // script starts the app once the page has loaded (see http::stylesheet and
    // http::app_start).
    #[cfg(feature = "ssr")]
    let (inline_style, start) = (
        crate::http::stylesheet::inline(&options),
        crate::http::app_start::script(&options),
    );
    #[cfg(not(feature = "ssr"))]
    let (inline_style, start): (Option<std::sync::Arc<str>>, std::sync::Arc<str>) =
        (None, "".into());
    let stylesheet = match inline_style {
        Some(text) => view! { <style nonce=leptos::nonce::use_nonce() inner_html=text/> }.erase(),
        None => view! { <HashedStylesheet options=options.clone() id="leptos"/> }.erase(),
    };
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                {stylesheet}
                <AutoReload options=options.clone()/>
                // The app's code is fetched once the page has loaded: the first
                // screen's thumbnails (the largest paint) have the network to themselves.
                <script type="module" nonce=leptos::nonce::use_nonce()>{start}</script>
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

/// Where the server renders the app's pages (Axum's patterns). Any other address
/// gets the app's "no page here", with a 404.
pub const PAGES: [&str; 5] = [
    links::GALLERY,
    links::CLASSIC_UPLOAD,
    links::SIGN_IN,
    links::DELETE_PAGE,
    links::PHOTO_ROUTE,
];

/// A page of the app, by its address.
#[derive(Debug, PartialEq)]
enum Page {
    Gallery,
    SignIn,
    Delete,
    Photo(String),
    Missing,
}

impl Page {
    /// The page at `path` (percent-decoded).
    fn at(path: &str) -> Page {
        match path {
            links::GALLERY | links::CLASSIC_UPLOAD => Page::Gallery,
            links::SIGN_IN => Page::SignIn,
            links::DELETE_PAGE => Page::Delete,
            _ => match path.strip_prefix(links::PHOTO_PREFIX) {
                Some(name) if !name.is_empty() => Page::Photo(name.to_owned()),
                _ => Page::Missing,
            },
        }
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // The pages but the gallery are fetched as chunks (see `crate::parts`): a
    // page the server drew with one has it before it hydrates.
    let page = match Page::at(&address::path()) {
        Page::Gallery => view! { <GalleryPage/> }.erase(),
        Page::SignIn => Suspend::new(sign_in_page()).erase(),
        Page::Delete => Suspend::new(delete_page()).erase(),
        Page::Photo(name) => Suspend::new(photo_page(name)).erase(),
        Page::Missing => view! { <p class="banner error">"There is no page here."</p> }.erase(),
    };
    view! {
        <Title text="bucket-gallery"/>
        <Meta name="description" content="Drop photos into a bucket and browse them as a gallery."/>
        {page}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_has_its_page() {
        assert_eq!(Page::at("/"), Page::Gallery);
        assert_eq!(Page::at("/upload"), Page::Gallery);
        assert_eq!(Page::at("/signin"), Page::SignIn);
        assert_eq!(Page::at("/delete"), Page::Delete);
        assert_eq!(
            Page::at("/photo/2024/a b.jpg"),
            Page::Photo("2024/a b.jpg".into())
        );
        assert_eq!(Page::at("/photo/"), Page::Missing);
        assert_eq!(Page::at("/signin/"), Page::Missing);
        assert_eq!(Page::at("/nothing"), Page::Missing);
    }

    #[test]
    fn the_photo_route_is_under_the_photo_prefix() {
        assert!(links::PHOTO_ROUTE.starts_with(links::PHOTO_PREFIX));
    }
}
