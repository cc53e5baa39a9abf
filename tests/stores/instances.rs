//! Many servers, one bucket: what one stores or deletes shows on the other within
//! 5 seconds without either walking the bucket (walks are held off for an hour
//! here), and uploads through both at once all show on both; what other tools
//! put or remove shows by the walks, or at once by a rescan. On moto and on
//! Garage, which ignores conditional writes.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use futures::StreamExt;

use crate::helpers::{jpeg, spawn_app_for, TestApp};
use crate::stores::{Backend, FreshBucket};

/// How soon a change through one server must show on the other.
const BOUND: Duration = Duration::from_secs(5);

async fn two_servers(backend: Backend) -> (TestApp, TestApp, FreshBucket) {
    let mut fresh = FreshBucket::new(backend).await;
    // No walk after the first: only the journal can carry changes across.
    fresh.config.listing_cache_seconds = 3600;
    let one = spawn_app_for(fresh.config.clone()).await;
    let other = spawn_app_for(fresh.config.clone()).await;
    // Each has taken its first listing, of the empty bucket.
    assert!(one.listed_names().await.is_empty());
    assert!(other.listed_names().await.is_empty());
    (one, other, fresh)
}

/// Waits until `app`'s gallery holds exactly `expected`; panics after [`BOUND`].
async fn shows(app: &TestApp, expected: &HashSet<String>, what: &str) {
    let began = Instant::now();
    loop {
        let names: HashSet<String> = app.all_listed_names().await.into_iter().collect();
        if names == *expected {
            return;
        }
        assert!(
            began.elapsed() < BOUND,
            "{what} did not show within {BOUND:?}: {} listed, {} expected",
            names.len(),
            expected.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn uploads_and_deletes_show_on_the_other_server(backend: Backend) {
    let (one, other, _fresh) = two_servers(backend).await;
    let stored = one.upload_ok("harbour.jpg", &jpeg(64, 48, 41)).await;
    let mut expected = HashSet::from([stored.name.clone()]);
    shows(&other, &expected, "an upload through the first server").await;

    let second = other.upload_ok("pier.jpg", &jpeg(64, 48, 42)).await;
    expected.insert(second.name.clone());
    shows(&one, &expected, "an upload through the second server").await;

    other.delete_ok(&stored.name).await;
    expected.remove(&stored.name);
    shows(&one, &expected, "a delete through the second server").await;
    shows(&other, &expected, "its own delete").await;
}

async fn uploads_through_both_at_once_all_show_on_both(backend: Backend) {
    let (one, other, _fresh) = two_servers(backend).await;
    let count: u32 = 120;
    let uploads = (0..count).map(|i| {
        let app = if i % 2 == 0 { &one } else { &other };
        async move {
            app.upload_ok(&format!("burst-{i}.jpg"), &jpeg(40, 30, 500 + i))
                .await
                .name
        }
    });
    let mut names = HashSet::new();
    let mut uploads = futures::stream::iter(uploads).buffer_unordered(16);
    while let Some(name) = uploads.next().await {
        names.insert(name);
    }
    assert_eq!(names.len(), count as usize);
    shows(&one, &names, "uploads through both servers").await;
    shows(&other, &names, "uploads through both servers").await;
}

/// Objects another tool puts into the bucket and takes out show by the walks of a
/// server that walks every second (its budget allows it), and at once on one
/// that walks hourly when the admin asks it to walk now.
async fn what_other_tools_put_or_remove_shows_by_a_walk_or_a_rescan(backend: Backend) {
    let mut fresh = FreshBucket::new(backend).await;
    fresh.config.listing_cache_seconds = 1;
    fresh.config.reconcile_requests_per_hour = 1_000_000;
    let walking = spawn_app_for(fresh.config.clone()).await;
    fresh.config.listing_cache_seconds = 3600;
    let idle = spawn_app_for(fresh.config.clone()).await;
    assert!(walking.listed_names().await.is_empty());
    assert!(idle.listed_names().await.is_empty());
    let rescan = |app: &TestApp| {
        let request = app.client.post(app.url("/api/rescan")).send();
        async move { assert!(request.await.unwrap().status().is_success()) }
    };

    let name = bucket_gallery::names::ObjectName::parse("from-another-tool.jpg").unwrap();
    let bucket = fresh.bucket();
    bucket
        .put(&name, "image/jpeg", jpeg(64, 48, 43).into())
        .await
        .unwrap();
    let mut expected = HashSet::from([name.to_string()]);
    shows(&walking, &expected, "a photo another tool put, by a walk").await;
    assert!(idle.listed_names().await.is_empty(), "no walk of its own");
    rescan(&idle).await;
    shows(&idle, &expected, "a photo another tool put, by a rescan").await;

    bucket.delete(&name).await.unwrap();
    expected.clear();
    shows(
        &walking,
        &expected,
        "a photo another tool removed, by a walk",
    )
    .await;
    rescan(&idle).await;
    shows(
        &idle,
        &expected,
        "a photo another tool removed, by a rescan",
    )
    .await;
}

macro_rules! on_shared_stores {
    ([$($module:ident => $backend:expr),* $(,)?], $tests:tt) => {
        $( mod $module { on_shared_stores!(@tests $backend, $tests); } )*
    };
    (@tests $backend:expr, [$($test:ident),* $(,)?]) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                super::$test($backend).await
            }
        )*
    };
}

on_shared_stores!(
    [
        folder => crate::stores::Backend::Folder,
        moto => crate::stores::Backend::Moto,
        garage => crate::stores::Backend::Garage,
    ],
    [
        uploads_and_deletes_show_on_the_other_server,
        uploads_through_both_at_once_all_show_on_both,
        what_other_tools_put_or_remove_shows_by_a_walk_or_a_rescan,
    ]
);
