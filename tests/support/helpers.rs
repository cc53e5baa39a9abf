//! Starting a server for a test, sending requests, making real images. Shared by
//! the `api` and `stores` test targets.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use bucket_gallery::api::{ImageInfo, ImagePage, UploadedImages};
use bucket_gallery::config::Config;
use bucket_gallery::server::{self, Server};
use clap::Parser;

/// The admin token of test servers.
pub const TEST_ADMIN_TOKEN: &str = "test-admin-token";

/// Settings for a test server: the given bucket, the admin token above, a free
/// loopback port, quick to give up on a bucket that does not answer; every other
/// setting at its default.
pub fn test_config(bucket_url: impl Into<String>) -> Config {
    let mut config = Config::try_parse_from(["bucket-gallery"]).expect("the default settings");
    config.bucket_url = Some(bucket_url.into());
    config.admin_token = Some(TEST_ADMIN_TOKEN.parse().expect("a token"));
    config.site_addr = Some("127.0.0.1:0".parse().expect("an address"));
    config.port = None;
    config.bucket_timeout_seconds = 5;
    config.bucket_retries = 1;
    // moto says every multipart upload began on 2010-11-10: with the default, the
    // sweeper would abort uploads the tests have in flight. Tests of it set their own.
    config.open_upload_hours = 1_000_000;
    config
}
use leptos::config::LeptosOptions;
use reqwest::multipart::{Form, Part};
use reqwest::{redirect, Response, StatusCode};
use serde_json::Value;

/// A server on a free port, over a bucket folder of its own.
pub struct TestApp {
    pub base: String,
    /// Signed in as the admin (it sends the admin token as a bearer token).
    pub client: reqwest::Client,
    /// Nobody in particular: no token, no cookie.
    pub visitor: reqwest::Client,
    pub bucket_dir: PathBuf,
    /// The admin token the server made up, when it was started without one.
    pub made_up_token: Option<String>,
    server: Option<Server>,
    _temp: Option<tempfile::TempDir>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts a server whose settings `adjust` may change first.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let temp = tempfile::tempdir().expect("a temporary folder");
    let mut app = spawn_app_on(temp.path(), adjust).await;
    app._temp = Some(temp);
    app
}

/// Starts a server over an existing bucket folder (to test restarts).
pub async fn spawn_app_on(bucket_dir: &Path, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = test_config(format!("file://{}", bucket_dir.display()));
    adjust(&mut config);
    let mut app = spawn_app_for(config).await;
    app.bucket_dir = bucket_dir.to_path_buf();
    app
}

/// Starts a server with exactly these settings (any bucket).
pub async fn spawn_app_for(config: Config) -> TestApp {
    let options = LeptosOptions::builder()
        .output_name("bucket-gallery")
        .build();
    spawn_app_with_options(config, options).await
}

/// Starts a server with these settings and this site (its files, its names).
pub async fn spawn_app_with_options(config: Config, options: LeptosOptions) -> TestApp {
    let server = server::start(&config, options)
        .await
        .expect("the server starts");
    TestApp {
        base: format!("http://{}", server.addr),
        client: reqwest::Client::builder()
            .redirect(redirect::Policy::none())
            .default_headers(admin_headers())
            .build()
            .expect("an HTTP client"),
        visitor: reqwest::Client::builder()
            .redirect(redirect::Policy::none())
            .build()
            .expect("an HTTP client"),
        bucket_dir: PathBuf::new(),
        made_up_token: server
            .made_up_token
            .as_ref()
            .map(|t| t.expose().to_string()),
        server: Some(server),
        _temp: None,
    }
}

