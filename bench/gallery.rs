//! Benchmarks that print numbers (no assertions): how the first gallery page scales
//! with the number of objects in the bucket, and how much memory a large upload
//! costs the server (uploads stream; they must not be held whole).
//!
//!     cargo bench --features ssr --bench gallery
//!
//! Each case starts the real server on a free port over a fresh local-folder bucket.

use std::time::{Duration, Instant};

// Shared with the catalog benches, which use the rest of it.
#[allow(dead_code)]
#[path = "support.rs"]
mod support;

use support::{rss_kib, start, ADMIN_TOKEN, TINY_PNG};

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
        config.max_upload_bytes = size as u64 + 1024;
        config.max_request_bytes = size as u64 + 64 * 1024;
        config.max_megapixels = 10_000;
    })
    .await;

    // The body is generated as it is sent, so the client holds one chunk at a time:
    // a PNG whose one IDAT chunk holds `size` bytes of noise (photos do not
    // compress either). The server walks the structure but decodes no pixel.
    const CHUNK: usize = 256 * 1024;
    let (body, length) = streamed_png(size, CHUNK);
    let part =
        reqwest::multipart::Part::stream_with_length(reqwest::Body::wrap_stream(body), length)
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
        .post(format!(
            "http://{}{}",
            server.addr,
            bucket_gallery::api::links::api::UPLOAD
        ))
        .bearer_auth(ADMIN_TOKEN)
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

/// A valid PNG of about `size` bytes as a stream of `chunk`-sized pieces, and its
/// exact length: signature, IHDR, one IDAT of noise (its CRC computed as it goes),
/// IEND.
fn streamed_png(
    size: usize,
    chunk: usize,
) -> (
    impl futures::Stream<Item = Result<Vec<u8>, std::io::Error>>,
    u64,
) {
    let width: u32 = 1024;
    let height = (size / (1 + 3 * width as usize)).max(1) as u32;
    let mut head = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    head.extend_from_slice(&13u32.to_be_bytes());
    head.extend_from_slice(&ihdr);
    head.extend_from_slice(&crc32fast::hash(&ihdr).to_be_bytes());
    head.extend_from_slice(&(size as u32).to_be_bytes());
    head.extend_from_slice(b"IDAT");
    let tail_len = 4 + 12;
    let length = (head.len() + size + tail_len) as u64;

    let mut crc = crc32fast::Hasher::new();
    crc.update(b"IDAT");
    let mut state = 0x2545_f491_u32;
    let mut left = size;
    let pieces = std::iter::once(head).chain(std::iter::from_fn(move || {
        if left == 0 {
            return None;
        }
        let n = left.min(chunk);
        left -= n;
        let mut piece: Vec<u8> = (0..n)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state as u8
            })
            .collect();
        crc.update(&piece);
        if left == 0 {
            piece.extend_from_slice(&crc.clone().finalize().to_be_bytes());
            piece.extend_from_slice(b"\0\0\0\0IEND\xaeB`\x82");
        }
        Some(piece)
    }));
    (futures::stream::iter(pieces.map(Ok)), length)
}
