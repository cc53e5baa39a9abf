//! A stand-in for Replit's Object Storage sidecar and the Google Cloud Storage API
//! behind it, for tests: it answers the sidecar's calls (the default bucket, a
//! subject token, the RFC 8693 token exchange) the way Replit's does, and passes GCS
//! XML API calls on to a moto bucket (which speaks the same XML) only when they
//! carry an access token it issued that has not expired or been revoked. It counts
//! what it was asked, so tests can see the exchange happen, be cached and be redone.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Form, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bucket_gallery::config::Config;
use serde_json::json;

use crate::stores::MotoBucket;

pub struct StandIn {
    pub url: String,
    pub shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

pub struct Shared {
    moto: MotoBucket,
    /// What `GET /object-storage/default-bucket` names; `None` answers 404.
    pub default_bucket: Mutex<Option<String>>,
    /// How long the access tokens it issues last.
    pub token_lifetime: Mutex<Duration>,
    /// Issued access tokens that are still honoured, with their expiry.
    tokens: Mutex<HashMap<String, Instant>>,
    pub subject_tokens: AtomicU32,
    pub exchanges: AtomicU32,
    /// GCS calls turned away for a missing, expired or revoked token.
    pub refused: AtomicU32,
    /// When set, GCS calls are answered 403, as for a bucket of another Repl.
    pub forbidden: AtomicBool,
    /// When set, `expires_in` is answered as a string ("3600"), as some token
    /// servers do.
    pub expiry_as_text: AtomicBool,
}

impl StandIn {
    /// Starts the stand-in in front of a moto bucket, which is the default bucket.
    pub async fn start(moto: &MotoBucket) -> StandIn {
        let shared = Arc::new(Shared {
            moto: moto.clone(),
            default_bucket: Mutex::new(Some(moto.name.clone())),
            token_lifetime: Mutex::new(Duration::from_secs(3600)),
            tokens: Mutex::new(HashMap::new()),
            subject_tokens: AtomicU32::new(0),
            exchanges: AtomicU32::new(0),
            refused: AtomicU32::new(0),
            forbidden: AtomicBool::new(false),
            expiry_as_text: AtomicBool::new(false),
        });
        let app = Router::new()
            .route("/object-storage/default-bucket", get(default_bucket))
            .route("/credential", get(credential))
            .route("/token", post(token))
            .fallback(gcs)
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("the stand-in serves");
        });
        StandIn { url, shared, task }
    }

    /// Settings of a server on the Repl's default bucket, reached through this.
    pub fn config(&self) -> Config {
        let mut config = crate::helpers::test_config("replit://");
        config.replit_sidecar_url = self.url.clone();
        config.bucket_options = vec![("google_base_url".into(), self.url.clone())];
        config
    }

    pub fn exchanges(&self) -> u32 {
        self.shared.exchanges.load(Ordering::SeqCst)
    }

    /// From now on, tokens last this long.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        *self.shared.token_lifetime.lock().unwrap() = lifetime;
    }

    /// Every token issued so far stops working at once (as a revoked one would).
    pub fn revoke_tokens(&self) {
        self.shared.tokens.lock().unwrap().clear();
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn default_bucket(State(shared): State<Arc<Shared>>) -> Response {
    match shared.default_bucket.lock().unwrap().clone() {
        Some(id) => Json(json!({ "bucketId": id })).into_response(),
        None => (StatusCode::NOT_FOUND, "no default bucket").into_response(),
    }
}

async fn credential(State(shared): State<Arc<Shared>>) -> Json<serde_json::Value> {
    let n = shared.subject_tokens.fetch_add(1, Ordering::SeqCst);
    Json(json!({ "access_token": format!("subject-{n}") }))
}

/// The token exchange, refusing a request that differs from what Replit's expects.
async fn token(
    State(shared): State<Arc<Shared>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let expected = [
        (
            "grant_type",
            "urn:ietf:params:oauth:grant-type:token-exchange",
        ),
        ("audience", "replit"),
        // google-cloud-storage's Client.SCOPE, as Replit's Python client sends it.
        (
            "scope",
            "https://www.googleapis.com/auth/devstorage.full_control \
             https://www.googleapis.com/auth/devstorage.read_only \
             https://www.googleapis.com/auth/devstorage.read_write",
        ),
        (
            "requested_token_type",
            "urn:ietf:params:oauth:token-type:access_token",
        ),
        ("subject_token_type", "access_token"),
    ];
    for (field, value) in expected {
        if form.get(field).map(String::as_str) != Some(value) {
            return (StatusCode::BAD_REQUEST, format!("bad {field}")).into_response();
        }
    }
    if !form
        .get("subject_token")
        .is_some_and(|token| token.starts_with("subject-"))
    {
        return (StatusCode::BAD_REQUEST, "bad subject_token").into_response();
    }
    let n = shared.exchanges.fetch_add(1, Ordering::SeqCst);
    let lifetime = *shared.token_lifetime.lock().unwrap();
    let access_token = format!("token-{n}");
    shared
        .tokens
        .lock()
        .unwrap()
        .insert(access_token.clone(), Instant::now() + lifetime);
    let expires_in = if shared.expiry_as_text.load(Ordering::SeqCst) {
        json!(lifetime.as_secs().to_string())
    } else {
        json!(lifetime.as_secs())
    };
    Json(json!({
        "access_token": access_token,
        "expires_in": expires_in,
        "token_type": "Bearer",
        "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
    }))
    .into_response()
}

fn honoured(shared: &Shared, headers: &HeaderMap) -> bool {
    let Some(token) = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
    else {
        return false;
    };
    shared
        .tokens
        .lock()
        .unwrap()
        .get(token)
        .is_some_and(|expiry| Instant::now() < *expiry)
}

/// A GCS XML API call: checked for a live token, then passed on to moto.
async fn gcs(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    if !honoured(&shared, request.headers()) {
        shared.refused.fetch_add(1, Ordering::SeqCst);
        return (
            StatusCode::UNAUTHORIZED,
            "<Error><Code>AuthenticationRequired</Code></Error>",
        )
            .into_response();
    }
    if shared.forbidden.load(Ordering::SeqCst) {
        return (
            StatusCode::FORBIDDEN,
            "<Error><Code>AccessDenied</Code></Error>",
        )
            .into_response();
    }
    let (parts, body) = request.into_parts();
    let target = format!(
        "{}{}{}",
        shared.moto.endpoint,
        s3_path(parts.uri.path()),
        parts.uri.query().map_or(String::new(), |q| format!("?{q}"))
    );
    let body: Bytes = axum::body::to_bytes(body, 256 * 1024 * 1024)
        .await
        .expect("the request body");
    // moto answers reads of objects only to a signed-in user; it checks who signed,
    // not the signature. The bearer token was checked above.
    let mut forwarded = reqwest::Client::new()
        .request(parts.method, target)
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, \
             SignedHeaders=host;x-amz-date, Signature=0",
        )
        .header("x-amz-date", "20260101T000000Z")
        .header("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
    for (name, value) in &parts.headers {
        // GCS keeps metadata as x-goog-meta-*, S3 (moto) as x-amz-meta-*.
        if let Some(key) = name.as_str().strip_prefix("x-goog-meta-") {
            forwarded = forwarded.header(format!("x-amz-meta-{key}"), value);
        } else if !matches!(name.as_str(), "host" | "authorization" | "content-length") {
            forwarded = forwarded.header(name, value);
        }
    }
    let answer = forwarded.body(body).send().await.expect("moto answers");
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        // Content-Length stays: a HEAD answer has no body to count it from.
        if let Some(key) = name.as_str().strip_prefix("x-amz-meta-") {
            response = response.header(format!("x-goog-meta-{key}"), value);
        } else if !matches!(name.as_str(), "transfer-encoding" | "connection") {
            response = response.header(name, value);
        }
    }
    let bytes = answer.bytes().await.expect("moto's answer");
    response.body(Body::from(bytes)).expect("a response")
}

/// GCS takes any character percent-encoded (object_store encodes even `-` and `.`);
/// moto, like S3, wants only what must be: decode, then encode that.
fn s3_path(path: &str) -> String {
    use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const KEEP: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'/');
    let decoded = percent_decode_str(path).decode_utf8_lossy();
    utf8_percent_encode(&decoded, KEEP).to_string()
}
