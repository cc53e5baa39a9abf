//! Replit Object Storage: a Google Cloud Storage bucket reached with tokens from a
//! sidecar on the Repl's loopback (no credentials to configure). This does what
//! Replit's official clients do: the default bucket from
//! `GET /object-storage/default-bucket`, a subject token from `GET /credential`,
//! traded for a GCS access token by an RFC 8693 token exchange at `POST /token`.
//! The token plugs into object_store's GCS backend as a [`CredentialProvider`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use object_store::gcp::GcpCredential;
use object_store::{CredentialProvider, ObjectStore};
use serde::Deserialize;
use tokio::sync::OnceCell;

use super::gcs::{at_base_url, google, xml_url};
use super::settings::{BucketUrlError, Settings};
use super::sweep::Leftovers;
use super::{Bucket, Kind, Opened, Opener};
use crate::error::Error;

/// Opens `replit://ID`, or with no id the Repl's default bucket. The store is made
/// on first use: the default bucket's id is asked of the sidecar then (and again on
/// the next use while it cannot be had), so the server starts whatever the
/// sidecar says.
pub(super) fn open(settings: &Settings, id: &str) -> Result<Bucket, BucketUrlError> {
    let sidecar = Sidecar::new(&settings.replit_sidecar, settings.timeout)
        .map_err(BucketUrlError::Sidecar)?;
    let credentials = Arc::new(Credentials::new(sidecar.clone()));
    let at = at_base_url(&google(settings, "bucket")?);
    let description = match id {
        "" => format!("Replit Object Storage, the Repl's default bucket{at}"),
        id => format!("Replit Object Storage bucket {id}{at}"),
    };
    let fixed_id = (!id.is_empty()).then(|| id.to_string());
    let for_store = settings.clone();
    let provider = Arc::clone(&credentials);
    let opener: Opener = Box::new(move || {
        let (sidecar, settings, provider) = (sidecar.clone(), for_store.clone(), provider.clone());
        let fixed_id = fixed_id.clone();
        Box::pin(async move {
            let id = match fixed_id {
                Some(id) => id,
                None => {
                    let id = sidecar
                        .default_bucket()
                        .await
                        .map_err(|error| Error::Storage {
                            reason: error.to_string(),
                            source: Box::new(error),
                        })?;
                    tracing::info!("using the Repl's default bucket {id}");
                    id
                }
            };
            let (store, url) = google(&settings, &id)
                .and_then(|builder| {
                    let url = xml_url(&builder, &id);
                    builder
                        .with_credentials(provider)
                        .build()
                        .map(|store| (store, url))
                        .map_err(|source| BucketUrlError::Client {
                            what: format!("Replit Object Storage bucket {id}"),
                            source,
                        })
                })
                .map_err(|error| Error::Internal(error.to_string()))?;
            let leftovers = Leftovers::Gcs {
                store: store.clone(),
                url,
            };
            Ok(Opened {
                store: Arc::new(store) as Arc<dyn ObjectStore>,
                leftovers: Some(Arc::new(leftovers)),
            })
        })
    });
    Ok(Bucket::assemble(
        settings,
        OnceCell::new(),
        Some(opener),
        description,
        Kind::Remote,
        Some(credentials),
    ))
}

/// Why the sidecar could not give what was asked of it. Each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum SidecarError {
    #[error("Replit's Object Storage does not answer at {url}: not running on Replit, or Object Storage is not enabled for this Repl")]
    Unreachable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("this Repl has no default bucket: create a bucket in the Object Storage tool, or set defaultBucketID in .replit")]
    NoDefaultBucket,
    #[error("Replit's Object Storage refused {what} ({status}): {body}")]
    Refused {
        what: &'static str,
        status: reqwest::StatusCode,
        body: String,
    },
    #[error("Replit's Object Storage gave an answer to {what} that could not be read: {source}")]
    BadAnswer {
        what: &'static str,
        #[source]
        source: reqwest::Error,
    },
}

/// The sidecar's HTTP API.
#[derive(Debug, Clone)]
pub struct Sidecar {
    base: String,
    http: reqwest::Client,
}

#[derive(Deserialize)]
struct DefaultBucket {
    #[serde(rename = "bucketId", default)]
    bucket_id: Option<String>,
}

#[derive(Deserialize)]
struct SubjectToken {
    access_token: String,
}

#[derive(Deserialize)]
struct AccessToken {
    access_token: String,
    /// Seconds; Google's tokens last an hour. A number, or a string of one (both
    /// are accepted by google-auth, which Replit's own clients use).
    #[serde(default, deserialize_with = "seconds")]
    expires_in: Option<u64>,
}

/// The scopes Replit's Python client asks for: google-cloud-storage's
/// `Client.SCOPE`, which google-auth's identity-pool credentials send in the
/// token exchange, space-separated.
const SCOPES: &str = "https://www.googleapis.com/auth/devstorage.full_control \
                      https://www.googleapis.com/auth/devstorage.read_only \
                      https://www.googleapis.com/auth/devstorage.read_write";

/// A number of seconds, given as a number or as a string of digits.
fn seconds<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Seconds {
        Number(u64),
        Text(String),
    }
    match Option::<Seconds>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Seconds::Number(n)) => Ok(Some(n)),
        Some(Seconds::Text(text)) => text.trim().parse().map(Some).map_err(|_| {
            serde::de::Error::custom(format!("expires_in {text:?} is not a number of seconds"))
        }),
    }
}

