//! Every address the app serves and links to, and the query keys its pages read,
//! written once for both sides: the server routes and redirects with these, the
//! pages link with them and read the same keys back.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// The gallery.
pub const GALLERY: &str = "/";
/// The classic Flask guide's address: the gallery page (GET) and its form endpoint
/// (POST, which redirects to the stored image).
pub const CLASSIC_UPLOAD: &str = "/upload";
/// The sign-in page (GET) and form (POST).
pub const SIGN_IN: &str = "/signin";
/// The sign-in link the server prints at start (`?token=`).
pub const SIGN_IN_LINK: &str = "/signin/link";
/// Signing out (POST).
pub const SIGN_OUT: &str = "/signout";
/// Ending every session, of every browser (POST, the admin).
pub const SIGN_OUT_EVERYWHERE: &str = "/signout/everywhere";
/// The question before a delete, for a browser without JavaScript (`?name=`).
pub const DELETE_PAGE: &str = "/delete";
/// The id of the element after the gallery's grid: pages are painted once it is
/// parsed, so no row is painted before the rest of its page.
pub const GRID_END: &str = "grid-end";
/// Whether the server runs and the bucket answers.
pub const HEALTH: &str = "/healthz";
/// The site's icon.
pub const FAVICON: &str = "/favicon.svg";
/// The raw bytes of an object, as the router writes it: [`image`] builds one.
pub const IMAGE_ROUTE: &str = "/image/{*name}";
/// An object's bytes as a file to keep, under the name it was uploaded with.
pub const DOWNLOAD_ROUTE: &str = "/download/{*name}";
/// A derived copy of one version of a photo: `/derived/{version}/{edge}/{name}`.
pub const DERIVED_ROUTE: &str = "/derived/{version}/{edge}/{*name}";

/// Where the server functions answer. Their `#[server]` attributes spell the same
/// paths (the macro takes only literals); a test holds the two equal.
pub mod api {
    /// `POST`: store the files of a multipart body.
    pub const UPLOAD: &str = "/api/upload";
    /// `POST`: delete one image (form field `name`).
    pub const DELETE: &str = "/api/delete";
    /// A walk of the whole bucket now (the admin).
    pub const RESCAN: &str = "/api/rescan";
    /// `GET`: a page of images, newest first.
    pub const IMAGES: &str = "/api/images";
    /// `GET`: one photo as the viewer shows it, with its neighbours (`?name=`).
    pub const PHOTO: &str = "/api/photo";
    /// `GET`: what the caller may do.
    pub const SESSION: &str = "/api/session";
}

/// Query keys, as the server writes them and the pages read them.
pub mod keys {
    /// A form's request was refused: why (gallery, sign-in page).
    pub const ERROR: &str = "error";
    /// How many images a form upload stored.
    pub const UPLOADED: &str = "uploaded";
    /// How many files of a form upload were in the gallery already.
    pub const ALREADY: &str = "already";
    /// An image was deleted by a form.
    pub const DELETED: &str = "deleted";
    /// Where a page of the gallery starts.
    pub const CURSOR: &str = "cursor";
    /// Where to go back to after signing in.
    pub const NEXT: &str = "next";
    /// The object a page is about (the delete question).
    pub const NAME: &str = "name";
    /// The admin token, in the printed sign-in link.
    pub const TOKEN: &str = "token";
}

/// What the gallery says after a plain form post (a browser without JavaScript).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flash {
    /// So many images were stored, and so many were in the gallery already.
    Uploaded { stored: usize, already: usize },
    /// The image was deleted.
    Deleted,
    /// The request was refused: why.
    Error(String),
}

impl Flash {
    /// The flash a gallery address carries, from its query (`get` reads one key).
    pub fn read(get: impl Fn(&str) -> Option<String>) -> Option<Flash> {
        if let Some(message) = get(keys::ERROR) {
            return Some(Flash::Error(message));
        }
        if get(keys::DELETED).is_some() {
            return Some(Flash::Deleted);
        }
        let count = |key| get(key).and_then(|count| count.parse().ok());
        count(keys::UPLOADED).map(|stored| Flash::Uploaded {
            stored,
            already: count(keys::ALREADY).unwrap_or(0),
        })
    }
}

/// The gallery, saying what a form post did: `/?uploaded=2`, `/?deleted=1`, `/?error=...`.
pub fn gallery_with(flash: &Flash) -> String {
    match flash {
        Flash::Uploaded { stored, already: 0 } => {
            format!("{GALLERY}?{}={stored}", keys::UPLOADED)
        }
        Flash::Uploaded { stored, already } => format!(
            "{GALLERY}?{}={stored}&{}={already}",
            keys::UPLOADED,
            keys::ALREADY
        ),
        Flash::Deleted => format!("{GALLERY}?{}=1", keys::DELETED),
        Flash::Error(message) => format!("{GALLERY}?{}={}", keys::ERROR, query_value(message)),
    }
}

