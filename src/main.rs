//! The bucket-gallery server. Settings: `bucket-gallery --help`.

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    use bucket_gallery::{config::Config, server};
    use clap::Parser;
    use tracing_subscriber::EnvFilter;

    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let config = Config::parse();
    let leptos_options = match leptos::config::get_configuration(None) {
        Ok(conf) => conf.leptos_options,
        Err(error) => {
            eprintln!("bucket-gallery: the Leptos settings could not be read: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let server = match server::start(&config, leptos_options).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("bucket-gallery: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let addr = server.addr;
    tokio::select! {
        result = server.wait() => {
            if let Err(error) = result {
                eprintln!("bucket-gallery: the server on {addr} failed: {error}");
                return std::process::ExitCode::FAILURE;
            }
        }
        _ = tokio::signal::ctrl_c() => tracing::info!("stopping"),
    }
    std::process::ExitCode::SUCCESS
}

#[cfg(not(feature = "ssr"))]
pub fn main() {
    // The browser side starts in `lib.rs` (`hydrate`); there is no client binary.
}
