//! The catalog as pages, the viewer and other instances meet it, over a memory bucket.

use super::*;
use crate::storage::{put_for_test as put, Settings};

/// Walks at most every `floor`, whatever they cost.
fn unbudgeted(floor: Duration) -> Pace {
    Pace {
        floor,
        requests_per_hour: u32::MAX,
    }
}

async fn names(catalog: &Arc<Catalog>) -> Vec<String> {
    let page = catalog.page(None, 100).await.unwrap();
    page.objects
        .into_iter()
        .map(|o| o.name.to_string())
        .collect()
}

#[tokio::test]
async fn a_listing_is_reused_until_it_is_too_old() {
    let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
    let catalog = Catalog::new(bucket.clone(), Pace::every(Duration::from_secs(3600)));
    put(&bucket, "a.png").await;
    assert_eq!(names(&catalog).await, ["a.png"]);

    put(&bucket, "b.png").await; // as another tool would, behind the catalog's back

    assert_eq!(
        names(&catalog).await,
        ["a.png"],
        "still the listing taken before"
    );
}

#[tokio::test]
async fn an_old_listing_is_served_while_a_new_one_is_taken() {
    let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
    let catalog = Catalog::new(bucket.clone(), unbudgeted(Duration::ZERO));
    put(&bucket, "a.png").await;
    assert_eq!(names(&catalog).await, ["a.png"]);
    put(&bucket, "b.png").await;

    assert_eq!(
        names(&catalog).await,
        ["a.png"],
        "served at once from the old listing"
    );
    let _wait_for_the_refresh = catalog.listing.lock().await;
    assert_eq!(names(&catalog).await.len(), 2);
}

#[tokio::test]
async fn what_this_server_adds_shows_at_once_and_only_once() {
    let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
    let catalog = Catalog::new(bucket.clone(), Pace::every(Duration::from_secs(3600)));
    put(&bucket, "old.png").await;
    names(&catalog).await;

    put(&bucket, "new.png").await;
    let new = bucket
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.name.as_str() == "new.png");
    catalog.added(new).await;

    assert_eq!(names(&catalog).await, ["new.png", "old.png"]);
    catalog.take_listing(false, false).await.unwrap();
    assert_eq!(
        names(&catalog).await,
        ["new.png", "old.png"],
        "no double after a new listing"
    );
}

#[tokio::test]
async fn what_this_server_deletes_is_gone_at_once() {
    let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
    let catalog = Catalog::new(bucket.clone(), Pace::every(Duration::from_secs(3600)));
    put(&bucket, "a.png").await;
    put(&bucket, "b.png").await;
    names(&catalog).await;

    let a = ObjectName::parse("a.png").unwrap();
    bucket.delete(&a).await.unwrap();
    catalog.removed(&a).await;

    assert_eq!(names(&catalog).await, ["b.png"]);
    catalog.take_listing(false, false).await.unwrap();
    assert_eq!(names(&catalog).await, ["b.png"]);
}

#[tokio::test]
async fn another_instance_s_changes_show_without_a_walk() {
    let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
    put(&bucket, "a.png").await;
    let one = Catalog::new(bucket.clone(), Pace::every(Duration::from_secs(3600)));
    let other = Catalog::new(bucket.clone(), Pace::every(Duration::from_secs(3600)));
    assert_eq!(names(&one).await, ["a.png"]);
    assert_eq!(names(&other).await, ["a.png"]);

    put(&bucket, "b.png").await;
    let b = bucket
        .head(&ObjectName::parse("b.png").unwrap())
        .await
        .unwrap();
    one.added([b]).await;
    let a = ObjectName::parse("a.png").unwrap();
    bucket.delete(&a).await.unwrap();
    one.removed(&a).await;
    assert_eq!(names(&other).await, ["a.png"], "not read yet");

    other.read_journal().await.unwrap();
    assert_eq!(names(&other).await, ["b.png"]);
    other.take_listing(false, false).await.unwrap();
    assert_eq!(names(&other).await, ["b.png"], "the same after a walk");
}

