//! Signing in and out: the sign-in form, the link the server prints at start, and
//! the session cookie they set (signed, HttpOnly; over https `SameSite=None;
//! Secure; Partitioned`, so it is sent inside another site's frame such as
//! Replit's preview pane, else `SameSite=Lax`). Each sign-in opens a session in
//! the bucket; signing out ends it, on every instance.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use axum_extra::extract::cookie::{Cookie, SameSite, SignedCookieJar};
use serde::Deserialize;

use super::guard::Caller;
use super::policy::{session_value, Who, COOKIE};
use super::sessions::SESSION_DAYS;
use crate::api::links;
use crate::error::{Error, Result};
use crate::http::forms::wants_html;
use crate::state::AppState;

/// The sign-in form, the printed link and signing out. Open to everyone: they
/// change only the sender's own session.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(links::SIGN_IN, post(sign_in))
        .route(links::SIGN_IN_LINK, get(sign_in_link))
        .route(links::SIGN_OUT, post(sign_out))
        .route(links::SIGN_OUT_EVERYWHERE, post(sign_out_everywhere))
}

/// The session cookie, or (without a value) what removes it: the attributes must
/// match for a browser to replace a partitioned cookie.
fn session_cookie(value: String, https: bool) -> Cookie<'static> {
    let cookie = Cookie::build((COOKIE, value)).path("/").http_only(true);
    if https {
        // Sent in a third-party frame too; the origin checks still guard every change.
        cookie
            .same_site(SameSite::None)
            .secure(true)
            .partitioned(true)
            .build()
    } else {
        cookie.same_site(SameSite::Lax).build()
    }
}

/// Opens a session and gives back the jar with its cookie.
async fn signed_in(state: &AppState, jar: SignedCookieJar, https: bool) -> Result<SignedCookieJar> {
    let id = state.sessions.open().await?;
    let mut cookie = session_cookie(session_value(&id), https);
    cookie.set_max_age(time::Duration::days(SESSION_DAYS));
    Ok(jar.add(cookie))
}

fn signed_out(jar: SignedCookieJar, https: bool) -> SignedCookieJar {
    jar.remove(session_cookie(String::new(), https))
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
    match signed_in(&state, jar, over_https(&headers)).await {
        Ok(jar) => (jar, Redirect::to(&next)).into_response(),
        Err(error) => error.into_response(),
    }
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
    match signed_in(&state, jar, over_https(&headers)).await {
        Ok(jar) => (jar, Redirect::to(links::GALLERY)).into_response(),
        Err(error) => error.into_response(),
    }
}

/// `POST /signout`: ends this browser's session (in the bucket, so a copy of the
/// cookie is worth nothing after) and forgets its cookie. When the bucket cannot
/// end it, says so and keeps the cookie: the session is still open.
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: SignedCookieJar,
) -> Response {
    if let Some(id) = state.policy.session_id(&jar) {
        if let Err(error) = state.sessions.end(&id).await {
            return error.into_response();
        }
    }
    let jar = signed_out(jar, over_https(&headers));
    (jar, Redirect::to(links::GALLERY)).into_response()
}

/// `POST /signout/everywhere` (the admin): ends every session of every browser,
/// this one's too; a bearer token keeps working.
async fn sign_out_everywhere(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    jar: SignedCookieJar,
) -> Response {
    if caller.who != Who::Admin {
        return Error::Unauthorized {
            action: "sign out everywhere".into(),
        }
        .into_response();
    }
    match state.sessions.end_all().await {
        Ok(ended) => {
            tracing::info!("signed out everywhere: {ended} sessions ended");
            let jar = signed_out(jar, over_https(&headers));
            (jar, Redirect::to(links::GALLERY)).into_response()
        }
        Err(error) => error.into_response(),
    }
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
