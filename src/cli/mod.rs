//! The same bucket from a terminal: `import`, `ls`, `export`, `rm` and `rescan`,
//! beside `bucket-gallery` (or `serve`) that runs the server.
//! They read the same settings (`BUCKET_URL` and the rest, as flags before the
//! subcommand or as environment variables) and go through the same parts as the
//! server's requests do.

/// `export DIR`: the originals, under the names they were uploaded with.
pub mod export;
/// `import PATH...`: files and folders, through the upload pipeline.
pub mod import;
/// `ls [--json]`: the gallery, newest first.
pub mod ls;
/// `rm NAME...`: photos and everything derived from them.
pub mod remove;
/// `rescan [--thumbs]`: the bucket as it is now, derived images put right.
pub mod rescan;

use std::process::ExitCode;

use leptos::config::LeptosOptions;

use crate::config::Config;
use crate::server;

/// What to do; nothing is `serve`.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Run the server (what `bucket-gallery` alone does).
    Serve,
    /// Import files and folders into the bucket, as uploads.
    Import(import::ImportArgs),
    /// List the gallery, newest first.
    Ls(ls::LsArgs),
    /// Write the originals into a folder, under the names they were uploaded with.
    Export(export::ExportArgs),
    /// Delete photos and everything derived from them.
    Rm(remove::RemoveArgs),
    /// Look at the whole bucket: remove what was derived from deleted photos,
    /// and make missing derived images.
    Rescan(rescan::RescanArgs),
}

/// Runs a subcommand other than `serve`; the exit status says how it went.
pub async fn run(command: Command, config: &Config, leptos_options: LeptosOptions) -> ExitCode {
    let parts = match server::parts(config, leptos_options) {
        Ok(parts) => parts,
        Err(error) => {
            eprintln!("bucket-gallery: {error}");
            return ExitCode::FAILURE;
        }
    };
    if matches!(command, Command::Ls(_) | Command::Export(_)) {
        // What the bucket holds now, not the index of the last walk.
        if let Err(error) = parts.catalog.rescan().await {
            eprintln!("bucket-gallery: the bucket could not be listed: {error}");
            return ExitCode::FAILURE;
        }
    }
    match command {
        Command::Serve => ExitCode::SUCCESS,
        Command::Import(args) => import::run(&parts, args).await,
        Command::Ls(args) => ls::run(&parts, args).await,
        Command::Export(args) => export::run(&parts, args).await,
        Command::Rm(args) => remove::run(&parts, args).await,
        Command::Rescan(args) => rescan::run(&parts, args).await,
    }
}
