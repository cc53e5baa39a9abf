//! What the benchmarks share: the real server started in-process over a bucket,
//! a tiny image, a page of the gallery asked for, and this process's resident
//! memory.

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
