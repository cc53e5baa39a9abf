//! `bucket-gallery export DIR [--since DATE]`: the originals, written into a folder
//! under the names they were uploaded with. A name already taken in the folder
//! (by an earlier file of the export or anything else) gets a number, as
//! `beach (2).jpg`: nothing is ever overwritten.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use futures::StreamExt;
use tokio::io::AsyncWriteExt;

use super::ls::all_photos;
use crate::api::ImageInfo;
use crate::error::Error;
use crate::names::ObjectName;
use crate::sizes::human_bytes;
use crate::state::Parts;

#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "Examples:\n  \
    bucket-gallery export ~/Pictures/from-the-bucket\n  \
    bucket-gallery export ./recent --since 2026-11-01")]
pub struct ExportArgs {
    /// The folder to write into (made if missing).
    pub dir: PathBuf,
    /// Only photos uploaded on or after this day (YYYY-MM-DD, UTC).
    #[arg(long, value_parser = parse_day)]
    pub since: Option<String>,
}

fn parse_day(text: &str) -> Result<String, String> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|day| day.format("%Y-%m-%d").to_string())
        .map_err(|_| format!("{text} is not a day as YYYY-MM-DD"))
}

pub async fn run(parts: &Parts, args: ExportArgs) -> ExitCode {
    if let Err(error) = tokio::fs::create_dir_all(&args.dir).await {
        eprintln!(
            "bucket-gallery: {} cannot be made: {error}",
            args.dir.display()
        );
        return ExitCode::FAILURE;
    }
    let photos = match all_photos(parts).await {
        Ok(photos) => photos,
        Err(error) => {
            eprintln!("bucket-gallery: the gallery could not be listed: {error}");
            return ExitCode::FAILURE;
        }
    };
    let wanted = photos.into_iter().filter(|photo| {
        args.since
            .as_deref()
            .is_none_or(|since| photo.uploaded_at.as_str() >= since)
    });
    let (mut written, mut bytes, mut failed) = (0usize, 0u64, 0usize);
    for photo in wanted {
        match write_one(parts, &photo, &args.dir).await {
            Ok(size) => {
                written += 1;
                bytes += size;
            }
            Err(error) => {
                failed += 1;
                eprintln!("{}: {error}", photo.name);
            }
        }
    }
    println!(
        "{written} written ({}) into {}, {failed} failed",
        human_bytes(bytes),
        args.dir.display()
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Writes one original under its uploaded name (numbered when taken); its size.
async fn write_one(parts: &Parts, photo: &ImageInfo, dir: &Path) -> Result<u64, String> {
    let name = ObjectName::parse(&photo.name).map_err(|error| error.to_string())?;
    let mut object = parts.bucket.get(&name).await.map_err(|e| e.to_string())?;
    let (path, mut file) = create_new(dir, &photo.display_name).await?;
    let mut size = 0;
    let copied: Result<(), String> = async {
        while let Some(chunk) = object.bytes.next().await {
            let chunk = chunk.map_err(|error: Error| error.to_string())?;
            size += chunk.len() as u64;
            file.write_all(&chunk).await.map_err(|e| e.to_string())?;
        }
        file.flush().await.map_err(|e| e.to_string())
    }
    .await;
    if let Err(error) = copied {
        // Half a photo is no photo.
        let _ = tokio::fs::remove_file(&path).await;
        return Err(error);
    }
    Ok(size)
}

/// A new file for `file_name` in `dir`: the name itself, else `stem (2).ext`,
/// `stem (3).ext`, ...; never one that exists.
async fn create_new(dir: &Path, file_name: &str) -> Result<(PathBuf, tokio::fs::File), String> {
    // Only the last segment, never a way out of the folder.
    let file_name = file_name.rsplit(['/', '\\']).next().unwrap_or("photo");
    let file_name = match file_name {
        "" | "." | ".." => "photo",
        name => name,
    };
    let (stem, extension) = match file_name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => (stem, format!(".{extension}")),
        _ => (file_name, String::new()),
    };
    for number in 1.. {
        let candidate = if number == 1 {
            file_name.to_owned()
        } else {
            format!("{stem} ({number}){extension}")
        };
        let path = dir.join(candidate);
        match tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
        {
            Ok(file) => return Ok((path, file)),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(format!("{} cannot be written: {error}", path.display())),
        }
    }
    unreachable!("some number is free")
}
