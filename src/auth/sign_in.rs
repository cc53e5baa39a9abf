//! Signing in and out: the sign-in form, the link the server prints at start, and
//! the session cookie they set (signed, HttpOnly, SameSite=Lax, Secure over https).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use axum_extra::extract::cookie::{Cookie, SameSite, SignedCookieJar};
use serde::Deserialize;

use super::ssr::{COOKIE, SESSION_DAYS};
use crate::api::links;
use crate::error::Error;
use crate::forms::wants_html;
use crate::server::AppState;

fn session_cookie(secure: bool) -> Cookie<'static> {
    Cookie::build((COOKIE, format!("admin:{}", chrono::Utc::now().timestamp())))
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
        _ => "/".to_string(),
    }
}

#[derive(Deserialize)]
pub struct SignInForm {
    token: String,
    next: Option<String>,
}

/// `POST /signin` (the sign-in form): sets the session cookie and goes back.
pub async fn sign_in(
    State(state): State<AppState>,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    jar: SignedCookieJar,
    Form(form): Form<SignInForm>,
) -> Response {
    let policy = &state.policy;
    if let Some(ip) = policy.client_ip(&headers, connect.map(|c| c.0 .0)) {
        if let Err(not_until) = policy.sign_ins.check_key(&ip) {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            return Error::RateLimited { retry_after: wait }.into_response();
        }
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
pub struct LinkQuery {
    token: String,
}

/// `GET /signin/link?token=...`: the sign-in link the server prints at start.
pub async fn sign_in_link(
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
    (jar, Redirect::to("/")).into_response()
}

/// `POST /signout`: forgets the session cookie.
pub async fn sign_out(jar: SignedCookieJar) -> Response {
    let jar = jar.remove(Cookie::build(COOKIE).path("/"));
    (jar, Redirect::to("/")).into_response()
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