/// The page of the gallery that starts after `cursor`.
pub fn gallery_from(cursor: &str) -> String {
    format!("{GALLERY}?{}={}", keys::CURSOR, query_value(cursor))
}

/// The sign-in page, with why the last attempt failed and where to go afterwards.
pub fn sign_in(error: Option<&str>, next: Option<&str>) -> String {
    let mut query = Vec::new();
    if let Some(error) = error {
        query.push(format!("{}={}", keys::ERROR, query_value(error)));
    }
    if let Some(next) = next {
        query.push(format!("{}={}", keys::NEXT, query_value(next)));
    }
    if query.is_empty() {
        SIGN_IN.to_owned()
    } else {
        format!("{SIGN_IN}?{}", query.join("&"))
    }
}

/// The sign-in link the server prints: signs in whoever opens it.
pub fn sign_in_link(token: &str) -> String {
    format!("{SIGN_IN_LINK}?{}={}", keys::TOKEN, query_value(token))
}

/// The question before deleting `name`, for a browser without JavaScript.
pub fn delete_page(name: &str) -> String {
    format!("{DELETE_PAGE}?{}={}", keys::NAME, query_value(name))
}

/// Where the raw bytes of object `name` are served: `/image/` and the name, each
/// segment percent-encoded, so any name makes a valid URL.
pub fn image(name: &str) -> String {
    let encoded: Vec<String> = name
        .split('/')
        .map(|segment| utf8_percent_encode(segment, SEGMENT).to_string())
        .collect();
    format!("/image/{}", encoded.join("/"))
}

/// Where object `name` is served as a file to keep (under its uploaded name).
pub fn download(name: &str) -> String {
    let encoded = image(name);
    format!("/download/{}", encoded.trim_start_matches("/image/"))
}

/// The viewer's address of photo `name`: `/photo/` and the name, each segment
/// percent-encoded as in [`image`].
pub fn photo(name: &str) -> String {
    let encoded = image(name);
    format!("{PHOTO_PREFIX}{}", encoded.trim_start_matches("/image/"))
}

/// What every viewer address starts with.
pub const PHOTO_PREFIX: &str = "/photo/";

/// A photo's own page, as the server routes it.
pub const PHOTO_ROUTE: &str = "/photo/{*name}";

/// The longest edge, in pixels, of each small copy of a photo, smallest first:
/// grid tiles at 1× on small rows, at 1× on desktop rows and 2.6× on phones (a 4:3
/// tile wants about 330 and 390 pixels there), and at 3×.
pub const THUMBNAIL_EDGES: [u32; 3] = [320, 480, 640];

/// The longest edge of the copies the viewer shows a photo at, smallest first: a
/// laptop or phone screen, and a large or high-density one. Made when first asked
/// for (most photos are never opened full screen), then kept like the others.
pub const SCREEN_EDGES: [u32; 2] = [1280, 2048];

/// Where the copy of `name` (in its version `version`) that fits `edge` pixels is
/// served; each segment of the name percent-encoded as in [`image`].
pub fn derived(version: &str, edge: u32, name: &str) -> String {
    let encoded = image(name);
    let name = encoded.trim_start_matches("/image/");
    format!("/derived/{version}/{edge}/{name}")
}

/// Characters left as they are in a URL path segment (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A value as a URL query parameter: everything but letters and digits encoded.
pub fn query_value(value: &str) -> String {
    utf8_percent_encode(value, NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_urls_encode_each_segment() {
        assert_eq!(image("albums/my cat?.jpg"), "/image/albums/my%20cat%3F.jpg");
        assert_eq!(image("a-b_c.d~e.png"), "/image/a-b_c.d~e.png");
    }

    #[test]
    fn a_flash_is_read_back_from_the_address_it_wrote() {
        for flash in [
            Flash::Uploaded {
                stored: 3,
                already: 0,
            },
            Flash::Uploaded {
                stored: 1,
                already: 2,
            },
            Flash::Deleted,
            Flash::Error("notes.txt is not a supported image".into()),
        ] {
            let address = gallery_with(&flash);
            let query = address.split_once('?').unwrap().1.to_owned();
            let get = |key: &str| {
                query.split('&').find_map(|pair| {
                    let (k, v) = pair.split_once('=')?;
                    (k == key).then(|| {
                        percent_encoding::percent_decode_str(v)
                            .decode_utf8_lossy()
                            .into_owned()
                    })
                })
            };
            assert_eq!(Flash::read(get), Some(flash));
        }
    }

    #[test]
    fn the_sign_in_address_names_the_error_first() {
        assert_eq!(sign_in(None, Some("/")), "/signin?next=%2F");
        assert_eq!(
            sign_in(Some("no"), Some("/x")),
            "/signin?error=no&next=%2Fx"
        );
        assert_eq!(sign_in(None, None), "/signin");
    }
}
