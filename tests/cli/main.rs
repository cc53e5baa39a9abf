//! The command-line tools as people run them: the real binary over a bucket
//! folder of its own, importing folders with good, duplicate and hostile files,
//! run twice, beside a running server; listing, exporting with colliding names,
//! removing, and rescanning after other tools changed the bucket.

// Shared with the `api` target, which uses all of it.
#[allow(dead_code)]
#[path = "../support/corpus.rs"]
mod corpus;
#[allow(dead_code)]
#[path = "../support/helpers.rs"]
mod helpers;
#[path = "../support/located.rs"]
mod located;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use helpers::{jpeg, png, spawn_app_on};
use located::{
    contains, exiftool, heif_with_location, jpeg_with_location, latitude_bytes, places,
    png_with_location, webp_with_location,
};
use serde_json::Value;

/// Runs `bucket-gallery ARGS...` over the bucket folder `bucket`.
fn run(bucket: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bucket-gallery"))
        .args(args)
        .env("BUCKET_URL", format!("file://{}", bucket.display()))
        .env_remove("RUST_LOG")
        .env_remove("ADMIN_TOKEN")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A folder as people bring one: photos in folders, the same photo twice, a
/// file that only pretends to be a photo, and the housekeeping of other tools.
fn photo_folder(root: &Path) {
    std::fs::create_dir_all(root.join("2024/summer")).unwrap();
    std::fs::write(root.join("2024/beach.jpg"), jpeg(320, 240, 1)).unwrap();
    std::fs::write(root.join("2024/summer/dunes.png"), png(200, 300, 2)).unwrap();
    std::fs::write(root.join("2024/summer/Fête.jpg"), jpeg(160, 120, 3)).unwrap();
    std::fs::write(root.join("copy of beach.jpg"), jpeg(320, 240, 1)).unwrap();
    std::fs::write(root.join("notes.jpg"), b"just some notes\n").unwrap();
    std::fs::write(root.join(".DS_Store"), b"housekeeping").unwrap();
}

fn stored_images(bucket: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(bucket)
        .unwrap()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| !name.starts_with('.'))
        .collect();
    names.sort();
    names
}

#[test]
fn a_folder_is_imported_as_uploads_and_again_stores_nothing_twice() {
    let temp = tempfile::tempdir().unwrap();
    let (folder, bucket) = (temp.path().join("photos"), temp.path().join("bucket"));
    photo_folder(&folder);

    let first = run(&bucket, &["import", folder.to_str().unwrap()]);
    let said = text(&first.stdout);
    assert_eq!(first.status.code(), Some(1), "a refused file: {said}");
    assert!(said.starts_with("3 stored ("), "{said}");
    assert!(
        said.contains(", 1 already in the gallery, 1 refused"),
        "{said}"
    );
    assert!(
        said.contains(
            "notes.jpg: notes.jpg is not a supported image: JPEG, PNG, GIF, WebP, AVIF or HEIC"
        ),
        "{said}"
    );
    let stored = stored_images(&bucket);
    assert_eq!(stored.len(), 3, "{stored:?}");
    for stems in [&["beach-", "copy-of-beach-"][..], &["dunes-"], &["Fête-"]] {
        // The same bytes twice in flight at once: either name is the one kept.
        assert!(
            stored
                .iter()
                .any(|name| stems.iter().any(|stem| name.starts_with(stem))),
            "{stems:?} in {stored:?}"
        );
    }

    // Again, as after an interruption: what is there is recognised by its bytes.
    let again = run(&bucket, &["import", folder.to_str().unwrap()]);
    let said = text(&again.stdout);
    assert!(said.starts_with("0 stored ("), "{said}");
    assert!(
        said.contains(", 4 already in the gallery, 1 refused"),
        "{said}"
    );
    assert_eq!(stored_images(&bucket), stored);

    // Listed newest first, with each photo's name as it was and its shape.
    let listed = run(&bucket, &["ls", "--json"]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let listed: Value = serde_json::from_slice(&listed.stdout).expect("JSON");
    let listed = listed.as_array().expect("an array");
    assert_eq!(listed.len(), 3);
    let fete = listed
        .iter()
        .find(|photo| photo["display_name"] == "Fête.jpg")
        .expect("the name as it was");
    assert_eq!(
        (fete["width"].as_u64(), fete["height"].as_u64()),
        (Some(160), Some(120))
    );
    let times: Vec<&str> = listed
        .iter()
        .map(|p| p["uploaded_at"].as_str().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|pair| pair[0] >= pair[1]),
        "newest first: {times:?}"
    );

    let table = text(&run(&bucket, &["ls"]).stdout);
    assert_eq!(table.lines().count(), 3, "{table}");
    assert!(table.contains("320×240"), "{table}");

    // The settings as flags, after the subcommand as well as before it.
    let url = format!("file://{}", bucket.display());
    for args in [["ls", "--bucket-url", &url], ["--bucket-url", &url, "ls"]] {
        let flagged = Command::new(env!("CARGO_BIN_EXE_bucket-gallery"))
            .args(args)
            .env_remove("BUCKET_URL")
            .output()
            .unwrap();
        assert_eq!(text(&flagged.stdout), table, "{args:?}");
    }
}

