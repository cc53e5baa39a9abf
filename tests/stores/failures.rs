//! Every answer matches the bucket, whatever the network does: the app on moto
//! behind the fault-injecting proxy (faults.rs), then the bucket read directly.
//! An upload answered "stored" is there whole, one answered "nothing was stored"
//! left nothing, and nothing is stored twice.

use bucket_gallery::api::UploadedImages;
use reqwest::StatusCode;

use crate::faults::{Call, Fault, FaultyProxy};
use crate::helpers::{error_of, large_png, png, spawn_app_for, TestApp};
use crate::stores::{Backend, FreshBucket, MotoBucket};

/// The app on a new bucket of `backend` through a proxy (in front of the S3
/// endpoint, or of the Replit stand-in's GCS API); object_store retries as it does
/// in production (three times).
async fn app_on_behind_proxy(backend: Backend) -> (TestApp, FreshBucket, FaultyProxy) {
    let fresh = FreshBucket::new(backend).await;
    let mut config = fresh.config.clone();
    let endpoint = config
        .bucket_options
        .iter_mut()
        .find(|(key, _)| key == "aws_endpoint" || key == "google_base_url")
        .map(|(_, value)| value)
        .expect("a remote bucket");
    let proxy = FaultyProxy::start(endpoint).await;
    endpoint.clone_from(&proxy.url);
    config.bucket_retries = 3;
    config.bucket_timeout_seconds = 20;
    let app = spawn_app_for(config).await;
    (app, fresh, proxy)
}

/// The app on a new moto bucket through a proxy.
async fn app_behind_proxy() -> (TestApp, MotoBucket, FaultyProxy) {
    let (app, fresh, proxy) = app_on_behind_proxy(Backend::Moto).await;
    let moto = fresh.moto.clone().expect("a moto bucket");
    (app, moto, proxy)
}

/// The photos in the bucket (not what is derived from them), with their sizes.
async fn photos_in(moto: &MotoBucket) -> Vec<(String, u64)> {
    moto.objects()
        .await
        .into_iter()
        .filter(|(key, _)| !key.starts_with(".gallery/"))
        .collect()
}

/// The same, read through a client of the bucket's own (any backend).
async fn photos_of(fresh: &FreshBucket) -> Vec<(String, u64)> {
    let mut photos: Vec<(String, u64)> = fresh
        .bucket()
        .list()
        .await
        .expect("the bucket lists")
        .into_iter()
        .map(|object| (object.name.to_string(), object.size))
        .filter(|(key, _)| !key.starts_with(".gallery/"))
        .collect();
    photos.sort();
    photos
}

#[tokio::test]
async fn a_put_whose_reply_was_lost_is_stored_once_and_answered_as_stored() {
    let (app, moto, proxy) = app_behind_proxy().await;
    // The store keeps the photo; its answer never arrives, and object_store's
    // retry of the create-only put finds the name taken (by itself).
    proxy.fail_next(Call::Put, &[Fault::LostReply]);
    let bytes = png(60, 40, 1);

    let stored = app.upload_ok("lost.png", &bytes).await;

    assert_eq!(
        photos_in(&moto).await,
        [(stored.name.clone(), bytes.len() as u64)]
    );
    assert_eq!(app.listed_names().await, [stored.name]);
}

#[tokio::test]
async fn a_put_that_keeps_failing_stores_nothing_and_says_try_again() {
    let (app, moto, proxy) = app_behind_proxy().await;
    proxy.fail_next(Call::Put, &[Fault::ServerError; 12]);

    let response = app.upload(&[("refused.png", &png(60, 40, 2))]).await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let (_, message) = error_of(response).await;
    assert!(
        message.contains("nothing was stored, try again"),
        "{message}"
    );
    assert_eq!(photos_in(&moto).await, []);
}

#[tokio::test]
async fn when_the_bucket_cannot_be_asked_either_the_answer_says_the_outcome_is_unknown() {
    let (app, moto, proxy) = app_behind_proxy().await;
    proxy.fail_next(
        Call::Put,
        &[
            Fault::LostReply,
            Fault::LostReply,
            Fault::LostReply,
            Fault::LostReply,
        ],
    );
    proxy.fail_next(Call::Head, &[Fault::SlowDown; 8]);

    let response = app.upload(&[("unknown.png", &png(60, 40, 3))]).await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let (_, message) = error_of(response).await;
    assert!(message.contains("could not be checked"), "{message}");
    assert!(
        message.contains("it will appear in the gallery"),
        "{message}"
    );
    // It was stored: as the answer said it might be.
    proxy.heal();
    assert_eq!(photos_in(&moto).await.len(), 1);
}

#[tokio::test]
async fn a_lost_reply_to_completing_a_multipart_upload_is_answered_as_stored() {
    let (app, moto, proxy) = app_behind_proxy().await;
    proxy.fail_next(Call::Complete, &[Fault::LostReply, Fault::LostReply]);
    let bytes = large_png(1500); // about 6.8 MB: two parts

    let stored = app.upload_ok("large.png", &bytes).await;

    assert_eq!(photos_in(&moto).await, [(stored.name, bytes.len() as u64)]);
    assert_eq!(moto.unfinished_uploads().await, Vec::<String>::new());
}

#[tokio::test]
async fn a_delete_whose_replies_are_lost_succeeds_when_the_photo_is_gone() {
    let (app, moto, proxy) = app_behind_proxy().await;
    let stored = app.upload_ok("doomed.png", &png(60, 40, 4)).await;
    proxy.fail_next(Call::Delete, &[Fault::LostReply; 4]);

    app.delete_ok(&stored.name).await;

    assert_eq!(photos_in(&moto).await, []);
}

