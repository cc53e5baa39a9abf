//! A corpus of hostile uploads, made here: each is refused with the right status
//! and code, nothing of it is stored, and the server goes on serving. Names that
//! try to reach other objects are made harmless.

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{error_of, jpeg, png, spawn_app, spawn_app_with, TestApp};

/// A 1×1 GIF.
const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff\x21\xf9\x04\x01\x00\x00\x00\x00\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00\x3b";

fn with(mut bytes: Vec<u8>, tail: &[u8]) -> Vec<u8> {
    bytes.extend_from_slice(tail);
    bytes
}

/// A file whose header says it is `width` × `height` (a decompression bomb: the
/// pixels are never there).
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut file = png(1, 1, 1);
    file[16..20].copy_from_slice(&width.to_be_bytes());
    file[20..24].copy_from_slice(&height.to_be_bytes());
    file
}

fn corpus() -> Vec<(&'static str, Vec<u8>, StatusCode, &'static str)> {
    use StatusCode as S;
    let long_png = png(30, 30, 4);
    let long_jpeg = jpeg(30, 30, 4);
    vec![
        ("script.svg", br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec(), S::UNSUPPORTED_MEDIA_TYPE, "unsupported_type"),
        ("disguised.png", br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>"#.to_vec(), S::UNSUPPORTED_MEDIA_TYPE, "unsupported_type"),
        ("page.jpg", b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>".to_vec(), S::UNSUPPORTED_MEDIA_TYPE, "unsupported_type"),
        ("data.gif", b"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>".to_vec(), S::UNSUPPORTED_MEDIA_TYPE, "unsupported_type"),
        ("invoice.png", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF".to_vec(), S::UNSUPPORTED_MEDIA_TYPE, "unsupported_type"),
        ("archive.webp", b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec(), S::UNSUPPORTED_MEDIA_TYPE, "unsupported_type"),
        ("gifar.gif", with(GIF.to_vec(), b"*/=1;alert(document.domain);//"), S::UNPROCESSABLE_ENTITY, "invalid_image"),
        ("zip-behind.png", with(long_png.clone(), b"PK\x03\x04\x14\x00\x00\x00 hidden archive"), S::UNPROCESSABLE_ENTITY, "invalid_image"),
        ("page-behind.jpg", with(long_jpeg.clone(), b"<html><script>alert(1)</script></html>"), S::UNPROCESSABLE_ENTITY, "invalid_image"),
        ("comment.gif", {
            // A comment extension holding a script, inside a valid structure.
            let mut file = GIF[..19].to_vec();
            file.extend_from_slice(b"\x21\xfe\x1a<script>alert(1)</script>\x00");
            file.extend_from_slice(&GIF[19..]);
            file
        }, S::UNPROCESSABLE_ENTITY, "invalid_image"),
        ("cut.png", long_png[..long_png.len() - 20].to_vec(), S::UNPROCESSABLE_ENTITY, "invalid_image"),
        ("cut.jpg", long_jpeg[..long_jpeg.len() / 2].to_vec(), S::UNPROCESSABLE_ENTITY, "invalid_image"),
        ("header-only.png", long_png[..33].to_vec(), S::UNPROCESSABLE_ENTITY, "invalid_image"),
        ("no-ihdr.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x04tEXtabcd\x00\x00\x00\x00".to_vec(), S::UNPROCESSABLE_ENTITY, "invalid_image"),
        ("bomb.png", png_claiming(100_000, 100_000), S::UNPROCESSABLE_ENTITY, "too_many_pixels"),
        ("wide-bomb.gif", {
            let mut file = GIF.to_vec();
            file[6..10].copy_from_slice(&[0xff, 0xff, 0xff, 0xff]); // 65535 × 65535
            file
        }, S::UNPROCESSABLE_ENTITY, "too_many_pixels"),
        ("empty.png", Vec::new(), S::BAD_REQUEST, "empty_file"),
    ]
}

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
