//! Photos, not files: what an upload answers and the bucket keeps (small copies
//! and facts under `.gallery/`), copies made on first request for photos other
//! tools put there, and everything derived leaving with its photo.

use std::path::{Path, PathBuf};

use reqwest::StatusCode;

use crate::helpers::{jpeg, png, spawn_app_with, TestApp};

/// Every file under the bucket's `.gallery/` folder for the photo `name`.
fn derived_files(bucket: &Path, name: &str) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&bucket.join(".gallery/v1").join(name), &mut files);
    files.sort();
    files
}

async fn fetch(app: &TestApp, url: &str) -> reqwest::Response {
    app.client.get(app.url(url)).send().await.unwrap()
}

/// Follows the redirect of a `current` address, as a browser does.
async fn fetch_following(app: &TestApp, url: &str) -> reqwest::Response {
    let first = fetch(app, url).await;
    if first.status() == StatusCode::TEMPORARY_REDIRECT {
        let next = first.headers()["location"].to_str().unwrap().to_owned();
        return fetch(app, &next).await;
    }
    first
}

#[tokio::test]
async fn an_upload_answers_with_the_photos_name_shape_placeholder_and_thumbnails() {
    let app = spawn_app_with(|_| {}).await;

    let info = app.upload_ok("IMG_2000.jpg", &jpeg(1600, 1200, 1)).await;

    assert_eq!(info.display_name, "IMG_2000.jpg");
    let photo = info.photo.clone().expect("the photo's facts");
    assert_eq!((photo.width, photo.height), (1600, 1200));
    assert!(photo.placeholder.starts_with("data:image/png;base64,"));
    assert!(
        photo.placeholder.len() < 1200,
        "a light placeholder: {}",
        photo.placeholder.len()
    );
    let widths: Vec<_> = photo
        .thumbnails
        .iter()
        .map(|t| (t.width, t.height))
        .collect();
    assert_eq!(widths, [(320, 240), (480, 360), (640, 480)]);

    let small = fetch(&app, &photo.thumbnails[0].url).await;
    assert_eq!(small.status(), StatusCode::OK);
    assert_eq!(small.headers()["content-type"], "image/webp");
    assert_eq!(
        small.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let etag = small.headers()["etag"].clone();
    let bytes = small.bytes().await.unwrap();
    let decoded = image::load_from_memory(&bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (320, 240));
    let again = app
        .client
        .get(app.url(&photo.thumbnails[0].url))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // Kept in the bucket, hidden from the gallery: copies, then the facts.
    let files = derived_files(&app.bucket_dir, &info.name);
    let names: Vec<_> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["320.webp", "480.webp", "640.webp", "facts.json"]);
    assert_eq!(app.listed_names().await, vec![info.name]);
}

#[tokio::test]
async fn the_listing_shows_each_photos_own_name_and_shape_after_a_restart_too() {
    let app = spawn_app_with(|_| {}).await;
    let info = app.upload_ok("Summer Day (2).png", &png(300, 100, 2)).await;

    let (bucket, temp) = app.stop().await;
    let app = crate::helpers::spawn_app_on(&bucket, |_| {}).await;
    let page = app.list("").await;
    drop(temp);

    let listed = &page.images[0];
    assert_eq!(listed.name, info.name);
    assert_eq!(listed.display_name, "Summer Day (2).png");
    let photo = listed
        .photo
        .as_ref()
        .expect("facts read back from the bucket");
    assert_eq!((photo.width, photo.height), (300, 100));
}

#[tokio::test]
async fn a_photo_another_tool_put_there_gets_its_thumbnails_on_first_request() {
    let app = spawn_app_with(|config| config.listing_cache_seconds = 0).await;
    std::fs::create_dir_all(app.bucket_dir.join("albums")).unwrap();
    std::fs::write(app.bucket_dir.join("albums/beach.jpg"), jpeg(800, 600, 3)).unwrap();

    // Many ask at once: all are answered, from one making.
    let asks = (0..12).map(|_| fetch_following(&app, "/derived/current/320/albums/beach.jpg"));
    for answer in futures::future::join_all(asks).await {
        assert_eq!(answer.status(), StatusCode::OK);
        assert_eq!(answer.headers()["content-type"], "image/webp");
    }
    assert_eq!(derived_files(&app.bucket_dir, "albums/beach.jpg").len(), 4);

    let page = app.list("").await;
    let listed = &page.images[0];
    assert_eq!(listed.display_name, "beach.jpg");
    let photo = listed.photo.as_ref().expect("facts once made");
    assert_eq!((photo.width, photo.height), (800, 600));
}

