//! Where uploads arrive: the server function's route and the classic Flask guide's
//! `POST /upload`, both behind the layer that decides who may upload; and where a
//! browser goes after a form upload.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;

use crate::api::links::{self, Flash};
use crate::api::ImageInfo;
use crate::auth::guard::may_upload;
use crate::error::{Error, Result};
use crate::http::forms::{error_location, wants_html};
use crate::http::server_fns;
use crate::ingest;
use crate::state::AppState;

/// `POST /api/upload` and `POST /upload`, for those who may upload.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(
            links::api::UPLOAD,
            post(server_fns::answer).layer(from_fn(require_multipart)),
        )
        .route(links::CLASSIC_UPLOAD, post(classic_upload))
        .route_layer(from_fn_with_state(state.clone(), may_upload))
}

/// Where a browser goes after a form upload: the gallery, with a line saying
/// what happened.
pub fn after_upload(stored: &Result<Vec<ImageInfo>>) -> String {
    match stored {
        Ok(images) => {
            let already = images.iter().filter(|i| i.already_in_gallery).count();
            links::gallery_with(&Flash::Uploaded {
                stored: images.len() - already,
                already,
            })
        }
        Err(error) => error_location(error),
    }
}

/// `POST /upload`: the classic form endpoint. Stores the files of field `image` and
/// redirects to the first stored image, as the Flask guide's app did.
async fn classic_upload(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let stored = match ingest::multipart_from(content_type, body) {
        Ok(multipart) => state.store_uploads(multipart).await,
        Err(error) => Err(error),
    };
    match stored {
        Ok(images) => match images.first() {
            Some(first) => Redirect::to(&first.url).into_response(),
            None => Error::NoFiles.into_response(),
        },
        Err(error) if wants_html(&headers) => {
            error.log();
            Redirect::to(&after_upload(&Err(error))).into_response()
        }
        Err(error) => error.into_response(),
    }
}

/// The server function reads its multipart body without checking it is one (a
/// body without a boundary would end the connection): such a request is
/// answered here, clearly, instead.
async fn require_multipart(request: Request, next: Next) -> Response {
    let boundary = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok());
    if boundary.is_none() {
        return Error::BadRequest(
            "an upload must be sent as multipart/form-data with files in fields named `image`"
                .into(),
        )
        .into_response();
    }
    next.run(request).await
}
