//! Settings. Every one is a flag and an environment variable (the variable is what
//! hosts such as Replit set); `--help` prints them all. Zero configuration gives a
//! local `./data` folder bucket served at http://127.0.0.1:3000. This module only
//! translates: each part of the app gets its own settings type, and each default
//! is a constant of the part that means it. Only the assembly reads `Config`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use clap::builder::BoolishValueParser;

use crate::auth::policy::{PolicySettings, DEFAULT_PUBLIC_UPLOADS_PER_MINUTE};
use crate::auth::secret::Secret;
use crate::catalog;
use crate::http::connections::{
    ConnectionLimits, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
};
use crate::http::hot_objects;
use crate::ingest::{self, Limits};
use crate::replit_host;
use crate::storage::{self, LeftoverAges, Settings};

/// Where the server listens when neither `LEPTOS_SITE_ADDR` nor `PORT` is set.
const DEFAULT_ADDR: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 3000);

/// Settings of the bucket-gallery server.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "bucket-gallery", version, about)]
#[command(
    next_help_heading = "Settings (before or after a subcommand; each also an environment variable)"
)]
pub struct Config {
    /// Where images are kept: `file://PATH` (a local folder, created if missing),
    /// `s3://BUCKET` (AWS S3 or a compatible store: credentials, region and endpoint
    /// from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL,
    /// AWS_ALLOW_HTTP), `gs://BUCKET` (Google Cloud Storage: GOOGLE_SERVICE_ACCOUNT or
    /// application default credentials), `replit://` (the Repl's default Object
    /// Storage bucket) or `replit://BUCKET_ID`, `memory://` (lost at exit; tests)
    /// [default: replit:// on Replit, file://./data elsewhere]
    #[arg(global = true, long, env = "BUCKET_URL")]
    pub bucket_url: Option<String>,

    /// The longest one request to a remote bucket may take, retries included, in seconds.
    #[arg(global = true, long, env = "BUCKET_TIMEOUT_SECONDS", default_value_t = storage::DEFAULT_TIMEOUT.as_secs())]
    pub bucket_timeout_seconds: u64,

    /// How many times a failed request to a remote bucket is tried again (with backoff).
    #[arg(global = true, long, env = "BUCKET_RETRIES", default_value_t = storage::DEFAULT_RETRIES)]
    pub bucket_retries: usize,

    /// Where Replit's Object Storage sidecar answers (for `replit://` buckets).
    #[arg(global = true, long, env = "REPLIT_SIDECAR_URL", default_value = storage::DEFAULT_SIDECAR_URL)]
    pub replit_sidecar_url: String,

    /// object_store settings (`aws_endpoint`, `google_base_url`, ...) applied over
    /// the environment's, for a program that runs servers on several buckets with
    /// different credentials in one process. Not a flag: set by code.
    #[arg(skip)]
    pub bucket_options: Vec<(String, String)>,

    /// The largest file accepted, in bytes. Larger files are refused while they
    /// stream in, and nothing of them is stored.
    #[arg(global = true, long, env = "MAX_UPLOAD_BYTES", default_value_t = ingest::DEFAULT_MAX_FILE_BYTES)]
    pub max_upload_bytes: u64,

    /// The most files one upload request may carry.
    #[arg(global = true, long, env = "MAX_FILES_PER_REQUEST", default_value_t = ingest::DEFAULT_MAX_FILES)]
    pub max_files_per_request: usize,

    /// The most bytes one upload request may carry, all files together.
    #[arg(global = true, long, env = "MAX_REQUEST_BYTES", default_value_t = ingest::DEFAULT_MAX_REQUEST_BYTES)]
    pub max_request_bytes: u64,

    /// The longest an upload's body may take to arrive, in seconds: a body that
    /// trickles in slower is cut off and nothing of it is kept.
    #[arg(global = true, long, env = "UPLOAD_TIMEOUT_SECONDS", default_value_t = ingest::DEFAULT_BODY_TIMEOUT.as_secs())]
    pub upload_timeout_seconds: u64,

    /// Multipart uploads begun this many hours ago and neither completed nor
    /// aborted (a server killed mid-upload, a lost answer) are aborted: the stores
    /// bill their parts until someone does. Looked for at start and every hour;
    /// never fewer than twice UPLOAD_TIMEOUT_SECONDS, so no upload still running is
    /// touched. A local folder's staged files of unfinished writes are removed once
    /// twice UPLOAD_TIMEOUT_SECONDS old (only this machine writes there).
    #[arg(global = true, long, env = "OPEN_UPLOAD_HOURS", default_value_t = 24)]
    pub open_upload_hours: u64,

