//! iPhone photos: how long making every derived image of one 12 MP HEIC takes,
//! beside `vipsthumbnail` (Debian's libvips, which reads HEIC through libheif)
//! making one 640-pixel WebP of the same file; and how much 20 such photos
//! uploaded at once raise the server's peak resident memory. The HEIC is made
//! by heif-enc (libheif-examples) from a photo-like 4032 × 3024 picture. Prints
//! numbers, asserts nothing.
//!
//!     cargo bench --features ssr --bench heic

#[path = "support.rs"]
#[allow(dead_code)]
mod support;

use std::process::Command;
use std::time::Instant;

use bucket_gallery::photos::render::render;
use bucket_gallery::sniff::ImageKind;
use support::{median, ms, peak_kib, photo_like};

const RUNS: usize = 3;
const AT_ONCE: usize = 20;

fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (jpeg, heic) = (dir.path().join("photo.jpg"), dir.path().join("photo.heic"));
    std::fs::write(&jpeg, photo_like(4032, 3024)).expect("the picture is written");
    let began = Instant::now();
    let made = Command::new("heif-enc")
        .args(["-q", "60"])
        .arg(&jpeg)
        .arg("-o")
        .arg(&heic)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("heif-enc runs (apt-get install libheif-examples)");
    assert!(made.success());
    let file = std::fs::read(&heic).expect("the HEIC");
    println!(
        "a 12 MP HEIC (4032 × 3024, {} KB), made by heif-enc in {:.0} s",
        file.len() / 1024,
        began.elapsed().as_secs_f64()
    );

    let before_one = peak_kib();
    let ours = median(RUNS, || {
        let rendered = render(&file, ImageKind::Heic, u64::MAX).expect("it renders");
        assert_eq!(rendered.copies.len(), 3);
    });
    let one = peak_kib().saturating_sub(before_one);
    let out = dir.path().join("out.webp");
    let vips = median(RUNS, || {
        let status = Command::new("vipsthumbnail")
            .arg(&heic)
            .args(["-s", "640x640", "-o"])
            .arg(&out)
            .status()
            .expect("vipsthumbnail runs (apt-get install libvips-tools)");
        assert!(status.success());
    });
    println!(
        "all derived images (median of {RUNS}): ours {:.0} ms (peak memory +{} MB), vipsthumbnail (one 640 px WebP) {:.0} ms: {:.2}×",
        ms(ours),
        one / 1024,
        ms(vips),
        ours.as_secs_f64() / vips.as_secs_f64()
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(uploads_at_once(&file));
}

/// Starts the server and sends it `AT_ONCE` different 12 MP HEICs at once: the
/// rise of the process's peak resident memory.
async fn uploads_at_once(file: &[u8]) {
    let bucket = tempfile::tempdir().expect("a bucket folder");
    let server = support::start(bucket.path(), |_| {}).await;
    let base = format!("http://{}", server.addr);
    let client = reqwest::Client::new();
    // Settle, then the peak so far.
    let _ = client.get(format!("{base}/api/images")).send().await;
    let before = peak_kib();
    let began = Instant::now();
    let sends = (0..AT_ONCE).map(|n| {
        // A free box at the end makes each file its own (the same bytes are
        // stored once); its pictures are the same.
        let mut copy = file.to_vec();
        copy.extend_from_slice(&16u32.to_be_bytes());
        copy.extend_from_slice(b"free");
        copy.extend_from_slice(&(n as u64).to_be_bytes());
        let form = reqwest::multipart::Form::new().part(
            "image",
            reqwest::multipart::Part::bytes(copy)
                .file_name(format!("IMG_{n:04}.HEIC"))
                .mime_str("image/heic")
                .expect("a type"),
        );
        client
            .post(format!("{base}/api/upload"))
            .bearer_auth(support::ADMIN_TOKEN)
            .header("accept", "application/json")
            .multipart(form)
            .send()
    });
    let answers = futures::future::join_all(sends).await;
    let stored = answers
        .iter()
        .filter(|answer| answer.as_ref().is_ok_and(|a| a.status().is_success()))
        .count();
    let took = began.elapsed();
    let with_copies = bucket_gallery_copies(bucket.path());
    let after = peak_kib();
    println!(
        "{AT_ONCE} uploads at once: {stored} stored with {with_copies} copies in {:.1} s; peak resident memory {} MB → {} MB (+{} MB)",
        took.as_secs_f64(),
        before / 1024,
        after / 1024,
        after.saturating_sub(before) / 1024
    );
}

/// The derived copies written under the bucket's hidden prefix.
fn bucket_gallery_copies(bucket: &std::path::Path) -> usize {
    fn walk(dir: &std::path::Path, found: &mut usize) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "webp") {
                *found += 1;
            }
        }
    }
    let mut found = 0;
    walk(bucket, &mut found);
    found
}
