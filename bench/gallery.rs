//! Benchmarks that print numbers (no assertions): how the first gallery page scales
//! with the number of objects in the bucket, and how much memory a large upload
//! costs the server (uploads stream; they must not be held whole).
//!
//!     cargo bench --features ssr --bench gallery
//!
//! Each case starts the real server on a free port over a fresh local-folder bucket.

use std::time::{Duration, Instant};

use bucket_gallery::config::Config;
use bucket_gallery::server;
use leptos::config::LeptosOptions;

/// A 1x1 PNG: listing cost does not depend on object size.
const TINY_PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde\0\0\0\x0cIDATx\x9cc\xf8\xcf\xc0\0\0\x03\x01\x01\0\xc9\xfe\x92\xef\0\0\0\0IEND\xaeB`\x82";

#[tokio::main]
async fn main() {
    // Memory first: the listings below grow the heap, which would hide growth.
    println!("one upload, streamed: highest resident memory above the idle server");
    for megabytes in [64, 256] {
        upload_memory(megabytes).await;
    }
    println!();
    println!("a page of GET /api/images (limit 60), local folder bucket");
    for objects in [100, 1_000, 10_000, 50_000] {
        first_page(objects).await;
    }
}

async fn start(bucket: &std::path::Path, adjust: impl FnOnce(&mut Config)) -> server::Server {
    let mut config = Config::for_tests(format!("file://{}", bucket.display()));
    adjust(&mut config);
    let options = LeptosOptions::builder()
        .output_name("bucket-gallery")
        .build();
    server::start(&config, options)
        .await
        .expect("the server starts")
}

async fn first_page(objects: usize) {
    let bucket = tempfile::tempdir().expect("a temporary folder");
    for index in 0..objects {
        std::fs::write(bucket.path().join(format!("img-{index:06}.png")), TINY_PNG).expect("write");
    }
    let cold = first_page_after_start(bucket.path()).await;
    let warm = page_times(bucket.path()).await;
    println!(
        "  objects={objects:>6}  first page after a start (takes the listing) median={:>9.2?}  later pages median={:>9.2?} p95={:>9.2?}",
        cold, warm.0, warm.1
    );
}

/// Median over 5 fresh servers of the first page, which waits for a listing.
async fn first_page_after_start(bucket: &std::path::Path) -> Duration {
    let client = reqwest::Client::new();
    let mut times = Vec::new();
    for _ in 0..5 {
        let server = start(bucket, |_| {}).await;
        let started = Instant::now();
        let response = client
            .get(format!("http://{}/api/images?limit=60", server.addr))
            .send()
            .await
            .expect("an answer");
        response.bytes().await.expect("a body");
        times.push(started.elapsed());
        server.stop().await;
    }
    times.sort();
    times[times.len() / 2]
}

/// Median and 95th percentile of 20 page requests, after 2 to warm up.
async fn page_times(bucket: &std::path::Path) -> (Duration, Duration) {
    let server = start(bucket, |_| {}).await;
    let client = reqwest::Client::new();
    let url = format!("http://{}/api/images?limit=60", server.addr);
    let mut times = Vec::new();
    for round in 0..22 {
        let started = Instant::now();
        let response = client.get(&url).send().await.expect("an answer");
        assert!(response.status().is_success());
        response.bytes().await.expect("a body");
        if round >= 2 {
            times.push(started.elapsed());
        }
    }
    server.stop().await;
    times.sort();
    (times[times.len() / 2], times[times.len() * 95 / 100])
}

async fn upload_memory(megabytes: usize) {
    let bucket = tempfile::tempdir().expect("a temporary folder");
    let size = megabytes * 1024 * 1024;
    let server = start(bucket.path(), |config| {
        config.max_upload_bytes = size as u64 + 1024
    })
    .await;

    // The body is generated as it is sent, so the client holds one chunk at a time.
    const CHUNK: usize = 256 * 1024;
    let header = TINY_PNG.to_vec();
    let chunks = size.div_ceil(CHUNK);
    let body = futures::stream::iter((0..chunks).map(move |index| {
        let mut chunk = vec![(index % 251) as u8; CHUNK];
        if index == 0 {
            chunk[..header.len()].copy_from_slice(&header);
        }
        Ok::<_, std::io::Error>(chunk)
    }));
    let part = reqwest::multipart::Part::stream_with_length(
        reqwest::Body::wrap_stream(body),
        (chunks * CHUNK) as u64,
    )
    .file_name("big.png");
    let form = reqwest::multipart::Form::new().part("image", part);

    let idle = rss_kib();
    let highest = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(idle));
    let sampler = {
        let highest = highest.clone();
        tokio::spawn(async move {
            loop {
                highest.fetch_max(rss_kib(), std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    let started = Instant::now();
    let response = reqwest::Client::new()
        .post(format!("http://{}/api/upload", server.addr))
        .multipart(form)
        .timeout(Duration::from_secs(300))
        .send()
        .await
        .expect("an answer");
    let status = response.status();
    let elapsed = started.elapsed();
    sampler.abort();
    let growth = highest
        .load(std::sync::atomic::Ordering::Relaxed)
        .saturating_sub(idle);
    println!(
        "  upload={megabytes:>4} MiB  status={status}  time={elapsed:>8.2?}  rate={:>7.1} MiB/s  memory above idle={:>6.1} MiB",
        megabytes as f64 / elapsed.as_secs_f64(),
        growth as f64 / 1024.0
    );
    server.stop().await;
}

/// The process's resident memory now (Linux), in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse().ok())
        })
        .unwrap_or(0)
}
