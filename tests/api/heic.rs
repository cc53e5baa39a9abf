//! iPhone photos as they come: HEIC files (made by libheif's heif-enc, see
//! tests/support/heif.rs) are decoded by the gallery to the pixels libheif's own
//! heif-convert gives, turned and mirrored as their boxes say, 8- or 10-bit, in
//! grids or whole; they upload like JPEGs through the API and the plain form,
//! and show in the grid and the viewer; one whose pictures cannot be decoded is
//! still kept, as a tile that says why.

use bucket_gallery::api::PhotoView;
use bucket_gallery::photos::heif::decode_heic;
use reqwest::StatusCode;

use crate::heif::{decoded_by_libheif, heic, picture, psnr, transformed};
use crate::helpers::{spawn_app, TestApp};

/// Below this, the two decoders disagree by more than rounding: both decode the
/// same HEVC stream exactly (it is specified to the bit), so what differs is the
/// conversion to RGB: how the half-resolution colour planes are upsampled, and
/// rounding. Measured here: 43 to 52 dB on pictures of 300 pixels and more (the
/// upsampling differences grow with how fast colour changes from one pixel to
/// the next, so tiny pictures score lower: 33 dB at 24 × 16). 40 dB is a mean
/// error under one level in 255; a wrong matrix or range (BT.601 for BT.709,
/// limited for full) comes out near 30 dB, a mirror on the wrong axis near 10.
const SAME_PICTURE_DB: f64 = 40.0;

fn decoded_here(file: &[u8]) -> image::RgbImage {
    decode_heic(file, 50_000_000)
        .unwrap_or_else(|why| panic!("decoded: {why}"))
        .image
}

#[test]
fn heic_pixels_are_the_ones_libheif_decodes() {
    let photo = picture(640, 480);
    let cases = [
        ("8-bit", heic(&photo, 8)),
        ("10-bit", heic(&photo, 10)),
        // heif-enc writes a picture under 64 pixels high as a grid of padded tiles.
        ("a grid", heic(&picture(300, 60), 8)),
        (
            "turned a quarter",
            transformed(&heic(&photo, 8), b"irot", 1),
        ),
        ("turned half", transformed(&heic(&photo, 8), b"irot", 2)),
        ("mirrored", transformed(&heic(&photo, 8), b"imir", 1)),
        ("flipped", transformed(&heic(&photo, 8), b"imir", 0)),
    ];
    for (what, file) in cases {
        let reference = decoded_by_libheif(&file);
        let ours = decoded_here(&file);
        assert_eq!(ours.dimensions(), reference.dimensions(), "{what}");
        let db = psnr(&reference, &ours);
        assert!(db >= SAME_PICTURE_DB, "{what}: {db:.1} dB");
    }
}

/// The photo page's copies of `name`.
async fn view_of(app: &TestApp, name: &str) -> PhotoView {
    let response = app
        .client
        .get(app.url("/api/photo"))
        .query(&[("name", name)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{name}");
    response.json().await.unwrap()
}

async fn webp_size(app: &TestApp, url: &str) -> (u32, u32) {
    let response = app.get(url).await;
    assert_eq!(response.status(), StatusCode::OK, "{url}");
    assert_eq!(response.headers()["content-type"], "image/webp");
    let decoded = image::load_from_memory(&response.bytes().await.unwrap()).unwrap();
    (decoded.width(), decoded.height())
}

#[tokio::test]
async fn a_heic_uploads_and_shows_in_the_grid_and_the_viewer_the_right_way_up() {
    let app = spawn_app().await;
    // Taken with the phone held upright: coded landscape, turned a quarter.
    let file = transformed(&heic(&picture(1600, 1200), 8), b"irot", 1);
    let info = app.upload_ok("IMG_3000.HEIC", &file).await;
    assert_eq!(info.content_type, "image/heic");

    let page = app.list("").await;
    let photo = page.images[0].photo.as_ref().expect("facts");
    assert_eq!((photo.width, photo.height), (1200, 1600), "upright");
    assert!(photo.problem.is_none(), "{:?}", photo.problem);
    assert!(photo.placeholder.starts_with("data:image/"));
    let sizes: Vec<_> = photo
        .thumbnails
        .iter()
        .map(|t| (t.width, t.height))
        .collect();
    assert_eq!(sizes, [(240, 320), (360, 480), (480, 640)]);
    assert_eq!(webp_size(&app, &photo.thumbnails[0].url).await, (240, 320));

    let view = view_of(&app, &info.name).await;
    let screen = &view.screens[0];
    assert_eq!((screen.width, screen.height), (960, 1280));
    assert_eq!(webp_size(&app, &screen.url).await, (960, 1280));

    // "Download original" gives the file as it came (it carries no location).
    let original = app.get(&info.url).await;
    assert_eq!(original.headers()["content-type"], "image/heic");
    assert_eq!(original.bytes().await.unwrap().to_vec(), file);
}

#[tokio::test]
async fn a_heic_sent_by_the_plain_form_is_kept_and_shown() {
    let app = spawn_app().await;
    let file = heic(&picture(320, 240), 10);

    let response = app
        .post_files(
            "/api/upload",
            &[("IMG_3001.heic", &file)],
            "text/html,application/xhtml+xml",
        )
        .await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.list("").await;
    let photo = page.images[0].photo.as_ref().expect("facts");
    assert_eq!((photo.width, photo.height), (320, 240));
    let first = &photo.thumbnails[0];
    assert_eq!((first.width, first.height), (320, 240), "never enlarged");
}

#[tokio::test]
async fn a_heic_whose_pictures_cannot_be_decoded_is_kept_as_a_tile_that_says_why() {
    let app = spawn_app().await;
    let mut file = heic(&picture(320, 240), 8);
    // The container stays sound; the coded picture inside it is noise.
    let mdat = file.windows(4).position(|w| w == b"mdat").unwrap() + 4;
    for (at, byte) in file[mdat + 16..].iter_mut().enumerate() {
        *byte = (at as u8).wrapping_mul(37) ^ 0x5a;
    }

    let info = app.upload_ok("IMG_3002.HEIC", &file).await;

    let page = app.list("").await;
    let listed = &page.images[0];
    assert_eq!(listed.name, info.name);
    let photo = listed.photo.as_ref().expect("facts, with the reason");
    assert!(photo.thumbnails.is_empty());
    let why = photo.problem.as_deref().unwrap_or_default();
    assert!(why.contains("HEIC"), "the details say why: {why}");
    let html = app.get("/").await.text().await.unwrap();
    assert!(
        html.contains("No preview"),
        "a neutral tile, never a broken image"
    );
    assert_eq!(
        app.get(&info.url).await.status(),
        StatusCode::OK,
        "still served"
    );
}