#[tokio::test]
async fn a_photo_knows_its_neighbours_in_the_gallery_order() {
    let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
    for name in ["a.png", "b.png", "c.png"] {
        put(&bucket, name).await;
    }
    let catalog = Catalog::new(bucket.clone(), Pace::every(Duration::from_secs(3600)));
    let order = names(&catalog).await;
    put(&bucket, "d.png").await;
    let d = bucket
        .list()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.name.as_str() == "d.png");
    catalog.added(d).await;
    let order = [vec!["d.png".to_owned()], order].concat();
    let around = |name: &str| {
        let catalog = Arc::clone(&catalog);
        let name = ObjectName::parse(name).unwrap();
        async move {
            let found = catalog.around(&name).await.unwrap()?;
            let name = |o: Option<ObjectInfo>| o.map(|o| o.name.to_string());
            Some((
                name(found.newer),
                found.this.name.to_string(),
                name(found.older),
            ))
        }
    };

    for (i, name) in order.iter().enumerate() {
        let (newer, this, older) = around(name).await.expect("found");
        assert_eq!(this, *name);
        assert_eq!(newer.as_ref(), i.checked_sub(1).map(|i| &order[i]));
        assert_eq!(older.as_ref(), order.get(i + 1));
    }
    let b = ObjectName::parse(&order[2]).unwrap();
    catalog.removed(&b).await;
    let (_, _, older) = around(&order[1]).await.unwrap();
    assert_eq!(
        older.as_ref(),
        Some(&order[3]),
        "a deleted neighbour is skipped"
    );
    assert!(around(&order[2]).await.is_none());
    assert!(around("never.png").await.is_none());
}

#[tokio::test]
async fn pages_follow_each_other_without_gaps() {
    let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
    for name in ["a.png", "b.png", "c.png", "d.png", "e.png"] {
        put(&bucket, name).await;
    }
    let catalog = Catalog::new(bucket, Pace::every(Duration::from_secs(3600)));

    let mut seen = Vec::new();
    let mut after: Option<ObjectInfo> = None;
    loop {
        let page = catalog.page(after.as_ref().map(sort_key), 2).await.unwrap();
        seen.extend(page.objects.iter().map(|o| o.name.to_string()));
        after = page.objects.last().cloned();
        if !page.more {
            break;
        }
    }
    assert_eq!(seen.len(), 5);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 5);
}

#[tokio::test]
async fn a_new_instance_starts_from_the_index_without_walking() {
    let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
    let walk_once = Pace {
        floor: Duration::from_secs(3600),
        requests_per_hour: 0,
    };
    put(&bucket, "a.png").await;
    put(&bucket, "b.png").await;
    let one = Catalog::new(bucket.clone(), walk_once);
    assert_eq!(names(&one).await, ["b.png", "a.png"], "walked, and kept");

    put(&bucket, "c.png").await; // behind every catalog's back
    let two = Catalog::new(bucket.clone(), walk_once);
    assert_eq!(
        names(&two).await,
        ["b.png", "a.png"],
        "the index, not a walk"
    );
    assert_eq!(two.rescan().await.unwrap(), 3);
    assert_eq!(names(&two).await, ["c.png", "b.png", "a.png"]);

    // The index is the walk's; a broken one is walked past.
    let heads: Vec<ObjectName> = bucket
        .list_folder(index::FOLDER)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.name)
        .filter(|name| name.as_str().ends_with("/head.json"))
        .collect();
    for head in &heads {
        bucket
            .put(head, "application/json", bytes::Bytes::from_static(b"{"))
            .await
            .unwrap();
    }
    put(&bucket, "d.png").await;
    let three = Catalog::new(bucket.clone(), walk_once);
    assert_eq!(names(&three).await.len(), 4, "walked again");
}

/// A real PNG, `width` × `height`, for facts to be made of.
fn png(width: u32, height: u32, seed: u8) -> bytes::Bytes {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x as u8).wrapping_mul(seed), y as u8, seed])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("a PNG");
    bytes.into_inner().into()
}

fn photos_of(bucket: &Bucket) -> Photos {
    Photos::new(bucket.clone(), 100_000_000, 1 << 30, 1)
}

/// Every `facts.json` of the photos in the bucket.
async fn facts_files(bucket: &Bucket) -> Vec<ObjectName> {
    let all = bucket.list_folder(".gallery/v1/").await.unwrap();
    all.into_iter()
        .map(|object| object.name)
        .filter(|name| name.as_str().ends_with("/facts.json"))
        .collect()
}

