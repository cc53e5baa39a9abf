//! `bucket-gallery import PATH...`: files and folders (walked in name order, hidden
//! ones left out) stored through exactly the pipeline of a web upload: each file
//! is framed as the multipart request a browser would send and handed to the same
//! `store_uploads` (type by content, structure checks, limits, location taken out,
//! a unique name, derived images, the same bytes stored once). A few at a time,
//! two per core; a progress bar on a terminal; a summary at the end. A refused
//! file never stops the run, and running it again stores nothing twice: what is
//! there already is recognised by its bytes. The exit status is 0 when nothing was
//! refused, 1 when something was.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use futures::future;
use futures::stream::{self, StreamExt};
use indicatif::{ProgressBar, ProgressStyle};
use tokio_util::io::ReaderStream;

use crate::api::FILE_FIELD;
use crate::auth::secret::random_hex;
use crate::sizes::human_bytes;
use crate::state::Parts;

#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "Examples:\n  \
    bucket-gallery import ~/Pictures/2024\n  \
    bucket-gallery import IMG_0001.jpg IMG_0002.jpg\n  \
    BUCKET_URL=s3://my-photos bucket-gallery import /mnt/phone-backup\n\n\
    Ctrl-C stops once the files being stored are done; run it again to go on:\n\
    what is stored already is recognised by its bytes.\n\n\
    Exit status: 0 all stored, 1 something refused (each named with why), 130 interrupted.")]
pub struct ImportArgs {
    /// Files and folders to import; folders with everything in them.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Keep GPS and other location metadata (taken out by default, as on upload).
    #[arg(long)]
    pub keep_location: bool,
    /// Files stored at once (default: two per core, so that no core waits while a
    /// file is read or written; making derived images stays one per core).
    #[arg(long)]
    pub jobs: Option<usize>,
}

/// How often running servers are told of what was stored.
const TELL_EVERY: std::time::Duration = std::time::Duration::from_secs(1);
/// How much of a file is read at a time.
const READ_BYTES: usize = 1 << 20;

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
        .unwrap_or_else(|| 2 * std::thread::available_parallelism().map_or(2, usize::from))
        .max(1);
    let count = files.len();
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = tokio::spawn(watch_interrupts(Arc::clone(&stop), bar.clone()));
    let (mut stored, mut already, mut stored_bytes) = (0usize, 0usize, 0u64);
    // Once stopped, no file is begun; the ones being stored are finished.
    let mut outcomes = stream::iter(files)
        .take_while(|_| future::ready(!stop.load(Ordering::SeqCst)))
        .map(|(path, size)| async move {
            let outcome = import_one(parts, limits, &path, size).await;
            (path, size, outcome)
        })
        .buffer_unordered(jobs);
    // Running servers hear of the new photos a second's worth at a time.
    parts.catalog.hold_changes();
    let mut told = std::time::Instant::now();
    let mut done = 0;
    while let Some((path, size, outcome)) = outcomes.next().await {
        if told.elapsed() >= TELL_EVERY {
            parts.catalog.flush().await;
            told = std::time::Instant::now();
        }
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
    drop(outcomes);
    parts.catalog.flush().await;
    watcher.abort();
    bar.finish_and_clear();
    println!(
        "{stored} stored ({}), {already} already in the gallery, {} refused",
        human_bytes(stored_bytes),
        refused.len()
    );
    for (path, reason) in &refused {
        println!("  refused {}: {reason}", path.display());
    }
    if stop.load(Ordering::SeqCst) && done < count {
        println!(
            "Interrupted after {done} of {count} files. Run the same command again to go on: \
             what is stored already is recognised by its bytes."
        );
        return ExitCode::from(INTERRUPTED);
    }
    if refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The exit status of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
const INTERRUPTED: u8 = 130;

/// The first Ctrl-C (or SIGTERM) stops the run once the files being stored are
/// done, so none is left half-stored; a second one quits at once.
async fn watch_interrupts(stop: Arc<AtomicBool>, bar: ProgressBar) {
    interrupted().await;
    stop.store(true, Ordering::SeqCst);
    bar.suspend(|| {
        eprintln!("Stopping once the files being stored are done (Ctrl-C again to quit at once).")
    });
    interrupted().await;
    std::process::exit(i32::from(INTERRUPTED));
}

async fn interrupted() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        () = terminate => {},
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
    let file = match tokio::fs::File::open(path).await {
        Ok(file) => file,
        Err(error) => return Outcome::Refused(format!("it cannot be read: {error}")),
    };
    let boundary = format!("bucket-gallery-import-{}", random_hex::<16>());
    let multipart = multer::Multipart::new(framed(&boundary, &name, file), boundary);
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
    file: tokio::fs::File,
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
    // Read in parts as it is stored: a large file is never held whole.
    let body = ReaderStream::with_capacity(file, READ_BYTES);
    stream::once(future::ready(Ok(Bytes::from(head))))
        .chain(body)
        .chain(stream::once(future::ready(Ok(Bytes::from(tail)))))
}
