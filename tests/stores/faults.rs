//! A proxy between the app and a store (moto, Garage, the Replit stand-in) that fails requests the way real
//! networks and stores do: 500 InternalError and 503 SlowDown answered in the
//! store's place, a connection reset before the store sees the request, a reply
//! lost after the store did the work, and a body cut off half-way. Faults are
//! given per kind of request, either to the next few such requests or to a share
//! of them at random (seeded, so a failing run can be replayed). It counts the
//! requests of each kind it sees, for `bench/catalog_stores.rs` too.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use bytes::Bytes;
use futures::stream;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// A way a request fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// 500 InternalError, the store never saw it.
    ServerError,
    /// 503 SlowDown, the store never saw it.
    SlowDown,
    /// The connection closes before the request reaches the store.
    ResetBeforeSend,
    /// The store does the work; the connection closes before its answer.
    LostReply,
    /// The store answers; the connection closes half-way through the body.
    CutBody,
}

/// The kinds of S3 request a fault can be aimed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Call {
    /// PUT of a whole object.
    Put,
    /// POST ?uploads: a multipart upload begins.
    CreateMultipart,
    /// PUT ?partNumber: one part.
    Part,
    /// POST ?uploadId: a multipart upload is completed.
    Complete,
    Get,
    Head,
    List,
    Delete,
    Other,
}

impl Call {
    fn of(method: &Method, query: &str) -> Call {
        let has = |key: &str| {
            query
                .split('&')
                .any(|pair| pair.split('=').next() == Some(key))
        };
        match *method {
            Method::PUT if has("partNumber") => Call::Part,
            Method::PUT => Call::Put,
            Method::POST if has("uploads") => Call::CreateMultipart,
            Method::POST if has("uploadId") => Call::Complete,
            Method::GET if has("list-type") || has("uploads") => Call::List,
            Method::GET => Call::Get,
            Method::HEAD => Call::Head,
            Method::DELETE => Call::Delete,
            _ => Call::Other,
        }
    }
}

#[derive(Default)]
struct Plan {
    /// Faults for the next requests of a kind, in order.
    next: HashMap<Call, Vec<Fault>>,
    /// A share (0 to 1) of requests of a kind fail, by one of these faults.
    random: HashMap<Call, (f64, Vec<Fault>)>,
    seed: u64,
}

/// What the proxy did, for the test's summary.
#[derive(Default, Debug)]
pub struct Tally {
    pub forwarded: AtomicU64,
    /// Every request seen, by kind.
    pub calls: Mutex<HashMap<Call, u64>>,
    pub faults: Mutex<HashMap<(Call, Fault), u64>>,
}

/// A running proxy; it stops when dropped.
pub struct FaultyProxy {
    /// Where the app should send its S3 requests.
    pub url: String,
    plan: Arc<Mutex<Plan>>,
    pub tally: Arc<Tally>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultyProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultyProxy {
    /// Starts a proxy in front of the S3 endpoint `target`.
    pub async fn start(target: &str) -> FaultyProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let plan = Arc::new(Mutex::new(Plan {
            seed: 0x9e37_79b9_7f4a_7c15,
            ..Plan::default()
        }));
        let tally = Arc::new(Tally::default());
        let client = reqwest::Client::new();
        let target = target.trim_end_matches('/').to_owned();
        let task = {
            let (plan, tally) = (Arc::clone(&plan), Arc::clone(&tally));
            tokio::spawn(async move {
                loop {
                    let Ok((socket, _)) = listener.accept().await else {
                        continue;
                    };
                    let (plan, tally, client, target) =
                        (plan.clone(), tally.clone(), client.clone(), target.clone());
                    tokio::spawn(async move {
                        let service = service_fn(move |request| {
                            let (plan, tally, client, target) =
                                (plan.clone(), tally.clone(), client.clone(), target.clone());
                            async move { handle(request, &plan, &tally, &client, &target).await }
                        });
                        // An error from the service closes the connection: the faults.
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(socket), service)
                            .await;
                    });
                }
            })
        };
        FaultyProxy {
            url,
            plan,
            tally,
            task,
        }
    }

    /// The next requests of kind `call` fail by `faults`, one each, in order.
    pub fn fail_next(&self, call: Call, faults: &[Fault]) {
        self.plan
            .lock()
            .unwrap()
            .next
            .entry(call)
            .or_default()
            .extend(faults);
    }

    /// From now on, `share` of the requests of each kind in `calls` fail, by one
    /// of `faults` chosen at random.
    pub fn fail_share(&self, calls: &[Call], share: f64, faults: &[Fault]) {
        let mut plan = self.plan.lock().unwrap();
        for &call in calls {
            plan.random.insert(call, (share, faults.to_vec()));
        }
    }

    /// No more faults.
    pub fn heal(&self) {
        let mut plan = self.plan.lock().unwrap();
        plan.next.clear();
        plan.random.clear();
    }

    /// How many requests of each kind it has seen (for bench/catalog_stores.rs).
    #[allow(dead_code)]
    pub fn calls(&self) -> HashMap<Call, u64> {
        self.tally.calls.lock().unwrap().clone()
    }

    /// How many faults of each kind were given, as text for a summary.
    pub fn summary(&self) -> String {
        let faults = self.tally.faults.lock().unwrap();
        let mut lines: Vec<String> = faults
            .iter()
            .map(|((call, fault), count)| format!("{call:?} {fault:?}: {count}"))
            .collect();
        lines.sort();
        format!(
            "{} requests forwarded; faults: {}",
            self.tally.forwarded.load(Ordering::Relaxed),
            lines.join(", ")
        )
    }
}

