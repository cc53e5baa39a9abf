//! Listing through `GET /api/images`, and the gallery page.

use reqwest::StatusCode;

use crate::helpers::{png, spawn_app, TestApp};

#[tokio::test]
async fn an_empty_bucket_lists_nothing_and_the_page_says_so() {
    let app = spawn_app().await;

    let page = app.list("").await;

    assert!(page.images.is_empty());
    assert_eq!(page.next_cursor, None);
    let html = app.get("/").await.text().await.unwrap();
    assert!(
        html.contains("No images yet"),
        "the page shows an empty state"
    );
}

#[tokio::test]
async fn images_list_newest_first_a_page_at_a_time() {
    let app = spawn_app().await;
    let mut names = Vec::new();
    for seed in 0..5 {
        names.push(
            app.upload_ok(&format!("n{seed}.png"), &png(4, 4, seed))
                .await
                .name,
        );
        // Modification times must differ for the order to be observable.
        tokio::time::sleep(std::time::Duration::from_millis(15)).await;
    }
    names.reverse();

    let first = app.list("?limit=2").await;
    let cursor = first.next_cursor.clone().expect("more pages");
    let second = app.list(&format!("?limit=2&cursor={cursor}")).await;
    let third = app
        .list(&format!(
            "?limit=2&cursor={}",
            second.next_cursor.clone().unwrap()
        ))
        .await;

    let seen: Vec<_> = [&first, &second, &third]
        .iter()
        .flat_map(|page| page.images.iter().map(|image| image.name.clone()))
        .collect();
    assert_eq!(seen, names);
    assert_eq!(third.next_cursor, None);
}

#[tokio::test]
async fn a_page_stays_stable_when_new_images_arrive() {
    let app = spawn_app().await;
    for seed in 0..3 {
        app.upload_ok("a.png", &png(4, 4, seed)).await;
        tokio::time::sleep(std::time::Duration::from_millis(15)).await;
    }
    let first = app.list("?limit=2").await;

    app.upload_ok("newer.png", &png(4, 4, 99)).await;
    let second = app
        .list(&format!("?limit=2&cursor={}", first.next_cursor.unwrap()))
        .await;

    assert_eq!(
        second.images.len(),
        1,
        "the new image is not repeated on later pages"
    );
    assert!(!first
        .images
        .iter()
        .any(|image| image.name == second.images[0].name));
}

#[tokio::test]
async fn a_forged_cursor_is_a_clear_400() {
    let app = spawn_app().await;

    let response = app.get("/api/images?cursor=!!!").await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let (code, _) = crate::helpers::error_of(response).await;
    assert_eq!(code, "bad_request");
}

