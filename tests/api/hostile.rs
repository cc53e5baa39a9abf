//! A corpus of hostile uploads, made here: each is refused with the right status
//! and code, nothing of it is stored, and the server goes on serving. Names that
//! try to reach other objects are made harmless.

use std::time::Duration;

use reqwest::StatusCode;

use crate::corpus::{corpus, png_claiming, with};
use crate::helpers::{error_of, png, spawn_app, spawn_app_with, TestApp};

#[tokio::test]
async fn every_hostile_upload_is_refused_with_its_reason_and_nothing_is_stored() {
    let app = spawn_app().await;

    for (name, bytes, status, code) in corpus() {
        let response = app.upload(&[(name, &bytes)]).await;

        assert_eq!(response.status(), status, "{name}");
        let (got, message) = error_of(response).await;
        assert_eq!(got, code, "{name}: {message}");
        assert!(
            message.contains(name),
            "the message names the file: {message}"
        );
        assert!(
            app.all_files().is_empty(),
            "{name} left {:?}",
            app.stored_files()
        );
    }
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    app.upload_ok("still-fine.png", &png(4, 4, 1)).await;
}

#[tokio::test]
async fn the_reasons_say_what_is_wrong() {
    let app = spawn_app().await;
    let reason = |name: &'static str, bytes: Vec<u8>| {
        let app = &app;
        async move { error_of(app.upload(&[(name, &bytes)]).await).await.1 }
    };
    let file = png(30, 30, 4);

    assert!(reason("cut.png", file[..file.len() - 20].to_vec())
        .await
        .contains("truncated"));
    assert!(reason("bomb.png", png_claiming(100_000, 100_000))
        .await
        .contains("10000.0 megapixels"));
    assert!(reason("bomb.png", png_claiming(100_000, 100_000))
        .await
        .contains("the limit is 50 megapixels"));
    assert!(reason("zip.png", with(file.clone(), b"PK"))
        .await
        .contains("follow the end of the image"));
}

#[tokio::test]
async fn the_megapixel_limit_is_a_setting() {
    let app = spawn_app_with(|config| config.max_megapixels = 1).await;

    let response = app.upload(&[("big.png", &png_claiming(2000, 1000))]).await;

    assert_eq!(error_of(response).await.0, "too_many_pixels");
    app.upload_ok("small.png", &png(900, 900, 1)).await;
}

#[tokio::test]
async fn a_request_with_too_many_files_is_refused_whole() {
    let app = spawn_app_with(|config| config.max_files_per_request = 3).await;
    let images: Vec<Vec<u8>> = (0..4).map(|seed| png(4, 4, seed)).collect();
    let files: Vec<(&str, &[u8])> = images.iter().map(|b| ("many.png", b.as_slice())).collect();

    let response = app.upload(&files).await;

    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let (code, message) = error_of(response).await;
    assert_eq!(code, "too_many_files");
    assert!(message.contains("the limit is 3"), "{message}");
    assert!(app.all_files().is_empty());
}

#[tokio::test]
async fn a_request_with_too_many_bytes_is_refused_whole() {
    let app = spawn_app_with(|config| config.max_request_bytes = 40_000).await;
    let image = crate::helpers::large_png(100); // about 30 KB each

    let response = app.upload(&[("a.png", &image), ("b.png", &image)]).await;

    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let (code, message) = error_of(response).await;
    assert_eq!(code, "request_too_large");
    assert!(message.contains("39.1 KiB"), "{message}");
    assert!(app.all_files().is_empty());
}

#[tokio::test]
async fn a_body_that_trickles_in_is_cut_off_and_nothing_is_kept() {
    let app = spawn_app_with(|config| config.upload_timeout_seconds = 1).await;
    let image = png(30, 30, 2);
    let (head, tail) = image.split_at(40);
    let (head, tail) = (head.to_vec(), tail.to_vec());
    let body = async_stream(vec![head, tail], Duration::from_millis(1500));
    let part =
        reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(body)).file_name("slow.png");

    let response = app
        .client
        .post(app.url("/api/upload"))
        .multipart(reqwest::multipart::Form::new().part("image", part))
        .send()
        .await
        .expect("the server answers");

    assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
    let (code, message) = error_of(response).await;
    assert_eq!(code, "upload_timeout");
    assert!(message.contains("1 s"), "{message}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app.all_files().is_empty());
}

/// Pieces of a body, with a pause before each after the first.
fn async_stream(
    pieces: Vec<Vec<u8>>,
    pause: Duration,
) -> impl futures::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures::stream::iter(pieces.into_iter().enumerate()).then(move |(i, piece)| async move {
        if i > 0 {
            tokio::time::sleep(pause).await;
        }
        Ok(piece)
    })
}

use futures::StreamExt;

/// Stores a small PNG of its own, picture `seed` (the same bytes twice would be
/// stored once).
async fn stored_name(app: &TestApp, original: &str, seed: u32) -> String {
    app.upload_ok(original, &png(4, 4, seed)).await.name
}

#[tokio::test]
async fn names_that_try_to_reach_elsewhere_stay_in_their_place() {
    let app = spawn_app().await;
    let attempts = [
        "../../etc/passwd.png",
        "..%2F..%2Fsecret.png",
        "/absolute/path.png",
        "C:\\Windows\\System32\\evil.png",
        "..",
        "CON.png",
        "   .png",
        ".htaccess",
        "%00nul.png",
        "a\u{202e}gnp.exe.png",
    ];

    for (seed, original) in (20..).zip(attempts) {
        let name = stored_name(&app, original, seed).await;

        assert!(
            !name.contains('/') && !name.contains('\\'),
            "{original} → {name}"
        );
        assert!(
            !name.starts_with('.') && !name.contains(".."),
            "{original} → {name}"
        );
        assert!(
            !name.contains('%') && !name.contains('\u{202e}'),
            "{original} → {name}"
        );
        assert!(name.ends_with(".png"), "{original} → {name}");
        assert!(
            !name.to_ascii_uppercase().starts_with("CON."),
            "{original} → {name}"
        );
    }
    let files = app.stored_files();
    assert_eq!(files.len(), attempts.len());
    assert!(
        files.iter().all(|f| !f.contains('/')),
        "all at the top: {files:?}"
    );
}

#[tokio::test]
async fn names_are_normalised_and_bounded() {
    let app = spawn_app().await;

    let decomposed = stored_name(&app, "Cafe\u{301}.png", 1).await;
    let long = stored_name(&app, &format!("{}.png", "x".repeat(5000)), 2).await;

    assert!(decomposed.starts_with("Caf\u{e9}-"), "NFC: {decomposed}");
    assert!(long.len() < 120, "{}", long.len());
}
