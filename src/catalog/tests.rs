//! The catalog as pages, the viewer and other instances meet it, over a memory bucket.

use super::*;
use crate::storage::{put_for_test as put, Settings};

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
    let catalog = Catalog::new(bucket.clone(), Pace::every(Duration::ZERO));
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
    catalog.take_listing().await.unwrap();
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
    catalog.take_listing().await.unwrap();
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
    other.take_listing().await.unwrap();
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