#[tokio::test]
async fn the_gallery_page_shows_stored_images() {
    let app = spawn_app().await;
    let stored = app.upload_ok("shown.png", &png(4, 4, 1)).await;

    let html = app.get("/").await.text().await.unwrap();

    let thumbnail = &stored.photo.expect("its facts").thumbnails[0].url;
    assert!(
        html.contains(&format!(r#"src="{thumbnail}""#)),
        "the grid shows the image's thumbnail"
    );
}

#[tokio::test]
async fn health_answers_when_the_bucket_does() {
    let app = spawn_app().await;

    let response = app.get("/healthz").await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn objects_from_other_tools_appear_once_the_listing_expires() {
    let app = crate::helpers::spawn_app_with(|config| config.listing_cache_seconds = 1).await;
    assert!(app.list("").await.images.is_empty());

    std::fs::write(app.bucket_dir.join("late.png"), png(3, 3, 1)).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    // The expired listing still answers at once while a new one is taken.
    let mut page = app.list("").await;
    for _ in 0..20 {
        if !page.images.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        page = app.list("").await;
    }
    assert_eq!(page.images.len(), 1);
    assert_eq!(page.images[0].name, "late.png");
}

#[tokio::test]
async fn an_upload_shows_in_the_listing_at_once() {
    let app = crate::helpers::spawn_app_with(|config| config.listing_cache_seconds = 3600).await;
    assert!(app.list("").await.images.is_empty());

    let stored = app.upload_ok("now.png", &png(3, 3, 1)).await;

    assert_eq!(app.list("").await.images[0].name, stored.name);
}

#[tokio::test]
async fn the_admin_can_have_the_bucket_walked_now() {
    let app = crate::helpers::spawn_app_with(|config| {
        config.listing_cache_seconds = 3600;
        config.reconcile_requests_per_hour = 0;
    })
    .await;
    assert!(app.list("").await.images.is_empty(), "the first walk");
    app.upload_ok("kept.png", &png(3, 3, 2)).await;
    std::fs::write(app.bucket_dir.join("late.png"), png(3, 3, 1)).unwrap();
    assert_eq!(app.list("").await.images.len(), 1, "no walk of its own");

    let refused = app
        .visitor
        .post(app.url("/api/rescan"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "the admin only");

    let rescanned = app
        .client
        .post(app.url("/api/rescan"))
        .send()
        .await
        .unwrap();
    assert_eq!(rescanned.status(), StatusCode::OK);
    assert_eq!(rescanned.json::<usize>().await.unwrap(), 2);
    let names: Vec<String> = app
        .list("")
        .await
        .images
        .into_iter()
        .map(|i| i.name)
        .collect();
    assert!(names.contains(&"late.png".to_owned()), "{names:?}");
}

#[tokio::test]
async fn a_failing_bucket_is_a_503_that_names_the_request() {
    let app = spawn_app().await;
    // A folder that contains itself: every walk of the bucket now fails.
    std::os::unix::fs::symlink(&app.bucket_dir, app.bucket_dir.join("loop")).unwrap();

    for path in ["/api/images", "/healthz"] {
        let response = app.get(path).await;

        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        let id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        let (code, message) = crate::helpers::error_of(response).await;
        assert_eq!(code, "storage_unavailable");
        assert!(
            message.ends_with(&format!("(request {id})")),
            "{path}: {message}"
        );
        assert!(
            !message.contains(&app.bucket_dir.display().to_string()),
            "no server paths leak"
        );
    }
}

/// Many page loads at once, signed in and not, all finish whole: the closing
/// script of the server-rendered page arrives every time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_page_loads_at_once_all_finish_whole() {
    let app = spawn_app().await;
    app.upload_ok("one.png", &png(4, 4, 1)).await;

    let clients = (0..400).map(|i| {
        if i % 2 == 0 {
            &app.client
        } else {
            &app.visitor
        }
    });
    let pages = load_gallery_pages(&app, clients).await;

    for page in pages {
        let page = page.expect("a page");
        assert!(page.contains("data-testid=\"gallery-item\""), "whole page");
        assert!(page.contains("</html>"), "whole page");
        assert!(
            page.contains("__INCOMPLETE_CHUNKS=[];"),
            "the closing script came"
        );
    }
}

/// Pages rendered while other servers of the same process start (as they do in
/// these tests, or when one process serves several apps) all finish.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_finish_while_other_servers_start() {
    let app = spawn_app().await;
    app.upload_ok("one.png", &png(4, 4, 1)).await;

    let starts = tokio::spawn(async {
        for _ in 0..30 {
            let other = spawn_app().await;
            drop(other);
        }
    });
    let pages = load_gallery_pages(&app, (0..300).map(|_| &app.visitor)).await;
    starts.await.expect("the other servers started");

    for page in pages {
        assert!(page.expect("a page").contains("__INCOMPLETE_CHUNKS=[];"));
    }
}

/// Loads the gallery page once per client, all at once; each must finish within a
/// minute.
async fn load_gallery_pages<'a>(
    app: &TestApp,
    clients: impl Iterator<Item = &'a reqwest::Client>,
) -> Vec<reqwest::Result<String>> {
    let loads = clients.map(|client| {
        let url = app.url("/");
        async move { client.get(url).send().await?.text().await }
    });
    tokio::time::timeout(
        std::time::Duration::from_secs(60),
        futures::future::join_all(loads),
    )
    .await
    .expect("every page load finishes")
}