    /// The most pixels an image may have, in megapixels (width × height, from its
    /// header): larger ones are refused as decompression bombs.
    #[arg(global = true, long, env = "MAX_MEGAPIXELS", default_value_t = ingest::DEFAULT_MAX_MEGAPIXELS)]
    pub max_megapixels: u64,

    /// Keep GPS and other location metadata in stored images (by default it is
    /// taken out of JPEG, PNG and WebP files; orientation is kept).
    #[arg(global = true, long, env = "KEEP_LOCATION", value_parser = BoolishValueParser::new())]
    pub keep_location: bool,

    /// How long, in seconds, one listing of the bucket serves the gallery before a
    /// new one is taken in the background, and a small image kept in memory is
    /// served before the bucket is asked whether it changed. Objects that other
    /// tools put into the bucket appear within this time plus the time one listing
    /// takes (and replaced or deleted ones are noticed within it); what this server
    /// stores or deletes shows at once. 0 asks the bucket every time.
    #[arg(global = true, long, env = "LISTING_CACHE_SECONDS", default_value_t = catalog::DEFAULT_MAX_AGE.as_secs())]
    pub listing_cache_seconds: u64,

    /// Bucket requests per hour that walks of the bucket may make (their
    /// listings, one per 1,000 objects, and the index written after a walk that
    /// found a change): a bucket of 1,000 objects is walked every
    /// LISTING_CACHE_SECONDS, one of 100,000 every 9 minutes, one of 1,000,000
    /// every 84 minutes with the default. Walks are what show objects that other
    /// tools put into or took out of the bucket; what another bucket-gallery
    /// stores or deletes shows within seconds without one. 0: a walk only at the
    /// start and when the admin asks for one (rescan).
    #[arg(global = true, long, env = "RECONCILE_REQUESTS_PER_HOUR", default_value_t = catalog::DEFAULT_WALK_REQUESTS_PER_HOUR)]
    pub reconcile_requests_per_hour: u32,

    /// The secret that signs in the admin, who may upload and delete (a Replit
    /// Secret, say). Unset: a random one is made at each start and a sign-in link
    /// with it is printed.
    #[arg(global = true, long, env = "ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<Secret>,

    /// Viewing the gallery and its images needs sign-in too.
    #[arg(global = true, long, env = "PRIVATE", value_parser = BoolishValueParser::new())]
    pub private: bool,

    /// Anyone may upload (never delete), a few requests a minute per client.
    #[arg(global = true, long, env = "PUBLIC_UPLOADS", value_parser = BoolishValueParser::new())]
    pub public_uploads: bool,

    /// Upload requests one client may send a minute when uploads are public.
    #[arg(global = true, long, env = "PUBLIC_UPLOADS_PER_MINUTE", default_value_t = DEFAULT_PUBLIC_UPLOADS_PER_MINUTE)]
    pub public_uploads_per_minute: u32,

    /// Who may show the gallery's pages inside a frame: a Content-Security-Policy
    /// `frame-ancestors` source list such as `https://example.com` [default: no one;
    /// in a Repl's workspace, Replit's own sites, for its preview pane].
    #[arg(global = true, long, env = "FRAME_ANCESTORS")]
    pub frame_ancestors: Option<String>,

    /// Set by Replit in a deployment: the server then listens on every interface
    /// and needs ADMIN_TOKEN.
    #[arg(global = true, long, env = "REPLIT_DEPLOYMENT", hide = true)]
    pub replit_deployment: Option<String>,

    /// The header in which a proxy in front of the server names the client
    /// (its last address counts), e.g. X-Forwarded-For; used to tell clients apart
    /// for rate limits [default: X-Forwarded-For on Replit, else the peer address].
    #[arg(global = true, long, env = "CLIENT_IP_HEADER")]
    pub client_ip_header: Option<String>,

    /// How long a client may take to send a request's headers, in seconds, counted
    /// from when it connects or from the end of its previous response (so also how
    /// long an idle kept-alive connection is held). Slower clients are let go.
    #[arg(global = true, long, env = "HEADER_READ_TIMEOUT_SECONDS", default_value_t = DEFAULT_HEADER_READ_TIMEOUT.as_secs())]
    pub header_read_timeout_seconds: u64,

    /// The most connections open at once; more wait to be accepted until one closes.
    #[arg(global = true, long, env = "MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,