#[tokio::test]
async fn pages_are_made_from_the_index_alone_and_each_index_keeps_the_facts_of_the_last() {
    let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
    let hour = Pace::every(Duration::from_secs(3600));
    let photos = photos_of(&bucket);
    for (seed, (width, height)) in [(40, 30), (30, 40), (50, 50)].into_iter().enumerate() {
        let name = ObjectName::parse(&format!("photo-{seed}.png")).unwrap();
        bucket
            .put(&name, "image/png", png(width, height, seed as u8 + 1))
            .await
            .unwrap();
        let info = bucket.head(&name).await.unwrap();
        photos.facts(&info, None).await.unwrap();
    }
    let first = Catalog::keeping_facts(bucket.clone(), hour, photos);
    assert_eq!(first.rescan().await.unwrap(), 3);

    // The photos' own facts gone: a server starting has them from the index.
    for name in facts_files(&bucket).await {
        bucket.delete(&name).await.unwrap();
    }
    let started = photos_of(&bucket);
    let second = Catalog::keeping_facts(bucket.clone(), hour, started.clone());
    let page = paging::images_page(&second, &started, None, None)
        .await
        .unwrap();
    let shapes: Vec<(u32, u32, bool)> = page
        .images
        .iter()
        .map(|image| {
            let photo = image.photo.as_ref().expect("facts from the index");
            let drawn = photo.placeholder.starts_with("data:image/png;base64,");
            (photo.width, photo.height, drawn)
        })
        .collect();
    assert_eq!(
        shapes,
        [(50, 50, true), (30, 40, true), (40, 30, true)],
        "newest first, each with its placeholder"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        facts_files(&bucket).await.is_empty(),
        "no photo's facts were read or made"
    );

    // A server that knows no facts at all writes the next index (another tool
    // added a photo): the facts of the index before it are kept.
    let knows_none = Catalog::keeping_facts(bucket.clone(), hour, photos_of(&bucket));
    assert_eq!(names(&knows_none).await.len(), 3, "read from the index");
    put(&bucket, "foreign.png").await;
    assert_eq!(knows_none.rescan().await.unwrap(), 4);
    let later = photos_of(&bucket);
    let third = Catalog::keeping_facts(bucket.clone(), hour, later.clone());
    let page = paging::images_page(&third, &later, None, None)
        .await
        .unwrap();
    let with_facts = page.images.iter().filter(|i| i.photo.is_some()).count();
    assert_eq!(with_facts, 3, "{:?}", page.images);
}

