//! The viewer as clients meet it: one photo with its neighbours in the gallery's
//! order (`GET /api/photo`), the copies that fill a screen (made on first request,
//! then kept), downloads under the name a photo was uploaded with, and each
//! photo's own page, complete without JavaScript.

use bucket_gallery::api::{links, PhotoView};
use reqwest::StatusCode;

use crate::helpers::{error_of, jpeg, spawn_app_with, TestApp};

/// `GET /api/photo?name=...`.
async fn ask_for(app: &TestApp, name: &str) -> reqwest::Response {
    app.client
        .get(app.url("/api/photo"))
        .query(&[("name", name)])
        .send()
        .await
        .unwrap()
}

async fn view_of(app: &TestApp, name: &str) -> PhotoView {
    let response = ask_for(app, name).await;
    assert_eq!(response.status(), StatusCode::OK, "{name}");
    response.json().await.expect("a photo view")
}

#[tokio::test]
async fn a_photo_is_shown_with_its_neighbours_in_the_gallery_order() {
    let app = spawn_app_with(|_| {}).await;
    let a = app.upload_ok("a.jpg", &jpeg(160, 120, 1)).await;
    let b = app.upload_ok("b.jpg", &jpeg(160, 120, 2)).await;
    let c = app.upload_ok("c.jpg", &jpeg(160, 120, 3)).await;
    assert_eq!(
        app.listed_names().await,
        [c.name.as_str(), b.name.as_str(), a.name.as_str()]
    );

    let middle = view_of(&app, &b.name).await;
    assert_eq!(middle.photo.name, b.name);
    assert_eq!(middle.photo.display_name, "b.jpg");
    assert_eq!(middle.newer.map(|n| n.name), Some(c.name.clone()));
    assert_eq!(middle.older.map(|o| o.name), Some(a.name.clone()));

    let newest = view_of(&app, &c.name).await;
    assert!(newest.newer.is_none());
    assert_eq!(newest.older.map(|o| o.name), Some(b.name.clone()));

    // A deleted neighbour is stepped over at once.
    app.delete_ok(&b.name).await;
    let oldest = view_of(&app, &a.name).await;
    assert_eq!(oldest.newer.map(|n| n.name), Some(c.name));
    assert!(oldest.older.is_none());

    for missing in [
        b.name.as_str(),
        "never-there.jpg",
        ".gallery/v1/x/facts.json",
    ] {
        let response = ask_for(&app, missing).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{missing}");
        let (code, _) = error_of(response).await;
        assert_eq!(code, "not_found");
    }
}

