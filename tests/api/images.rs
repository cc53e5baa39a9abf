//! Serving raw bytes at `/image/{name}`.

use reqwest::StatusCode;

use crate::helpers::{error_of, large_png, png, spawn_app, spawn_app_on};

#[tokio::test]
async fn a_missing_image_is_a_404_that_says_so() {
    let app = spawn_app().await;

    let response = app.get("/image/nope.png").await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let (code, message) = error_of(response).await;
    assert_eq!(code, "not_found");
    assert!(message.contains("nope.png"), "{message}");
}

#[tokio::test]
async fn head_gives_the_headers_without_the_bytes() {
    let app = spawn_app().await;
    let bytes = png(10, 10, 1);
    let stored = app.upload_ok("head.png", &bytes).await;

    let response = app.client.head(app.url(&stored.url)).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(
        response.headers()["content-length"],
        bytes.len().to_string().as_str()
    );
    assert!(response.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_object_put_there_by_another_tool_is_listed_and_served_with_its_true_type() {
    let app = spawn_app().await;
    let bytes = png(6, 6, 9);
    std::fs::create_dir_all(app.bucket_dir.join("from tools")).unwrap();
    // A wrong extension, as a tool that stores everything as text might leave it.
    std::fs::write(app.bucket_dir.join("from tools/scan.txt"), &bytes).unwrap();

    let page = app.list("").await;

    let listed = page
        .images
        .iter()
        .find(|image| image.name == "from tools/scan.txt")
        .expect("listed");
    assert_eq!(listed.url, "/image/from%20tools/scan.txt");
    let response = app.get(&listed.url).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.bytes().await.unwrap().as_ref(), bytes.as_slice());
}

#[tokio::test]
async fn an_object_that_is_not_an_image_is_served_only_as_a_download() {
    let app = spawn_app().await;
    std::fs::write(
        app.bucket_dir.join("page.html"),
        "<script>alert(1)</script>",
    )
    .unwrap();

    let response = app.get("/image/page.html").await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/octet-stream"
    );
    assert_eq!(response.headers()["content-disposition"], "attachment");
}

#[tokio::test]
async fn traversal_in_an_image_path_finds_nothing() {
    let app = spawn_app().await;

    let response = app.get("/image/..%2F..%2Fetc%2Fpasswd").await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_restart_keeps_everything() {
    let app = spawn_app().await;
    let bytes = png(7, 7, 7);
    let stored = app.upload_ok("keep.png", &bytes).await;
    let (bucket_dir, _temp) = app.stop().await;

    let app = spawn_app_on(&bucket_dir, |_| {}).await;

    let page = app.list("").await;
    assert_eq!(page.images.len(), 1);
    assert_eq!(page.images[0].name, stored.name);
    assert_eq!(
        app.get(&stored.url).await.bytes().await.unwrap().as_ref(),
        bytes.as_slice()
    );
}

#[tokio::test]
async fn a_browser_that_has_the_image_gets_304() {
    let app = spawn_app().await;
    let stored = app.upload_ok("cached.png", &png(5, 5, 5)).await;
    let first = app.get(&stored.url).await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"'), "{etag}");

    let again = app
        .client
        .get(app.url(&stored.url))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    let other = app
        .client
        .get(app.url(&stored.url))
        .header("if-none-match", "\"other\"")
        .send()
        .await
        .unwrap();

    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["etag"], etag.as_str());
    assert!(again.bytes().await.unwrap().is_empty());
    assert_eq!(other.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_browser_with_a_copy_as_new_as_the_image_gets_304_by_date() {
    let app = spawn_app().await;
    let stored = app.upload_ok("dated.png", &png(5, 5, 6)).await;
    let modified = app.get(&stored.url).await.headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_owned();

    let again = app
        .client
        .get(app.url(&stored.url))
        .header("if-modified-since", &modified)
        .send()
        .await
        .unwrap();
    let older = app
        .client
        .get(app.url(&stored.url))
        .header("if-modified-since", "Sat, 01 Jan 2000 00:00:00 GMT")
        .send()
        .await
        .unwrap();

    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["last-modified"], modified.as_str());
    assert_eq!(older.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_download_resumes_where_it_stopped() {
    let app = spawn_app().await;
    let bytes = large_png(200);
    let stored = app.upload_ok("resume.png", &bytes).await;
    let cut = 50_000;

    let first = app
        .client
        .get(app.url(&stored.url))
        .header("range", format!("bytes=0-{}", cut - 1))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        first.headers()["content-range"],
        format!("bytes 0-{}/{}", cut - 1, bytes.len()).as_str()
    );
    assert_eq!(first.headers()["content-type"], "image/png");
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let head = first.bytes().await.unwrap();
    let rest = app
        .client
        .get(app.url(&stored.url))
        .header("range", format!("bytes={cut}-"))
        .header("if-range", &etag)
        .send()
        .await
        .unwrap();

    assert_eq!(rest.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(rest.headers()["accept-ranges"], "bytes");
    let rest = rest.bytes().await.unwrap();
    assert_eq!([&head[..], &rest[..]].concat(), bytes);
}

#[tokio::test]
async fn a_range_past_the_end_is_416_with_the_size() {
    let app = spawn_app().await;
    let bytes = png(5, 5, 7);
    let stored = app.upload_ok("short.png", &bytes).await;

    let response = app
        .client
        .get(app.url(&stored.url))
        .header("range", format!("bytes={}-", bytes.len() + 10))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        response.headers()["content-range"],
        format!("bytes */{}", bytes.len()).as_str()
    );
}

#[tokio::test]
async fn a_range_for_another_version_gets_the_whole_image() {
    let app = spawn_app().await;
    let bytes = png(5, 5, 8);
    let stored = app.upload_ok("changed.png", &bytes).await;

    let response = app
        .client
        .get(app.url(&stored.url))
        .header("range", "bytes=0-3")
        .header("if-range", "\"some-older-version\"")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.unwrap(), bytes);
}

#[tokio::test]
async fn raw_images_may_only_be_shown() {
    let app = spawn_app().await;
    let info = app.upload_ok("shown.png", &png(4, 4, 1)).await;

    let response = app.get(&info.url).await;

    assert_eq!(
        response.headers()["content-security-policy"],
        "default-src 'none'; sandbox"
    );
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn pages_allow_only_their_own_nonced_script_and_are_never_framed() {
    let app = spawn_app().await;

    let response = app.get("/").await;

    let headers = response.headers().clone();
    let policy = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let page = response.text().await.unwrap();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    assert!(nonce.len() >= 16, "{policy}");
    assert!(
        page.contains(&format!("nonce=\"{nonce}\"")),
        "the script carries it"
    );
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    // No inline script, ever; inline style attributes (each tile's shape) and the
    // page's own stylesheet, by its nonce.
    let script = policy
        .split(';')
        .find(|directive| directive.trim().starts_with("script-src"))
        .unwrap_or_default();
    assert!(!script.contains("unsafe-inline"), "{policy}");
    assert!(
        policy.contains(&format!("style-src 'self' 'nonce-{nonce}';")),
        "{policy}"
    );
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "same-origin");
    assert_eq!(headers["x-content-type-options"], "nosniff");
}
