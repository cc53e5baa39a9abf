//! The server side of who may do what: the admin token and the session cookie's
//! key, the rate limits, and the guard every request passes.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Key, SignedCookieJar};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq;

pub use super::origin::from_this_site;
pub use super::sign_in::{sign_in, sign_in_link, sign_out};
use super::Session;
use crate::api::links;
use crate::error::Error;
use crate::forms::wants_html;
use crate::server::AppState;

/// A secret that never shows in logs or debug output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Ok(Secret(value.to_string()))
    }
}

/// Makes a token for a server started without `ADMIN_TOKEN`: 256 random bits.
pub fn random_token() -> Secret {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    Secret(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The person behind a request, as the guard found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Admin,
    Visitor,
}

/// The `Who` the guard put into a request's extensions (a visitor when absent).
pub fn who(extensions: &axum::http::Extensions) -> Who {
    extensions.get::<Who>().copied().unwrap_or(Who::Visitor)
}

/// The name of the session cookie.
pub const COOKIE: &str = "bucket_gallery_session";
/// How long a sign-in lasts.
pub(super) const SESSION_DAYS: i64 = 30;

/// Settings of the policy.
#[derive(Debug, Clone)]
pub struct PolicySettings {
    pub admin_token: Secret,
    pub private: bool,
    pub public_uploads: bool,
    /// Upload requests a minute one client may send when uploads are public.
    pub public_uploads_per_minute: u32,
    /// The header a trusted proxy puts the client's address into (its last entry).
    pub client_ip_header: Option<String>,
}

/// Who may do what, and the keys to tell.
#[derive(Clone)]
pub struct Policy {
    token_hash: [u8; 32],
    key: Key,
    pub private: bool,
    pub public_uploads: bool,
    client_ip_header: Option<String>,
    uploads: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    pub(super) sign_ins: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("private", &self.private)
            .field("public_uploads", &self.public_uploads)
            .finish_non_exhaustive()
    }
}

impl axum::extract::FromRef<AppState> for Key {
    fn from_ref(state: &AppState) -> Key {
        state.policy.key.clone()
    }
}

impl Policy {
    pub fn new(settings: &PolicySettings) -> Self {
        let token = settings.admin_token.expose().as_bytes();
        // The cookie key follows from the token: every server with the same
        // ADMIN_TOKEN honours the same cookies, and a new token signs everyone out.
        let mut derived = Sha512::new();
        derived.update(b"bucket-gallery session cookie key\0");
        derived.update(token);
        let key = Key::from(derived.finalize().as_slice());
        let per_minute =
            NonZeroU32::new(settings.public_uploads_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let sign_ins_per_minute = NonZeroU32::new(10).unwrap_or(NonZeroU32::MIN);
        Policy {
            token_hash: Sha256::digest(token).into(),
            key,
            private: settings.private,
            public_uploads: settings.public_uploads,
            client_ip_header: settings.client_ip_header.clone(),
            uploads: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute))),
            sign_ins: Arc::new(RateLimiter::keyed(Quota::per_minute(sign_ins_per_minute))),
        }
    }

    /// Whether a token is the admin token. Compared as hashes, in constant time,
    /// so neither its bytes nor its length leak through timing.
    pub fn is_admin_token(&self, candidate: &str) -> bool {
        let candidate: [u8; 32] = Sha256::digest(candidate.as_bytes()).into();
        candidate.ct_eq(&self.token_hash).into()
    }

    pub fn session(&self, who: Who) -> Session {
        let admin = who == Who::Admin;
        Session {
            signed_in: admin,
            can_upload: admin || self.public_uploads,
            can_delete: admin,
        }
    }

    /// Who sends this request: the bearer token first, then the cookie.
    fn who(&self, headers: &HeaderMap) -> Who {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "));
        if let Some(token) = bearer {
            return if self.is_admin_token(token.trim()) {
                Who::Admin
            } else {
                Who::Visitor
            };
        }
        let jar = SignedCookieJar::from_headers(headers, self.key.clone());
        match jar.get(COOKIE) {
            Some(cookie) if session_is_current(cookie.value()) => Who::Admin,
            _ => Who::Visitor,
        }
    }

    pub(super) fn client_ip(
        &self,
        headers: &HeaderMap,
        peer: Option<SocketAddr>,
    ) -> Option<IpAddr> {
        let forwarded = self.client_ip_header.as_deref().and_then(|name| {
            headers
                .get_all(name)
                .iter()
                .filter_map(|value| value.to_str().ok())
                .flat_map(|value| value.split(','))
                .next_back()
                .and_then(|last| last.trim().parse().ok())
        });
        forwarded.or(peer.map(|peer| peer.ip()))
    }
}

