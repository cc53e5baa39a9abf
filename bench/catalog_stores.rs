//! The catalog on real S3 stores, printed (no assertions): moto and Garage, as
//! `scripts/storage-servers.sh` starts them, each bucket filled with N tiny
//! objects (`BENCH_OBJECTS`, default 10,000) and a counting proxy between the
//! servers and the store. For each store: the first page of a server that must
//! walk (no index) and of one started after it (which reads the index); the
//! bucket requests made while pages are served without pause for
//! `BENCH_SECONDS` (default 60) after the photos' facts are made, by kind and
//! scaled to an hour; and with two servers on the bucket, how long an upload
//! through one takes to show on the other (ten uploads).
//!
//!     source scripts/tools.sh && install_storage_tools && source scripts/storage-servers.sh
//!     cargo bench --features ssr --bench catalog_stores
//!     BENCH_STORES=garage BENCH_OBJECTS=100000 cargo bench --features ssr --bench catalog_stores

use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

use futures::StreamExt;
use object_store::ObjectStoreExt;

#[allow(dead_code)]
#[path = "../tests/stores/faults.rs"]
mod faults;
// Shared with the other benches, which use the rest of it.
#[allow(dead_code)]
#[path = "support.rs"]
mod support;

use faults::{Call, FaultyProxy};
use support::{first_pages, page, start_on, ADMIN_TOKEN, TINY_PNG};

/// A bucket on an S3 store, and how to reach it.
struct Store {
    label: &'static str,
    bucket: String,
    endpoint: String,
    key: String,
    secret: String,
    region: String,
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run `source scripts/storage-servers.sh` first")
    })
}

/// A bucket name of its own (3 to 63 lowercase letters, digits and dashes).
fn bucket_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.subsec_nanos());
    format!("bench-{}-{nanos}", std::process::id())
}

async fn moto() -> Store {
    let endpoint = env("TEST_MOTO_URL");
    let bucket = bucket_name();
    let made = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .expect("moto answers");
    assert!(made.status().is_success(), "{}", made.status());
    Store {
        label: "moto",
        bucket,
        endpoint,
        key: "bench".into(),
        secret: "bench".into(),
        region: "us-east-1".into(),
    }
}

fn garage() -> Store {
    let bucket = bucket_name();
    let key = env("TEST_GARAGE_KEY_ID");
    let config = env("TEST_GARAGE_CONFIG");
    for args in [
        vec!["bucket", "create", &bucket],
        vec![
            "bucket", "allow", "--read", "--write", "--owner", &bucket, "--key", &key,
        ],
    ] {
        let done = Command::new("garage")
            .arg("-c")
            .arg(&config)
            .args(&args)
            .output()
            .expect("the garage CLI runs");
        assert!(
            done.status.success(),
            "{}",
            String::from_utf8_lossy(&done.stderr)
        );
    }
    Store {
        label: "Garage",
        bucket,
        endpoint: env("TEST_GARAGE_URL"),
        key,
        secret: env("TEST_GARAGE_SECRET"),
        region: env("TEST_GARAGE_REGION"),
    }
}

impl Store {
    /// Puts `count` tiny images straight into the bucket, as another tool would.
    async fn fill(&self, count: usize) -> Duration {
        let client = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(&self.endpoint)
            .with_allow_http(true)
            .with_bucket_name(&self.bucket)
            .with_access_key_id(&self.key)
            .with_secret_access_key(&self.secret)
            .with_region(&self.region)
            .build()
            .expect("an S3 client");
        let started = Instant::now();
        futures::stream::iter(0..count)
            .map(|at| {
                let client = &client;
                async move {
                    let key = format!("roll-{:03}/img-{at:07}.png", at / 1000);
                    client
                        .put(&key.into(), TINY_PNG.to_vec().into())
                        .await
                        .expect("stored");
                }
            })
            .buffer_unordered(32)
            .collect::<()>()
            .await;
        started.elapsed()
    }

    /// A server on this bucket, its requests sent through `proxy`.
    async fn server(&self, proxy: &FaultyProxy) -> bucket_gallery::server::Server {
        start_on(format!("s3://{}", self.bucket), |config| {
            config.bucket_options = [
                ("aws_endpoint", proxy.url.as_str()),
                ("aws_allow_http", "true"),
                ("aws_access_key_id", &self.key),
                ("aws_secret_access_key", &self.secret),
                ("aws_region", &self.region),
            ]
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value.to_owned()))
            .collect();
        })
        .await
    }
}

#[tokio::main]
async fn main() {
    let objects: usize = std::env::var("BENCH_OBJECTS")
        .map(|n| n.parse().expect("BENCH_OBJECTS is a number"))
        .unwrap_or(10_000);
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .map(|n| n.parse().expect("BENCH_SECONDS is a number"))
        .unwrap_or(60);
    println!("The catalog on S3 stores, {objects} objects, default settings");
    let only = std::env::var("BENCH_STORES")
        .unwrap_or_default()
        .to_lowercase();
    let wanted = |label: &str| only.is_empty() || only.contains(&label.to_lowercase());
    if wanted("moto") {
        measure(&moto().await, objects, Duration::from_secs(seconds)).await;
    }
    if wanted("garage") {
        measure(&garage(), objects, Duration::from_secs(seconds)).await;
    }
}