#[test]
fn every_hostile_file_of_the_upload_tests_is_refused_by_name_and_nothing_of_it_is_stored() {
    let temp = tempfile::tempdir().unwrap();
    let (folder, bucket) = (temp.path().join("mixed"), temp.path().join("bucket"));
    std::fs::create_dir_all(&folder).unwrap();
    let hostile = corpus::corpus();
    for (name, bytes, _, _) in &hostile {
        std::fs::write(folder.join(name), bytes).unwrap();
    }
    std::fs::write(folder.join("good.png"), png(40, 30, 61)).unwrap();

    let imported = run(&bucket, &["import", folder.to_str().unwrap()]);
    let said = text(&imported.stdout);
    assert_eq!(imported.status.code(), Some(1), "{said}");
    assert!(
        said.starts_with("1 stored (")
            && said.contains(&format!(
                ", 0 already in the gallery, {} refused",
                hostile.len()
            )),
        "{said}"
    );
    for (name, _, _, _) in &hostile {
        let line = said
            .lines()
            .find(|line| line.contains(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("{name} is not named: {said}"));
        assert!(line.trim_start().starts_with("refused "), "{line}");
    }
    let stored = stored_images(&bucket);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(stored[0].starts_with("good-"), "{stored:?}");
}

#[test]
fn nothing_refused_exits_zero_and_a_missing_path_is_named() {
    let temp = tempfile::tempdir().unwrap();
    let bucket = temp.path().join("bucket");
    let photo = temp.path().join("one.png");
    std::fs::write(&photo, png(40, 30, 4)).unwrap();

    let good = run(&bucket, &["import", photo.to_str().unwrap()]);
    assert!(good.status.success(), "{}", text(&good.stdout));
    assert!(text(&good.stdout).starts_with("1 stored ("));

    let missing = temp.path().join("not-there");
    let bad = run(&bucket, &["import", missing.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stdout).contains(&format!("refused {}: it cannot be read", missing.display())),
        "{}",
        text(&bad.stdout)
    );
}

/// The stored photo whose name begins with `stem`, and its bytes.
fn stored_photo(bucket: &Path, stem: &str) -> Vec<u8> {
    let stored = stored_images(bucket);
    let name = stored
        .iter()
        .find(|name| name.starts_with(stem))
        .unwrap_or_else(|| panic!("{stem} in {stored:?}"));
    std::fs::read(bucket.join(name)).unwrap()
}

#[test]
fn an_import_takes_the_location_out_unless_told_to_keep_it() {
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("trip");
    std::fs::create_dir_all(&folder).unwrap();
    let originals = [
        ("coast", "jpg", jpeg_with_location()),
        ("hills", "png", png_with_location()),
        ("lake", "webp", webp_with_location()),
        ("phone", "heic", heif_with_location("heic")),
        ("sky", "avif", heif_with_location("avif")),
    ];
    for (stem, extension, bytes) in &originals {
        std::fs::write(folder.join(format!("{stem}.{extension}")), bytes).unwrap();
    }

    let bucket = temp.path().join("stripped");
    let done = run(&bucket, &["import", folder.to_str().unwrap()]);
    assert!(done.status.success(), "{}", text(&done.stdout));
    for (stem, _, original) in &originals {
        let stored = stored_photo(&bucket, stem);
        assert_eq!(stored.len(), original.len(), "{stem}: cleaned in place");
        assert!(!contains(&stored, &latitude_bytes()), "{stem}: no latitude");
    }
    assert!(!contains(&stored_photo(&bucket, "coast"), b"Berlin"));
    let told = exiftool(&stored_photo(&bucket, "phone"));
    assert!(places(&told).is_empty(), "{told}");

    let bucket = temp.path().join("kept");
    let done = run(
        &bucket,
        &["import", "--keep-location", folder.to_str().unwrap()],
    );
    assert!(done.status.success(), "{}", text(&done.stdout));
    for (stem, _, original) in &originals {
        assert_eq!(&stored_photo(&bucket, stem), original, "{stem} as it came");
    }
}

/// Runs `bucket-gallery ARGS...` with a terminal for its output (through
/// `script`), and returns what the terminal was shown.
fn run_on_a_terminal(bucket: &Path, args: &[&str]) -> String {
    let quoted: Vec<String> = std::iter::once(env!("CARGO_BIN_EXE_bucket-gallery"))
        .chain(args.iter().copied())
        .map(|word| format!("'{}'", word.replace('\'', r"'\''")))
        .collect();
    let shown = Command::new("script")
        .args([
            "--quiet",
            "--return",
            "--command",
            &quoted.join(" "),
            "/dev/null",
        ])
        .env("BUCKET_URL", format!("file://{}", bucket.display()))
        .env("TERM", "xterm-256color")
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script (util-linux) runs");
    assert!(shown.status.success(), "{}", text(&shown.stdout));
    text(&shown.stdout)
}

#[test]
fn the_progress_bar_is_drawn_on_a_terminal_and_nowhere_else() {
    let temp = tempfile::tempdir().unwrap();
    let folder = temp.path().join("photos");
    std::fs::create_dir_all(&folder).unwrap();
    for seed in 0..24 {
        std::fs::write(
            folder.join(format!("IMG_{seed:04}.jpg")),
            jpeg(480, 360, 300 + seed),
        )
        .unwrap();
    }

    let shown = run_on_a_terminal(
        &temp.path().join("on-a-terminal"),
        &["import", "--jobs", "1", folder.to_str().unwrap()],
    );
    assert!(shown.contains(" of 24 files"), "the bar: {shown:?}");
    assert!(shown.contains(" left"), "the time left: {shown:?}");
    assert!(shown.contains("24 stored ("), "{shown:?}");

    // Into a pipe or a file (a script, a log): the summary and nothing else.
    let piped = run(
        &temp.path().join("piped"),
        &["import", "--jobs", "1", folder.to_str().unwrap()],
    );
    assert!(piped.status.success());
    assert_eq!(text(&piped.stderr), "", "no bar on a pipe");
    let said = text(&piped.stdout);
    assert!(said.starts_with("24 stored ("), "{said}");
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(!said.contains('\r') && !said.contains('\u{1b}'), "{said:?}");
}

#[test]
fn every_subcommand_explains_itself_with_examples() {
    let temp = tempfile::tempdir().unwrap();
    for subcommand in ["import", "ls", "export", "rm", "rescan"] {
        let help = run(temp.path(), &[subcommand, "--help"]);
        assert!(help.status.success());
        assert!(text(&help.stdout).contains("Examples:"), "{subcommand}");
    }
    let help = text(&run(temp.path(), &["--help"]).stdout);
    for subcommand in ["serve", "import", "ls", "export", "rm", "rescan"] {
        assert!(help.contains(subcommand), "{subcommand} in {help}");
    }
}

/// The files of a folder, sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn an_export_writes_the_originals_under_their_names_and_never_overwrites() {
    let temp = tempfile::tempdir().unwrap();
    let (folder, bucket, out) = (
        temp.path().join("photos"),
        temp.path().join("bucket"),
        temp.path().join("out"),
    );
    for (path, bytes) in [
        ("2024/beach.jpg", jpeg(120, 90, 6)),
        ("2025/beach.jpg", jpeg(120, 90, 7)),
        ("dunes.png", png(60, 40, 8)),
    ] {
        let path = folder.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    assert!(run(&bucket, &["import", folder.to_str().unwrap()])
        .status
        .success());
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("dunes.png"), b"already here").unwrap();

    let exported = run(&bucket, &["export", out.to_str().unwrap()]);
    assert!(exported.status.success(), "{}", text(&exported.stderr));
    assert!(
        text(&exported.stdout).starts_with("3 written ("),
        "{}",
        text(&exported.stdout)
    );
    assert_eq!(
        files_in(&out),
        ["beach (2).jpg", "beach.jpg", "dunes (2).png", "dunes.png"]
    );
    assert_eq!(
        std::fs::read(out.join("dunes.png")).unwrap(),
        b"already here"
    );
    // The originals as the bucket holds them.
    let stored = stored_images(&bucket);
    let dunes = stored
        .iter()
        .find(|name| name.starts_with("dunes-"))
        .unwrap();
    assert_eq!(
        std::fs::read(out.join("dunes (2).png")).unwrap(),
        std::fs::read(bucket.join(dunes)).unwrap()
    );

    let later = temp.path().join("later");
    let none = run(
        &bucket,
        &["export", later.to_str().unwrap(), "--since", "2999-01-01"],
    );
    assert!(
        text(&none.stdout).starts_with("0 written"),
        "{}",
        text(&none.stdout)
    );
    let bad = run(
        &bucket,
        &["export", later.to_str().unwrap(), "--since", "yesterday"],
    );
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("yesterday is not a day as YYYY-MM-DD"));
}

