//! The HTTP side of `kymsim serve`: the embedded page and the JSON API on axum.
//!
//! Bounds (docs/serve.md): request bodies of at most [`MAX_BODY`] bytes; one attribution
//! computed at a time with at most [`MAX_WAITING`] waiting; one batch at a time and at most
//! [`BATCHES_PER_MINUTE`] a minute. Everything else answers at once.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Serialize;

use super::{ApiError, Explorer, Request};

/// The largest request body accepted, bytes.
pub const MAX_BODY: usize = 64 * 1024;
/// Attribution requests that may wait while one is computed; more are refused (429).
pub const MAX_WAITING: usize = 4;
/// Batches that may start within one minute.
pub const BATCHES_PER_MINUTE: usize = 12;

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const STYLE_CSS: &str = include_str!("assets/style.css");
const FAVICON_SVG: &str = include_str!("assets/favicon.svg");

/// The page may load nothing but its own files and talk to nothing but its own server.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The server's state: the explorer and the bounds on expensive work.
pub struct Server {
    explorer: Arc<Explorer>,
    attribution_gate: tokio::sync::Semaphore,
    attribution_waiting: AtomicUsize,
    batch_running: AtomicBool,
    batch_starts: Mutex<VecDeque<Instant>>,
    cancel: &'static AtomicBool,
    /// On loopback: the `Host` headers accepted (`127.0.0.1:P`, `localhost:P`, `[::1]:P`), so
    /// that a web site cannot reach the server through DNS rebinding. None: any.
    hosts: Option<Vec<String>>,
}

impl Server {
    /// A server for `explorer` listening on `bound`; `cancel` (set on Ctrl-C) stops a running
    /// batch.
    pub fn new(explorer: Explorer, bound: SocketAddr, cancel: &'static AtomicBool) -> Server {
        let port = bound.port();
        let hosts = bound.ip().is_loopback().then(|| {
            vec![
                format!("127.0.0.1:{port}"),
                format!("localhost:{port}"),
                format!("[::1]:{port}"),
                bound.to_string(),
            ]
        });
        Server {
            hosts,
            explorer: Arc::new(explorer),
            attribution_gate: tokio::sync::Semaphore::new(1),
            attribution_waiting: AtomicUsize::new(0),
            batch_running: AtomicBool::new(false),
            batch_starts: Mutex::new(VecDeque::new()),
            cancel,
        }
    }
}

/// The routes of the page and the API.
pub fn router(server: Arc<Server>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/app.js", get(app_js))
        .route("/style.css", get(style_css))
        .route("/favicon.svg", get(favicon))
        .route("/api/scenarios", get(scenarios))
        .route("/api/evaluate", post(evaluate))
        .route("/api/export", post(export))
        .route("/api/batch", post(batch))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            server.clone(),
            check_host,
        ))
        .with_state(server)
}

/// Refuses a request whose `Host` is not the loopback address the server listens on.
async fn check_host(
    State(s): State<Arc<Server>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if let Some(hosts) = &s.hosts {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        if !hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
            return error(
                StatusCode::FORBIDDEN,
                ApiError::request(format!(
                    "Host `{host}` is not this server's loopback address: open {}",
                    hosts[0]
                )),
            );
        }
    }
    next.run(request).await
}

/// Serves until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    server: Arc<Server>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // small answers go out at once: without TCP_NODELAY a response written in two pieces
    // waits for the browser's delayed acknowledgement (tens of milliseconds a slider move)
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router(server))
        .with_graceful_shutdown(shutdown)
        .await
}

fn response(status: StatusCode, content_type: &'static str, body: impl Into<Body>) -> Response {
    let mut r = Response::new(body.into());
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    r
}

fn json(status: StatusCode, value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => response(status, "application/json", bytes),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::request(format!("cannot write the answer: {e}")),
        ),
    }
}

fn error(status: StatusCode, e: ApiError) -> Response {
    json(status, &e)
}

fn bad(e: ApiError) -> Response {
    error(StatusCode::BAD_REQUEST, e)
}

async fn index() -> Response {
    response(StatusCode::OK, "text/html; charset=utf-8", INDEX_HTML)
}