async fn measure(store: &Store, objects: usize, serving: Duration) {
    let filled = store.fill(objects).await;
    let proxy = FaultyProxy::start(&store.endpoint).await;
    let client = reqwest::Client::new();

    let walker = store.server(&proxy).await;
    let (walked, whole) = first_pages(&client, &format!("http://{}", walker.addr)).await;
    walker.stop().await;

    let reader = store.server(&proxy).await;
    let base = format!("http://{}", reader.addr);
    let (from_index, _) = page(&client, &base, None).await;

    // The photos of the first ten pages get their facts (made once, kept in the
    // bucket); then pages are asked for without pause.
    const PAGES: usize = 10;
    let deadline = Instant::now() + Duration::from_secs(300);
    while !all_have_facts(&client, &base, PAGES).await {
        assert!(Instant::now() < deadline, "facts not made in 5 minutes");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let before = proxy.calls();
    let started = Instant::now();
    let mut served = 0u64;
    let mut cursor: Option<String> = None;
    while started.elapsed() < serving {
        let (_, body) = page(&client, &base, cursor.as_deref()).await;
        served += 1;
        cursor = body["next_cursor"]
            .as_str()
            .filter(|_| !served.is_multiple_of(PAGES as u64))
            .map(str::to_owned);
    }
    let took = started.elapsed();
    let made = difference(&before, &proxy.calls());
    let hourly = |count: u64| (count as f64 * 3600.0 / took.as_secs_f64()).round() as u64;
    let total: u64 = made.values().sum();
    let mut kinds: Vec<String> = made
        .iter()
        .filter(|(_, &count)| count > 0)
        .map(|(call, &count)| format!("{call:?} {}", hourly(count)))
        .collect();
    kinds.sort();

    let latencies = upload_shows(store, &proxy, &reader).await;
    reader.stop().await;
    println!(
        "  {label:<6} objects={objects} (put in {filled:.1?})  first page, walking: {walked:.2?} (whole after {whole:.2?})  \
         first page after a start, from the index: {from_index:.2?}\n         \
         serving {served} pages in {took:.0?}: bucket requests {total} = {per_hour} an hour ({kinds})\n         \
         an upload through one server shows on another after: median {median:.2?}, slowest {slowest:.2?} (of {n})",
        label = store.label,
        per_hour = hourly(total),
        kinds = kinds.join(", "),
        median = latencies[latencies.len() / 2],
        slowest = latencies[latencies.len() - 1],
        n = latencies.len(),
    );
}

/// Whether every photo of the first `pages` pages has its facts.
async fn all_have_facts(client: &reqwest::Client, base: &str, pages: usize) -> bool {
    let mut cursor: Option<String> = None;
    for _ in 0..pages {
        let (_, body) = page(client, base, cursor.as_deref()).await;
        let images = body["images"].as_array().cloned().unwrap_or_default();
        if images.iter().any(|image| image["photo"].is_null()) {
            return false;
        }
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    true
}

fn difference(before: &HashMap<Call, u64>, after: &HashMap<Call, u64>) -> HashMap<Call, u64> {
    after
        .iter()
        .map(|(call, count)| (*call, count - before.get(call).copied().unwrap_or(0)))
        .collect()
}

/// Ten uploads through a second server on the bucket, each timed until `other`
/// lists it on its first page; sorted.
async fn upload_shows(
    store: &Store,
    proxy: &FaultyProxy,
    other: &bucket_gallery::server::Server,
) -> Vec<Duration> {
    let client = reqwest::Client::new();
    let uploader = store.server(proxy).await;
    let (up, there) = (
        format!("http://{}", uploader.addr),
        format!("http://{}", other.addr),
    );
    let mut latencies = Vec::new();
    for seed in 0..10u8 {
        let photo = jpeg(seed);
        let form = reqwest::multipart::Form::new().part(
            "image",
            reqwest::multipart::Part::bytes(photo)
                .file_name(format!("shown-{seed}.jpg"))
                .mime_str("image/jpeg")
                .expect("a type"),
        );
        let stored: serde_json::Value = client
            .post(format!("{up}/api/upload"))
            .bearer_auth(ADMIN_TOKEN)
            .multipart(form)
            .send()
            .await
            .expect("an answer")
            .json()
            .await
            .expect("JSON");
        let name = stored["images"][0]["name"]
            .as_str()
            .unwrap_or_else(|| panic!("stored: {stored}"))
            .to_owned();
        let started = Instant::now();
        loop {
            let (_, body) = page(&client, &there, None).await;
            let names = body["images"].as_array().cloned().unwrap_or_default();
            if names.iter().any(|image| image["name"] == name.as_str()) {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{name} never showed"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        latencies.push(started.elapsed());
    }
    uploader.stop().await;
    latencies.sort();
    latencies
}

/// A small JPEG of its own for each seed.
fn jpeg(seed: u8) -> Vec<u8> {
    let image = image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([x as u8 ^ seed, y as u8, seed.wrapping_mul(37)])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Jpeg)
        .expect("a JPEG");
    bytes.into_inner()
}
