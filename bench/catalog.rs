//! The catalog at scale, printed (no assertions): for buckets of 1,000, 100,000
//! and 1,000,000 objects in a local folder, the first page of a server that must
//! walk the bucket (no index yet: perhaps catching up) and the first whole one,
//! the first page of a server started after it
//! (which reads the index the first one wrote), later pages (median and p95),
//! the hundredth page by cursor, and the server's resident memory per object.
//!
//!     cargo bench --features ssr --bench catalog            # all three sizes
//!     BENCH_OBJECTS=100000 cargo bench --features ssr --bench catalog
//!
//! The real server runs in this process on a free port; objects are tiny files
//! (listing cost does not depend on their size).

use std::time::{Duration, Instant};

// Shared with the other benches, which use the rest of it.
#[allow(dead_code)]
#[path = "support.rs"]
mod support;

use support::{first_pages, page, rss_kib, start, TINY_PNG};

#[tokio::main]
async fn main() {
    let sizes: Vec<usize> = match std::env::var("BENCH_OBJECTS") {
        Ok(size) => vec![size.parse().expect("BENCH_OBJECTS is a number")],
        Err(_) => vec![1_000, 100_000, 1_000_000],
    };
    println!("GET /api/images?limit=60 on a local folder bucket");
    for objects in sizes {
        scale(objects).await;
    }
}

async fn scale(objects: usize) {
    let bucket = tempfile::tempdir().expect("a temporary folder");
    let made = Instant::now();
    for index in 0..objects {
        let folder = bucket.path().join(format!("{:03}", index / 10_000));
        if index % 10_000 == 0 {
            std::fs::create_dir_all(&folder).expect("a folder");
        }
        std::fs::write(folder.join(format!("img-{index:07}.png")), TINY_PNG).expect("write");
    }
    let client = reqwest::Client::new();

    let before = rss_kib();
    let walker = start(bucket.path(), |_| {}).await;
    let base = format!("http://{}", walker.addr);
    let (walked, whole) = first_pages(&client, &base).await;
    walker.stop().await;

    let reader = start(bucket.path(), |_| {}).await;
    let base = format!("http://{}", reader.addr);
    let (from_index, _) = page(&client, &base, None).await;
    let held = rss_kib().saturating_sub(before);
    let mut warm = Vec::new();
    for _ in 0..50 {
        warm.push(page(&client, &base, None).await.0);
    }
    warm.sort();
    let mut cursor: Option<String> = None;
    let mut hundredth = Duration::ZERO;
    for _ in 0..100 {
        let (took, body) = page(&client, &base, cursor.as_deref()).await;
        hundredth = took;
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    reader.stop().await;
    println!(
        "  objects={objects:>9} (made in {:>6.1?})  first page, walking: {:>9.2?} (whole after {:>9.2?})  first page after a start, from the index: {:>9.2?}  \
         later pages median {:>8.2?} p95 {:>8.2?}  page 100: {:>8.2?}  memory {:>6.1} MiB ({:.0} bytes an object)",
        made.elapsed(),
        walked,
        whole,
        from_index,
        warm[warm.len() / 2],
        warm[warm.len() * 95 / 100],
        hundredth,
        held as f64 / 1024.0,
        held as f64 * 1024.0 / objects as f64,
    );
}
