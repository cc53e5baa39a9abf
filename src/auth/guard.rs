//! The policy applied to requests. One layer around the whole app finds who is
//! asking, refuses changes sent from another site's page, and keeps a private
//! gallery from visitors; the routes that change something carry layers of their
//! own ([`may_upload`], [`may_delete`]) where they are declared.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Extensions, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::origin::from_this_site;
use super::policy::{Credential, Who};
use super::sessions::Purpose;
use crate::api::links;
use crate::error::Error;
use crate::http::forms::wants_html;
use crate::state::AppState;

/// Who sends a request, as the guard found it: in every request's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub who: Who,
    /// The client's address, for per-client limits.
    pub client: Option<IpAddr>,
}

impl Caller {
    /// The caller the guard put into a request's extensions (a visitor when absent).
    pub fn of(extensions: &Extensions) -> Caller {
        extensions.get::<Caller>().copied().unwrap_or(Caller {
            who: Who::Visitor,
            client: None,
        })
    }
}

/// Open to everyone even on a private gallery: signing in, the health check and
/// the site's own files.
fn open_to_all(path: &str, site_pkg_dir: &str) -> bool {
    matches!(
        path,
        links::SIGN_IN | links::SIGN_IN_LINK | links::HEALTH | links::FAVICON
    ) || path
        .strip_prefix('/')
        .and_then(|rest| rest.strip_prefix(site_pkg_dir))
        .is_some_and(|rest| rest.starts_with('/'))
}

/// Around every request: finds the caller and leaves it in the request; refuses
/// a request that changes something unless it comes from this site's own pages
/// (or from no page at all: a script); on a private gallery, refuses viewing to
/// all but the admin (a browser is sent to sign in).
pub async fn guard(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let policy = &state.policy;
    let changes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    // Read from the request before waiting on the bucket (a borrow of it held
    // across the wait would keep the handler's future from moving between threads).
    let (client, credential) = {
        let headers = request.headers();
        if changes {
            let authority = request.uri().authority().map(|a| a.as_str());
            if !from_this_site(headers, authority) {
                return Error::CrossSite.into_response();
            }
        }
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|connect| connect.0);
        (policy.client_ip(headers, peer), policy.credential(headers))
    };
    let who = match credential {
        Credential::AdminToken => Who::Admin,
        Credential::Nothing => Who::Visitor,
        Credential::Session(id) => {
            let purpose = if changes {
                Purpose::Change
            } else {
                Purpose::View
            };
            match state.sessions.is_open(&id, purpose).await {
                Ok(true) => Who::Admin,
                Ok(false) => Who::Visitor,
                Err(error) => return error.into_response(),
            }
        }
    };
    let path = request.uri().path();
    if !changes && !policy.may_view(who) && !open_to_all(path, &state.leptos_options.site_pkg_dir) {
        if wants_html(request.headers()) && request.method() == Method::GET {
            return Redirect::to(&links::sign_in(None, Some(path))).into_response();
        }
        return Error::Unauthorized {
            action: "view this gallery".into(),
        }
        .into_response();
    }
    request.extensions_mut().insert(Caller { who, client });
    next.run(request).await
}

/// Route layer: the admin, or anyone within the per-client limit when uploads
/// are public.
pub async fn may_upload(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let caller = Caller::of(request.extensions());
    match state.policy.may_upload(caller.who, caller.client) {
        Ok(()) => next.run(request).await,
        Err(refused) => refused.into_response(),
    }
}

/// Route layer: the admin only.
pub async fn may_delete(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let caller = Caller::of(request.extensions());
    match state.policy.may_delete(caller.who) {
        Ok(()) => next.run(request).await,
        Err(refused) => refused.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_in_health_and_the_sites_files_are_open_to_all() {
        for path in [
            "/signin",
            "/signin/link",
            "/healthz",
            "/favicon.svg",
            "/pkg/app.wasm",
        ] {
            assert!(open_to_all(path, "pkg"), "{path}");
        }
        for path in ["/", "/api/images", "/image/a.png", "/pkgs/x", "/upload"] {
            assert!(!open_to_all(path, "pkg"), "{path}");
        }
    }
}
