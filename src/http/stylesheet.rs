//! The site's stylesheet, written into each page's head: a page paints once its
//! HTML is here, with no request for the stylesheet in between (on a slow phone
//! network that request costs a round trip before anything shows, and it holds one
//! of the six connections the first screen's thumbnails wait for). It is the one
//! cargo-leptos built (minified, named by its hash), read from the site folder.

use std::sync::{Arc, OnceLock};

use leptos::config::LeptosOptions;

use super::site_files;

/// The stylesheet's text for a page's `<style>`, or `None` when the page should
/// link to it instead: under `cargo leptos watch` (which swaps a linked
/// stylesheet when it changes), or when the site has no readable stylesheet.
pub fn inline(options: &LeptosOptions) -> Option<Arc<str>> {
    if std::env::var_os("LEPTOS_WATCH").is_some() {
        return None;
    }
    // A release build reads it once; a development build on each page.
    if cfg!(debug_assertions) {
        return read(options);
    }
    static TEXT: OnceLock<Option<Arc<str>>> = OnceLock::new();
    TEXT.get_or_init(|| read(options)).clone()
}

fn read(options: &LeptosOptions) -> Option<Arc<str>> {
    let path = site_files::path(options, "css");
    match std::fs::read_to_string(&path) {
        Ok(text) if fits_in_a_style_element(&text) => Some(text.into()),
        Ok(_) => {
            tracing::warn!(path = %path.display(), "the stylesheet contains </style: linked, not inlined");
            None
        }
        Err(error) => {
            tracing::warn!(path = %path.display(), %error, "the stylesheet could not be read: linked, not inlined");
            None
        }
    }
}

/// Whether the text can stand inside `<style>…</style>` as it is (an HTML parser
/// ends the element at the first `</style`, in any case).
fn fits_in_a_style_element(text: &str) -> bool {
    !text.to_ascii_lowercase().contains("</style")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_would_end_the_element_is_linked_instead() {
        assert!(fits_in_a_style_element("main>ul li{margin:0}"));
        assert!(!fits_in_a_style_element("a::after{content:\"</STYLE>\"}"));
    }
}
