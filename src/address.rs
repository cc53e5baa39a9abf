//! The page's own address, read the same way on both sides: on the server from the
//! request being rendered, in the browser from its location. Each page is a
//! document of its own (links load pages; the viewer rewrites the address itself),
//! so the address a page was rendered for is the one it hydrates with.

use percent_encoding::percent_decode_str;

/// The path and the query (without its `?`), as sent: still percent-encoded.
fn raw() -> (String, String) {
    #[cfg(feature = "ssr")]
    if let Some(parts) = leptos::prelude::use_context::<http::request::Parts>() {
        let query = parts.uri.query().unwrap_or_default().to_owned();
        return (parts.uri.path().to_owned(), query);
    }
    #[cfg(feature = "hydrate")]
    {
        let location = leptos::prelude::window().location();
        let search = location.search().unwrap_or_default();
        let query = search.strip_prefix('?').unwrap_or(&search).to_owned();
        return (location.pathname().unwrap_or_default(), query);
    }
    #[allow(unreachable_code)]
    (String::from("/"), String::new())
}

/// The page's path, percent-decoded ("/photo/2024/a b.jpg").
pub fn path() -> String {
    decode_path(&raw().0)
}

/// The first value of the query parameter `key`, decoded as a form would be.
pub fn query(key: &str) -> Option<String> {
    find(&raw().1, key)
}

fn decode_path(path: &str) -> String {
    percent_decode_str(path).decode_utf8_lossy().into_owned()
}

fn find(query: &str, key: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == key)
        .map(|(_, value)| value.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_decoded_once() {
        assert_eq!(
            decode_path("/photo/2024/a%20b%2520.jpg"),
            "/photo/2024/a b%20.jpg"
        );
        assert_eq!(decode_path("/photo/%C3%A9t%C3%A9.jpg"), "/photo/été.jpg");
    }

    #[test]
    fn a_query_value_is_decoded_as_a_form_would_be() {
        let query = "cursor=abc%2Fd&error=Wrong+token%21&cursor=second";
        assert_eq!(find(query, "cursor").as_deref(), Some("abc/d"));
        assert_eq!(find(query, "error").as_deref(), Some("Wrong token!"));
        assert_eq!(find(query, "next"), None);
        assert_eq!(find("", "cursor"), None);
    }
}
