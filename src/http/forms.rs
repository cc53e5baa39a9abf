//! Plain form posts. A browser without JavaScript posts a form and expects a page
//! back: it gets a redirect (303) to the gallery with a line saying what happened,
//! where scripts and the WASM app get JSON.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use crate::api::links::{self, Flash};
use crate::api::ApiError;
use crate::error::{Error, Result};

/// A browser navigating (a form post, a page load) asks for HTML.
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// The gallery with an error line, for a form whose request was refused.
pub fn error_location(error: &Error) -> String {
    links::gallery_with(&Flash::Error(error.to_api().message))
}

/// A server function's answer: for a plain form, a redirect to where `location`
/// says (the error is logged here, as nothing else will); else the value, or the
/// error with its status.
pub fn answer<T>(
    outcome: Result<T>,
    location: impl FnOnce(&Result<T>) -> String,
) -> Result<T, ApiError> {
    let is_form =
        use_context::<axum::http::request::Parts>().is_some_and(|parts| wants_html(&parts.headers));
    if !is_form {
        return outcome.map_err(crate::error::respond);
    }
    if let (Some(response), Ok(target)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&location(&outcome)),
    ) {
        response.insert_header(header::LOCATION, target);
        response.set_status(StatusCode::SEE_OTHER);
    }
    outcome.map_err(|error| {
        error.log();
        error.to_api()
    })
}