#[tokio::test]
async fn a_replaced_original_never_shows_an_old_thumbnail() {
    let app = spawn_app_with(|config| config.listing_cache_seconds = 0).await;
    let path = app.bucket_dir.join("swap.jpg");
    std::fs::write(&path, jpeg(800, 600, 4)).unwrap();
    let before = fetch_following(&app, "/derived/current/320/swap.jpg").await;
    assert_eq!(before.status(), StatusCode::OK);
    let old_url = before.url().path().to_owned();

    // Another tool writes a portrait photo under the same key.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    std::fs::write(&path, jpeg(600, 900, 5)).unwrap();

    let after = fetch_following(&app, "/derived/current/320/swap.jpg").await;
    assert_eq!(after.status(), StatusCode::OK);
    assert_ne!(after.url().path(), old_url);
    let decoded = image::load_from_memory(&after.bytes().await.unwrap()).unwrap();
    assert!(
        decoded.height() > decoded.width(),
        "the new, portrait photo"
    );
    // The old version's copies are gone with it.
    assert_eq!(fetch(&app, &old_url).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(derived_files(&app.bucket_dir, "swap.jpg").len(), 4);
}

#[tokio::test]
async fn a_photo_with_too_many_pixels_gets_a_tile_that_says_why() {
    let app = spawn_app_with(|config| {
        config.listing_cache_seconds = 0;
        config.max_megapixels = 1;
    })
    .await;
    std::fs::write(app.bucket_dir.join("huge.png"), png(1500, 1000, 6)).unwrap();

    let answer = fetch_following(&app, "/derived/current/320/huge.png").await;
    assert_eq!(answer.status(), StatusCode::NOT_FOUND);
    let page = app.list("").await;
    let photo = page.images[0]
        .photo
        .as_ref()
        .expect("facts with the reason");
    assert!(photo.thumbnails.is_empty());
    assert!(
        photo
            .problem
            .as_deref()
            .unwrap_or_default()
            .contains("megapixels"),
        "{:?}",
        photo.problem
    );
}

#[tokio::test]
async fn deleting_a_photo_deletes_everything_derived_from_it() {
    let app = spawn_app_with(|_| {}).await;
    let info = app.upload_ok("gone.jpg", &jpeg(640, 480, 7)).await;
    assert_eq!(derived_files(&app.bucket_dir, &info.name).len(), 4);

    app.delete_ok(&info.name).await;

    assert!(derived_files(&app.bucket_dir, &info.name).is_empty());
}

#[tokio::test]
async fn the_gallery_page_shows_thumbnails_at_the_photos_shape_never_originals() {
    let app = spawn_app_with(|_| {}).await;
    let info = app.upload_ok("IMG_1.jpg", &jpeg(1200, 800, 8)).await;

    let html = app.get("/").await.text().await.unwrap();

    let photo = info.photo.unwrap();
    assert!(html.contains(&format!("src=\"{}\"", photo.thumbnails[0].url)));
    assert!(html.contains("--w:1200;--h:800"));
    assert!(html.contains("width=\"1200\"") && html.contains("height=\"800\""));
    assert!(html.contains(">IMG_1.jpg<"), "the name as uploaded");
    assert!(
        !html.contains(&format!("src=\"{}\"", info.url)),
        "never the original"
    );
}

#[tokio::test]
async fn the_same_bytes_uploaded_again_store_nothing_and_name_the_photo_that_has_them() {
    let app = spawn_app_with(|_| {}).await;
    let bytes = jpeg(400, 300, 11);
    let first = app.upload_ok("IMG_11.jpg", &bytes).await;
    assert!(!first.already_in_gallery);

    let again = app.upload_ok("copy of IMG_11.jpg", &bytes).await;

    assert!(again.already_in_gallery);
    assert_eq!(again.name, first.name);
    assert_eq!(again.display_name, "IMG_11.jpg");
    assert_eq!(app.stored_files(), vec![first.name.clone()]);

    // Once deleted, the same bytes may come back as a new photo.
    app.delete_ok(&first.name).await;
    let back = app.upload_ok("IMG_11.jpg", &bytes).await;
    assert!(!back.already_in_gallery);
    assert_ne!(back.name, first.name);
}

#[tokio::test]
async fn two_same_files_in_one_request_store_one_photo() {
    let app = spawn_app_with(|_| {}).await;
    let bytes = png(50, 40, 12);

    let response = app.upload(&[("a.png", &bytes), ("b.png", &bytes)]).await;

    assert_eq!(response.status(), StatusCode::OK);
    let stored: bucket_gallery::api::UploadedImages = response.json().await.unwrap();
    assert_eq!(stored.images[0].name, stored.images[1].name);
    assert!(!stored.images[0].already_in_gallery && stored.images[1].already_in_gallery);
    assert_eq!(app.stored_files().len(), 1);
}

#[tokio::test]
async fn a_duplicate_in_a_refused_request_leaves_the_photo_it_matched() {
    let app = spawn_app_with(|_| {}).await;
    let bytes = png(50, 40, 13);
    let kept = app.upload_ok("kept.png", &bytes).await;

    let refused = app
        .upload(&[("same.png", &bytes), ("notes.txt", b"just text")])
        .await;

    assert!(refused.status().is_client_error());
    assert_eq!(app.stored_files(), vec![kept.name]);
}
