//! `bucket-gallery rescan [--thumbs]`: looks at the whole bucket as it is now. It
//! counts the photos, removes what was derived from photos that are gone (deleted
//! by other tools: copies, facts), and says how many photos have no derived
//! images yet; `--thumbs` makes them now (one per core), rather than when each is
//! first shown.

use std::collections::HashSet;
use std::process::ExitCode;

use futures::stream::{self, StreamExt};

use crate::error::Result;
use crate::names::ObjectName;
use crate::photos::keys;
use crate::state::Parts;

#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "Examples:\n  \
    bucket-gallery rescan\n  \
    BUCKET_URL=s3://my-photos bucket-gallery rescan --thumbs")]
pub struct RescanArgs {
    /// Make the derived images (thumbnails, facts) of every photo that has none.
    #[arg(long)]
    pub thumbs: bool,
}

pub async fn run(parts: &Parts, args: RescanArgs) -> ExitCode {
    match rescan(parts, args.thumbs).await {
        Ok(said) => {
            println!("{said}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("bucket-gallery: the bucket could not be rescanned: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn rescan(parts: &Parts, thumbs: bool) -> Result<String> {
    // A walk, kept as the index that servers starting on the bucket read.
    parts.catalog.rescan().await?;
    let photos = parts.bucket.list().await?;
    let present: HashSet<&str> = photos.iter().map(|photo| photo.name.as_str()).collect();

    // Derived objects whose photo is gone: `.gallery/v1/{name}/{version}/{file}`.
    let derived = parts
        .bucket
        .list_folder(&format!("{}/", keys::PREFIX))
        .await?;
    let orphans: HashSet<String> = derived
        .iter()
        .filter_map(|object| {
            let rest = object
                .name
                .as_str()
                .strip_prefix(keys::PREFIX)?
                .strip_prefix('/')?;
            let mut segments: Vec<&str> = rest.split('/').collect();
            segments.truncate(segments.len().checked_sub(2)?);
            Some(segments.join("/"))
        })
        .filter(|photo| !present.contains(photo.as_str()))
        .collect();
    for photo in &orphans {
        if let Ok(name) = ObjectName::parse(photo) {
            parts.photos.forget(&name).await?;
        }
    }

    let jobs = std::thread::available_parallelism().map_or(2, usize::from);
    let missing: Vec<_> = stream::iter(photos.iter().cloned())
        .map(|photo| async move {
            let found = parts.photos.find(&photo).await;
            (photo, matches!(found, Ok(None)))
        })
        .buffer_unordered(jobs * 4)
        .filter_map(|(photo, missing)| async move { missing.then_some(photo) })
        .collect()
        .await;
    let mut made = 0;
    if thumbs {
        let outcomes: Vec<bool> = stream::iter(missing.iter().cloned())
            .map(|photo| async move { parts.photos.facts(&photo, None).await.is_ok() })
            .buffer_unordered(jobs)
            .collect()
            .await;
        made = outcomes.into_iter().filter(|ok| *ok).count();
    }
    let mut said = format!(
        "{}; derived images of {} removed; ",
        photos_word(photos.len()),
        match orphans.len() {
            1 => "1 deleted photo".to_owned(),
            many => format!("{many} deleted photos"),
        }
    );
    if thumbs {
        said.push_str(&format!(
            "derived images made for {made} of {}",
            missing.len()
        ));
    } else if missing.is_empty() {
        said.push_str("every photo has its derived images");
    } else {
        said.push_str(&format!(
            "{} without derived images yet (made when first shown, or now with --thumbs)",
            missing.len()
        ));
    }
    Ok(said)
}

/// "1 photo", "3 photos".
fn photos_word(count: usize) -> String {
    if count == 1 {
        "1 photo".to_owned()
    } else {
        format!("{count} photos")
    }
}
