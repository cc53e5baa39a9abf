//! From a `BUCKET_URL` to a store. Each backend is configured the way its own tools
//! are: S3 from the standard `AWS_*` variables, GCS from a service-account file or
//! application default credentials, Replit from its sidecar. Opening asks nothing of
//! the bucket, so a bucket that is down when the server starts does not stop it.

use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::{BackoffConfig, ClientConfigKey, ObjectStore, RetryConfig};
use tokio::sync::OnceCell;

use super::replit::{Credentials, DEFAULT_SIDECAR_URL};
use super::{Bucket, Inner};

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
            timeout: Duration::from_secs(30),
            retries: 3,
            replit_sidecar: DEFAULT_SIDECAR_URL.into(),
            options: Vec::new(),
            part_size: None,
        }
    }

    fn retry(&self) -> RetryConfig {
        RetryConfig {
            backoff: BackoffConfig::default(),
            max_retries: self.retries,
            retry_timeout: self.timeout,
        }
    }

    /// Client settings as object_store spells them: a request may take the whole
    /// timeout (a large image on a slow link), a connection only a few seconds.
    fn client_settings(&self) -> [(ClientConfigKey, String); 2] {
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

/// Parts of 1 MiB for a local folder or memory: many uploads at once stay cheap.
const LOCAL_PART_SIZE: usize = 1024 * 1024;
/// S3 and GCS refuse multipart parts under 5 MiB (but the last).
const REMOTE_PART_SIZE: usize = 5 * 1024 * 1024;

pub fn open(settings: &Settings) -> Result<Bucket, BucketUrlError> {
    let url = settings.url.trim();
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    match scheme {
        "memory" => Ok(ready(
            settings,
            Arc::new(InMemory::new()),
            "memory:// (kept in memory: lost when the server stops)".into(),
            Kind::Memory,
        )),
        "file" => local_folder(settings, rest),
        "" if url == "memory:" => open(&Settings {
            url: "memory://".into(),
            ..settings.clone()
        }),
        "" if !url.is_empty() => local_folder(settings, url),
        "s3" => s3(settings, bucket_name(url, "s3", rest)?),
        "gs" => gcs(settings, bucket_name(url, "gs", rest)?),
        "replit" => super::replit::open(settings, rest.trim_end_matches('/')),
        _ => Err(BucketUrlError::Unsupported { url: url.into() }),
    }
}

fn bucket_name<'a>(
    url: &str,
    scheme: &'static str,
    rest: &'a str,
) -> Result<&'a str, BucketUrlError> {
    let name = rest.trim_end_matches('/');
    if name.is_empty() {
        return Err(BucketUrlError::NoBucketName {
            url: url.into(),
            scheme,
        });
    }
    if name.contains('/') {
        return Err(BucketUrlError::FolderInBucket { url: url.into() });
    }
    Ok(name)
}

/// What kind of store a bucket is, for what differs between them.
pub(super) enum Kind {
    Folder,
    Memory,
    Remote,
}

pub(super) fn bucket(
    settings: &Settings,
    store: OnceCell<Arc<dyn ObjectStore>>,
    opener: Option<super::Opener>,
    description: String,
    kind: Kind,
    credentials: Option<Arc<Credentials>>,
) -> Bucket {
    let default_part = match kind {
        Kind::Folder | Kind::Memory => LOCAL_PART_SIZE,
        Kind::Remote => REMOTE_PART_SIZE,
    };
    Bucket {
        inner: Arc::new(Inner {
            store,
            opener,
            description,
            part_size: settings.part_size.unwrap_or(default_part),
            // A file has no place for a content type: object_store refuses
            // attributes there. The other stores keep one with the object.
            keeps_attributes: !matches!(kind, Kind::Folder),
            credentials,
        }),
    }
}

fn ready(
    settings: &Settings,
    store: Arc<dyn ObjectStore>,
    description: String,
    kind: Kind,
) -> Bucket {
    bucket(
        settings,
        OnceCell::new_with(Some(store)),
        None,
        description,
        kind,
        None,
    )
}

fn local_folder(settings: &Settings, path: &str) -> Result<Bucket, BucketUrlError> {
    let folder_error = |source| BucketUrlError::Folder {
        path: path.into(),
        source,
    };
    std::fs::create_dir_all(path).map_err(folder_error)?;
    let absolute = std::fs::canonicalize(path).map_err(folder_error)?;
    let store = LocalFileSystem::new_with_prefix(&absolute)
        .map_err(|source| BucketUrlError::Client {
            what: format!("the bucket folder {path}"),
            source,
        })?
        // Folders left empty by deletes are removed; an image survives a power cut.
        .with_automatic_cleanup(true)
        .with_fsync(true);
    Ok(ready(
        settings,
        Arc::new(store),
        format!("local folder {}", absolute.display()),
        Kind::Folder,
    ))
}

fn unknown_option(key: &str) -> BucketUrlError {
    BucketUrlError::UnknownOption { key: key.into() }
}

