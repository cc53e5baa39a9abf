//! Uploading through `POST /api/upload` and the classic `POST /upload`.

use reqwest::StatusCode;

use crate::helpers::{error_of, jpeg, large_png, png, spawn_app, spawn_app_with, CutOffUpload};

#[tokio::test]
async fn a_jpeg_reads_back_identical_with_its_type() {
    let app = spawn_app().await;
    let bytes = jpeg(64, 48, 1);

    let stored = app.upload_ok("holiday.jpg", &bytes).await;

    assert_eq!(stored.content_type, "image/jpeg");
    assert_eq!(stored.size, bytes.len() as u64);
    assert!(
        stored.name.starts_with("holiday-") && stored.name.ends_with(".jpg"),
        "{}",
        stored.name
    );
    let response = app.get(&stored.url).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    assert_eq!(
        response.headers()["content-length"],
        bytes.len().to_string().as_str()
    );
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.bytes().await.unwrap().as_ref(), bytes.as_slice());
}

#[tokio::test]
async fn a_png_reads_back_identical_with_its_type() {
    let app = spawn_app().await;
    let bytes = png(30, 20, 2);

    let stored = app.upload_ok("diagram.png", &bytes).await;

    let response = app.get(&stored.url).await;
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.bytes().await.unwrap().as_ref(), bytes.as_slice());
}

#[tokio::test]
async fn the_extension_follows_the_bytes_not_the_name() {
    let app = spawn_app().await;

    let stored = app.upload_ok("really-a-png.jpg", &png(4, 4, 3)).await;

    assert!(stored.name.ends_with(".png"), "{}", stored.name);
    assert_eq!(stored.content_type, "image/png");
}

#[tokio::test]
async fn several_files_in_one_request_are_all_stored() {
    let app = spawn_app().await;
    let (a, b, c) = (png(8, 8, 1), jpeg(8, 8, 2), png(9, 9, 3));

    let response = app
        .upload(&[("a.png", &a), ("b.jpg", &b), ("c.png", &c)])
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let stored: bucket_gallery::api::UploadedImages = response.json().await.unwrap();
    assert_eq!(stored.images.len(), 3);
    for (image, bytes) in stored.images.iter().zip([&a, &b, &c]) {
        assert_eq!(
            app.get(&image.url).await.bytes().await.unwrap().as_ref(),
            bytes.as_slice()
        );
    }
    assert_eq!(app.stored_files().len(), 3);
}

#[tokio::test]
async fn a_text_file_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;

    let response = app
        .upload(&[("notes.txt", b"remember the milk, then the eggs")])
        .await;

    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (code, message) = error_of(response).await;
    assert_eq!(code, "unsupported_type");
    assert_eq!(
        message,
        "notes.txt is not a supported image: JPEG, PNG, GIF, WebP, AVIF or HEIC"
    );
    assert!(app.all_files().is_empty());
}

#[tokio::test]
async fn a_file_named_like_an_image_is_judged_by_its_bytes() {
    let app = spawn_app().await;

    let response = app
        .upload(&[("innocent.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>")])
        .await;

    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(app.all_files().is_empty());
}

#[tokio::test]
async fn an_empty_file_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;

    let response = app.upload(&[("empty.png", b"")]).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (code, message) = error_of(response).await;
    assert_eq!(code, "empty_file");
    assert!(message.contains("empty.png"), "{message}");
    assert!(app.all_files().is_empty());
}

#[tokio::test]
async fn a_file_over_the_limit_is_refused_naming_the_limit_and_nothing_is_stored() {
    let app = spawn_app_with(|config| config.max_upload_bytes = 64 * 1024).await;
    let big = large_png(300); // about 270 KB of noise

    let response = app.upload(&[("big.png", &big)]).await;

    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let (code, message) = error_of(response).await;
    assert_eq!(code, "too_large");
    assert_eq!(message, "big.png is larger than the limit of 64 KiB");
    assert!(app.all_files().is_empty(), "{:?}", app.all_files());
}

#[tokio::test]
async fn a_file_just_under_the_limit_is_accepted() {
    let bytes = png(16, 16, 5);
    let limit = bytes.len() as u64;
    let app = spawn_app_with(|config| config.max_upload_bytes = limit).await;

    app.upload_ok("exact.png", &bytes).await;
}

#[tokio::test]
async fn one_refused_file_stores_none_of_its_request() {
    let app = spawn_app().await;

    let response = app
        .upload(&[("good.png", &png(8, 8, 1)), ("bad.txt", b"plain text here")])
        .await;

    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(app.all_files().is_empty(), "{:?}", app.all_files());
}

