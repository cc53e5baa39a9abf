//! Who may do what: the admin token and the session cookie's key, the policy's
//! settings (private, public uploads), and the per-client limits. Decisions only:
//! the guard (`guard.rs`) applies them to requests.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderMap};
use axum_extra::extract::cookie::{Key, SignedCookieJar};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sha2::{Digest, Sha256, Sha512};
use subtle::ConstantTimeEq;

use super::secret::Secret;
use super::sessions::{is_session_id, SESSION_DAYS};
use crate::api::Session;
use crate::error::{Error, Result};

/// The name of the session cookie.
pub const COOKIE: &str = "bucket_gallery_session";
/// Upload requests one client may send a minute when uploads are public, unless
/// `PUBLIC_UPLOADS_PER_MINUTE` says otherwise.
pub const DEFAULT_PUBLIC_UPLOADS_PER_MINUTE: u32 = 10;
/// Sign-in attempts one client may make a minute.
const SIGN_INS_PER_MINUTE: u32 = 10;

/// What a request presents to be known by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// The admin token, as `Authorization: Bearer`.
    AdminToken,
    /// A session cookie this server signed, not lapsed: the session's id.
    Session(String),
    /// Nothing, or nothing that holds.
    Nothing,
}

/// The person behind a request, as the guard found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Admin,
    Visitor,
}

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
    /// Who may show the pages in a frame (a CSP `frame-ancestors` source list).
    pub frame_ancestors: String,
}

/// Who may do what, and the keys to tell.
#[derive(Clone)]
pub struct Policy {
    token_hash: [u8; 32],
    key: Key,
    private: bool,
    public_uploads: bool,
    client_ip_header: Option<String>,
    frame_ancestors: String,
    uploads: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    sign_ins: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("private", &self.private)
            .field("public_uploads", &self.public_uploads)
            .finish_non_exhaustive()
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
        let per_minute = |count: u32| NonZeroU32::new(count.max(1)).unwrap_or(NonZeroU32::MIN);
        Policy {
            token_hash: Sha256::digest(token).into(),
            key,
            private: settings.private,
            public_uploads: settings.public_uploads,
            client_ip_header: settings.client_ip_header.clone(),
            frame_ancestors: settings.frame_ancestors.clone(),
            uploads: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute(
                settings.public_uploads_per_minute,
            )))),
            sign_ins: Arc::new(RateLimiter::keyed(Quota::per_minute(per_minute(
                SIGN_INS_PER_MINUTE,
            )))),
        }
    }

    /// Who may show the pages in a frame, as `frame-ancestors` takes it.
    pub fn frame_ancestors(&self) -> &str {
        &self.frame_ancestors
    }

    /// The key that signs session cookies.
    pub fn cookie_key(&self) -> Key {
        self.key.clone()
    }

    /// Whether a token is the admin token. Compared as hashes, in constant time,
    /// so neither its bytes nor its length leak through timing.
    pub fn is_admin_token(&self, candidate: &str) -> bool {
        let candidate: [u8; 32] = Sha256::digest(candidate.as_bytes()).into();
        candidate.ct_eq(&self.token_hash).into()
    }

    /// What `who` may do, as the page shows it.
    pub fn session(&self, who: Who) -> Session {
        let admin = who == Who::Admin;
        Session {
            signed_in: admin,
            can_upload: admin || self.public_uploads,
            can_delete: admin,
            max_file_bytes: 0,
            max_pixels: 0,
        }
    }

    /// Whether `who` may see the gallery and its images.
    pub fn may_view(&self, who: Who) -> bool {
        !self.private || who == Who::Admin
    }

    /// Whether `who` may upload now: the admin always; anyone when uploads are
    /// public, each client a few requests a minute.
    pub fn may_upload(&self, who: Who, client: Option<IpAddr>) -> Result<()> {
        if who == Who::Admin {
            return Ok(());
        }
        if !self.public_uploads {
            return Err(Error::Unauthorized {
                action: "upload images".into(),
            });
        }
        within_limit(&self.uploads, client)
    }

    /// Whether `who` may delete: the admin only.
    pub fn may_delete(&self, who: Who) -> Result<()> {
        match who {
            Who::Admin => Ok(()),
            Who::Visitor => Err(Error::Unauthorized {
                action: "delete images".into(),
            }),
        }
    }

    /// Whether this client may try a token now (a few attempts a minute).
    pub fn may_try_sign_in(&self, client: Option<IpAddr>) -> Result<()> {
        within_limit(&self.sign_ins, client)
    }

    /// What a request presents to be known by: the bearer token first, then the
    /// session cookie (signed with this token's key, and not lapsed). Whether
    /// that session is still open, only the bucket knows (`sessions.rs`).
    pub fn credential(&self, headers: &HeaderMap) -> Credential {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "));
        if let Some(token) = bearer {
            return if self.is_admin_token(token.trim()) {
                Credential::AdminToken
            } else {
                Credential::Nothing
            };
        }
        let jar = SignedCookieJar::from_headers(headers, self.key.clone());
        self.session_id(&jar)
            .map_or(Credential::Nothing, Credential::Session)
    }

    /// The id of the session in a jar's cookie, if it holds a current one.
    pub fn session_id(&self, jar: &SignedCookieJar) -> Option<String> {
        jar.get(COOKIE)
            .and_then(|cookie| current_session_id(cookie.value()))
    }

    /// The client's address: from the trusted proxy's header when one is set,
    /// else the peer's.
    pub fn client_ip(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> Option<IpAddr> {
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

    /// Forgets clients that have not been seen for a while (each limiter keeps one
    /// entry per client).
    pub fn spawn_limiter_cleanup(&self) {
        let uploads = Arc::clone(&self.uploads);
        let sign_ins = Arc::clone(&self.sign_ins);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(60));
            loop {
                every.tick().await;
                uploads.retain_recent();
                sign_ins.retain_recent();
            }
        });
    }
}

