//! Assembles the server from its parts: each feature's routes (with the layers
//! that guard them), the pages, the guard and the headers around everything; then
//! binds and serves. `main` and the integration tests both start it through [`start`].

use std::net::SocketAddr;
use std::time::Duration;

use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::api::{self, links};
use crate::app::{self, shell};
use crate::auth::guard::guard;
use crate::auth::policy::Policy;
use crate::auth::secret::{random_token, Secret};
use crate::auth::sessions::Sessions;
use crate::catalog::Catalog;
use crate::config::Config;
use crate::error::{report_errors, REQUEST_ID};
use crate::http::connections;
use crate::http::hot_objects::HotObjects;
use crate::photos::Photos;
use crate::state::{AppState, Parts};
use crate::storage::{Bucket, BucketUrlError, LeftoverAges};
use crate::{auth, gallery, http, upload};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Bucket(#[from] BucketUrlError),
    #[error("ADMIN_TOKEN is not set: a deployment needs one, so that every instance accepts the same sign-ins. Add it in the deployment's Secrets (Deployments → Settings → Secrets, or the workspace's Secrets tool) as a long random value, then deploy again")]
    NoAdminToken,
    #[error("could not listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// The router of the whole app: each feature's routes, with the layers that
/// decide who may use them, merged; the pages; then what every response passes.
pub fn router(state: AppState) -> Router {
    // Pages run their resources on Tokio (already set when a server ran before
    // in this process).
    let _ = any_spawner::Executor::init_tokio();
    let context = state.clone();
    let options = state.leptos_options.clone();
    // Each page is sent once its data is loaded, so it is complete without
    // JavaScript (streamed parts need a script to show).
    let page = leptos_axum::render_app_async_with_context(
        move || provide_context(context.clone()),
        move || shell(options.clone()),
    );
    let mut router = Router::new();
    for path in app::PAGES {
        router = router.route(path, get(page.clone()));
    }
    router = router
        .merge(gallery::routes(&state))
        .merge(upload::routes::routes(&state))
        .merge(auth::session::routes())
        .merge(auth::sign_in::routes())
        .merge(http::assets::routes(&state.leptos_options))
        .route(links::IMAGE_ROUTE, get(http::image::image))
        .route(links::DERIVED_ROUTE, get(http::derived::derived))
        .route(links::DOWNLOAD_ROUTE, get(http::download::download))
        .route(links::HEALTH, get(http::health::health))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell));
    // What every request passes, outermost first, as one layer: a router wraps
    // each layer it is given around every route, and each wrapping costs every
    // request a boxed call (eleven of them took about a tenth of a small image's time).
    let layers = ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<_>| {
                    let id = request
                        .headers()
                        .get(REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default();
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), id)
                })
                // One line per request at the default log level, with status and latency.
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        // Pages, JS and WASM shrink several times; images are left as they are.
        .layer(CompressionLayer::new())
        .layer(http::headers::defaults())
        .layer(from_fn(report_errors))
        .layer(from_fn_with_state(state.clone(), guard));
    router.layer(layers).with_state(state)
}

/// A running server.
pub struct Server {
    /// Where it listens (the real port when the configured one was 0).
    pub addr: SocketAddr,
    /// The admin token, when the server made one up (no `ADMIN_TOKEN` was set).
    pub made_up_token: Option<Secret>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    /// Ends what unfinished writes left in the bucket, now and every hour.
    sweeper: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.sweeper.abort();
    }
}

/// How often the bucket is looked at for uploads left open.
const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// Aborts multipart uploads (or removes staged files) older than `ages` say, at
/// once and then every [`SWEEP_EVERY`]: a server killed mid-upload, or a lost answer
/// to starting one, leaves them behind.
fn sweep_periodically(
    bucket: Bucket,
    sessions: Sessions,
    ages: LeftoverAges,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match bucket.sweep_leftovers(ages, api::looks_uploaded).await {
                Ok(0) => {}
                Ok(ended) => tracing::info!("ended {ended} unfinished uploads left in the bucket"),
                Err(error) => tracing::warn!("could not look for unfinished uploads: {error}"),
            }
            match sessions.forget_lapsed().await {
                Ok(0) => {}
                Ok(ended) => tracing::info!("deleted {ended} lapsed sessions"),
                Err(error) => tracing::warn!("could not look for lapsed sessions: {error}"),
            }
            tokio::time::sleep(SWEEP_EVERY).await;
        }
    })
}

impl Server {
    /// Stops accepting, lets requests in flight finish, and waits until it has stopped.
    pub async fn stop(mut self) {
        self.sweeper.abort();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Err(error) = (&mut self.task).await {
            tracing::error!("the server task failed: {error}");
        }
    }
}

/// The parts every request reaches, over the bucket the settings name, for work
/// without a listener (the command-line tools).
pub fn parts(config: &Config, leptos_options: LeptosOptions) -> Result<Parts, StartError> {
    let bucket = Bucket::open(&config.storage_settings())?;
    Ok(assemble(config, leptos_options, bucket, random_token()))
}

fn assemble(
    config: &Config,
    leptos_options: LeptosOptions,
    bucket: Bucket,
    admin_token: Secret,
) -> Parts {
    let policy = Policy::new(&config.policy_settings(admin_token));
    let limits = config.limits();
    // About one decode per core: more would only queue for the CPU, holding memory.
    let decodes = std::thread::available_parallelism().map_or(2, usize::from);
    let sessions = Sessions::new(bucket.clone());
    let photos = Photos::new(
        bucket.clone(),
        limits.max_pixels,
        limits.max_file_bytes,
        decodes,
    );
    // Its index keeps the facts of the photos, so pages are made from it alone.
    let catalog = Catalog::keeping_facts(bucket.clone(), config.walk_pace(), photos.clone());
    Parts {
        leptos_options,
        bucket,
        catalog,
        limits,
        policy,
        sessions,
        hot: HotObjects::new(config.image_cache_bytes(), config.listing_max_age()),
        photos,
    }
}

/// Opens the bucket, binds the listener and serves in the background.
pub async fn start(
    config: &Config,
    leptos_options: LeptosOptions,
) -> std::result::Result<Server, StartError> {
    if config.is_deployment() && config.admin_token.is_none() {
        return Err(StartError::NoAdminToken);
    }
    let bucket = Bucket::open(&config.storage_settings())?;
    let addr = config.listen_addr();
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Listen { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| StartError::Listen { addr, source })?;
    tracing::info!(bucket = bucket.description(), "serving on http://{addr}");

    let made_up_token = config.admin_token.is_none().then(random_token);
    let admin_token = match (&config.admin_token, &made_up_token) {
        (Some(token), _) | (None, Some(token)) => token.clone(),
        (None, None) => random_token(),
    };
    let parts = assemble(config, leptos_options, bucket, admin_token);
    parts.policy.spawn_limiter_cleanup();
    let sweeper = sweep_periodically(
        parts.bucket.clone(),
        parts.sessions.clone(),
        config.leftover_ages(),
    );
    let app = router(AppState::new(parts));
    let (stop, stopped) = oneshot::channel::<()>();
    let limits = config.connection_limits();
    let task = tokio::spawn(connections::serve(listener, app, limits, async move {
        let _ = stopped.await;
    }));
    Ok(Server {
        addr,
        made_up_token,
        stop: Some(stop),
        task,
        sweeper,
    })
}