#[tokio::test]
async fn the_copies_that_fill_a_screen_are_made_when_first_asked_for_and_kept() {
    let app = spawn_app_with(|_| {}).await;
    let info = app.upload_ok("wide.jpg", &jpeg(1600, 1200, 4)).await;
    let copy_names = |app: &TestApp| {
        app.all_files()
            .into_iter()
            .filter(|file| file.contains(&info.name) && file.ends_with(".webp"))
            .map(|file| file.rsplit('/').next().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert!(
        !copy_names(&app).contains(&"1280.webp".to_owned()),
        "not made on upload"
    );

    let view = view_of(&app, &info.name).await;
    let sizes: Vec<_> = view.screens.iter().map(|s| (s.width, s.height)).collect();
    // Never enlarged: the photo itself is smaller than the second box.
    assert_eq!(sizes, [(1280, 960), (1600, 1200)]);

    let first = app.get(&view.screens[0].url).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()["content-type"], "image/webp");
    assert_eq!(
        first.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let decoded = image::load_from_memory(&first.bytes().await.unwrap()).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (1280, 960));
    assert!(
        copy_names(&app).contains(&"1280.webp".to_owned()),
        "kept in the bucket"
    );

    // An edge the gallery does not make is not found, not made.
    let other = view.screens[0].url.replace("/1280/", "/1281/");
    assert_eq!(app.get(&other).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_download_carries_the_name_the_photo_was_uploaded_with() {
    let app = spawn_app_with(|_| {}).await;
    let bytes = jpeg(64, 48, 5);
    let info = app.upload_ok("Fête d'été.jpg", &bytes).await;
    let address = info.url.replacen("/image/", "/download/", 1);

    let whole = app.get(&address).await;
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(
        whole.headers()["content-disposition"],
        "attachment; filename=\"F_te d'_t_.jpg\"; filename*=UTF-8''F%C3%AAte%20d%27%C3%A9t%C3%A9.jpg"
    );
    let served = app.get(&info.url).await.bytes().await.unwrap();
    assert_eq!(whole.bytes().await.unwrap(), served);

    // A download that stopped goes on from where it did.
    let rest = app
        .client
        .get(app.url(&address))
        .header("range", "bytes=10-")
        .send()
        .await
        .unwrap();
    assert_eq!(rest.status(), StatusCode::PARTIAL_CONTENT);
    assert!(rest.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    assert_eq!(rest.bytes().await.unwrap(), served.slice(10..));

    assert_eq!(
        app.get("/download/never-there.jpg").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn each_photo_has_a_page_of_its_own_complete_without_javascript() {
    let app = spawn_app_with(|_| {}).await;
    let older = app.upload_ok("older.jpg", &jpeg(160, 120, 6)).await;
    let shown = app.upload_ok("shown.jpg", &jpeg(160, 120, 7)).await;
    let newer = app.upload_ok("newer.jpg", &jpeg(160, 120, 8)).await;

    let page = app.get(&format!("/photo/{}", shown.name)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    for expected in [
        format!("href=\"/photo/{}\"", newer.name),
        format!("href=\"/photo/{}\"", older.name),
        format!("href=\"/download/{}\"", shown.name),
        format!("href=\"{}\"", shown.url),
        "shown.jpg".to_owned(),
        "160 × 120 pixels".to_owned(),
    ] {
        assert!(html.contains(&expected), "{expected} in the page");
    }

    let missing = app.get("/photo/never-there.jpg").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing
        .text()
        .await
        .unwrap()
        .contains("There is no photo at this address"));
}

#[tokio::test]
async fn each_address_has_its_page_and_any_other_is_a_404_page_that_says_so() {
    let app = spawn_app_with(|_| {}).await;
    // A name that must be percent-encoded in its address.
    let photo = app
        .upload_ok("été à la plage.jpg", &jpeg(160, 120, 9))
        .await;

    for (path, expected) in [
        ("/".to_owned(), "data-testid=\"gallery\""),
        ("/upload".to_owned(), "data-testid=\"gallery\""),
        ("/signin".to_owned(), "Admin token"),
        (
            "/delete?name=a.jpg".to_owned(),
            "It is removed from the bucket for good.",
        ),
        (links::photo(&photo.name), "160 × 120 pixels"),
    ] {
        let page = app.get(&path).await;
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        let html = page.text().await.unwrap();
        assert!(html.contains(expected), "{expected} in the page at {path}");
    }
    assert!(links::photo(&photo.name).contains('%'), "{}", photo.name);

    for path in ["/nothing", "/signin/", "/photo/", "/gallery"] {
        let page = app.get(path).await;
        assert_eq!(page.status(), StatusCode::NOT_FOUND, "{path}");
        let html = page.text().await.unwrap();
        assert!(html.contains("There is no page here."), "{path}: {html}");
    }
}

/// A GIF of two frames, `width` × `height`.
fn animated_gif(width: u32, height: u32) -> Vec<u8> {
    use image::codecs::gif::{GifEncoder, Repeat};
    use image::{Delay, Frame, Rgba, RgbaImage};
    let mut bytes = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut bytes);
        encoder.set_repeat(Repeat::Infinite).unwrap();
        for shade in [40u8, 220] {
            let frame = RgbaImage::from_pixel(width, height, Rgba([shade, 90, 255 - shade, 255]));
            encoder
                .encode_frame(Frame::from_parts(
                    frame,
                    0,
                    0,
                    Delay::from_numer_denom_ms(200, 1),
                ))
                .unwrap();
        }
    }
    bytes
}

#[tokio::test]
async fn an_animated_photo_is_shown_as_itself_so_it_moves() {
    let app = spawn_app_with(|_| {}).await;
    let still = app.upload_ok("still.jpg", &jpeg(160, 120, 9)).await;
    let moving = app.upload_ok("moving.gif", &animated_gif(80, 60)).await;
    assert!(moving.photo.as_ref().is_some_and(|photo| photo.animated));

    let page_of = |name: String| {
        let app = &app;
        async move {
            app.get(&format!("/photo/{name}"))
                .await
                .text()
                .await
                .unwrap()
        }
    };
    let shown = |html: &str| {
        let at = html
            .find("data-testid=\"viewer-photo\"")
            .expect("the photo");
        let img = &html[html[..at].rfind("<img").unwrap()..at];
        img.split("src=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned()
    };
    // The original itself, not a still copy.
    assert_eq!(shown(&page_of(moving.name.clone()).await), moving.url);
    // A still photo: the copy that fills a screen.
    assert!(shown(&page_of(still.name.clone()).await).contains("/1280/"));
}

#[tokio::test]
async fn the_buckets_housekeeping_is_never_served() {
    let app = spawn_app_with(|_| {}).await;
    let info = app.upload_ok("kept.jpg", &jpeg(64, 48, 10)).await;
    let facts = app
        .all_files()
        .into_iter()
        .find(|file| file.contains(&info.name) && file.ends_with("facts.json"))
        .expect("the photo's facts in the bucket");
    std::fs::write(app.bucket_dir.join(".DS_Store"), b"housekeeping").unwrap();

    for hidden in [facts.as_str(), ".DS_Store"] {
        for route in ["/image/", "/download/"] {
            let response = app.get(&format!("{route}{hidden}")).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{route}{hidden}");
        }
    }
}