#[tokio::test]
async fn a_request_without_files_says_how_to_send_them() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(app.url("/api/upload"))
        .multipart(reqwest::multipart::Form::new().text("caption", "no file"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (code, message) = error_of(response).await;
    assert_eq!(code, "no_files");
    assert!(message.contains("`image`"), "{message}");
}

#[tokio::test]
async fn a_body_that_is_not_multipart_is_refused_clearly() {
    let app = spawn_app().await;

    let response = app
        .client
        .post(app.url("/api/upload"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (code, message) = error_of(response).await;
    assert_eq!(code, "bad_request");
    assert!(message.contains("multipart/form-data"), "{message}");
}

#[tokio::test]
async fn fifty_concurrent_uploads_of_one_name_end_as_fifty_objects() {
    let app = spawn_app().await;
    let files: Vec<Vec<u8>> = (0..50).map(|seed| jpeg(16, 16, seed)).collect();

    let uploads = files.iter().map(|bytes| app.upload_ok("cat.jpg", bytes));
    let stored = futures::future::join_all(uploads).await;

    let names: std::collections::HashSet<_> =
        stored.iter().map(|image| image.name.clone()).collect();
    assert_eq!(names.len(), 50);
    assert_eq!(app.stored_files().len(), 50);
    for (image, bytes) in stored.iter().zip(&files) {
        let served = app.get(&image.url).await.bytes().await.unwrap();
        assert_eq!(
            served.as_ref(),
            bytes.as_slice(),
            "{} holds other bytes",
            image.name
        );
    }
}

#[tokio::test]
async fn a_plain_form_post_is_redirected_back_to_the_gallery() {
    let app = spawn_app().await;

    let response = app
        .post_files(
            "/api/upload",
            &[("form.png", &png(5, 5, 1))],
            "text/html,application/xhtml+xml",
        )
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/?uploaded=1");
    assert_eq!(app.stored_files().len(), 1);
}

#[tokio::test]
async fn a_plain_form_post_of_a_photo_already_there_says_so() {
    let app = spawn_app().await;
    let bytes = png(5, 5, 2);
    app.upload_ok("first.png", &bytes).await;

    let response = app
        .post_files(
            "/api/upload",
            &[("again.png", &bytes), ("new.png", &png(5, 5, 3))],
            "text/html",
        )
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, "/?uploaded=1&already=1");
    let page = app.get(&location).await.text().await.unwrap();
    assert!(
        page.contains("1 image uploaded; 1 was in the gallery already."),
        "the page says what happened"
    );
    assert_eq!(app.stored_files().len(), 2);
}

#[tokio::test]
async fn a_refused_plain_form_post_comes_back_with_the_reason() {
    let app = spawn_app().await;

    let response = app
        .post_files("/api/upload", &[("notes.txt", b"hello there")], "text/html")
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/?error=notes%2Etxt"), "{location}");
    let page = app.get(&location).await.text().await.unwrap();
    assert!(
        page.contains("notes.txt is not a supported image"),
        "the page shows the reason"
    );
}

#[tokio::test]
async fn the_classic_upload_form_is_served_at_upload() {
    let app = spawn_app().await;

    let response = app.get("/upload").await;

    assert_eq!(response.status(), StatusCode::OK);
    let page = response.text().await.unwrap();
    assert!(
        page.contains(r#"enctype="multipart/form-data""#),
        "the page has the upload form"
    );
    assert!(
        page.contains(r#"name="image""#),
        "the form sends the field `image`"
    );
}

#[tokio::test]
async fn the_classic_upload_post_redirects_to_the_image() {
    let app = spawn_app().await;
    let bytes = png(12, 12, 4);

    let response = app
        .post_files("/upload", &[("flask.png", &bytes)], "*/*")
        .await;

    assert!(
        matches!(response.status(), StatusCode::FOUND | StatusCode::SEE_OTHER),
        "{}",
        response.status()
    );
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("/image/flask-"), "{location}");
    let served = app.get(&location).await;
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().as_ref(), bytes.as_slice());
}

#[tokio::test]
async fn the_classic_upload_post_refuses_a_text_file() {
    let app = spawn_app().await;

    let response = app
        .post_files("/upload", &[("notes.txt", b"not an image")], "*/*")
        .await;

    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(app.all_files().is_empty());
}

#[tokio::test]
async fn an_upload_cut_off_half_way_leaves_nothing_behind() {
    let app = spawn_app().await;
    // 1.5 MiB: more than one part (1 MiB on a local folder), so the server has
    // begun writing the object rather than holding the bytes in memory.
    let mut first = large_png(800);
    first.truncate(1536 * 1024);
    let upload = CutOffUpload::begin(&app, first).await;
    let started = wait_for(|| !app.stored_files().is_empty()).await;
    assert!(started, "the server began writing the object");

    upload.cut();

    let cleaned = wait_for(|| app.all_files().is_empty()).await;
    assert!(cleaned, "left behind: {:?}", app.all_files());
    assert!(app.list("").await.images.is_empty());
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

/// Polls `condition` for up to five seconds.
async fn wait_for(condition: impl Fn() -> bool) -> bool {
    for _ in 0..100 {
        if condition() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    condition()
}