fn admin_headers() -> reqwest::header::HeaderMap {
    let mut headers = reqwest::header::HeaderMap::new();
    let value = format!("Bearer {TEST_ADMIN_TOKEN}");
    headers.insert(
        reqwest::header::AUTHORIZATION,
        value.parse().expect("a header value"),
    );
    headers
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops the server and gives back its bucket folder, which outlives it.
    pub async fn stop(mut self) -> (PathBuf, Option<tempfile::TempDir>) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
        (self.bucket_dir.clone(), self._temp.take())
    }

    /// `POST /api/upload` with the given files in fields named `image`.
    pub async fn upload(&self, files: &[(&str, &[u8])]) -> Response {
        self.post_files("/api/upload", files, "application/json")
            .await
    }

    pub async fn post_files(&self, path: &str, files: &[(&str, &[u8])], accept: &str) -> Response {
        let mut form = Form::new();
        for (name, bytes) in files {
            form = form.part(
                "image",
                Part::bytes(bytes.to_vec()).file_name(name.to_string()),
            );
        }
        self.client
            .post(self.url(path))
            .header("accept", accept)
            .multipart(form)
            .send()
            .await
            .expect("the server answers")
    }

    /// Uploads one file that must be accepted, and returns what was stored.
    pub async fn upload_ok(&self, name: &str, bytes: &[u8]) -> ImageInfo {
        let response = self.upload(&[(name, bytes)]).await;
        let status = response.status();
        if status != StatusCode::OK {
            let body = response.text().await.unwrap_or_default();
            panic!("upload of {name} failed with {status}: {body}");
        }
        let mut stored: UploadedImages = response.json().await.expect("an upload answer");
        assert_eq!(stored.images.len(), 1);
        stored.images.remove(0)
    }

    /// `POST /api/delete` as the admin, from this site's page; must succeed.
    pub async fn delete_ok(&self, name: &str) {
        let response = self
            .client
            .post(self.url("/api/delete"))
            .header("origin", self.base.clone())
            .form(&[("name", name)])
            .send()
            .await
            .expect("the server answers");
        assert!(
            response.status().is_success(),
            "deleting {name}: {}",
            response.status()
        );
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("the server answers")
    }

    pub async fn list(&self, query: &str) -> ImagePage {
        let response = self.get(&format!("/api/images{query}")).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("a page of images")
    }

    /// Every name in the gallery (up to 500), newest first.
    pub async fn all_listed_names(&self) -> Vec<String> {
        self.list("?limit=500")
            .await
            .images
            .into_iter()
            .map(|image| image.name)
            .collect()
    }

    /// The names on the first page of the gallery, newest first.
    pub async fn listed_names(&self) -> Vec<String> {
        self.list("")
            .await
            .images
            .into_iter()
            .map(|i| i.name)
            .collect()
    }

    /// Why the bucket cannot be used, as `/healthz` says it (which must answer 503).
    pub async fn unavailable_reason(&self) -> String {
        let health = self.get("/healthz").await;
        assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
        error_of(health).await.1
    }

    /// Every photo in the bucket folder (not what is derived from them, under
    /// `.gallery/`), as paths relative to it.
    pub fn stored_files(&self) -> Vec<String> {
        let mut files = self.all_files();
        files.retain(|file| !file.starts_with(".gallery/"));
        files
    }

    /// Every file in the bucket folder, derived ones too, as paths relative to it;
    /// not the catalog's index and journal (`.gallery/catalog/`), which any page
    /// view may write.
    pub fn all_files(&self) -> Vec<String> {
        assert!(
            !self.bucket_dir.as_os_str().is_empty(),
            "this server's bucket is not a local folder"
        );
        let mut files = Vec::new();
        collect_files(&self.bucket_dir, &self.bucket_dir, &mut files);
        files.retain(|file| !file.starts_with(".gallery/catalog/"));
        files.sort();
        files
    }
}

fn collect_files(root: &Path, dir: &Path, files: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir)
        .expect("the bucket folder is readable")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            collect_files(root, &path, files);
        } else {
            files.push(path.strip_prefix(root).unwrap().display().to_string());
        }
    }
}

/// The error code and message of a JSON error answer.
pub async fn error_of(response: Response) -> (String, String) {
    let body: Value = response.json().await.expect("a JSON error");
    (
        body["error"]["code"]
            .as_str()
            .expect("an error code")
            .to_owned(),
        body["error"]["message"]
            .as_str()
            .expect("an error message")
            .to_owned(),
    )
}

fn picture(width: u32, height: u32, seed: u32) -> image::RgbImage {
    image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 7 + seed) as u8,
            (y * 13 + seed * 3) as u8,
            (seed * 31) as u8,
        ])
    })
}

/// A real PNG; different seeds make different bytes.
pub fn png(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    picture(width, height, seed)
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("PNG encodes");
    out.into_inner()
}

/// A real JPEG; different seeds make different bytes.
pub fn jpeg(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    picture(width, height, seed)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("JPEG encodes");
    out.into_inner()
}

/// A PNG of noise, which does not compress: about `3 * side * side` bytes.
pub fn large_png(side: u32) -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    let image = image::RgbImage::from_fn(side, side, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let [a, b, c, _] = state.to_le_bytes();
        image::Rgb([a, b, c])
    });
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("PNG encodes");
    out.into_inner()
}

/// An upload whose client sends `first` and then goes away mid-file.
pub struct CutOffUpload {
    sender: futures::channel::mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
    request: tokio::task::JoinHandle<reqwest::Result<Response>>,
}

impl CutOffUpload {
    /// Starts the upload and sends its first bytes.
    pub async fn begin(app: &TestApp, first: Vec<u8>) -> Self {
        let (mut sender, body) = futures::channel::mpsc::channel(4);
        let part = Part::stream(reqwest::Body::wrap_stream(body)).file_name("cut.png");
        let request = app
            .client
            .post(app.url("/api/upload"))
            .multipart(Form::new().part("image", part))
            .send();
        let request = tokio::spawn(request);
        futures::SinkExt::send(&mut sender, Ok(first))
            .await
            .expect("the first bytes go out");
        CutOffUpload { sender, request }
    }

    /// The client goes away.
    pub fn cut(self) {
        self.request.abort();
        drop(self.sender);
    }
}