/// What happened to each upload of the batch, against what the bucket holds.
#[derive(Debug, Default)]
struct Figures {
    stored: usize,
    failed_nothing_stored: usize,
    failed_yet_stored: usize,
    outcome_unknown: usize,
    stored_twice: usize,
    answered_stored_but_missing: usize,
}

#[tokio::test]
async fn uploads_to_s3_under_a_quarter_of_bucket_faults_end_as_answered() {
    uploads_under_a_quarter_of_bucket_faults_end_as_answered(Backend::Moto).await;
}

#[tokio::test]
async fn uploads_to_garage_under_a_quarter_of_bucket_faults_end_as_answered() {
    uploads_under_a_quarter_of_bucket_faults_end_as_answered(Backend::Garage).await;
}

#[tokio::test]
async fn uploads_to_replit_storage_under_a_quarter_of_bucket_faults_end_as_answered() {
    uploads_under_a_quarter_of_bucket_faults_end_as_answered(Backend::Replit).await;
}

async fn uploads_under_a_quarter_of_bucket_faults_end_as_answered(backend: Backend) {
    let (app, fresh, proxy) = app_on_behind_proxy(backend).await;
    let calls = [
        Call::Put,
        Call::CreateMultipart,
        Call::Part,
        Call::Complete,
        Call::Head,
        Call::Get,
        Call::Delete,
    ];
    let faults = [
        Fault::ServerError,
        Fault::SlowDown,
        Fault::ResetBeforeSend,
        Fault::LostReply,
        Fault::CutBody,
    ];
    proxy.fail_share(&calls, 0.25, &faults);

    let mut answers = Vec::new();
    for i in 0..30 {
        // Every fifth a large one, which goes up in parts.
        let bytes = if i % 5 == 4 {
            large_png(1400 + i)
        } else {
            png(60, 40, 100 + i)
        };
        let stem = format!("batch-{i:02}");
        let response = app.upload(&[(&format!("{stem}.png"), &bytes)]).await;
        let status = response.status();
        let answer = if status == StatusCode::OK {
            let stored: UploadedImages = response.json().await.expect("an upload answer");
            Ok(stored.images[0].name.clone())
        } else {
            let (_, message) = error_of(response).await;
            Err((status, message))
        };
        answers.push((stem, bytes.len() as u64, answer));
    }
    proxy.heal();
    let summary = proxy.summary();

    let photos = photos_of(&fresh).await;
    let mut figures = Figures::default();
    for (stem, size, answer) in &answers {
        let kept: Vec<_> = photos
            .iter()
            .filter(|(key, _)| key.starts_with(&format!("{stem}-")))
            .collect();
        if kept.len() > 1 {
            figures.stored_twice += 1;
        }
        match answer {
            Ok(name) => {
                figures.stored += 1;
                if !kept
                    .iter()
                    .any(|(key, kept_size)| key == name && kept_size == size)
                {
                    figures.answered_stored_but_missing += 1;
                }
            }
            Err((_, message)) if message.contains("could not be checked") => {
                figures.outcome_unknown += 1;
            }
            Err(_) if kept.is_empty() => figures.failed_nothing_stored += 1,
            Err(_) => figures.failed_yet_stored += 1,
        }
    }
    let open_uploads = match &fresh.moto {
        Some(moto) => moto.unfinished_uploads().await.len().to_string(),
        None => "not counted".into(),
    };
    println!(
        "{backend:?}: uploads under 25% bucket faults: {figures:?}; open multipart uploads \
         before a sweep: {open_uploads}"
    );
    println!("{summary}");
    for (stem, _, answer) in &answers {
        if let Err((status, message)) = answer {
            println!("  {stem}: {status} {message}");
        }
    }

    assert_eq!(figures.failed_yet_stored, 0, "{figures:?}");
    assert_eq!(figures.stored_twice, 0, "{figures:?}");
    assert_eq!(figures.answered_stored_but_missing, 0, "{figures:?}");
    assert!(
        figures.stored >= 24,
        "retries absorb most faults: {figures:?}"
    );
}

/// What a client gets for `url`: the whole body, or the error that cut it off.
async fn fetch_whole(app: &TestApp, url: &str) -> Result<Vec<u8>, String> {
    let response = app.get(url).await;
    if !response.status().is_success() {
        return Err(format!("answered {}", response.status()));
    }
    response
        .bytes()
        .await
        .map(|bytes| bytes.to_vec())
        .map_err(|error| format!("cut off: {error}"))
}

#[tokio::test]
async fn a_body_the_bucket_cuts_off_is_never_served_as_whole_nor_kept() {
    let (app, _moto, proxy) = app_behind_proxy().await;
    let small = png(300, 200, 5); // kept in memory once read whole
    let large = large_png(1000); // streamed, about 3 MB
    let small_url = app.upload_ok("small.png", &small).await.url;
    let large_url = app.upload_ok("large.png", &large).await.url;

    for (url, bytes) in [(&small_url, &small), (&large_url, &large)] {
        proxy.fail_next(Call::Get, &[Fault::CutBody; 6]);
        let got = fetch_whole(&app, url).await;
        // Either object_store read the rest again, or the client sees the cut:
        // never fewer bytes passed off as the whole image.
        if let Ok(got) = &got {
            assert!(
                got == bytes,
                "{url}: {} of {} bytes passed off as whole",
                got.len(),
                bytes.len()
            );
        }
        proxy.heal();
        assert_eq!(
            fetch_whole(&app, url).await.as_ref().map(Vec::len),
            Ok(bytes.len()),
            "{url}: whole once the bucket is"
        );
    }
}