#[test]
fn rm_deletes_a_photo_with_everything_derived_and_asks_first() {
    let temp = tempfile::tempdir().unwrap();
    let bucket = temp.path().join("bucket");
    let photo = temp.path().join("doomed.jpg");
    std::fs::write(&photo, jpeg(100, 80, 9)).unwrap();
    assert!(run(&bucket, &["import", photo.to_str().unwrap()])
        .status
        .success());
    let name = stored_images(&bucket).remove(0);
    let derived = bucket.join(".gallery/v1").join(&name);
    assert!(derived.exists());

    let unasked = run(&bucket, &["rm", &name]);
    assert_eq!(
        unasked.status.code(),
        Some(2),
        "no terminal to ask, no --yes"
    );
    assert!(text(&unasked.stderr).contains("pass --yes"));
    assert_eq!(stored_images(&bucket), std::slice::from_ref(&name));

    let removed = run(&bucket, &["rm", "--yes", &name]);
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    assert!(stored_images(&bucket).is_empty());
    assert!(!derived.exists(), "its copies and facts went with it");

    let again = run(&bucket, &["rm", "--yes", &name]);
    assert_eq!(
        again.status.code(),
        Some(1),
        "a name that is not there is said"
    );
}

#[test]
fn rescan_removes_what_deleted_photos_left_and_makes_missing_copies() {
    let temp = tempfile::tempdir().unwrap();
    let bucket = temp.path().join("bucket");
    let photo = temp.path().join("gone.jpg");
    std::fs::write(&photo, jpeg(100, 80, 10)).unwrap();
    assert!(run(&bucket, &["import", photo.to_str().unwrap()])
        .status
        .success());
    let gone = stored_images(&bucket).remove(0);
    // Another tool deletes one photo and puts in another.
    std::fs::remove_file(bucket.join(&gone)).unwrap();
    std::fs::write(bucket.join("foreign.png"), png(50, 40, 11)).unwrap();

    let first = text(&run(&bucket, &["rescan"]).stdout);
    assert_eq!(
        first.trim(),
        "1 photo; derived images of 1 deleted photo removed; 1 without derived images yet (made when first shown, or now with --thumbs)"
    );
    assert!(!bucket.join(".gallery/v1").join(&gone).exists());

    let made = text(&run(&bucket, &["rescan", "--thumbs"]).stdout);
    assert!(
        made.trim().ends_with("derived images made for 1 of 1"),
        "{made}"
    );
    let last = text(&run(&bucket, &["rescan"]).stdout);
    assert!(
        last.trim().ends_with("every photo has its derived images"),
        "{last}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_imported_or_removed_beside_a_running_server_show_in_its_gallery_at_once() {
    let temp = tempfile::tempdir().unwrap();
    let bucket = temp.path().join("bucket");
    std::fs::create_dir_all(&bucket).unwrap();
    // No walk after the first: the server hears of the import through the journal.
    let app = spawn_app_on(&bucket, |config| config.listing_cache_seconds = 3600).await;
    assert!(app.listed_names().await.is_empty());
    let photo = temp.path().join("imported.jpg");
    std::fs::write(&photo, jpeg(120, 90, 5)).unwrap();

    let bucket_for_cli = bucket.clone();
    let imported = tokio::task::spawn_blocking(move || {
        run(&bucket_for_cli, &["import", photo.to_str().unwrap()])
    })
    .await
    .unwrap();
    assert!(imported.status.success(), "{}", text(&imported.stdout));

    let deadline = Instant::now() + Duration::from_secs(5);
    let mut imported_as = String::new();
    loop {
        let names = app.listed_names().await;
        if let Some(name) = names.iter().find(|name| name.starts_with("imported-")) {
            imported_as.clone_from(name);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not in the server's gallery: {names:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Removed in the terminal: gone from the server's gallery as soon.
    let bucket_for_cli = bucket.clone();
    let name = imported_as.clone();
    let removed =
        tokio::task::spawn_blocking(move || run(&bucket_for_cli, &["rm", "--yes", &name]))
            .await
            .unwrap();
    assert!(removed.status.success(), "{}", text(&removed.stderr));
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.listed_names().await.contains(&imported_as) {
        assert!(Instant::now() < deadline, "{imported_as} still listed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Every `.gallery/hashes` marker: one per photo stored whole (a file being
/// written, `NAME#N`, is not one yet).
fn hash_markers(bucket: &Path) -> usize {
    std::fs::read_dir(bucket.join(".gallery/hashes"))
        .map(|entries| {
            entries
                .flatten()
                .filter(|entry| !entry.file_name().to_string_lossy().contains('#'))
                .count()
        })
        .unwrap_or(0)
}

/// The photos stored whole in the bucket folder so far.
fn whole_images(bucket: &Path) -> usize {
    std::fs::read_dir(bucket)
        .map(|entries| {
            entries
                .flatten()
                .filter(|entry| {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    !name.starts_with('.') && !name.contains('#')
                })
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn an_import_stopped_by_ctrl_c_finishes_what_it_began_and_goes_on_when_run_again() {
    let temp = tempfile::tempdir().unwrap();
    let (folder, bucket) = (temp.path().join("photos"), temp.path().join("bucket"));
    std::fs::create_dir_all(&folder).unwrap();
    // Seeds of one kind each (the pictures repeat after 256).
    const COUNT: u32 = 120;
    for seed in 0..COUNT {
        std::fs::write(
            folder.join(format!("IMG_{seed:04}.jpg")),
            jpeg(480, 360, 100 + seed),
        )
        .unwrap();
    }
    let child = Command::new(env!("CARGO_BIN_EXE_bucket-gallery"))
        .args(["import", "--jobs", "2", folder.to_str().unwrap()])
        .env("BUCKET_URL", format!("file://{}", bucket.display()))
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let deadline = Instant::now() + Duration::from_secs(60);
    while whole_images(&bucket) < 3 || hash_markers(&bucket) < 3 {
        assert!(Instant::now() < deadline, "nothing stored within a minute");
        std::thread::sleep(Duration::from_millis(10));
    }
    let signalled = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let stopped = child.wait_with_output().unwrap();
    let said = text(&stopped.stdout);
    assert_eq!(stopped.status.code(), Some(130), "{said}");
    assert!(said.contains("Interrupted after "), "{said}");
    assert!(
        text(&stopped.stderr).contains("Stopping once the files being stored are done"),
        "{}",
        text(&stopped.stderr)
    );
    // Stopped halfway, and what was begun was finished: each photo whole with
    // its marker, no part-written file left behind.
    let part = stored_images(&bucket);
    assert!(
        part.len() >= 3 && part.len() < COUNT as usize,
        "{} stored: {part:?}\n{said}\n{}",
        part.len(),
        text(&stopped.stderr)
    );
    assert_eq!(hash_markers(&bucket), part.len());
    assert!(
        part.iter().all(|name| name.ends_with(".jpg")),
        "only whole photos: {part:?}"
    );
    for name in &part {
        image::load_from_memory(&std::fs::read(bucket.join(name)).unwrap())
            .unwrap_or_else(|error| panic!("{name} is whole: {error}"));
    }

    let again = run(&bucket, &["import", folder.to_str().unwrap()]);
    let said = text(&again.stdout);
    assert!(again.status.success(), "{said}");
    assert!(
        said.starts_with(&format!("{} stored (", COUNT as usize - part.len())),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            ", {} already in the gallery, 0 refused",
            part.len()
        )),
        "{said}"
    );
    let all = stored_images(&bucket);
    assert_eq!(all.len(), COUNT as usize, "each photo once");
    assert_eq!(hash_markers(&bucket), all.len());
}

/// The index folder (by id) whose first part is there, if any, other than `known`.
fn new_index(bucket: &Path, known: &[std::path::PathBuf]) -> Option<std::path::PathBuf> {
    std::fs::read_dir(bucket.join(".gallery/catalog/index"))
        .ok()?
        .flatten()
        .map(|entry| entry.path())
        .find(|folder| !known.contains(folder) && folder.join("part-00000.json").exists())
}

#[tokio::test]
async fn a_rescan_killed_while_it_writes_the_index_loses_no_photo() {
    let temp = tempfile::tempdir().unwrap();
    let bucket = temp.path().join("bucket");
    // Put there by another tool: enough for an index of two parts.
    const COUNT: usize = 14_000;
    for at in 0..COUNT {
        let folder = bucket.join(format!("roll-{}", at % 7));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(format!("IMG_{at:05}.jpg")), b"\xFF\xD8").unwrap();
    }
    // Killed (SIGKILL) as soon as the index's first part is written: before its
    // head, unless the machine is much faster than the writing of a part.
    let mut seen = Vec::new();
    let mut halfway = 0;
    for _ in 0..3 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bucket-gallery"))
            .arg("rescan")
            .env("BUCKET_URL", format!("file://{}", bucket.display()))
            .env_remove("RUST_LOG")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the binary runs");
        let deadline = Instant::now() + Duration::from_secs(60);
        let folder = loop {
            if let Some(folder) = new_index(&bucket, &seen) {
                break folder;
            }
            assert!(
                Instant::now() < deadline,
                "no index written within a minute"
            );
            std::thread::sleep(Duration::from_millis(1));
        };
        child.kill().unwrap();
        child.wait().unwrap();
        if !folder.join("head.json").exists() {
            halfway += 1;
        }
        seen.push(folder);
    }
    assert!(
        halfway > 0,
        "every rescan wrote its whole index before the kill"
    );

    // A server on the bucket lists every photo, and writes a whole index.
    let app = spawn_app_on(&bucket, |_| {}).await;
    let mut listed = 0;
    let mut cursor = String::new();
    loop {
        let page = app.list(&format!("?limit=500&cursor={cursor}")).await;
        listed += page.images.len();
        match page.next_cursor {
            Some(next) => cursor = next,
            None => break,
        }
    }
    assert_eq!(listed, COUNT);
}
