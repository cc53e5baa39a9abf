//! What the benchmarks share: the real server started in-process over a bucket,
//! a tiny image and a photo-like one, a page of the gallery asked for, timing, and
//! this process's resident memory.

use std::path::Path;
use std::time::{Duration, Instant};

use bucket_gallery::config::Config;
use bucket_gallery::server;
use clap::Parser;
use leptos::config::LeptosOptions;

/// The admin token the benchmarked servers are started with.
pub const ADMIN_TOKEN: &str = "bench-admin-token";

/// A 1x1 PNG: listing cost does not depend on object size.
pub const TINY_PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde\0\0\0\x0cIDATx\x9cc\xf8\xcf\xc0\0\0\x03\x01\x01\0\xc9\xfe\x92\xef\0\0\0\0IEND\xaeB`\x82";

/// The server on a free port over the folder `bucket`, with `adjust`ed settings.
pub async fn start(bucket: &Path, adjust: impl FnOnce(&mut Config)) -> server::Server {
    start_on(format!("file://{}", bucket.display()), adjust).await
}

/// The server on a free port over the bucket at `bucket_url`, with `adjust`ed
/// settings.
pub async fn start_on(bucket_url: String, adjust: impl FnOnce(&mut Config)) -> server::Server {
    let mut config = Config::try_parse_from(["bucket-gallery"]).expect("the default settings");
    config.bucket_url = Some(bucket_url);
    config.admin_token = Some(ADMIN_TOKEN.parse().expect("a token"));
    config.site_addr = Some("127.0.0.1:0".parse().expect("an address"));
    config.port = None;
    adjust(&mut config);
    let options = LeptosOptions::builder()
        .output_name("bucket-gallery")
        .build();
    server::start(&config, options)
        .await
        .expect("the server starts")
}

/// This process's resident memory, in KiB.
pub fn rss_kib() -> u64 {
    status_kib("VmRSS:")
}

/// This process's peak resident memory so far, in KiB.
pub fn peak_kib() -> u64 {
    status_kib("VmHWM:")
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with(field))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse().ok())
        })
        .unwrap_or(0)
}

/// A JPEG that compresses like a photo: smooth gradients with fine texture.
pub fn photo_like(width: u32, height: u32) -> Vec<u8> {
    let mut state = 0x9e37_79b9_u32;
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let grain = (state & 31) as i32 - 16;
        let shade =
            |base: u32, scale: u32| (((base * 255) / scale) as i32 + grain).clamp(0, 255) as u8;
        image::Rgb([
            shade(x, width),
            shade(y, height),
            shade(x + y, width + height),
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("JPEG encodes");
    out.into_inner()
}

/// The median time of `runs` runs of `run`.
pub fn median(runs: usize, mut run: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

pub fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// `GET /api/images?limit=60` (after `cursor`): how long it took, and the page.
pub async fn page(
    client: &reqwest::Client,
    base: &str,
    cursor: Option<&str>,
) -> (Duration, serde_json::Value) {
    let url = match cursor {
        Some(cursor) => format!("{base}/api/images?limit=60&cursor={cursor}"),
        None => format!("{base}/api/images?limit=60"),
    };
    let started = Instant::now();
    let response = client.get(url).send().await.expect("an answer");
    assert!(response.status().is_success(), "{}", response.status());
    let body = response.json().await.expect("a page");
    (started.elapsed(), body)
}

/// The first page of a server with no index to read: how long until one is
/// served (perhaps catching up), and until one is whole.
pub async fn first_pages(client: &reqwest::Client, base: &str) -> (Duration, Duration) {
    let started = Instant::now();
    let (first, mut body) = page(client, base, None).await;
    while body
        .get("catching_up")
        .is_some_and(|found| !found.is_null())
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
        body = page(client, base, None).await.1;
    }
    (first, started.elapsed())
}
