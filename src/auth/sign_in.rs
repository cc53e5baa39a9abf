//! Signing in and out: the sign-in form, the link the server prints at start, and
//! the session cookie they set (signed, HttpOnly, SameSite=Lax, Secure over https).

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use axum_extra::extract::cookie::{Cookie, SameSite, SignedCookieJar};
use serde::Deserialize;

use super::guard::Caller;
use super::policy::{session_value, COOKIE, SESSION_DAYS};
use crate::api::links;
use crate::error::Error;
use crate::http::forms::wants_html;
use crate::state::AppState;

/// The sign-in form, the printed link and signing out. Open to everyone: they
/// change only the sender's own session.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(links::SIGN_IN, post(sign_in))
        .route(links::SIGN_IN_LINK, get(sign_in_link))
        .route(links::SIGN_OUT, post(sign_out))
}

fn session_cookie(secure: bool) -> Cookie<'static> {
    Cookie::build((COOKIE, session_value()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time::Duration::days(SESSION_DAYS))
        .build()
}

/// Whether the request came over https (directly, or through a proxy that says so).
fn over_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
}

/// A place to go back to after signing in: a path on this site, nothing else.
fn local_path(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_string()
        }
        _ => links::GALLERY.to_string(),
    }
}

#[derive(Deserialize)]
struct SignInForm {
    token: String,
    next: Option<String>,
}

/// `POST /signin` (the sign-in form): sets the session cookie and goes back.
async fn sign_in(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    jar: SignedCookieJar,
    Form(form): Form<SignInForm>,
) -> Response {
    let policy = &state.policy;
    if let Err(refused) = policy.may_try_sign_in(caller.client) {
        return refused.into_response();
    }
    let next = local_path(form.next.as_deref());
    if !policy.is_admin_token(form.token.trim()) {
        if wants_html(&headers) {
            let message = "that is not the admin token";
            return Redirect::to(&links::sign_in(Some(message), Some(&next))).into_response();
        }
        return Error::Unauthorized {
            action: "sign in: the token is not the admin token".into(),
        }
        .into_response();
    }
    let jar = jar.add(session_cookie(over_https(&headers)));
    (jar, Redirect::to(&next)).into_response()
}

#[derive(Deserialize)]
struct LinkQuery {
    token: String,
}

/// `GET /signin/link?token=...`: the sign-in link the server prints at start.
async fn sign_in_link(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: SignedCookieJar,
    Query(query): Query<LinkQuery>,
) -> Response {
    if !state.policy.is_admin_token(query.token.trim()) {
        let message =
            "that sign-in link is not (or no longer) valid: the server's admin token changed";
        return Redirect::to(&links::sign_in(Some(message), None)).into_response();
    }
    let jar = jar.add(session_cookie(over_https(&headers)));
    (jar, Redirect::to(links::GALLERY)).into_response()
}

/// `POST /signout`: forgets the session cookie.
pub async fn sign_out(jar: SignedCookieJar) -> Response {
    let jar = jar.remove(Cookie::build(COOKIE).path("/"));
    (jar, Redirect::to(links::GALLERY)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_gone_back_to() {
        assert_eq!(local_path(Some("/?cursor=x")), "/?cursor=x");
        assert_eq!(local_path(Some("//evil.example")), "/");
        assert_eq!(local_path(Some("https://evil.example")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(None), "/");
    }
}
