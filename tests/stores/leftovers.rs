//! Nothing is left open: multipart uploads begun and never finished (a server
//! killed mid-upload, a lost answer to "create multipart upload") are aborted by
//! the sweeper once old enough, on S3 (moto), Garage and Replit's path; a local
//! folder's staged files of unfinished writes are removed at start.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bucket_gallery::config::Config;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::multipart::{MultipartStore, PartId};
use object_store::path::Path;
use object_store::PutPayload;

use crate::backends::eventually;
use crate::helpers::{spawn_app_for, spawn_app_on};
use crate::stores::{shared_moto_url, Backend, FreshBucket, MotoBucket};

/// An uploaded photo's key (the sweeper ends only the gallery's own uploads).
const OURS: &str = "left-open-01jd2x5e9q8z7y6w5v4t3s2r1p.png";
/// Another tool's upload, still under way for all the gallery knows.
const THEIRS: &str = "backup/archive.tar";

/// A client of the S3 bucket a server on `config` uses, or, for Replit's path,
/// of the moto bucket behind the stand-in.
fn s3_client(fresh: &FreshBucket) -> AmazonS3 {
    if let Some(moto) = &fresh.moto {
        return AmazonS3Builder::new()
            .with_endpoint(&moto.endpoint)
            .with_allow_http(true)
            .with_bucket_name(&moto.name)
            .with_access_key_id("test")
            .with_secret_access_key("test")
            .with_region("us-east-1")
            .build()
            .expect("an S3 client");
    }
    let name = fresh
        .config
        .bucket_url()
        .trim_start_matches("s3://")
        .to_owned();
    let mut builder = AmazonS3Builder::new().with_bucket_name(name);
    for (key, value) in &fresh.config.bucket_options {
        builder = builder.with_config(key.parse().expect("an S3 option"), value);
    }
    builder.build().expect("an S3 client")
}

/// Begins a multipart upload at `key` and sends it one part, as a writer would.
async fn begin_upload(client: &AmazonS3, key: &str) -> String {
    let path = Path::from(key);
    let id = client
        .create_multipart(&path)
        .await
        .expect("an upload begins");
    client
        .put_part(&path, &id, 0, PutPayload::from(vec![7u8; 5 * 1024 * 1024]))
        .await
        .expect("a part goes up");
    id
}

/// Whether the upload is still open: listed by moto (behind S3 and Replit's
/// path), or, on Garage, still taking another part.
async fn still_open(fresh: &FreshBucket, client: &AmazonS3, key: &str, id: &str) -> bool {
    if let Some(moto) = &fresh.moto {
        return moto
            .unfinished_uploads()
            .await
            .iter()
            .any(|open| open == key);
    }
    let part: Result<PartId, _> = client
        .put_part(
            &Path::from(key),
            &id.to_owned(),
            1,
            PutPayload::from_static(b"x"),
        )
        .await;
    part.is_ok()
}

/// Settings that make any upload left open for more than two seconds old enough.
fn sweeping_soon(mut config: Config) -> Config {
    config.open_upload_hours = 0;
    config.upload_timeout_seconds = 1;
    config
}

async fn uploads_left_open_are_aborted(backend: Backend) {
    let fresh = FreshBucket::new(backend).await;
    let client = s3_client(&fresh);
    let ours = begin_upload(&client, OURS).await;
    let theirs = begin_upload(&client, THEIRS).await;
    tokio::time::sleep(Duration::from_millis(2500)).await;

    let _app = spawn_app_for(sweeping_soon(fresh.config.clone())).await;

    assert!(
        eventually(|| async { !still_open(&fresh, &client, OURS, &ours).await }).await,
        "the gallery's upload left open is aborted"
    );
    assert!(
        still_open(&fresh, &client, THEIRS, &theirs).await,
        "another tool's upload is left alone"
    );
}

#[tokio::test]
async fn uploads_left_open_on_s3_are_aborted() {
    uploads_left_open_are_aborted(Backend::Moto).await;
}

