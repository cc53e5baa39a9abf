//! Replit Object Storage: the token exchange with the sidecar (done, cached, redone
//! on expiry and on a refused token) and the reasons given when it cannot work.
//! The stand-in sidecar and GCS front of `replit_standin` play Replit's part.

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{png, spawn_app_for};
use crate::replit_standin::StandIn;
use crate::stores::{shared_moto_url, unique_name, MotoBucket};

async fn standin() -> StandIn {
    StandIn::start(&MotoBucket::create(&shared_moto_url()).await).await
}

#[tokio::test]
async fn one_token_exchange_serves_many_requests() {
    let standin = standin().await;
    let app = spawn_app_for(standin.config()).await;

    let info = app.upload_ok("a.png", &png(4, 4, 1)).await;
    app.list("").await;
    assert_eq!(app.get(&info.url).await.status(), StatusCode::OK);
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);

    assert_eq!(standin.exchanges(), 1);
}

#[tokio::test]
async fn requests_at_once_wait_for_one_exchange() {
    let standin = standin().await;
    let app = spawn_app_for(standin.config()).await;

    let answers = futures::future::join_all((0..8).map(|_| app.get("/healthz"))).await;

    assert!(answers.iter().all(|a| a.status() == StatusCode::OK));
    assert_eq!(standin.exchanges(), 1);
}

#[tokio::test]
async fn a_token_is_exchanged_again_before_it_expires() {
    a_token_is_exchanged_again_before_it_expires_when_its_lifetime_is(false).await;
}

#[tokio::test]
async fn a_lifetime_given_as_text_is_honoured_too() {
    a_token_is_exchanged_again_before_it_expires_when_its_lifetime_is(true).await;
}

async fn a_token_is_exchanged_again_before_it_expires_when_its_lifetime_is(as_text: bool) {
    let standin = standin().await;
    standin
        .shared
        .expiry_as_text
        .store(as_text, std::sync::atomic::Ordering::SeqCst);
    standin.set_token_lifetime(Duration::from_secs(2));
    let app = spawn_app_for(standin.config()).await;
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);

    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);

    assert_eq!(standin.exchanges(), 2);
    assert_eq!(
        standin
            .shared
            .refused
            .load(std::sync::atomic::Ordering::SeqCst),
        0,
        "no request went out with an expired token"
    );
}

#[tokio::test]
async fn a_refused_token_is_exchanged_again_once_and_the_request_succeeds() {
    let standin = standin().await;
    let app = spawn_app_for(standin.config()).await;
    let info = app.upload_ok("a.png", &png(4, 4, 1)).await;

    standin.revoke_tokens();
    let response = app.get(&info.url).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(standin.exchanges(), 2);
    assert_eq!(
        standin
            .shared
            .refused
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
}

#[tokio::test]
async fn without_a_sidecar_the_reason_says_replit_storage_is_not_there() {
    let mut config = crate::helpers::test_config("replit://");
    config.replit_sidecar_url = "http://127.0.0.1:9".into(); // nothing listens there

    let app = spawn_app_for(config).await;
    let reason = app.unavailable_reason().await;
    assert!(
        reason.contains("not running on Replit, or Object Storage is not enabled"),
        "{reason}"
    );
}

#[tokio::test]
async fn without_a_default_bucket_the_reason_says_what_to_do_and_it_is_used_once_made() {
    let standin = standin().await;
    let bucket = standin.shared.default_bucket.lock().unwrap().take();
    let app = spawn_app_for(standin.config()).await;

    let reason = app.unavailable_reason().await;
    assert!(
        reason.contains(
            "create a bucket in the Object Storage tool, or set defaultBucketID in .replit"
        ),
        "{reason}"
    );

    *standin.shared.default_bucket.lock().unwrap() = bucket;
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    app.upload_ok("a.png", &png(4, 4, 1)).await;
}

#[tokio::test]
async fn a_default_bucket_that_does_not_exist_is_named_as_the_reason() {
    let standin = standin().await;
    *standin.shared.default_bucket.lock().unwrap() = Some(unique_name("gone"));
    let app = spawn_app_for(standin.config()).await;

    let reason = app.unavailable_reason().await;
    assert!(reason.contains("does not exist"), "{reason}");
}

#[tokio::test]
async fn a_bucket_named_in_the_url_is_used_without_asking_for_the_default() {
    let moto = MotoBucket::create(&shared_moto_url()).await;
    let standin = StandIn::start(&moto).await;
    *standin.shared.default_bucket.lock().unwrap() = None;
    let mut config = standin.config();
    config.bucket_url = Some(format!("replit://{}", moto.name));

    let app = spawn_app_for(config).await;

    app.upload_ok("a.png", &png(4, 4, 1)).await;
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_bucket_the_repl_may_not_use_is_named_as_the_reason() {
    let standin = standin().await;
    standin
        .shared
        .forbidden
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let app = spawn_app_for(standin.config()).await;

    let reason = app.unavailable_reason().await;
    assert!(
        reason.contains("refused access (403 Forbidden)"),
        "{reason}"
    );
}
