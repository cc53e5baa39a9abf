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

/// The admin's "rescan now": the bucket walked, the index written.
async fn walk_now(app: &TestApp) {
    let rescanned = app
        .client
        .post(app.url("/api/rescan"))
        .send()
        .await
        .unwrap();
    assert!(rescanned.status().is_success());
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
            walk_now(&first).await;
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

/// Every `facts.json` kept for the photos.
fn facts_files(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut folders = vec![dir.join(".gallery/v1")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if path.ends_with("facts.json") {
                files.push(path.display().to_string());
            }
        }
    }
    files
}

#[tokio::test]
async fn a_page_is_made_from_the_index_alone_and_shows_none_of_the_galleries_own_objects() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    let first = server_on(dir).await;
    let mut shapes = HashSet::new();
    for (seed, (width, height)) in [(40, 30), (30, 40), (50, 20)].into_iter().enumerate() {
        let stored = first
            .upload_ok("shot.png", &png(width, height, seed as u32))
            .await;
        shapes.insert((stored.name, width, height));
    }
    walk_now(&first).await;
    drop(first);

    // Each photo's own facts gone: a server starting makes its pages from the
    // index, shapes and placeholders included, and reads or makes none of them.
    let kept = facts_files(dir);
    assert_eq!(kept.len(), 3, "{kept:?}");
    for file in kept {
        std::fs::remove_file(file).unwrap();
    }
    let second = server_on(dir).await;
    let page = second.list("").await;
    let shown: HashSet<(String, u32, u32)> = page
        .images
        .iter()
        .map(|image| {
            let photo = image.photo.as_ref().expect("its facts, from the index");
            assert!(photo.placeholder.starts_with("data:image/png;base64,"));
            assert_eq!(photo.thumbnails.len(), 3, "{photo:?}");
            (image.name.clone(), photo.width, photo.height)
        })
        .collect();
    assert_eq!(shown, shapes);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(facts_files(dir).is_empty(), "none read or made again");

    // The index, the journal and the photos' copies are in the bucket, and
    // none of them is in the gallery or served.
    let own: Vec<String> = ["catalog/index", "catalog/journal", "v1"]
        .iter()
        .filter_map(|folder| {
            let entry = std::fs::read_dir(dir.join(".gallery").join(folder))
                .ok()?
                .flatten()
                .next()?;
            let name = entry.path().strip_prefix(dir).ok()?.display().to_string();
            Some(name)
        })
        .collect();
    assert_eq!(own.len(), 3, "{own:?}");
    let listed = second.all_listed_names().await;
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert!(
        listed.iter().all(|name| !name.starts_with('.')),
        "{listed:?}"
    );
    let html = second.get("/").await.text().await.unwrap();
    assert!(
        !html.contains(".gallery/catalog"),
        "the page names no index"
    );
    let head = indexes(dir).pop().unwrap().join("head.json");
    let head = head.strip_prefix(dir).unwrap().display().to_string();
    for hidden in own.iter().chain([&head]) {
        let response = second.get(&format!("/image/{hidden}")).await;
        assert_eq!(response.status().as_u16(), 404, "{hidden}");
    }
}