impl Plan {
    fn fault_for(&mut self, call: Call) -> Option<Fault> {
        if let Some(queue) = self.next.get_mut(&call).filter(|queue| !queue.is_empty()) {
            return Some(queue.remove(0));
        }
        let (share, faults) = self.random.get(&call)?.clone();
        // xorshift64*: a seeded, repeatable sequence.
        self.seed ^= self.seed >> 12;
        self.seed ^= self.seed << 25;
        self.seed ^= self.seed >> 27;
        let draw = self.seed.wrapping_mul(0x2545_f491_4f6c_dd1d);
        let unit = (draw >> 11) as f64 / (1u64 << 53) as f64;
        (unit < share && !faults.is_empty()).then(|| faults[(draw % faults.len() as u64) as usize])
    }
}

type Answer = Result<Response<Body>, std::io::Error>;

async fn handle(
    request: Request<Incoming>,
    plan: &Mutex<Plan>,
    tally: &Tally,
    client: &reqwest::Client,
    target: &str,
) -> Answer {
    let (parts, body) = request.into_parts();
    let query = parts.uri.query().unwrap_or("");
    let call = Call::of(&parts.method, query);
    *tally.calls.lock().unwrap().entry(call).or_default() += 1;
    let fault = plan.lock().unwrap().fault_for(call);
    if let Some(fault) = fault {
        *tally
            .faults
            .lock()
            .unwrap()
            .entry((call, fault))
            .or_default() += 1;
    }
    let closed = || std::io::Error::new(std::io::ErrorKind::ConnectionReset, "fault: closed");
    match fault {
        Some(Fault::ServerError) => return Ok(s3_error(500, "InternalError")),
        Some(Fault::SlowDown) => return Ok(s3_error(503, "SlowDown")),
        Some(Fault::ResetBeforeSend) => return Err(closed()),
        _ => {}
    }
    let body = whole_body(body).await?;
    let path_and_query = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let mut forwarded = client.request(parts.method.clone(), format!("{target}{path_and_query}"));
    // Host goes on as the app sent it: the request was signed for it (Garage checks).
    for (name, value) in &parts.headers {
        if !matches!(name.as_str(), "content-length" | "connection") {
            forwarded = forwarded.header(name, value);
        }
    }
    let answer = forwarded
        .body(body)
        .send()
        .await
        .map_err(|error| std::io::Error::other(error.to_string()))?;
    tally.forwarded.fetch_add(1, Ordering::Relaxed);
    let status = answer.status();
    let headers = answer.headers().clone();
    let bytes = answer
        .bytes()
        .await
        .map_err(|error| std::io::Error::other(error.to_string()))?;
    if fault == Some(Fault::LostReply) {
        return Err(closed());
    }
    let mut response = Response::builder().status(status);
    for (name, value) in &headers {
        if !matches!(name.as_str(), "transfer-encoding" | "connection") {
            response = response.header(name, value);
        }
    }
    let body = if fault == Some(Fault::CutBody) && bytes.len() > 1 {
        let half = bytes.slice(..bytes.len() / 2);
        Body::from_stream(stream::iter([
            Ok::<Bytes, std::io::Error>(half),
            Err(closed()),
        ]))
    } else {
        Body::from(bytes)
    };
    Ok(response.body(body).expect("a response"))
}

fn s3_error(status: u16, code: &str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", "application/xml")
        .body(Body::from(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code>\
             <Message>injected by the test proxy</Message></Error>"
        )))
        .expect("a response")
}

/// The whole request body.
async fn whole_body(body: Incoming) -> Result<Bytes, std::io::Error> {
    use futures::TryStreamExt;
    let stream = Body::new(body).into_data_stream();
    let chunks: Vec<Bytes> = stream
        .map_err(|error| std::io::Error::other(error.to_string()))
        .try_collect()
        .await?;
    Ok(chunks.concat().into())
}
