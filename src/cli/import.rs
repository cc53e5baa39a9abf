//! `bucket-gallery import PATH...`: files and folders (walked in name order, hidden
//! ones left out) stored through exactly the pipeline of a web upload: each file
//! is framed as the multipart request a browser would send and handed to the same
//! `store_uploads` (type by content, structure checks, limits, location taken out,
//! a unique name, derived images, the same bytes stored once). A few at a time,
//! one per core; a progress bar on a terminal; a summary at the end. A refused
//! file never stops the run, and running it again stores nothing twice: what is
//! there already is recognised by its bytes. The exit status is 0 when nothing was
//! refused, 1 when something was.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bytes::Bytes;
use futures::stream::{self, StreamExt};
use indicatif::{ProgressBar, ProgressStyle};

use crate::api::FILE_FIELD;
use crate::auth::secret::random_hex;
use crate::sizes::human_bytes;
use crate::state::Parts;

#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "Examples:\n  \
    bucket-gallery import ~/Pictures/2024\n  \
    bucket-gallery import IMG_0001.jpg IMG_0002.jpg\n  \
    BUCKET_URL=s3://my-photos bucket-gallery import /mnt/phone-backup\n\n\
    Run it again after an interruption: what is stored already is recognised by its bytes.")]
pub struct ImportArgs {
    /// Files and folders to import; folders with everything in them.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Keep GPS and other location metadata (taken out by default, as on upload).
    #[arg(long)]
    pub keep_location: bool,
    /// Files stored at once (default: one per core).
    #[arg(long)]
    pub jobs: Option<usize>,
}

/// How one file went.
enum Outcome {
    Stored,
    /// Its bytes were in the gallery already.
    Already,
    Refused(String),
}

pub async fn run(parts: &Parts, args: ImportArgs) -> ExitCode {
    let mut limits = parts.limits;
    if args.keep_location {
        limits.strip_location = false;
    }
    let mut files = Vec::new();
    let mut refused: Vec<(PathBuf, String)> = Vec::new();
    for path in &args.paths {
        walk(path, &mut files, &mut refused);
    }
    let total: u64 = files.iter().map(|(_, size)| size).sum();
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:30} {binary_bytes}/{binary_total_bytes} · {msg} · {binary_bytes_per_sec} · {eta} left",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from))
        .max(1);
    let count = files.len();
    let (mut stored, mut already, mut stored_bytes) = (0usize, 0usize, 0u64);
    let mut outcomes = stream::iter(files)
        .map(|(path, size)| async move {
            let outcome = import_one(parts, limits, &path, size).await;
            (path, size, outcome)
        })
        .buffer_unordered(jobs);
    let mut done = 0;
    while let Some((path, size, outcome)) = outcomes.next().await {
        done += 1;
        bar.inc(size);
        bar.set_message(format!("{done} of {count} files"));
        match outcome {
            Outcome::Stored => {
                stored += 1;
                stored_bytes += size;
            }
            Outcome::Already => already += 1,
            Outcome::Refused(reason) => {
                bar.suspend(|| eprintln!("{}: {reason}", path.display()));
                refused.push((path, reason));
            }
        }
    }
    bar.finish_and_clear();
    println!(
        "{stored} stored ({}), {already} already in the gallery, {} refused",
        human_bytes(stored_bytes),
        refused.len()
    );
    for (path, reason) in &refused {
        println!("  refused {}: {reason}", path.display());
    }
    if refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Every file under `path` with its size, in name order, hidden ones left out;
/// what cannot be read goes to `refused` with the reason.
fn walk(path: &Path, files: &mut Vec<(PathBuf, u64)>, refused: &mut Vec<(PathBuf, String)>) {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) => {
            refused.push((path.to_path_buf(), format!("it cannot be read: {error}")));
            return;
        }
    };
    if metadata.is_file() {
        files.push((path.to_path_buf(), metadata.len()));
        return;
    }
    let entries = match std::fs::read_dir(path) {
        Ok(entries) => entries,
        Err(error) => {
            refused.push((
                path.to_path_buf(),
                format!("the folder cannot be read: {error}"),
            ));
            return;
        }
    };
    let mut children: Vec<PathBuf> = entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|child| {
            !child
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with('.'))
        })
        .collect();
    children.sort();
    for child in children {
        walk(&child, files, refused);
    }
}

/// Stores one file as an upload of it alone would be.
async fn import_one(
    parts: &Parts,
    limits: crate::ingest::Limits,
    path: &Path,
    size: u64,
) -> Outcome {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    if size > limits.max_file_bytes {
        return Outcome::Refused(
            crate::error::Error::TooLarge {
                name,
                limit: limits.max_file_bytes,
            }
            .to_string(),
        );
    }
    let bytes = match tokio::fs::read(path).await {
        Ok(bytes) => Bytes::from(bytes),
        Err(error) => return Outcome::Refused(format!("it cannot be read: {error}")),
    };
    let boundary = format!("bucket-gallery-import-{}", random_hex::<16>());
    let multipart = multer::Multipart::new(framed(&boundary, &name, bytes), boundary);
    match parts.store_uploads_with(multipart, limits).await {
        Ok(images) => match images.first() {
            Some(image) if image.already_in_gallery => Outcome::Already,
            Some(_) => Outcome::Stored,
            None => Outcome::Refused("nothing was stored".into()),
        },
        Err(error) => Outcome::Refused(error.to_string()),
    }
}

/// The body of a multipart request carrying one file, as a browser frames it.
fn framed(
    boundary: &str,
    file_name: &str,
    bytes: Bytes,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    // A quote or line break in the name would end its header early.
    let file_name: String = file_name
        .chars()
        .map(|c| match c {
            '"' => '\'',
            '\r' | '\n' => ' ',
            c => c,
        })
        .collect();
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"{FILE_FIELD}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    );
    let tail = format!("\r\n--{boundary}--\r\n");
    stream::iter([Bytes::from(head), bytes, Bytes::from(tail)].map(Ok))
}