fn s3(settings: &Settings, name: &str) -> Result<Bucket, BucketUrlError> {
    let mut builder = AmazonS3Builder::from_env()
        .with_bucket_name(name)
        .with_retry(settings.retry());
    for (key, value) in settings.client_settings() {
        builder = builder.with_config(AmazonS3ConfigKey::Client(key), value);
    }
    for (key, value) in &settings.options {
        builder = builder.with_config(key.parse().map_err(|_| unknown_option(key))?, value);
    }
    // Path-style requests (`endpoint/bucket/key`): what self-hosted stores serve
    // without wildcard DNS, and what AWS still accepts.
    builder = builder.with_virtual_hosted_style_request(false);

    let endpoint = builder.get_config_value(&AmazonS3ConfigKey::Endpoint);
    let allow_http = builder
        .get_config_value(&AmazonS3ConfigKey::Client(ClientConfigKey::AllowHttp))
        .is_some_and(|value| matches!(value.to_ascii_lowercase().as_str(), "true" | "1" | "yes"));
    if let Some(endpoint) = endpoint.as_deref() {
        if endpoint.starts_with("http://") && !allow_http {
            return Err(BucketUrlError::PlainHttp {
                endpoint: without_userinfo(endpoint),
            });
        }
    }
    if builder
        .get_config_value(&AmazonS3ConfigKey::AccessKeyId)
        .is_none()
    {
        tracing::warn!("AWS_ACCESS_KEY_ID is not set: S3 requests use the machine's role (EC2, ECS, web identity), if it has one");
    }
    let region = builder
        .get_config_value(&AmazonS3ConfigKey::Region)
        .unwrap_or_else(|| "us-east-1".into());
    let description = format!(
        "S3 bucket {name} at {} (region {region})",
        endpoint.as_deref().map_or("AWS".into(), without_userinfo)
    );
    let store = builder.build().map_err(|source| BucketUrlError::Client {
        what: description.clone(),
        source,
    })?;
    Ok(ready(settings, Arc::new(store), description, Kind::Remote))
}

/// A GCS client from the environment (`GOOGLE_SERVICE_ACCOUNT`,
/// `GOOGLE_APPLICATION_CREDENTIALS`, `GOOGLE_BASE_URL`, ...) and the settings.
pub(super) fn google(
    settings: &Settings,
    name: &str,
) -> Result<GoogleCloudStorageBuilder, BucketUrlError> {
    let mut builder = GoogleCloudStorageBuilder::from_env()
        .with_bucket_name(name)
        .with_retry(settings.retry());
    for (key, value) in settings.client_settings() {
        builder = builder.with_config(GoogleConfigKey::Client(key), value);
    }
    for (key, value) in &settings.options {
        builder = builder.with_config(key.parse().map_err(|_| unknown_option(key))?, value);
    }
    // A plain-http base URL is an emulator or a stand-in someone chose on purpose.
    if base_url(&builder).is_some_and(|url| url.starts_with("http://")) {
        builder = builder.with_config(GoogleConfigKey::Client(ClientConfigKey::AllowHttp), "true");
    }
    Ok(builder)
}

fn base_url(builder: &GoogleCloudStorageBuilder) -> Option<String> {
    builder.get_config_value(&GoogleConfigKey::BaseUrl)
}

pub(super) fn at_base_url(builder: &GoogleCloudStorageBuilder) -> String {
    base_url(builder).map_or(String::new(), |url| {
        format!(" at {}", without_userinfo(&url))
    })
}

fn gcs(settings: &Settings, name: &str) -> Result<Bucket, BucketUrlError> {
    let builder = google(settings, name)?;
    let description = format!(
        "Google Cloud Storage bucket {name}{}",
        at_base_url(&builder)
    );
    let store = builder.build().map_err(|source| BucketUrlError::Client {
        what: description.clone(),
        source,
    })?;
    Ok(ready(settings, Arc::new(store), description, Kind::Remote))
}

/// An endpoint as the log may show it: without `user:password@`.
fn without_userinfo(endpoint: &str) -> String {
    match url::Url::parse(endpoint) {
        Ok(mut url) if !url.username().is_empty() || url.password().is_some() => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string()
        }
        _ => endpoint.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_of(url: &str) -> String {
        open(&Settings::new(url)).unwrap_err().to_string()
    }

    #[test]
    fn a_bucket_url_must_name_a_bucket() {
        assert!(error_of("s3://").contains("s3://BUCKET"));
        assert!(error_of("gs:///").contains("gs://BUCKET"));
    }

    #[test]
    fn a_folder_inside_a_bucket_is_refused_clearly() {
        assert!(error_of("s3://photos/2024").contains("folder inside the bucket"));
    }

    #[test]
    fn a_plain_http_endpoint_needs_to_be_allowed() {
        let settings = Settings {
            options: vec![("aws_endpoint".into(), "http://127.0.0.1:9".into())],
            ..Settings::new("s3://photos")
        };
        let error = open(&settings).unwrap_err().to_string();
        assert!(error.contains("AWS_ALLOW_HTTP=true"), "{error}");
    }

    #[test]
    fn the_description_names_the_bucket_and_never_a_secret() {
        let settings = Settings {
            options: vec![
                (
                    "aws_endpoint".into(),
                    "http://key:secret@127.0.0.1:9".into(),
                ),
                ("aws_allow_http".into(), "true".into()),
                ("aws_access_key_id".into(), "AKIDEXAMPLE".into()),
                ("aws_secret_access_key".into(), "wJalrXUtnFEMI".into()),
                ("aws_region".into(), "garage".into()),
            ],
            ..Settings::new("s3://photos")
        };
        let bucket = open(&settings).unwrap();
        let description = bucket.description();
        assert!(description.contains("photos") && description.contains("garage"));
        for secret in ["secret", "AKIDEXAMPLE", "wJalrXUtnFEMI"] {
            assert!(!description.contains(secret), "{description}");
        }
    }

    #[test]
    fn replit_without_an_id_opens_without_asking_the_sidecar() {
        let settings = Settings {
            replit_sidecar: "http://127.0.0.1:9".into(),
            ..Settings::new("replit://")
        };
        let bucket = open(&settings).unwrap();
        assert!(bucket.description().contains("default bucket"));
    }
}
