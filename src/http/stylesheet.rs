//! The site's stylesheet, written into each page's head: a page paints once its
//! HTML is here, with no request for the stylesheet in between (on a slow phone
//! network that request costs a round trip before anything shows, and it holds one
//! of the six connections the first screen's thumbnails wait for). It is the one
//! cargo-leptos built (minified, named by its hash), read from the site folder.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use leptos::config::LeptosOptions;

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
    let path = path(options);
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

/// Where the built stylesheet is: `{site}/{pkg}/{name}[.{hash}].css`, the hash
/// from the file cargo-leptos writes beside the server binary (a `css: …` line).
fn path(options: &LeptosOptions) -> PathBuf {
    let mut name = options.output_name.to_string();
    if options.hash_files {
        let hashes = std::env::current_exe()
            .ok()
            .and_then(|exe| std::fs::read_to_string(exe.parent()?.join(&*options.hash_file)).ok())
            .unwrap_or_default();
        if let Some(hash) = css_hash(&hashes) {
            name = format!("{name}.{hash}");
        }
    }
    PathBuf::from(&*options.site_root)
        .join(&*options.site_pkg_dir)
        .join(format!("{name}.css"))
}

/// The stylesheet's hash in cargo-leptos's hash file.
fn css_hash(hashes: &str) -> Option<&str> {
    hashes.lines().find_map(|line| {
        let (file, hash) = line.trim().split_once(':')?;
        (file.trim() == "css").then(|| hash.trim())
    })
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
    fn the_css_line_of_the_hash_file_names_the_stylesheet() {
        let hashes = "js: abc\nwasm: def\ncss: a2hA7eHmlgmeiADs7lqNKw\nsplit: x\n";
        assert_eq!(css_hash(hashes), Some("a2hA7eHmlgmeiADs7lqNKw"));
        assert_eq!(css_hash("js: abc\n"), None);
    }

    #[test]
    fn text_that_would_end_the_element_is_linked_instead() {
        assert!(fits_in_a_style_element("main>ul li{margin:0}"));
        assert!(!fits_in_a_style_element("a::after{content:\"</STYLE>\"}"));
    }
}
