//! Assembles the server: the Leptos pages and server functions, the raw image and
//! classic upload routes, request tracing. `main` and the integration tests both
//! start it through [`start`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::FromRef;
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::api::ImageInfo;
use crate::app::{shell, App};
use crate::auth::ssr::{self as auth, Policy, Secret};
use crate::catalog::Catalog;
use crate::config::Config;
use crate::error::Result;
use crate::ingest::{self, Limits};
use crate::routes;
use crate::storage::{Bucket, BucketUrlError};

/// What every handler and server function can reach.
#[derive(Debug, Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub bucket: Bucket,
    pub catalog: Arc<Catalog>,
    pub limits: Limits,
    pub policy: Policy,
}

impl AppState {
    /// Stores the files of an upload request and makes them show in the gallery.
    pub async fn store_uploads(
        &self,
        multipart: multer::Multipart<'static>,
    ) -> Result<Vec<ImageInfo>> {
        let stored = ingest::store_all(&self.bucket, multipart, self.limits).await?;
        self.catalog
            .added(stored.iter().map(|image| image.object.clone()));
        Ok(stored.iter().map(ingest::Stored::info).collect())
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Bucket(#[from] BucketUrlError),
    #[error("could not listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// The router of the whole app.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = state.clone();
    let options = state.leptos_options.clone();
    let mut router = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context.clone()),
            move || shell(options.clone()),
        )
        .route("/image/{*name}", get(routes::image))
        .route("/upload", post(routes::classic_upload))
        .route("/healthz", get(routes::health))
        .route("/signin", post(auth::sign_in))
        .route("/signin/link", get(auth::sign_in_link))
        .route("/signout", post(auth::sign_out))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn(routes::require_multipart))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::guard,
        ))
        .layer(axum::middleware::from_fn(crate::error::report_errors));
    for header in crate::headers::defaults() {
        router = router.layer(header);
    }
    router
        // Pages, JS and WASM shrink several times; images are left as they are.
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<_>| {
                    let id = request
                        .headers()
                        .get(crate::error::REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), id)
                })
                // One line per request at the default log level, with status and latency.
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// A running server.
pub struct Server {
    /// Where it listens (the real port when the configured one was 0).
    pub addr: SocketAddr,
    /// The admin token, when the server made one up (no `ADMIN_TOKEN` was set).
    pub made_up_token: Option<Secret>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Stops accepting, lets requests in flight finish, and waits until it has stopped.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match (&mut self.task).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::error!("the server failed: {error}"),
            Err(error) => tracing::error!("the server task failed: {error}"),
        }
    }

    /// Serves until the server ends (or, with `until`, until that future resolves).
    pub async fn wait(self) -> std::io::Result<()> {
        self.task
            .await
            .unwrap_or_else(|join| Err(std::io::Error::other(join)))
    }
}

/// Opens the bucket, binds the listener and serves in the background.
pub async fn start(
    config: &Config,
    leptos_options: LeptosOptions,
) -> std::result::Result<Server, StartError> {
    let bucket = Bucket::open(&config.storage_settings())?;
    let addr = config.listen_addr();
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Listen { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| StartError::Listen { addr, source })?;
    tracing::info!(bucket = bucket.description(), "serving on http://{addr}");

    let made_up_token = config.admin_token.is_none().then(auth::random_token);
    let admin_token = config
        .admin_token
        .clone()
        .or_else(|| made_up_token.clone())
        .unwrap_or_else(auth::random_token);
    let policy = Policy::new(&config.policy_settings(admin_token));
    auth::spawn_limiter_cleanup(&policy);
    let catalog = Catalog::new(
        bucket.clone(),
        Duration::from_secs(config.listing_cache_seconds),
    );
    let state = AppState {
        leptos_options,
        bucket,
        catalog,
        limits: config.limits(),
        policy,
    };
    let app = router(state);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        // The peer address tells clients apart for rate limits.
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stopped.await;
        })
        .await
    });
    Ok(Server {
        addr,
        made_up_token,
        stop: Some(stop),
        task,
    })
}
