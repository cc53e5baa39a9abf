//! What the image route keeps in memory, and the site's own files: small images
//! are served from memory until the bucket is asked again (so what another tool
//! changed is noticed), and the WASM, JavaScript and CSS go out precompressed and
//! cached for good when their names carry a hash; each page carries the stylesheet
//! in its head.

use std::path::Path;
use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{
    large_png, png, spawn_app_with, spawn_app_with_options, test_config, TestApp,
};

async fn bytes_of(app: &TestApp, url: &str) -> (StatusCode, Vec<u8>) {
    let response = app.get(url).await;
    let status = response.status();
    (status, response.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn a_small_image_is_served_from_memory_until_the_bucket_is_asked_again() {
    let app = spawn_app_with(|config| config.listing_cache_seconds = 1).await;
    let bytes = png(8, 8, 3);
    let info = app.upload_ok("hot.png", &bytes).await;
    assert_eq!(
        bytes_of(&app, &info.url).await,
        (StatusCode::OK, bytes.clone())
    );

    // Another tool deletes it: the copy in memory is still trusted for a moment...
    std::fs::remove_file(app.bucket_dir.join(&info.name)).unwrap();
    assert_eq!(bytes_of(&app, &info.url).await, (StatusCode::OK, bytes));
    // ...and then the bucket is asked again, and has it no more.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(app.get(&info.url).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_image_another_tool_replaced_is_served_anew_once_the_copy_is_old() {
    let app = spawn_app_with(|config| config.listing_cache_seconds = 1).await;
    let info = app.upload_ok("swap.png", &png(8, 8, 1)).await;
    app.get(&info.url).await;

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let replacement = png(9, 9, 2);
    std::fs::write(app.bucket_dir.join(&info.name), &replacement).unwrap();

    assert_eq!(
        bytes_of(&app, &info.url).await,
        (StatusCode::OK, replacement)
    );
}

#[tokio::test]
async fn an_image_deleted_through_the_server_is_gone_from_memory_at_once() {
    let app = spawn_app_with(|config| config.listing_cache_seconds = 60).await;
    let info = app.upload_ok("gone.png", &png(8, 8, 1)).await;
    app.get(&info.url).await;

    app.delete_ok(&info.name).await;

    assert_eq!(app.get(&info.url).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn with_no_memory_for_images_every_request_asks_the_bucket() {
    let app = spawn_app_with(|config| {
        config.listing_cache_seconds = 60;
        config.image_cache_mb = Some(0);
    })
    .await;
    let info = app.upload_ok("cold.png", &png(8, 8, 1)).await;
    app.get(&info.url).await;

    std::fs::remove_file(app.bucket_dir.join(&info.name)).unwrap();

    assert_eq!(app.get(&info.url).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn ranges_heads_and_revalidations_are_answered_from_memory_too() {
    let app = spawn_app_with(|config| config.listing_cache_seconds = 60).await;
    let bytes = large_png(200);
    assert!(bytes.len() > 64 * 1024, "larger than one write");
    let info = app.upload_ok("big.png", &bytes).await;
    let first = app.get(&info.url).await;
    let etag = first.headers()["etag"].clone();
    first.bytes().await.unwrap();
    // From here on the bucket no longer has it: every answer comes from memory.
    std::fs::remove_file(app.bucket_dir.join(&info.name)).unwrap();

    let part = app
        .client
        .get(app.url(&info.url))
        .header("range", "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 100-199/{}", bytes.len()).as_str()
    );
    assert_eq!(part.headers()["content-type"], "image/png");
    assert_eq!(part.bytes().await.unwrap(), bytes[100..200]);

    let head = app.client.head(app.url(&info.url)).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(
        head.headers()["content-length"],
        bytes.len().to_string().as_str()
    );

    let again = app
        .client
        .get(app.url(&info.url))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

/// A site folder as `cargo leptos build --release --precompress` leaves it.
fn site_with_hashed_files(root: &Path) {
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("bucket-gallery.1a2b3c.wasm"), b"\0asm plain").unwrap();
    std::fs::write(pkg.join("bucket-gallery.1a2b3c.wasm.br"), b"brotli bytes").unwrap();
    std::fs::write(pkg.join("bucket-gallery.1a2b3c.wasm.gz"), b"gzip bytes").unwrap();
    std::fs::write(pkg.join("bucket-gallery.4d5e6f.css"), b"body{margin:0}").unwrap();
    // Unhashed, as a build without hash-files names it.
    std::fs::write(pkg.join("bucket-gallery.css"), b"main>ul{gap:4px}").unwrap();
}

async fn spawn_site(hash_files: bool) -> (TestApp, tempfile::TempDir, tempfile::TempDir) {
    let site = tempfile::tempdir().unwrap();
    site_with_hashed_files(site.path());
    let bucket = tempfile::tempdir().unwrap();
    let config = test_config(format!("file://{}", bucket.path().display()));
    let options = leptos::config::LeptosOptions::builder()
        .output_name("bucket-gallery")
        .site_root(site.path().display().to_string())
        .hash_files(hash_files)
        .build();
    let app = spawn_app_with_options(config, options).await;
    (app, site, bucket)
}

#[tokio::test]
async fn hashed_site_files_go_out_precompressed_and_are_kept_for_good() {
    let (app, _site, _bucket) = spawn_site(true).await;
    let url = "/pkg/bucket-gallery.1a2b3c.wasm";

    let brotli = app
        .visitor
        .get(app.url(url))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(brotli.status(), StatusCode::OK);
    assert_eq!(brotli.headers()["content-encoding"], "br");
    assert_eq!(brotli.headers()["content-type"], "application/wasm");
    assert_eq!(
        brotli.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(&brotli.bytes().await.unwrap()[..], b"brotli bytes");

    let gzip = app
        .visitor
        .get(app.url(url))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gzip.headers()["content-encoding"], "gzip");
    assert_eq!(&gzip.bytes().await.unwrap()[..], b"gzip bytes");

    let plain = app.visitor.get(app.url(url)).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(&plain.bytes().await.unwrap()[..], b"\0asm plain");

    // A file with no compressed copy is compressed on the way, as pages are.
    let css = app
        .visitor
        .get(app.url("/pkg/bucket-gallery.4d5e6f.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(css.headers()["content-type"], "text/css");
}

#[tokio::test]
async fn a_missing_site_file_is_not_kept_and_unhashed_files_are_asked_about() {
    let (app, _site, _bucket) = spawn_site(false).await;

    let missing = app
        .visitor
        .get(app.url("/pkg/nope.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.headers().get("cache-control").is_none());

    let unhashed = app
        .visitor
        .get(app.url("/pkg/bucket-gallery.4d5e6f.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(unhashed.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn pages_are_asked_for_anew_and_compressed_on_the_way() {
    let app = spawn_app_with(|_| {}).await;
    let page = app
        .visitor
        .get(app.url("/"))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()["cache-control"], "no-cache, private");
    assert_eq!(page.headers()["content-encoding"], "br");
}

#[tokio::test]
async fn a_page_carries_the_stylesheet_in_its_head_under_the_pages_nonce() {
    let (app, _site, _bucket) = spawn_site(false).await;
    let response = app.visitor.get(app.url("/")).send().await.unwrap();
    let policy = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    let page = response.text().await.unwrap();
    // As built, not escaped: `>` is a selector here, not text.
    assert!(
        page.contains(&format!(
            "<style nonce=\"{nonce}\">main>ul{{gap:4px}}</style>"
        )),
        "{page}"
    );
    assert!(
        !page.contains("rel=\"stylesheet\""),
        "nothing to fetch first: {page}"
    );
    assert!(
        policy.contains(&format!("style-src 'self' 'nonce-{nonce}';")),
        "{policy}"
    );
}

#[tokio::test]
async fn without_a_built_stylesheet_the_page_links_to_it() {
    let (app, site, _bucket) = spawn_site(false).await;
    std::fs::remove_file(site.path().join("pkg/bucket-gallery.css")).unwrap();
    let page = app.visitor.get(app.url("/")).send().await.unwrap();
    let page = page.text().await.unwrap();
    assert!(!page.contains("<style"), "{page}");
    assert!(
        page.contains("rel=\"stylesheet\" href=\"/pkg/bucket-gallery.css\""),
        "{page}"
    );
}
