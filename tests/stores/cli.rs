//! The command-line tools on S3 (moto), as someone with a bucket and a terminal
//! runs them: import, list, export, remove, and rescan after another tool put
//! objects into the bucket and took some out.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

use crate::helpers::{jpeg, png};
use crate::stores::{shared_moto_url, MotoBucket};

/// Runs `bucket-gallery ARGS...` on the moto bucket, with the settings an S3 user
/// gives it: the standard `AWS_*` variables.
fn run(bucket: &MotoBucket, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bucket-gallery"))
        .args(args)
        .env("BUCKET_URL", format!("s3://{}", bucket.name))
        .env("AWS_ENDPOINT_URL", &bucket.endpoint)
        .env("AWS_ALLOW_HTTP", "true")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env_remove("RUST_LOG")
        .env_remove("ADMIN_TOKEN")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The photos in the bucket (not what is derived from them), by key.
async fn photos(bucket: &MotoBucket) -> Vec<String> {
    bucket
        .objects()
        .await
        .into_iter()
        .map(|(key, _)| key)
        .filter(|key| !key.starts_with('.'))
        .collect()
}

fn listed(bucket: &MotoBucket) -> Vec<Value> {
    let out = run(bucket, &["ls", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    json.as_array().expect("an array").clone()
}

fn write(root: &Path, name: &str, bytes: Vec<u8>) {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[tokio::test]
async fn the_terminal_tools_work_on_an_s3_bucket() {
    let bucket = MotoBucket::create(&shared_moto_url()).await;
    let temp = tempfile::tempdir().unwrap();
    let (folder, out) = (temp.path().join("photos"), temp.path().join("out"));
    write(&folder, "2024/beach.jpg", jpeg(200, 150, 21));
    write(&folder, "2025/beach.jpg", jpeg(200, 150, 22));
    write(&folder, "dunes.png", png(90, 60, 23));
    write(&folder, "old/dunes.png", png(90, 60, 23));
    write(&folder, "fake.png", b"<svg onload=alert(1)>".to_vec());

    // Import: three stored, the same bytes once, the fake refused by name.
    let imported = run(&bucket, &["import", folder.to_str().unwrap()]);
    let said = text(&imported.stdout);
    assert_eq!(imported.status.code(), Some(1), "{said}");
    assert!(
        said.starts_with("3 stored (") && said.contains(", 1 already in the gallery, 1 refused"),
        "{said}"
    );
    assert!(
        said.contains("fake.png: fake.png is not a supported image"),
        "{said}"
    );
    assert_eq!(photos(&bucket).await.len(), 3);
    let derived = bucket.objects().await;
    assert!(
        derived
            .iter()
            .any(|(key, _)| key.starts_with(".gallery/v1/")),
        "derived images are kept in the bucket: {derived:?}"
    );

    // Listed with their names as uploaded and their shapes.
    let photos_listed = listed(&bucket);
    assert_eq!(photos_listed.len(), 3);
    let beaches = photos_listed
        .iter()
        .filter(|photo| photo["display_name"] == "beach.jpg")
        .count();
    assert_eq!(beaches, 2);

    // Exported under their names, the second beach numbered.
    let exported = run(&bucket, &["export", out.to_str().unwrap()]);
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["beach (2).jpg", "beach.jpg", "dunes.png"]);
    assert_eq!(
        std::fs::read(out.join("dunes.png")).unwrap(),
        png(90, 60, 23)
    );

    // Another tool puts a photo in and takes one out; rescan tidies and fills in.
    let keys = photos(&bucket).await;
    let gone = keys
        .iter()
        .find(|key| key.starts_with("dunes-"))
        .unwrap()
        .clone();
    bucket.delete(&gone).await;
    bucket
        .put("from-another-tool.png", png(70, 50, 24), "image/png")
        .await;
    let rescanned = run(&bucket, &["rescan", "--thumbs"]);
    let said = text(&rescanned.stdout);
    assert!(
        rescanned.status.success(),
        "{said} {}",
        text(&rescanned.stderr)
    );
    assert!(
        said.starts_with("3 photos; derived images of 1 deleted photo removed;"),
        "{said}"
    );
    assert!(
        said.trim().ends_with("derived images made for 1 of 1"),
        "{said}"
    );
    let left = bucket.objects().await;
    assert!(
        !left
            .iter()
            .any(|(key, _)| key.starts_with(&format!(".gallery/v1/{gone}/"))),
        "nothing of {gone} is left: {left:?}"
    );
    assert!(
        left.iter()
            .any(|(key, _)| key.starts_with(".gallery/v1/from-another-tool.png/")),
        "the foreign photo has its derived images: {left:?}"
    );
    assert!(listed(&bucket)
        .iter()
        .any(|photo| photo["name"] == "from-another-tool.png"));

    // Removed, with everything derived from it.
    let beach = keys
        .iter()
        .find(|key| key.starts_with("beach-"))
        .unwrap()
        .clone();
    let removed = run(&bucket, &["rm", "--yes", &beach]);
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    let left = bucket.objects().await;
    assert!(
        !left
            .iter()
            .any(|(key, _)| key == &beach || key.starts_with(&format!(".gallery/v1/{beach}/"))),
        "{left:?}"
    );
    assert_eq!(listed(&bucket).len(), 2);
}
