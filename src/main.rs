//! The bucket-gallery server, and the same bucket from a terminal (`import`, `ls`).
//! Settings and subcommands: `bucket-gallery --help`.

/// mimalloc: measured beside the system allocator on the image route (bench/serve).
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Freed memory goes back to the system at once (mimalloc's `purge_delay` 0, option
/// 15 of its v2 `mi_option_t`; the crate names no constant for it). The JPEG decoder
/// frees its pixels on threads of its own that end with each photo, and what dead
/// threads freed stayed resident: bench/photos held 420 MB after making the copies
/// of 60 photos, 60 MB with this, at the same serving speed.
#[cfg(feature = "ssr")]
fn give_memory_back_at_once() {
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: setting an option is allowed at any time; it takes a plain integer.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
}

#[cfg(feature = "ssr")]
fn main() -> std::process::ExitCode {
    give_memory_back_at_once();
    // cargo-leptos builds the server with the site's output name; a binary built
    // by plain cargo (tests, `cargo bench`) is given it here, before any thread
    // starts, or Leptos would warn on every run and link to "/pkg/.css".
    if option_env!("LEPTOS_OUTPUT_NAME").is_none()
        && std::env::var_os("LEPTOS_OUTPUT_NAME").is_none()
    {
        std::env::set_var("LEPTOS_OUTPUT_NAME", env!("CARGO_PKG_NAME"));
    }
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(serve_or_run()),
        Err(error) => {
            eprintln!("bucket-gallery: could not start: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(feature = "ssr")]
async fn serve_or_run() -> std::process::ExitCode {
    use bucket_gallery::api::links;
    use bucket_gallery::cli::{self, Command};
    use bucket_gallery::{config::Config, server};
    use clap::Parser;
    use tracing_subscriber::EnvFilter;

    /// The settings, and what to do: serve unless a subcommand says otherwise.
    #[derive(clap::Parser)]
    #[command(name = "bucket-gallery", version, about)]
    struct Cli {
        #[command(flatten)]
        config: Config,
        #[command(subcommand)]
        command: Option<Command>,
    }

    let Cli { config, command } = Cli::parse();
    let serving = matches!(command, None | Some(Command::Serve));
    // A terminal tool says only what goes wrong, unless RUST_LOG asks for more.
    let default_level = if serving { "info" } else { "warn" };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level)),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut leptos_options = match leptos::config::get_configuration(None) {
        Ok(conf) => conf.leptos_options,
        Err(error) => {
            eprintln!("bucket-gallery: the Leptos settings could not be read: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // cargo-leptos names the site's files by their content's hash and writes the
    // hashes beside the server binary; it tells a server it starts so, and a binary
    // started on its own (a deployment) finds the file.
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        leptos_options.hash_files = std::env::current_exe()
            .ok()
            .and_then(|exe| Some(exe.parent()?.join(&*leptos_options.hash_file)))
            .is_some_and(|hashes| hashes.is_file());
    }
    if let Some(command) = command.filter(|_| !serving) {
        return cli::run(command, &config, leptos_options).await;
    }
    let server = match server::start(&config, leptos_options).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("bucket-gallery: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    if let Some(token) = &server.made_up_token {
        // The way Jupyter prints its token URL: local use needs no configuration.
        let host = match server.addr.ip() {
            ip if ip.is_unspecified() => "127.0.0.1".to_string(),
            ip => ip.to_string(),
        };
        println!(
            "\n  To upload and delete, sign in with this link (ADMIN_TOKEN is not set, so a\n  \
             new token was made for this run; set ADMIN_TOKEN to keep one):\n\n    \
             http://{host}:{port}{link}\n\n  \
             Reached through another address (a proxy, Replit's webview)? Open {sign_in}\n  \
             there and give this token: {token}\n",
            port = server.addr.port(),
            link = links::sign_in_link(token.expose()),
            sign_in = links::SIGN_IN,
            token = token.expose()
        );
    }
    shutdown_signal().await;
    tracing::info!("stopping: letting requests in flight finish");
    server.stop().await;
    std::process::ExitCode::SUCCESS
}

/// Ctrl-C, or SIGTERM as container hosts (Replit deployments among them) send it.
#[cfg(feature = "ssr")]
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

#[cfg(not(feature = "ssr"))]
pub fn main() {
    // The browser side starts in `lib.rs` (`hydrate`); there is no client binary.
}