async fn app_js() -> Response {
    response(StatusCode::OK, "text/javascript; charset=utf-8", APP_JS)
}

async fn style_css() -> Response {
    response(StatusCode::OK, "text/css; charset=utf-8", STYLE_CSS)
}

async fn favicon() -> Response {
    response(StatusCode::OK, "image/svg+xml", FAVICON_SVG)
}

async fn not_found(uri: axum::http::Uri) -> Response {
    error(
        StatusCode::NOT_FOUND,
        ApiError::request(format!(
            "no such page: {} (the API: GET /api/scenarios, POST /api/evaluate, /api/export, /api/batch)",
            uri.path()
        )),
    )
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        ApiError::request(format!(
            "{method} is not allowed on {} (GET /api/scenarios; POST the other /api/ paths)",
            uri.path()
        )),
    )
}

async fn scenarios(State(s): State<Arc<Server>>) -> Response {
    response(
        StatusCode::OK,
        "application/json",
        s.explorer.catalogue().to_vec(),
    )
}

/// Reads and parses a request body of at most [`MAX_BODY`] bytes.
async fn read(body: Body) -> Result<Request, Response> {
    let bytes = axum::body::to_bytes(body, MAX_BODY).await.map_err(|_| {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::field("body", format!("larger than {} KiB", MAX_BODY / 1024)),
        )
    })?;
    Request::parse(&bytes).map_err(bad)
}

/// Runs CPU work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, Response> {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(bad(e)),
        Err(e) => Err(error(
            StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::request(format!("internal error (please report it): {e}")),
        )),
    }
}

fn too_many(message: String, retry_after: u64) -> Response {
    let mut r = error(StatusCode::TOO_MANY_REQUESTS, ApiError::request(message));
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    r
}

async fn evaluate(State(s): State<Arc<Server>>, body: Body) -> Response {
    let req = match read(body).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let explorer = s.explorer.clone();
    if !req.attribution {
        return match blocking(move || explorer.evaluate(&req)).await {
            Ok(v) => json(StatusCode::OK, &v),
            Err(r) => r,
        };
    }
    // attributions take 0.1–0.5 s of both cores: one at a time, a few waiting
    if s.attribution_waiting.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING {
        s.attribution_waiting.fetch_sub(1, Ordering::SeqCst);
        return too_many(
            format!("{MAX_WAITING} attributions are already waiting; try again shortly"),
            1,
        );
    }
    let permit = s.attribution_gate.acquire().await;
    s.attribution_waiting.fetch_sub(1, Ordering::SeqCst);
    let answer = blocking(move || explorer.evaluate(&req)).await;
    drop(permit);
    match answer {
        Ok(v) => json(StatusCode::OK, &v),
        Err(r) => r,
    }
}

async fn export(State(s): State<Arc<Server>>, body: Body) -> Response {
    let req = match read(body).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    match s.explorer.export(&req) {
        Ok((toml, name)) => {
            let mut r = response(StatusCode::OK, "application/toml; charset=utf-8", toml);
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.toml\"")) {
                r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
            }
            r
        }
        Err(e) => bad(e),
    }
}

/// Clears the running flag when a batch ends, however it ends.
struct Running<'a>(&'a AtomicBool);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

async fn batch(State(s): State<Arc<Server>>, body: Body) -> Response {
    let req = match read(body).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    {
        let mut starts = s.batch_starts.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        while starts
            .front()
            .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(60))
        {
            starts.pop_front();
        }
        if starts.len() >= BATCHES_PER_MINUTE {
            let wait = 60
                - starts
                    .front()
                    .map_or(0, |t| now.duration_since(*t).as_secs().min(59));
            return too_many(
                format!("at most {BATCHES_PER_MINUTE} batches a minute; try again in {wait} s"),
                wait,
            );
        }
        if s.batch_running.swap(true, Ordering::SeqCst) {
            return too_many(
                "a batch is already running; it ends within seconds".into(),
                2,
            );
        }
        starts.push_back(now);
    }
    let server = s.clone();
    let answer = blocking(move || {
        let _running = Running(&server.batch_running);
        server.explorer.batch(&req, server.cancel)
    })
    .await;
    match answer {
        Ok(v) => json(StatusCode::OK, &v),
        Err(r) => r,
    }
}