    /// Memory for small images served often (thumbnails, small originals), in MiB;
    /// 0 keeps none [default: a sixteenth of the memory this process may use, at
    /// most 1024].
    #[arg(global = true, long, env = "IMAGE_CACHE_MB")]
    pub image_cache_mb: Option<u64>,

    /// The address to listen on [default: 127.0.0.1:3000]. cargo-leptos sets it
    /// from `site-addr` in Cargo.toml.
    #[arg(global = true, long, env = "LEPTOS_SITE_ADDR")]
    pub site_addr: Option<SocketAddr>,

    /// The port to listen on, as Replit and most hosts set it. With no site address
    /// it means every interface on that port (a host that sets `PORT` expects to
    /// reach the server from outside); with one, it replaces that address's port.
    #[arg(global = true, long, env = "PORT")]
    pub port: Option<u16>,
}

impl Config {
    /// The bucket to use: the one set, else Replit's default bucket when running on
    /// Replit, else `./data`.
    pub fn bucket_url(&self) -> String {
        self.bucket_url
            .clone()
            .unwrap_or_else(|| replit_host::default_bucket_url(replit_host::on_replit()).into())
    }

    /// Who may do what; the admin token is made up when none is set.
    pub fn policy_settings(&self, admin_token: Secret) -> PolicySettings {
        PolicySettings {
            admin_token,
            private: self.private,
            public_uploads: self.public_uploads,
            public_uploads_per_minute: self.public_uploads_per_minute,
            client_ip_header: self
                .client_ip_header
                .clone()
                .or_else(|| replit_host::on_replit().then(|| "x-forwarded-for".to_string())),
            frame_ancestors: self.frame_ancestors.clone().unwrap_or_else(|| {
                replit_host::default_frame_ancestors(replit_host::in_workspace(
                    self.is_deployment(),
                ))
                .into()
            }),
        }
    }

    /// Whether this is a Replit deployment (Autoscale or Reserved VM).
    pub fn is_deployment(&self) -> bool {
        self.replit_deployment
            .as_deref()
            .is_some_and(|value| !value.is_empty() && value != "0")
    }

    /// What one upload may be.
    pub fn limits(&self) -> Limits {
        Limits {
            max_file_bytes: self.max_upload_bytes,
            max_files: self.max_files_per_request.max(1),
            max_request_bytes: self.max_request_bytes,
            body_timeout: Duration::from_secs(self.upload_timeout_seconds.max(1)),
            max_pixels: self.max_megapixels.saturating_mul(1_000_000),
            strip_location: !self.keep_location,
        }
    }

