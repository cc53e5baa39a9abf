//! Where a photo was taken does not leave with it: GPS and other places are taken
//! out of stored JPEG, PNG, WebP, HEIC and AVIF originals (orientation stays), unless
//! KEEP_LOCATION is set. The files are made in tests/support/located.rs.

use crate::heif::decoded_by_libheif;
use crate::helpers::{spawn_app, spawn_app_with, TestApp};
use crate::located::{
    contains, exiftool, heif_with_location, jpeg_with_location, latitude_bytes, places,
    png_with_location, webp_with_location,
};

async fn stored_bytes(app: &TestApp, name: &str, file: &[u8]) -> Vec<u8> {
    let info = app.upload_ok(name, file).await;
    app.get(&info.url)
        .await
        .bytes()
        .await
        .expect("the bytes")
        .to_vec()
}

#[tokio::test]
async fn gps_and_places_are_taken_out_of_a_jpeg_and_orientation_stays() {
    let app = spawn_app().await;
    let original = jpeg_with_location();

    let stored = stored_bytes(&app, "trip.jpg", &original).await;

    assert_eq!(stored.len(), original.len(), "cleaned in place");
    assert!(
        !contains(&stored, &latitude_bytes()),
        "the latitude is gone"
    );
    assert!(!contains(&stored, b"Berlin") && !contains(&stored, b"13,24.5E"));
    assert!(
        contains(&stored, &[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0]),
        "orientation stays"
    );
    assert!(contains(&stored, br#"tiff:Orientation="6""#));
    let decoded = image::load_from_memory(&stored).expect("still a valid JPEG");
    assert_eq!((decoded.width(), decoded.height()), (24, 16));
}

#[tokio::test]
async fn gps_is_taken_out_of_a_png_whose_chunk_stays_valid() {
    let app = spawn_app().await;
    let original = png_with_location();

    let stored = stored_bytes(&app, "trip.png", &original).await;

    assert_eq!(stored.len(), original.len());
    assert!(!contains(&stored, &latitude_bytes()));
    // The image crate checks every chunk's CRC while decoding.
    let decoded = image::load_from_memory(&stored).expect("still a valid PNG");
    assert_eq!(decoded.width(), 24);
}

#[tokio::test]
async fn gps_is_taken_out_of_a_webp() {
    let app = spawn_app().await;
    let original = webp_with_location();

    let stored = stored_bytes(&app, "trip.webp", &original).await;

    assert_eq!(stored.len(), original.len());
    assert!(!contains(&stored, &latitude_bytes()));
}

#[tokio::test]
async fn gps_and_places_are_taken_out_of_heic_and_avif_and_orientation_stays() {
    let app = spawn_app().await;
    for extension in ["heic", "avif"] {
        let original = heif_with_location(extension);
        let told = exiftool(&original);
        assert!(
            told.contains("GPSLatitude") && told.contains("Berlin"),
            "heif-enc kept the place: {told}"
        );

        let stored = stored_bytes(&app, &format!("trip.{extension}"), &original).await;

        assert_eq!(
            stored.len(),
            original.len(),
            "{extension}: cleaned in place"
        );
        assert!(!contains(&stored, &latitude_bytes()), "{extension}");
        let told = exiftool(&stored);
        assert!(places(&told).is_empty(), "{extension}: {told}");
        assert!(
            told.lines().any(|line| line.starts_with("[IFD0]")
                && line.contains("Orientation")
                && line.ends_with(": 6")),
            "{extension}: orientation stays: {told}"
        );
        assert_eq!(
            decoded_by_libheif(&stored),
            decoded_by_libheif(&original),
            "{extension}: the same pixels"
        );
    }
}

#[tokio::test]
async fn with_keep_location_the_original_is_stored_as_it_came() {
    let app = spawn_app_with(|config| config.keep_location = true).await;

    for (name, original) in [
        ("trip.jpg", jpeg_with_location()),
        ("trip.png", png_with_location()),
        ("trip.webp", webp_with_location()),
        ("trip.heic", heif_with_location("heic")),
        ("trip.avif", heif_with_location("avif")),
    ] {
        assert_eq!(
            stored_bytes(&app, name, &original).await,
            original,
            "{name}"
        );
    }
}