/// One more request of `client` against `limiter`; over the limit, how long to wait.
fn within_limit(limiter: &DefaultKeyedRateLimiter<IpAddr>, client: Option<IpAddr>) -> Result<()> {
    let Some(ip) = client else {
        return Ok(());
    };
    limiter
        .check_key(&ip)
        .map_err(|not_until| Error::RateLimited {
            retry_after: not_until.wait_time_from(DefaultClock::default().now()),
        })
}

/// What a session cookie holds: when it was issued, and the session's id.
pub fn session_value(id: &str) -> String {
    format!("admin:{}:{id}", chrono::Utc::now().timestamp())
}

/// The session id in a cookie's value, if it was issued less than
/// [`SESSION_DAYS`] ago.
fn current_session_id(value: &str) -> Option<String> {
    let (issued, id) = value.strip_prefix("admin:")?.split_once(':')?;
    let age = chrono::Utc::now().timestamp() - issued.parse::<i64>().ok()?;
    let current = (0..SESSION_DAYS * 24 * 3600).contains(&age);
    (current && is_session_id(id)).then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(public_uploads: bool, private: bool) -> Policy {
        Policy::new(&PolicySettings {
            admin_token: Secret::new("correct horse"),
            private,
            public_uploads,
            public_uploads_per_minute: 1,
            client_ip_header: None,
            frame_ancestors: "'none'".into(),
        })
    }

    #[test]
    fn the_admin_token_is_recognised_and_nothing_else() {
        let policy = policy(false, false);
        assert!(policy.is_admin_token("correct horse"));
        assert!(!policy.is_admin_token("correct hors"));
        assert!(!policy.is_admin_token(""));
    }

    #[test]
    fn an_old_or_forged_session_is_not_current() {
        let id = "0123456789abcdef0123456789abcdef";
        let now = chrono::Utc::now().timestamp();
        assert_eq!(current_session_id(&session_value(id)).as_deref(), Some(id));
        let old = format!("admin:{}:{id}", now - 31 * 24 * 3600);
        assert_eq!(current_session_id(&old), None);
        assert_eq!(current_session_id(&format!("admin:{now}")), None, "no id");
        assert_eq!(current_session_id(&format!("admin:{now}:../x")), None);
        assert_eq!(current_session_id("visitor:1"), None);
    }

    #[test]
    fn only_the_admin_deletes_and_visitors_upload_only_when_uploads_are_public() {
        let closed = policy(false, false);
        assert!(closed.may_delete(Who::Admin).is_ok());
        assert!(closed.may_delete(Who::Visitor).is_err());
        assert!(closed.may_upload(Who::Visitor, None).is_err());

        let open = policy(true, false);
        let client = Some(IpAddr::from([192, 0, 2, 1]));
        assert!(open.may_upload(Who::Visitor, client).is_ok());
        assert!(matches!(
            open.may_upload(Who::Visitor, client),
            Err(Error::RateLimited { .. })
        ));
        assert!(
            open.may_upload(Who::Admin, client).is_ok(),
            "the admin is not limited"
        );
        assert!(open.may_delete(Who::Visitor).is_err());
    }

    #[test]
    fn a_private_gallery_is_seen_by_the_admin_alone() {
        assert!(policy(false, false).may_view(Who::Visitor));
        assert!(!policy(false, true).may_view(Who::Visitor));
        assert!(policy(false, true).may_view(Who::Admin));
    }
}
