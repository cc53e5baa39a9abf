//! Fresh buckets on every backend the app supports, on real servers: a local folder,
//! memory, moto (S3), Garage (a real distributed S3 store) and Replit Object Storage
//! (the stand-in sidecar of `replit_standin` in front of moto, through the GCS
//! backend). moto and Garage are started by `scripts/storage-servers.sh`, which
//! `scripts/test` sources; a test that needs its own server to start and stop
//! (the bucket down at start) runs a moto of its own ([`OwnMoto`]).

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use bucket_gallery::config::Config;
use bucket_gallery::storage::Bucket;

use crate::replit_standin::StandIn;

/// The backends of the behavioural suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Folder,
    Memory,
    Moto,
    Garage,
    Replit,
}

/// A new, empty bucket, and the settings of a server that uses it.
pub struct FreshBucket {
    pub config: Config,
    /// The moto bucket behind it, when there is one (for looking behind the app).
    pub moto: Option<MotoBucket>,
    /// Kept running as long as the bucket is used.
    _standin: Option<StandIn>,
    _folder: Option<tempfile::TempDir>,
}

impl FreshBucket {
    pub async fn new(backend: Backend) -> FreshBucket {
        match backend {
            Backend::Folder => {
                let folder = tempfile::tempdir().expect("a temporary folder");
                let config =
                    crate::helpers::test_config(format!("file://{}", folder.path().display()));
                FreshBucket {
                    config,
                    moto: None,
                    _standin: None,
                    _folder: Some(folder),
                }
            }
            Backend::Memory => FreshBucket {
                config: crate::helpers::test_config("memory://"),
                moto: None,
                _standin: None,
                _folder: None,
            },
            Backend::Moto => {
                let moto = MotoBucket::create(&shared_moto_url()).await;
                FreshBucket {
                    config: moto.config(),
                    moto: Some(moto),
                    _standin: None,
                    _folder: None,
                }
            }
            Backend::Garage => FreshBucket {
                config: garage_bucket(),
                moto: None,
                _standin: None,
                _folder: None,
            },
            Backend::Replit => {
                let moto = MotoBucket::create(&shared_moto_url()).await;
                let standin = StandIn::start(&moto).await;
                FreshBucket {
                    config: standin.config(),
                    moto: Some(moto),
                    _standin: Some(standin),
                    _folder: None,
                }
            }
        }
    }

    /// The bucket as the app's storage seam opens it, to look at what is stored
    /// without going through a server.
    pub fn bucket(&self) -> Bucket {
        Bucket::open(&self.config.storage_settings()).expect("the bucket opens")
    }
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: the storage tests need the servers that scripts/test starts. \
             To run them by hand: source scripts/tools.sh && install_storage_tools && \
             source scripts/storage-servers.sh"
        )
    })
}

