//! How to reach the bucket, and why a `BUCKET_URL` cannot be opened. Each default
//! is written here once; the command-line settings read the same constants.

use std::time::Duration;

use object_store::{BackoffConfig, ClientConfigKey, RetryConfig};

/// The longest one request to a remote bucket may take, retries included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How many times a failed request to a remote bucket is tried again.
pub const DEFAULT_RETRIES: usize = 3;
/// Where Replit's Object Storage sidecar answers when `REPLIT_SIDECAR_URL` is not set.
pub const DEFAULT_SIDECAR_URL: &str = "http://127.0.0.1:1106";

/// How to reach the bucket.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `file://PATH` (or a bare path), `memory://`, `s3://BUCKET`, `gs://BUCKET`,
    /// `replit://` (the Repl's default bucket) or `replit://BUCKET_ID`.
    pub url: String,
    /// The longest one request to a remote bucket may take, retries included.
    pub timeout: Duration,
    /// How many times a failed request to a remote bucket is tried again.
    pub retries: usize,
    /// Where Replit's Object Storage sidecar answers.
    pub replit_sidecar: String,
    /// object_store settings (`aws_endpoint`, `google_base_url`, ...) applied over
    /// the environment's: one process can then reach several buckets (tests do).
    pub options: Vec<(String, String)>,
    /// Bytes per part of a multipart upload, instead of the backend's default.
    pub part_size: Option<usize>,
}

impl Settings {
    pub fn new(url: impl Into<String>) -> Self {
        Settings {
            url: url.into(),
            timeout: DEFAULT_TIMEOUT,
            retries: DEFAULT_RETRIES,
            replit_sidecar: DEFAULT_SIDECAR_URL.into(),
            options: Vec::new(),
            part_size: None,
        }
    }

    pub(super) fn retry(&self) -> RetryConfig {
        RetryConfig {
            backoff: BackoffConfig::default(),
            max_retries: self.retries,
            retry_timeout: self.timeout,
        }
    }

    /// Client settings as object_store spells them: a request may take the whole
    /// timeout (a large image on a slow link), a connection only a few seconds.
    pub(super) fn client_settings(&self) -> [(ClientConfigKey, String); 2] {
        let connect = self.timeout.min(Duration::from_secs(5));
        [
            (
                ClientConfigKey::Timeout,
                format!("{}ms", self.timeout.as_millis()),
            ),
            (
                ClientConfigKey::ConnectTimeout,
                format!("{}ms", connect.as_millis()),
            ),
        ]
    }
}

/// Why a `BUCKET_URL` could not be opened. These stop the server: they are mistakes
/// in the settings, which waiting will not mend.
#[derive(Debug, thiserror::Error)]
pub enum BucketUrlError {
    #[error("BUCKET_URL {url:?} is not supported: use file://PATH (a local folder), s3://BUCKET (S3 and compatible stores), gs://BUCKET (Google Cloud Storage), replit:// (Replit Object Storage) or memory:// (kept in memory)")]
    Unsupported { url: String },
    #[error("BUCKET_URL {url:?} names no bucket: write it as {scheme}://BUCKET")]
    NoBucketName { url: String, scheme: &'static str },
    #[error("BUCKET_URL {url:?} names a folder inside the bucket, which is not supported: give the gallery a bucket of its own")]
    FolderInBucket { url: String },
    #[error("the S3 endpoint {endpoint} is plain http: set AWS_ALLOW_HTTP=true to use it (a self-hosted store on a trusted network), or use https")]
    PlainHttp { endpoint: String },
    #[error("the setting {key:?} is not one object_store knows for this backend")]
    UnknownOption { key: String },
    #[error("the bucket folder {path} could not be created or opened: {source}")]
    Folder {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{what} could not be set up: {source}")]
    Client {
        what: String,
        #[source]
        source: object_store::Error,
    },
    #[error("the client for Replit's Object Storage sidecar could not be set up: {0}")]
    Sidecar(#[source] reqwest::Error),
}

/// An endpoint as the log may show it: without `user:password@`.
pub(super) fn without_userinfo(endpoint: &str) -> String {
    match url::Url::parse(endpoint) {
        Ok(mut url) if !url.username().is_empty() || url.password().is_some() => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        }
        _ => endpoint.to_string(),
    }
}
