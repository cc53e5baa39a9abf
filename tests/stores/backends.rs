//! One behavioural suite, run against every backend on a real server: a local
//! folder, memory, moto (S3), Garage (a real distributed S3 store) and Replit Object
//! Storage (through the GCS backend and the stand-in sidecar). Each test gets a new,
//! empty bucket and a server of its own.

use std::collections::HashSet;
use std::time::Duration;

use bucket_gallery::names::ObjectName;
use reqwest::StatusCode;

use crate::helpers::{error_of, jpeg, large_png, png, spawn_app_for, CutOffUpload, TestApp};
use crate::stores::{Backend, FreshBucket};

async fn app_on(backend: Backend) -> (TestApp, FreshBucket) {
    let fresh = FreshBucket::new(backend).await;
    let app = spawn_app_for(fresh.config.clone()).await;
    (app, fresh)
}

/// What the bucket holds, looked at through a client of its own (a memory bucket
/// lives in the server alone: there, the server's listing).
async fn stored_names(app: &TestApp, fresh: &FreshBucket) -> Vec<String> {
    let mut names: Vec<String> = if fresh.config.bucket_url() == "memory://" {
        app.all_listed_names().await
    } else {
        fresh
            .bucket()
            .list()
            .await
            .expect("the bucket lists")
            .into_iter()
            .map(|object| object.name.to_string())
            .collect()
    };
    names.sort();
    names
}

async fn read_back(app: &TestApp, url: &str) -> (String, Vec<u8>) {
    let response = app.get(url).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {url}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("a content type")
        .to_owned();
    (
        content_type,
        response.bytes().await.expect("the bytes").to_vec(),
    )
}

async fn uploaded_images_are_listed_and_read_back_with_their_type(backend: Backend) {
    let (app, _fresh) = app_on(backend).await;
    let photo = png(40, 30, 1);
    let holiday = jpeg(40, 30, 2);

    let png_info = app.upload_ok("photo.png", &photo).await;
    let jpeg_info = app.upload_ok("holiday.jpg", &holiday).await;

    let listed: HashSet<String> = app.listed_names().await.into_iter().collect();
    assert_eq!(
        listed,
        HashSet::from([png_info.name.clone(), jpeg_info.name.clone()])
    );
    assert_eq!(
        read_back(&app, &png_info.url).await,
        ("image/png".to_owned(), photo)
    );
    assert_eq!(
        read_back(&app, &jpeg_info.url).await,
        ("image/jpeg".to_owned(), holiday)
    );
}

async fn a_large_image_goes_up_in_parts_and_comes_back_whole(backend: Backend) {
    let (app, fresh) = app_on(backend).await;
    let big = large_png(1450); // about 6.3 MB: more than one 5 MiB part

    let info = app.upload_ok("big.png", &big).await;

    let (_, bytes) = read_back(&app, &info.url).await;
    assert!(bytes == big, "the image came back different");
    if let Some(moto) = &fresh.moto {
        assert_eq!(moto.unfinished_uploads().await, Vec::<String>::new());
    }
}

async fn head_ranges_and_revalidation_are_answered_from_the_metadata(backend: Backend) {
    let (app, _fresh) = app_on(backend).await;
    let photo = large_png(100);
    let info = app.upload_ok("parts.png", &photo).await;
    let url = app.url(&info.url);

    let head = app.client.head(&url).send().await.expect("an answer");
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["content-type"], "image/png");
    assert_eq!(
        head.headers()["content-length"],
        photo.len().to_string().as_str()
    );
    let etag = head.headers()["etag"].to_str().expect("an ETag").to_owned();

    let part = app
        .client
        .get(&url)
        .header("range", "bytes=100-199")
        .send()
        .await
        .expect("an answer");
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.bytes().await.expect("the bytes"), photo[100..200]);

    let again = app
        .client
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("an answer");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}

async fn a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(backend: Backend) {
    let (app, fresh) = app_on(backend).await;

    let response = app.upload(&[("notes.png", b"just some text")]).await;

    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(error_of(response).await.0, "unsupported_type");
    assert_eq!(stored_names(&app, &fresh).await, Vec::<String>::new());
}

async fn uploads_of_one_name_at_once_never_overwrite_each_other(backend: Backend) {
    let (app, fresh) = app_on(backend).await;
    let images: Vec<Vec<u8>> = (0..6).map(|seed| png(16, 16, seed)).collect();

    let stored =
        futures::future::join_all(images.iter().map(|bytes| app.upload_ok("same.png", bytes)))
            .await;

    let names: HashSet<&str> = stored.iter().map(|info| info.name.as_str()).collect();
    assert_eq!(
        names.len(),
        images.len(),
        "every upload got a name of its own"
    );
    for (info, bytes) in stored.iter().zip(&images) {
        assert_eq!(&read_back(&app, &info.url).await.1, bytes);
    }
    assert_eq!(stored_names(&app, &fresh).await.len(), images.len());
}

