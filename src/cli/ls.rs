//! `bucket-gallery ls [--json]`: every photo of the gallery, newest first, with
//! its size, dimensions and when it was uploaded and taken; as a table, or as a
//! JSON array for scripts.

use std::process::ExitCode;

use serde::Serialize;

use crate::api::ImageInfo;
use crate::catalog::paging::{images_page, MAX_PAGE_SIZE};
use crate::sizes::human_bytes;
use crate::state::Parts;

#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Examples:\n  bucket-gallery ls\n  BUCKET_URL=s3://photos bucket-gallery ls --json | jq '.[].name'"
)]
pub struct LsArgs {
    /// A JSON array of objects (name, display_name, size, width, height,
    /// uploaded_at, taken_at) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// One photo as `ls --json` writes it.
#[derive(Debug, Serialize)]
struct Listed {
    name: String,
    display_name: String,
    size: u64,
    width: Option<u32>,
    height: Option<u32>,
    uploaded_at: String,
    taken_at: Option<String>,
}

impl From<ImageInfo> for Listed {
    fn from(image: ImageInfo) -> Self {
        let shape = image
            .photo
            .as_ref()
            .filter(|photo| photo.width > 0 && photo.height > 0);
        Listed {
            width: shape.map(|photo| photo.width),
            height: shape.map(|photo| photo.height),
            taken_at: image
                .photo
                .as_ref()
                .and_then(|photo| photo.taken_at.clone()),
            name: image.name,
            display_name: image.display_name,
            size: image.size,
            uploaded_at: image.uploaded_at,
        }
    }
}

pub async fn run(gallery: &Parts, args: LsArgs) -> ExitCode {
    let listed: Vec<Listed> = match all_photos(gallery).await {
        Ok(photos) => photos.into_iter().map(Listed::from).collect(),
        Err(error) => {
            eprintln!("bucket-gallery: the gallery could not be listed: {error}");
            return ExitCode::FAILURE;
        }
    };
    match write(&listed, args.json) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`bucket-gallery ls | head`): nothing more to say.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bucket-gallery: the list could not be written: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Writes the list to standard output, as JSON or as a table.
fn write(listed: &[Listed], json: bool) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        serde_json::to_writer_pretty(&mut out, listed)?;
        writeln!(out)?;
    } else {
        for photo in listed {
            let shape = match (photo.width, photo.height) {
                (Some(width), Some(height)) => format!("{width}×{height}"),
                _ => "-".to_owned(),
            };
            writeln!(
                out,
                "{:<20} {:>10} {:>11} {}",
                photo
                    .uploaded_at
                    .get(..19)
                    .unwrap_or(&photo.uploaded_at)
                    .replace('T', " "),
                human_bytes(photo.size),
                shape,
                photo.name
            )?;
        }
    }
    out.flush()
}

/// Every photo of the gallery, newest first, a page at a time.
pub async fn all_photos(parts: &Parts) -> crate::error::Result<Vec<ImageInfo>> {
    let mut photos = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = images_page(
            &parts.catalog,
            &parts.photos,
            Some(MAX_PAGE_SIZE),
            cursor.as_deref(),
        )
        .await?;
        photos.extend(page.images);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(photos),
        }
    }
}
