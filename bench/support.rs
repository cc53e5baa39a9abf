//! What the benchmarks share: the real server started in-process over a local
//! folder bucket, a tiny image, and this process's resident memory.

use std::path::Path;

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
    let mut config = Config::try_parse_from(["bucket-gallery"]).expect("the default settings");
    config.bucket_url = Some(format!("file://{}", bucket.display()));
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