#[tokio::test]
async fn uploads_left_open_on_garage_are_aborted() {
    uploads_left_open_are_aborted(Backend::Garage).await;
}

#[tokio::test]
async fn uploads_left_open_on_replit_storage_are_aborted() {
    uploads_left_open_are_aborted(Backend::Replit).await;
}

/// On Garage, which says when an upload began (moto says 2010 for every one).
#[tokio::test]
async fn a_young_upload_is_left_alone() {
    let fresh = FreshBucket::new(Backend::Garage).await;
    let client = s3_client(&fresh);
    let ours = begin_upload(&client, OURS).await;

    let mut config = fresh.config.clone();
    config.open_upload_hours = 24;
    let _app = spawn_app_for(config).await;
    tokio::time::sleep(Duration::from_secs(2)).await;

    assert!(still_open(&fresh, &client, OURS, &ours).await);
}

#[tokio::test]
async fn a_folder_loses_the_staged_files_of_writes_a_crash_cut_off() {
    let folder = tempfile::tempdir().expect("a folder");
    std::fs::write(
        folder.path().join("photo-01jd2x5e9q8z7y6w5v4t3s2r1p.png#1"),
        b"half",
    )
    .unwrap();
    std::fs::write(folder.path().join("kept.png"), b"whole").unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;

    let app = spawn_app_on(folder.path(), |config| {
        config.open_upload_hours = 0;
        config.upload_timeout_seconds = 1;
    })
    .await;

    assert!(
        eventually(|| async { app.all_files() == ["kept.png"] }).await,
        "{:?}",
        app.all_files()
    );
}

/// The real server binary on `moto`, listening on `port`.
fn server_process(moto: &MotoBucket, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_bucket-gallery"))
        .env("BUCKET_URL", format!("s3://{}", moto.name))
        .env("AWS_ENDPOINT", &moto.endpoint)
        .env("AWS_ALLOW_HTTP", "true")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("ADMIN_TOKEN", crate::helpers::TEST_ADMIN_TOKEN)
        .env("UPLOAD_TIMEOUT_SECONDS", "1")
        .env("OPEN_UPLOAD_HOURS", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server binary starts")
}

async fn wait_until_up(port: u16) {
    let url = format!("http://127.0.0.1:{port}/healthz");
    for _ in 0..200 {
        if reqwest::get(&url).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not start on port {port}");
}

#[tokio::test]
async fn a_server_killed_mid_upload_leaves_an_upload_that_the_next_start_aborts() {
    let moto = MotoBucket::create(&shared_moto_url()).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let mut server = server_process(&moto, port);
    wait_until_up(port).await;

    // More than one part of a large PNG's first bytes, then the server dies.
    let (mut sender, body) = futures::channel::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let part =
        reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(body)).file_name("big.png");
    let request = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/upload"))
        .bearer_auth(crate::helpers::TEST_ADMIN_TOKEN)
        .multipart(reqwest::multipart::Form::new().part("image", part))
        .send();
    let request = tokio::spawn(request);
    let big = crate::helpers::large_png(1500);
    futures::SinkExt::send(&mut sender, Ok(big[..6 * 1024 * 1024].to_vec()))
        .await
        .expect("the bytes go out");
    assert!(
        eventually(|| async { !moto.unfinished_uploads().await.is_empty() }).await,
        "the server began a multipart upload"
    );
    server.kill().expect("SIGKILL");
    server.wait().expect("the server ended");
    request.abort();
    assert_eq!(
        moto.unfinished_uploads().await.len(),
        1,
        "left open by the killed server"
    );
    tokio::time::sleep(Duration::from_millis(2500)).await;

    let mut restarted = server_process(&moto, port);
    wait_until_up(port).await;

    let swept = eventually(|| async { moto.unfinished_uploads().await.is_empty() }).await;
    restarted.kill().ok();
    restarted.wait().ok();
    assert!(swept, "the next start aborts the upload left open");
}