/// A bucket name no other test uses (3 to 63 lowercase letters, digits and dashes).
pub fn unique_name(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    format!(
        "{prefix}-{}-{}-{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn shared_moto_url() -> String {
    env("TEST_MOTO_URL")
}

/// A bucket on a moto server.
#[derive(Debug, Clone)]
pub struct MotoBucket {
    pub endpoint: String,
    pub name: String,
}

impl MotoBucket {
    /// Creates a new bucket (moto takes unsigned requests).
    pub async fn create(endpoint: &str) -> MotoBucket {
        let bucket = MotoBucket {
            endpoint: endpoint.to_string(),
            name: unique_name("gallery"),
        };
        let response = reqwest::Client::new()
            .put(bucket.url(""))
            .send()
            .await
            .expect("moto answers");
        assert!(
            response.status().is_success(),
            "moto refused to create {}: {}",
            bucket.name,
            response.status()
        );
        bucket
    }

    /// The URL of an object (or, with "", of the bucket) on the S3 API.
    pub fn url(&self, key: &str) -> String {
        format!("{}/{}/{key}", self.endpoint, self.name)
    }

    /// Settings of a server on this bucket as an S3 user would write them.
    pub fn config(&self) -> Config {
        let mut config = crate::helpers::test_config(format!("s3://{}", self.name));
        config.bucket_options = s3_options(&self.endpoint, "test", "test", "us-east-1");
        config
    }

    /// A client of its own, to look behind the app.
    fn client(&self) -> object_store::aws::AmazonS3 {
        object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_allow_http(true)
            .with_bucket_name(&self.name)
            .with_access_key_id("test")
            .with_secret_access_key("test")
            .with_region("us-east-1")
            .build()
            .expect("an S3 client")
    }

    /// Every object in the bucket (derived ones too), with its size, by key.
    pub async fn objects(&self) -> Vec<(String, u64)> {
        use futures::TryStreamExt;
        use object_store::ObjectStore;
        let mut objects: Vec<(String, u64)> = self
            .client()
            .list(None)
            .map_ok(|meta| (meta.location.to_string(), meta.size))
            .try_collect()
            .await
            .expect("moto lists");
        objects.sort();
        objects
    }

    /// The content type stored with an object, read with a client of its own.
    pub async fn content_type_of(&self, key: &str) -> Option<String> {
        use object_store::{Attribute, ObjectStoreExt};
        let store = self.client();
        let object = store.get(&key.into()).await.expect("the object is there");
        object
            .attributes
            .get(&Attribute::ContentType)
            .map(|value| value.to_string())
    }

    /// Puts an object straight into the bucket, as another tool would.
    pub async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) {
        let response = reqwest::Client::new()
            .put(self.url(key))
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .expect("moto answers");
        assert!(response.status().is_success(), "moto refused the put");
    }

    /// Deletes an object straight from the bucket, as another tool would.
    pub async fn delete(&self, key: &str) {
        use object_store::ObjectStoreExt;
        self.client()
            .delete(&key.into())
            .await
            .expect("moto deletes");
    }

    /// The keys of multipart uploads begun and neither completed nor aborted.
    pub async fn unfinished_uploads(&self) -> Vec<String> {
        let response = reqwest::Client::new()
            .get(format!("{}?uploads", self.url("")))
            .send()
            .await
            .expect("moto answers");
        assert!(
            response.status().is_success(),
            "moto lists multipart uploads"
        );
        let text = response.text().await.expect("a listing");
        text.split("<Key>")
            .skip(1)
            .filter_map(|rest| rest.split("</Key>").next())
            .map(str::to_owned)
            .collect()
    }
}

pub fn s3_options(endpoint: &str, key: &str, secret: &str, region: &str) -> Vec<(String, String)> {
    [
        ("aws_endpoint", endpoint),
        ("aws_allow_http", "true"),
        ("aws_access_key_id", key),
        ("aws_secret_access_key", secret),
        ("aws_region", region),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Settings of a server on a new Garage bucket, made with Garage's own CLI.
pub fn garage_bucket() -> Config {
    let name = unique_name("gallery");
    let config_file = env("TEST_GARAGE_CONFIG");
    let key = env("TEST_GARAGE_KEY_ID");
    let garage = |args: &[&str]| {
        let output = Command::new("garage")
            .arg("-c")
            .arg(&config_file)
            .args(args)
            .output()
            .expect("the garage CLI runs (scripts/tools.sh installs it)");
        assert!(
            output.status.success(),
            "garage {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    garage(&["bucket", "create", &name]);
    garage(&[
        "bucket", "allow", "--read", "--write", "--owner", &name, "--key", &key,
    ]);
    garage_config(&name)
}

/// Settings of a server on an existing Garage bucket.
pub fn garage_config(name: &str) -> Config {
    let mut config = crate::helpers::test_config(format!("s3://{name}"));
    config.bucket_options = s3_options(
        &env("TEST_GARAGE_URL"),
        &env("TEST_GARAGE_KEY_ID"),
        &env("TEST_GARAGE_SECRET"),
        &env("TEST_GARAGE_REGION"),
    );
    config
}

/// A moto server of a test's own: its port is known before it starts, so a server
/// can be pointed at it while nothing answers there yet.
pub struct OwnMoto {
    pub port: u16,
    child: Option<Child>,
}

impl OwnMoto {
    pub fn reserve() -> OwnMoto {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        OwnMoto { port, child: None }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts moto and waits until it answers.
    pub async fn start(&mut self) {
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &self.port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server runs (scripts/tools.sh installs it)");
        self.child = Some(child);
        let client = reqwest::Client::new();
        for _ in 0..150 {
            if client.get(self.endpoint()).send().await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("moto did not start on port {}", self.port);
    }
}

impl Drop for OwnMoto {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