/// A session cookie holds when it was issued; it lasts [`SESSION_DAYS`].
fn session_is_current(value: &str) -> bool {
    let Some(issued) = value
        .strip_prefix("admin:")
        .and_then(|t| t.parse::<i64>().ok())
    else {
        return false;
    };
    let age = chrono::Utc::now().timestamp() - issued;
    (0..SESSION_DAYS * 24 * 3600).contains(&age)
}

/// What a request needs, from its method and path.
#[derive(Debug, PartialEq, Eq)]
enum Need {
    /// Open to everyone, even on a private gallery (sign-in, assets, health).
    Nothing,
    View,
    Upload,
    Delete,
    /// Changes something only for the sender (signing in or out).
    SameSite,
}

fn need(method: &Method, path: &str) -> Need {
    let open = matches!(
        path,
        "/signin" | "/signin/link" | "/healthz" | "/favicon.svg"
    ) || path.starts_with("/pkg/");
    let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    match (safe, path) {
        (true, _) if open => Need::Nothing,
        (true, _) => Need::View,
        (false, "/signin" | "/signout") => Need::SameSite,
        (false, path) if path == links::api::UPLOAD || path == links::CLASSIC_UPLOAD => {
            Need::Upload
        }
        (false, path) if path == links::api::DELETE => Need::Delete,
        // Everything else that changes something is the admin's (and else 404s).
        (false, _) => Need::Delete,
    }
}

/// Middleware: finds who sends each request, refuses what they may not do, and
/// leaves `Who` in the request for the handlers.
pub async fn guard(
    State(state): State<AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let policy = &state.policy;
    let headers = request.headers();
    let who = policy.who(headers);
    let need = need(request.method(), request.uri().path());

    let authority = request.uri().authority().map(|a| a.as_str());
    if need != Need::Nothing && need != Need::View && !from_this_site(headers, authority) {
        return Error::CrossSite.into_response();
    }
    let page = wants_html(headers);
    let path = request.uri().path().to_string();
    let refused = match need {
        Need::Nothing | Need::SameSite => None,
        Need::View if policy.private && who != Who::Admin => Some("view this gallery"),
        Need::View => None,
        Need::Upload if who == Who::Admin => None,
        Need::Upload if policy.public_uploads => {
            let peer = request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0);
            if let Some(ip) = policy.client_ip(headers, peer) {
                if let Err(not_until) = policy.uploads.check_key(&ip) {
                    let wait = not_until.wait_time_from(governor::clock::Clock::now(
                        &governor::clock::DefaultClock::default(),
                    ));
                    return Error::RateLimited { retry_after: wait }.into_response();
                }
            }
            None
        }
        Need::Upload => Some("upload images"),
        Need::Delete if who == Who::Admin => None,
        Need::Delete => Some("delete images"),
    };
    if let Some(action) = refused {
        if page && request.method() == Method::GET {
            return Redirect::to(&links::sign_in(None, Some(&path))).into_response();
        }
        return Error::Unauthorized {
            action: action.to_string(),
        }
        .into_response();
    }
    request.extensions_mut().insert(who);
    next.run(request).await
}

/// Forgets clients that have not uploaded for a while (the limiter keeps one
/// entry per client).
pub fn spawn_limiter_cleanup(policy: &Policy) {
    let uploads = Arc::clone(&policy.uploads);
    let sign_ins = Arc::clone(&policy.sign_ins);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            uploads.retain_recent();
            sign_ins.retain_recent();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_admin_token_is_recognised_and_nothing_else() {
        let policy = Policy::new(&PolicySettings {
            admin_token: Secret::new("correct horse"),
            private: false,
            public_uploads: false,
            public_uploads_per_minute: 10,
            client_ip_header: None,
        });
        assert!(policy.is_admin_token("correct horse"));
        assert!(!policy.is_admin_token("correct hors"));
        assert!(!policy.is_admin_token(""));
    }

    #[test]
    fn a_secret_never_prints() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "***");
    }

    #[test]
    fn an_old_or_forged_session_is_not_current() {
        let now = chrono::Utc::now().timestamp();
        assert!(session_is_current(&format!("admin:{now}")));
        assert!(!session_is_current(&format!(
            "admin:{}",
            now - 31 * 24 * 3600
        )));
        assert!(!session_is_current("visitor:1"));
    }

    #[test]
    fn what_each_request_needs() {
        assert_eq!(need(&Method::GET, "/"), Need::View);
        assert_eq!(
            need(&Method::GET, "/pkg/bucket-gallery.wasm"),
            Need::Nothing
        );
        assert_eq!(need(&Method::POST, "/upload"), Need::Upload);
        assert_eq!(need(&Method::POST, links::api::UPLOAD), Need::Upload);
        assert_eq!(need(&Method::POST, links::api::DELETE), Need::Delete);
        assert_eq!(need(&Method::POST, "/signout"), Need::SameSite);
        assert_eq!(need(&Method::POST, "/api/anything-else"), Need::Delete);
    }
}
