//! The catalog index in the bucket as a restarted server meets it: read instead
//! of a walk, and, when it is lost, cut short or left half-written by a writer
//! killed in the middle, walked past with every photo listed again.

use std::collections::HashSet;
use std::path::Path;

use crate::helpers::{png, spawn_app_on, TestApp};

/// A server that walks the bucket only at its start and when asked.
async fn server_on(dir: &Path) -> TestApp {
    spawn_app_on(dir, |config| {
        config.listing_cache_seconds = 3600;
        config.reconcile_requests_per_hour = 0;
    })
    .await
}

async fn names(app: &TestApp) -> HashSet<String> {
    app.all_listed_names().await.into_iter().collect()
}

/// The index folders in the bucket, by id.
fn indexes(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(dir.join(".gallery/catalog/index"))
        .map(|entries| entries.flatten().map(|entry| entry.path()).collect())
        .unwrap_or_default();
    found.sort();
    found
}

#[tokio::test]
async fn a_restarted_server_reads_the_index_and_rebuilds_a_broken_one() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    let first = server_on(dir).await;
    assert!(names(&first).await.is_empty());
    // Two walks, each kept as an index: of three photos, then of four.
    let mut stored = HashSet::new();
    for seed in 0..4 {
        stored.insert(first.upload_ok("kept.png", &png(4, 3, seed)).await.name);
        if seed >= 2 {
            let rescanned = first
                .client
                .post(first.url("/api/rescan"))
                .send()
                .await
                .unwrap();
            assert!(rescanned.status().is_success());
        }
    }
    assert_eq!(indexes(dir).len(), 2);
    drop(first);

    // Put there behind the servers' backs: a server that reads the index does
    // not see it, which shows it did not walk.
    std::fs::write(dir.join("foreign.png"), png(5, 5, 9)).unwrap();
    let second = server_on(dir).await;
    assert_eq!(names(&second).await, stored, "from the index");
    drop(second);

    // A writer killed before its head: that index is never read; the one before
    // it is, with what the journal says changed since.
    let newest = indexes(dir).pop().expect("an index");
    std::fs::remove_file(newest.join("head.json")).unwrap();
    let third = server_on(dir).await;
    assert_eq!(names(&third).await, stored, "no walk, nothing lost");
    drop(third);

    // The newest whole index cut short: walked past, every photo listed.
    let whole = indexes(dir)
        .into_iter()
        .rfind(|folder| folder.join("head.json").exists())
        .expect("a whole index");
    std::fs::write(whole.join("head.json"), b"{\"format\": 1, \"walked").unwrap();
    let mut everything = stored.clone();
    everything.insert("foreign.png".to_owned());
    let fourth = server_on(dir).await;
    assert_eq!(names(&fourth).await, everything, "walked again");
    drop(fourth);

    // The index gone altogether: the bucket is walked, nothing is lost.
    std::fs::write(dir.join("foreign-2.png"), png(6, 5, 10)).unwrap();
    std::fs::remove_dir_all(dir.join(".gallery/catalog/index")).unwrap();
    everything.insert("foreign-2.png".to_owned());
    let fifth = server_on(dir).await;
    assert_eq!(names(&fifth).await, everything);
    assert!(!indexes(dir).is_empty(), "written again");
}