impl Sidecar {
    pub fn new(base: &str, timeout: Duration) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .build()?;
        Ok(Sidecar {
            base: base.trim_end_matches('/').to_string(),
            http,
        })
    }

    /// The id of the Repl's default bucket.
    pub async fn default_bucket(&self) -> Result<String, SidecarError> {
        let what = "the default bucket";
        let response = self
            .send(
                what,
                self.http.get(self.url("/object-storage/default-bucket")),
            )
            .await;
        let response = match response {
            Err(SidecarError::Refused { status, .. })
                if status == reqwest::StatusCode::NOT_FOUND =>
            {
                return Err(SidecarError::NoDefaultBucket)
            }
            other => other?,
        };
        let answer: DefaultBucket = read(what, response).await?;
        answer
            .bucket_id
            .filter(|id| !id.trim().is_empty())
            .ok_or(SidecarError::NoDefaultBucket)
    }

    /// A fresh GCS access token and how long it lasts.
    async fn access_token(&self) -> Result<(String, Duration), SidecarError> {
        let what = "a credential";
        let subject: SubjectToken = read(
            what,
            self.send(what, self.http.get(self.url("/credential")))
                .await?,
        )
        .await?;
        let what = "the token exchange";
        let form = [
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange",
            ),
            ("audience", "replit"),
            ("scope", SCOPES),
            (
                "requested_token_type",
                "urn:ietf:params:oauth:token-type:access_token",
            ),
            ("subject_token_type", "access_token"),
            ("subject_token", subject.access_token.as_str()),
        ];
        let request = self.http.post(self.url("/token")).form(&form);
        let token: AccessToken = read(what, self.send(what, request).await?).await?;
        let lifetime = Duration::from_secs(token.expires_in.unwrap_or(300));
        Ok((token.access_token, lifetime))
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn send(
        &self,
        what: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, SidecarError> {
        let response = request
            .send()
            .await
            .map_err(|source| SidecarError::Unreachable {
                url: self.base.clone(),
                source,
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let mut body = response.text().await.unwrap_or_default();
        body.truncate(200);
        Err(SidecarError::Refused { what, status, body })
    }
}

async fn read<T: serde::de::DeserializeOwned>(
    what: &'static str,
    response: reqwest::Response,
) -> Result<T, SidecarError> {
    response
        .json()
        .await
        .map_err(|source| SidecarError::BadAnswer { what, source })
}

/// GCS access tokens from the sidecar, kept until shortly before they expire.
/// Concurrent requests that find no valid token wait for one exchange together.
#[derive(Debug)]
pub struct Credentials {
    sidecar: Sidecar,
    cached: tokio::sync::Mutex<Option<Cached>>,
}

#[derive(Debug)]
struct Cached {
    credential: Arc<GcpCredential>,
    renew_at: Instant,
}

impl Credentials {
    pub fn new(sidecar: Sidecar) -> Self {
        Credentials {
            sidecar,
            cached: tokio::sync::Mutex::new(None),
        }
    }

    /// Drops the kept token: the bucket refused it.
    pub async fn forget(&self) {
        *self.cached.lock().await = None;
    }
}

/// How long before its expiry a token is renewed: a fifth of its life, at most
/// five minutes, so a request never sets out with a token about to lapse.
fn renewal_margin(lifetime: Duration) -> Duration {
    (lifetime / 5).min(Duration::from_secs(300))
}

#[async_trait]
impl CredentialProvider for Credentials {
    type Credential = GcpCredential;

    async fn get_credential(&self) -> object_store::Result<Arc<GcpCredential>> {
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| Instant::now() < t.renew_at) {
            return Ok(Arc::clone(&token.credential));
        }
        let fetched = Instant::now();
        let (bearer, lifetime) =
            self.sidecar
                .access_token()
                .await
                .map_err(|error| object_store::Error::Generic {
                    store: "Replit Object Storage",
                    source: Box::new(error),
                })?;
        tracing::debug!(
            ?lifetime,
            "received an access token for Replit Object Storage"
        );
        let credential = Arc::new(GcpCredential { bearer });
        *cached = Some(Cached {
            credential: Arc::clone(&credential),
            renew_at: fetched + lifetime - renewal_margin(lifetime),
        });
        Ok(credential)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_renewed_before_they_lapse() {
        assert_eq!(
            renewal_margin(Duration::from_secs(3600)),
            Duration::from_secs(300)
        );
        assert_eq!(
            renewal_margin(Duration::from_secs(10)),
            Duration::from_secs(2)
        );
    }

    #[test]
    fn a_lifetime_is_read_as_a_number_or_as_text() {
        let read = |body: &str| serde_json::from_str::<AccessToken>(body).map(|t| t.expires_in);
        assert_eq!(
            read(r#"{"access_token":"t","expires_in":3600}"#).unwrap(),
            Some(3600)
        );
        assert_eq!(
            read(r#"{"access_token":"t","expires_in":"3599"}"#).unwrap(),
            Some(3599)
        );
        assert_eq!(read(r#"{"access_token":"t"}"#).unwrap(), None);
        assert_eq!(
            read(r#"{"access_token":"t","expires_in":null}"#).unwrap(),
            None
        );
        let wrong = read(r#"{"access_token":"t","expires_in":"an hour"}"#).unwrap_err();
        assert!(
            wrong
                .to_string()
                .contains("\"an hour\" is not a number of seconds"),
            "{wrong}"
        );
    }

    #[test]
    fn the_scopes_are_those_of_the_python_client() {
        let scopes: Vec<&str> = SCOPES.split(' ').collect();
        assert_eq!(scopes.len(), 3, "{SCOPES:?}");
        assert!(scopes
            .iter()
            .all(|s| s.starts_with("https://www.googleapis.com/auth/devstorage.")));
    }
}
