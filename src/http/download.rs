//! `GET /download/{name}`: an object's bytes as a file to keep, under the name it
//! was uploaded with (RFC 6266: a plain `filename` for old clients and a UTF-8
//! `filename*` so any name survives), with the same validators, conditional and
//! range answers as `/image/` (a download can resume).

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::response::Response;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::image::{image, served_name};
use crate::catalog::paging::described;
use crate::error::Result;
use crate::state::AppState;

pub async fn download(
    State(state): State<AppState>,
    method: Method,
    Path(name): Path<String>,
    request: HeaderMap,
) -> Result<Response> {
    let object = served_name(&name)?;
    let info = state.bucket.head(&object).await?;
    let file_name = described(&state.catalog, &state.photos, std::slice::from_ref(&info))
        .await
        .pop()
        .map(|image| image.display_name)
        .unwrap_or_default();
    let mut response = image(State(state), method, Path(name), request).await?;
    if let Ok(value) = HeaderValue::from_str(&attachment(&file_name)) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// RFC 8187 `attr-char`: what a `filename*` value may hold unencoded.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `attachment; filename="..."; filename*=UTF-8''...`: the ASCII name (anything
/// else as `_`) for clients that know only that, the whole name for the rest.
fn attachment(file_name: &str) -> String {
    let file_name = if file_name.is_empty() {
        "download"
    } else {
        file_name
    };
    let plain: String = file_name
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '_',
        })
        .collect();
    let encoded = utf8_percent_encode(file_name, ATTR_CHAR);
    format!("attachment; filename=\"{plain}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::attachment;

    #[test]
    fn any_name_survives_and_old_clients_get_an_ascii_one() {
        assert_eq!(
            attachment("IMG_2000.jpg"),
            "attachment; filename=\"IMG_2000.jpg\"; filename*=UTF-8''IMG_2000.jpg"
        );
        assert_eq!(
            attachment("Café \"été\".jpg"),
            "attachment; filename=\"Caf_ __t__.jpg\"; filename*=UTF-8''Caf%C3%A9%20%22%C3%A9t%C3%A9%22.jpg"
        );
        assert_eq!(
            attachment(""),
            "attachment; filename=\"download\"; filename*=UTF-8''download"
        );
    }
}
