//! The bucket going away and coming back, and several servers on one bucket.

use std::time::Duration;

use reqwest::StatusCode;

use crate::backends::eventually;
use crate::helpers::{error_of, png, spawn_app_for};
use crate::stores::{garage_bucket, s3_options, unique_name, MotoBucket, OwnMoto};

#[tokio::test]
async fn a_bucket_down_at_start_is_used_once_it_is_up_without_a_restart() {
    let mut moto = OwnMoto::reserve();
    let name = unique_name("later");
    let mut config = crate::helpers::test_config(format!("s3://{name}"));
    config.bucket_options = s3_options(&moto.endpoint(), "test", "test", "us-east-1");
    let app = spawn_app_for(config).await;

    let health = app.get("/healthz").await;
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
    let (code, reason) = error_of(health).await;
    assert_eq!(code, "storage_unavailable");
    assert!(reason.contains("cannot be reached"), "{reason}");
    let upload = app.upload(&[("early.png", &png(4, 4, 1))]).await;
    assert_eq!(upload.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(error_of(upload).await.1.contains("cannot be reached"));
    let page = app.get("/").await.text().await.expect("a page");
    assert!(page.contains("data-testid=\"bucket-down\""), "{page}");
    assert!(page.contains("cannot be reached"));

    moto.start().await;
    let bucket = MotoBucket {
        endpoint: moto.endpoint(),
        name,
    };
    let created = reqwest::Client::new()
        .put(bucket.url(""))
        .send()
        .await
        .expect("moto answers");
    assert!(created.status().is_success());

    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    let info = app.upload_ok("later.png", &png(4, 4, 2)).await;
    let listed = eventually(|| async {
        app.list("")
            .await
            .images
            .iter()
            .any(|image| image.name == info.name)
    })
    .await;
    assert!(listed, "the image uploaded after the outage is listed");
    let page = app.get("/").await.text().await.expect("a page");
    assert!(!page.contains("bucket-down"));
}

#[tokio::test]
async fn a_bucket_that_does_not_exist_is_named_as_the_reason() {
    let moto = MotoBucket {
        endpoint: crate::stores::shared_moto_url(),
        name: unique_name("missing"),
    };
    let mut config = moto.config();
    // The reason is the test, not the time: moto shares two cores with the fault
    // batches running beside this, and once took longer than the tests' 5 s.
    config.bucket_timeout_seconds = 30;
    let app = spawn_app_for(config).await;

    let reason = app.unavailable_reason().await;
    assert!(reason.contains("does not exist"), "{reason}");
}

#[tokio::test]
async fn refused_credentials_are_named_as_the_reason() {
    let mut config = garage_bucket();
    for (key, value) in &mut config.bucket_options {
        if key == "aws_secret_access_key" {
            *value = "0".repeat(64);
        }
    }
    let app = spawn_app_for(config).await;

    let reason = app.unavailable_reason().await;
    assert!(reason.contains("refused"), "{reason}");
}

#[tokio::test]
async fn two_servers_on_one_garage_bucket_see_what_the_other_stored() {
    let config = garage_bucket();
    let first = spawn_app_for(config.clone()).await;
    let second = spawn_app_for(config).await;
    assert!(second.list("").await.images.is_empty());

    let photo = png(12, 12, 5);
    let info = first.upload_ok("shared.png", &photo).await;

    // Served by the other server at once: reading goes to the bucket.
    let response = second.get(&info.url).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.bytes().await.expect("bytes").to_vec(), photo);
    // Listed by it within LISTING_CACHE_SECONDS (5 here) and one listing.
    let listed = eventually_for(Duration::from_secs(15), || async {
        second
            .list("")
            .await
            .images
            .iter()
            .any(|image| image.name == info.name)
    })
    .await;
    assert!(listed, "the other server lists the image");
}

async fn eventually_for<F, Fut>(limit: Duration, check: F) -> bool
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

#[tokio::test]
async fn a_bucket_that_never_answers_is_given_up_on_after_the_timeout() {
    // A server that takes connections and never says a word.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let endpoint = format!("http://{}", silent.local_addr().expect("an address"));
    let _silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((connection, _)) = silent.accept().await {
            held.push(connection);
        }
    });
    let mut config = crate::helpers::test_config("s3://silent");
    config.bucket_options = s3_options(&endpoint, "test", "test", "us-east-1");
    config.bucket_timeout_seconds = 1;
    config.bucket_retries = 0;
    let app = spawn_app_for(config).await;

    let reason = app.unavailable_reason().await;

    assert!(reason.contains("did not answer in time"), "{reason}");
}