#[tokio::test]
async fn while_the_first_walk_runs_pages_show_what_it_found_so_far() {
    let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
    const COUNT: usize = 3000;
    for at in 0..COUNT {
        put(&bucket, &format!("photo-{at:05}.png")).await;
    }
    let mut catalog = Catalog::new(bucket.clone(), Pace::every(Duration::from_secs(3600)));
    Arc::get_mut(&mut catalog).unwrap().catch_up_after = Duration::ZERO;

    // No index: the walk has only begun when the first page is asked for, and
    // has found three objects so far (as a long walk would have).
    let mut found = bucket.list().await.unwrap();
    found.truncate(3);
    found.reverse();
    *catalog.so_far.lock().unwrap() = found.clone();
    found.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    let first = catalog.page(None, 2).await.unwrap();
    assert_eq!(first.catching_up, Some(3));
    assert_eq!(first.objects, found[..2], "in the gallery's order");
    assert!(first.more);

    // Once it is done, pages are whole and say so.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let page = catalog.page(None, COUNT + 1).await.unwrap();
        if page.catching_up.is_none() {
            assert_eq!(page.objects.len(), COUNT);
            break;
        }
        assert!(page.catching_up.unwrap() <= COUNT);
        assert!(Instant::now() < deadline, "the walk never ended");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn an_instance_whose_walk_is_due_takes_the_walk_another_told_of() {
    let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
    let every = unbudgeted(Duration::from_millis(1500));
    // Large enough that its walks are shared (five listing requests or more).
    const OLDER: usize = 5000;
    for at in 0..OLDER {
        put(&bucket, &format!("old-{at:05}.png")).await;
    }
    put(&bucket, "a.png").await;
    let one = Catalog::new(bucket.clone(), every);
    let two = Catalog::new(bucket.clone(), every);
    assert_eq!(one.rescan().await.unwrap(), OLDER + 1);
    assert_eq!(names(&two).await[0], "a.png", "from the index");

    // Both listings grow old; one walks again (another tool added b.png), and
    // c.png comes after that walk.
    tokio::time::sleep(Duration::from_millis(1600)).await;
    put(&bucket, "b.png").await;
    assert_eq!(one.rescan().await.unwrap(), OLDER + 2);
    put(&bucket, "c.png").await;

    // Two's walk is due: it takes one's instead of walking, so it shows b.png
    // and not c.png, which only a walk would find.
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut shown = names(&two).await;
    while shown[0] == "a.png" {
        assert!(
            Instant::now() < deadline,
            "one's walk never taken: {:?}",
            &shown[..3]
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
        shown = names(&two).await;
    }
    assert_eq!(shown[..2], ["b.png", "a.png"]);
}

#[tokio::test]
async fn the_walks_of_a_small_bucket_are_not_told() {
    let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
    put(&bucket, "a.png").await;
    let catalog = Catalog::new(bucket.clone(), Pace::every(Duration::ZERO));
    catalog.rescan().await.unwrap();
    catalog.rescan().await.unwrap();
    let told = crate::storage::keys_for_test(&bucket, ".gallery/catalog/").await;
    assert!(
        told.iter().all(|key| !key.ends_with("walked.json")),
        "telling would cost more than the walk: {told:?}"
    );
}

#[tokio::test]
async fn a_walk_is_paced_by_the_requests_it_took() {
    let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
    put(&bucket, "a.png").await;
    let catalog = Catalog::new(bucket.clone(), Pace::every(Duration::ZERO));
    let serves = |catalog: &Catalog| {
        let state = catalog.read_state();
        (state.listing.as_ref().unwrap().serves, state.own_objects)
    };
    let secs = Duration::from_secs;

    // The first walk reads the journal's names, skips the gallery's own objects
    // (it cannot tell yet whether the bucket is small: a listing up to them and
    // one after them), and writes the index (a part, its head, and a listing of
    // the indexes it replaces). 720 requests an hour: 5 s a request.
    catalog.rescan().await.unwrap();
    assert_eq!(serves(&catalog), (secs(30), None));
    // The bucket is small: the next walk lists it whole in one request, and
    // counts the gallery's own objects (the index: a part and its head); one
    // request is paced by the floor alone.
    catalog.rescan().await.unwrap();
    assert_eq!(serves(&catalog), (secs(0), Some(2)));

    // Enough derived objects for a request of their own: counted once, then
    // skipped (up to them, and after them).
    for at in 0..1000 {
        put(&bucket, &format!(".gallery/v1/a.png/{at:04}.webp")).await;
    }
    catalog.rescan().await.unwrap();
    assert_eq!(serves(&catalog), (secs(10), Some(1002)));
    catalog.rescan().await.unwrap();
    assert_eq!(serves(&catalog), (secs(10), Some(1002)));
}

#[tokio::test]
async fn a_walk_that_finds_only_what_was_told_leaves_a_fresh_index_as_it_is() {
    let bucket = Bucket::open(&Settings::new("memory://")).unwrap();
    put(&bucket, "a.png").await;
    let catalog = Catalog::new(bucket.clone(), unbudgeted(Duration::ZERO));
    let newest_index = || async {
        let keys = crate::storage::keys_for_test(&bucket, index::FOLDER).await;
        keys.into_iter()
            .filter(|key| key.ends_with("head.json"))
            .max()
    };
    catalog.rescan().await.unwrap();
    let first = newest_index().await.expect("an index");

    // This server stores b.png and deletes a.png: both told to the journal.
    put(&bucket, "b.png").await;
    let b = bucket
        .head(&ObjectName::parse("b.png").unwrap())
        .await
        .unwrap();
    catalog.added([b]).await;
    let a = ObjectName::parse("a.png").unwrap();
    bucket.delete(&a).await.unwrap();
    catalog.removed(&a).await;
    // A walk in the background (the admin's rescan writes an index whatever).
    catalog.take_listing(false, false).await.unwrap();
    assert_eq!(names(&catalog).await, ["b.png"]);
    assert_eq!(
        newest_index().await.as_ref(),
        Some(&first),
        "the walk found what pages showed: the index stays"
    );
    // A server starting reads that index and the journal beside it.
    let starting = Catalog::new(bucket.clone(), unbudgeted(Duration::from_secs(3600)));
    assert_eq!(names(&starting).await, ["b.png"]);

    // Another tool's photo: not what pages showed, so a new index holds it.
    put(&bucket, "c.png").await;
    catalog.take_listing(false, false).await.unwrap();
    assert_ne!(newest_index().await, Some(first));
    let later = Catalog::new(bucket.clone(), unbudgeted(Duration::from_secs(3600)));
    assert_eq!(names(&later).await, ["c.png", "b.png"]);
}