    /// What the server allows its connections.
    pub fn connection_limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(self.header_read_timeout_seconds.max(1)),
            max_connections: self.max_connections.max(1),
        }
    }

    /// The byte budget of the images kept in memory.
    pub fn image_cache_bytes(&self) -> u64 {
        self.image_cache_mb
            .map_or_else(hot_objects::default_budget, |mib| {
                mib.saturating_mul(1 << 20)
            })
    }

    /// How old what unfinished writes left must be before it is ended: a
    /// multipart upload never younger than twice the longest an upload may take
    /// (another server may be writing it); a folder's staged file (only this
    /// machine writes there) at that age too, so a crash's are gone at the next start.
    pub fn leftover_ages(&self) -> LeftoverAges {
        let longest_upload = Duration::from_secs(self.upload_timeout_seconds.max(1)) * 2;
        let asked = Duration::from_secs(self.open_upload_hours.saturating_mul(3600));
        LeftoverAges {
            uploads: asked.max(longest_upload),
            staged_files: longest_upload,
        }
    }

    /// How long one listing of the bucket serves pages, at the least.
    pub fn listing_max_age(&self) -> Duration {
        Duration::from_secs(self.listing_cache_seconds)
    }

    /// How often the bucket may be walked.
    pub fn walk_pace(&self) -> catalog::Pace {
        catalog::Pace {
            floor: Duration::from_secs(self.listing_cache_seconds),
            requests_per_hour: self.reconcile_requests_per_hour,
        }
    }

    /// How to reach the bucket.
    pub fn storage_settings(&self) -> Settings {
        Settings {
            timeout: Duration::from_secs(self.bucket_timeout_seconds.max(1)),
            retries: self.bucket_retries,
            replit_sidecar: self.replit_sidecar_url.clone(),
            options: self.bucket_options.clone(),
            ..Settings::new(self.bucket_url())
        }
    }

    /// Where to listen: the site address, with `PORT` applied when set. A
    /// deployment is reached from outside: every interface, whatever the address says.
    pub fn listen_addr(&self) -> SocketAddr {
        let addr = match (self.site_addr, self.port) {
            (Some(addr), None) => addr,
            (Some(addr), Some(port)) => SocketAddr::new(addr.ip(), port),
            (None, Some(port)) => SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port),
            (None, None) => DEFAULT_ADDR,
        };
        if self.is_deployment() {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), addr.port())
        } else {
            addr
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use clap::Parser;

    /// Parsing reads the environment, which one test here changes: one at a time.
    static ENVIRONMENT: Mutex<()> = Mutex::new(());

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        let _one_at_a_time = ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner());
        Config::try_parse_from(std::iter::once("bucket-gallery").chain(args.iter().copied()))
    }

    #[test]
    fn defaults_need_no_configuration() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.max_upload_bytes, 16 * 1024 * 1024);
        assert!(
            config.bucket_url().starts_with("file://") || std::env::var_os("REPL_ID").is_some()
        );
    }

    #[test]
    fn the_settings_defaults_are_the_parts_own() {
        let config = parse(&[]).unwrap();
        assert_eq!(config.limits(), Limits::default());
        let storage = config.storage_settings();
        let own = Settings::new(config.bucket_url());
        assert_eq!(
            (storage.timeout, storage.retries, storage.replit_sidecar),
            (own.timeout, own.retries, own.replit_sidecar)
        );
        assert_eq!(config.listing_max_age(), catalog::DEFAULT_MAX_AGE);
        assert_eq!(config.listen_addr(), DEFAULT_ADDR);
        assert_eq!(config.connection_limits(), ConnectionLimits::default());
    }

    #[test]
    fn switches_take_the_words_people_write_in_env_files() {
        let _one_at_a_time = ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner());
        let read = |value: &str| {
            std::env::set_var("PUBLIC_UPLOADS", value);
            let parsed = Config::try_parse_from(["bucket-gallery"]);
            std::env::remove_var("PUBLIC_UPLOADS");
            parsed
        };
        for yes in ["1", "true", "yes", "on", "TRUE"] {
            assert!(read(yes).unwrap().public_uploads, "{yes}");
        }
        for no in ["0", "false", "no", "off"] {
            assert!(!read(no).unwrap().public_uploads, "{no}");
        }
        let error = read("maybe").unwrap_err().to_string();
        assert!(
            error.contains("maybe") && error.contains("--public-uploads"),
            "{error}"
        );
    }

    #[test]
    fn on_replit_the_default_is_the_repls_bucket() {
        let config = parse(&["--bucket-url", "s3://photos"]).unwrap();
        assert_eq!(
            config.bucket_url(),
            "s3://photos",
            "a bucket that is set wins"
        );
    }

    #[test]
    fn a_port_alone_listens_on_every_interface() {
        let config = parse(&["--port", "8080"]).unwrap();
        assert_eq!(config.listen_addr(), "0.0.0.0:8080".parse().unwrap());
    }

    #[test]
    fn a_port_keeps_an_explicit_address() {
        let config = parse(&["--site-addr", "127.0.0.2:1", "--port", "8080"]).unwrap();
        assert_eq!(config.listen_addr(), "127.0.0.2:8080".parse().unwrap());
    }

    #[test]
    fn a_deployment_listens_on_every_interface_whatever_the_address_says() {
        let mut config = parse(&["--site-addr", "127.0.0.1:3000"]).unwrap();
        assert_eq!(config.listen_addr(), DEFAULT_ADDR);
        config.replit_deployment = Some("1".into());
        assert_eq!(config.listen_addr(), "0.0.0.0:3000".parse().unwrap());
        config.port = Some(8080);
        assert_eq!(config.listen_addr(), "0.0.0.0:8080".parse().unwrap());
    }

    #[test]
    fn only_replits_workspace_may_frame_the_pages_unless_told() {
        let mut config = parse(&["--frame-ancestors", "https://example.com"]).unwrap();
        let own = config.policy_settings(Secret::new("t")).frame_ancestors;
        assert_eq!(own, "https://example.com");
        config.frame_ancestors = None;
        config.replit_deployment = Some("1".into());
        assert_eq!(
            config.policy_settings(Secret::new("t")).frame_ancestors,
            "'none'",
            "a deployment is not shown in the workspace"
        );
    }
}