async fn an_interrupted_upload_leaves_no_object_and_no_parts(backend: Backend) {
    let (app, fresh) = app_on(backend).await;
    // The first 6 MiB of a real image: more than a part on every backend, so the
    // server has begun writing.
    let mut first = large_png(1450);
    first.truncate(6 * 1024 * 1024);
    let upload = CutOffUpload::begin(&app, first).await;
    if let Some(moto) = &fresh.moto {
        let begun = eventually(|| async { !moto.unfinished_uploads().await.is_empty() }).await;
        assert!(begun, "the server began a multipart upload");
    } else {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    upload.cut();

    let cleaned = eventually(|| async {
        let no_parts = match &fresh.moto {
            Some(moto) => moto.unfinished_uploads().await.is_empty(),
            None => true,
        };
        no_parts && stored_names(&app, &fresh).await.is_empty()
    })
    .await;
    assert!(
        cleaned,
        "left behind: {:?}",
        stored_names(&app, &fresh).await
    );
    // The server still serves.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

/// What the bucket holds under the photo's own folder of derived objects, looked
/// at through a client of its own (`None` for a memory bucket, which only the
/// server can see).
async fn derived_names(fresh: &FreshBucket, name: &str) -> Option<Vec<String>> {
    if fresh.config.bucket_url() == "memory://" {
        return None;
    }
    let mut names: Vec<String> = fresh
        .bucket()
        .list_folder(&format!(".gallery/v1/{name}/"))
        .await
        .expect("the bucket lists")
        .into_iter()
        .map(|object| object.name.to_string())
        .collect();
    names.sort();
    Some(names)
}

async fn derived_images_are_kept_in_the_bucket_and_leave_with_their_photo(backend: Backend) {
    let (app, fresh) = app_on(backend).await;
    let info = app.upload_ok("IMG_7.jpg", &jpeg(800, 600, 7)).await;
    let photo = info.photo.clone().expect("the photo's facts");
    assert_eq!((photo.width, photo.height), (800, 600));
    assert_eq!(info.display_name, "IMG_7.jpg");
    let (content_type, bytes) = read_back(&app, &photo.thumbnails[2].url).await;
    assert_eq!(content_type, "image/webp");
    let decoded = image::load_from_memory(&bytes).expect("a WebP");
    assert_eq!((decoded.width(), decoded.height()), (640, 480));
    if let Some(derived) = derived_names(&fresh, &info.name).await {
        let files: Vec<_> = derived
            .iter()
            .map(|n| n.rsplit('/').next().unwrap())
            .collect();
        assert_eq!(files, ["320.webp", "480.webp", "640.webp", "facts.json"]);
    }
    // Hidden from the gallery.
    assert_eq!(
        stored_names(&app, &fresh).await,
        std::slice::from_ref(&info.name)
    );

    app.delete_ok(&info.name).await;

    if let Some(derived) = derived_names(&fresh, &info.name).await {
        assert!(derived.is_empty(), "{derived:?}");
    }
    assert_eq!(
        app.get(&photo.thumbnails[0].url).await.status(),
        StatusCode::NOT_FOUND
    );
}

/// Polls `check` for up to ten seconds.
pub async fn eventually<F, Fut>(check: F) -> bool
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Every test above, once per backend.
macro_rules! on_every_backend {
    ([$($module:ident => $backend:expr),* $(,)?], $tests:tt) => {
        $( mod $module { on_every_backend!(@tests $backend, $tests); } )*
    };
    (@tests $backend:expr, [$($test:ident),* $(,)?]) => {
        $(
            #[tokio::test]
            async fn $test() {
                super::$test($backend).await
            }
        )*
    };
}

on_every_backend!(
    [
        folder => crate::stores::Backend::Folder,
        memory => crate::stores::Backend::Memory,
        moto => crate::stores::Backend::Moto,
        garage => crate::stores::Backend::Garage,
        replit => crate::stores::Backend::Replit,
    ],
    [
        uploaded_images_are_listed_and_read_back_with_their_type,
        a_large_image_goes_up_in_parts_and_comes_back_whole,
        head_ranges_and_revalidation_are_answered_from_the_metadata,
        a_file_that_is_not_an_image_is_refused_and_nothing_is_stored,
        uploads_of_one_name_at_once_never_overwrite_each_other,
        an_interrupted_upload_leaves_no_object_and_no_parts,
        derived_images_are_kept_in_the_bucket_and_leave_with_their_photo,
    ]
);

/// A photo another tool put into the bucket (an S3 one, Garage, or Replit's,
/// which the stand-in keeps in moto) gets its thumbnails on first request, kept
/// in the bucket beside it, and its facts on the page (Garage lists times to the
/// millisecond and reads them to the second: both are the same version).
async fn a_photo_put_there_by_another_tool_gets_thumbnails_kept_in_the_bucket(backend: Backend) {
    let (app, fresh) = app_on(backend).await;
    let name = "albums/from-a-phone.jpg";
    match fresh.moto.as_ref() {
        Some(moto) => {
            moto.put(name, jpeg(900, 600, 4), "binary/octet-stream")
                .await
        }
        None => fresh
            .bucket()
            .put(
                &ObjectName::parse(name).unwrap(),
                "binary/octet-stream",
                jpeg(900, 600, 4).into(),
            )
            .await
            .expect("stored by another tool"),
    }

    let first = app
        .get("/derived/current/320/albums/from-a-phone.jpg")
        .await;
    assert_eq!(first.status(), StatusCode::TEMPORARY_REDIRECT);
    let location = first.headers()["location"].to_str().unwrap().to_owned();
    let (content_type, _) = read_back(&app, &location).await;
    assert_eq!(content_type, "image/webp");

    let derived = derived_names(&fresh, "albums/from-a-phone.jpg")
        .await
        .expect("an S3 bucket");
    assert_eq!(derived.len(), 4, "{derived:?}");
    let page = app.list("").await;
    let listed = &page.images[0];
    assert_eq!(listed.display_name, "from-a-phone.jpg");
    assert_eq!(
        listed.photo.as_ref().map(|p| (p.width, p.height)),
        Some((900, 600))
    );
}

#[tokio::test]
async fn a_photo_put_into_s3_by_another_tool_gets_thumbnails_kept_in_the_bucket() {
    a_photo_put_there_by_another_tool_gets_thumbnails_kept_in_the_bucket(Backend::Moto).await;
}

#[tokio::test]
async fn a_photo_put_into_garage_by_another_tool_gets_thumbnails_kept_in_the_bucket() {
    a_photo_put_there_by_another_tool_gets_thumbnails_kept_in_the_bucket(Backend::Garage).await;
}

#[tokio::test]
async fn a_photo_put_into_replit_storage_by_another_tool_gets_thumbnails_kept_in_the_bucket() {
    a_photo_put_there_by_another_tool_gets_thumbnails_kept_in_the_bucket(Backend::Replit).await;
}

/// What other tools put into an S3 bucket shows in the gallery and serves as what
/// its bytes are, whatever content type they gave it.
#[tokio::test]
async fn objects_put_by_other_tools_as_text_list_and_serve_as_images() {
    let (app, fresh) = app_on(Backend::Moto).await;
    let moto = fresh.moto.as_ref().expect("a moto bucket");
    let photo = png(20, 20, 9);
    moto.put("from-another-tool.png", photo.clone(), "text/plain")
        .await;

    let page = app.list("").await;

    let listed = page
        .images
        .iter()
        .find(|image| image.name == "from-another-tool.png")
        .expect("the object is listed");
    assert_eq!(listed.content_type, "image/png");
    assert_eq!(
        read_back(&app, &listed.url).await,
        ("image/png".to_owned(), photo)
    );
}

/// On stores that keep a content type with the object, the sniffed one is stored.
async fn the_judged_type_is_kept_with_the_object(backend: Backend) {
    let (app, fresh) = app_on(backend).await;
    let moto = fresh.moto.as_ref().expect("a moto bucket");

    let info = app.upload_ok("photo.jpg", &jpeg(8, 8, 1)).await;

    assert_eq!(
        moto.content_type_of(&info.name).await.as_deref(),
        Some("image/jpeg")
    );
}

#[tokio::test]
async fn the_judged_type_is_kept_with_the_object_on_s3() {
    the_judged_type_is_kept_with_the_object(Backend::Moto).await;
}

#[tokio::test]
async fn the_judged_type_is_kept_with_the_object_on_replit() {
    the_judged_type_is_kept_with_the_object(Backend::Replit).await;
}

/// Two servers on one S3 bucket, given the same photo at the same moment, keep
/// it once: the content marker is written create-only, and one of them wins.
#[tokio::test]
async fn the_same_photo_sent_to_two_servers_at_once_is_kept_once() {
    let (first, fresh) = app_on(Backend::Moto).await;
    let second = spawn_app_for(fresh.config.clone()).await;
    let bytes = jpeg(300, 200, 21);

    let (a, b) = tokio::join!(
        first.upload_ok("IMG_21.jpg", &bytes),
        second.upload_ok("IMG_21.jpg", &bytes)
    );

    assert_eq!(a.name, b.name);
    assert!(a.already_in_gallery != b.already_in_gallery);
    assert_eq!(stored_names(&first, &fresh).await, vec![a.name]);
}
