//! The HTTP side of `kymsim serve`: the embedded page and the JSON API on axum.
//!
//! Bounds (docs/serve.md): request bodies of at most [`MAX_BODY`] bytes; one attribution
//! computed at a time with at most [`MAX_WAITING`] waiting; one batch at a time and at most
//! [`BATCHES_PER_MINUTE`] a minute, counting only requests that passed their checks.
//! Everything else answers at once.
//!
//! Only the server's own page may drive it: an API request that a browser marks as coming
//! from another site (`Sec-Fetch-Site`), or whose `Origin` is not this server, is refused
//! (403), and a POST must say `Content-Type: application/json` (415 otherwise) — a type no
//! other site can send without the browser asking first (CORS preflight, which gets no
//! permission). Connections are bounded: a request's head must arrive within
//! [`HEADER_TIMEOUT`] (also the idle time allowed between requests), its body within
//! [`BODY_TIMEOUT`], at most [`MAX_CONNECTIONS`] are open at once (more are closed at once),
//! and on shutdown open connections get [`SHUTDOWN_GRACE`] to finish before they are closed.

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
/// Time a client has to send a request's head (also the longest idle time between requests).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Time a client has to send a request's body once its head arrived.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections open at once; a connection beyond is closed as soon as it is accepted.
pub const MAX_CONNECTIONS: usize = 64;
/// How long open connections may finish their answers once the server is asked to stop.
pub const SHUTDOWN_GRACE: Duration = Duration::from_millis(400);

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
        .layer(axum::middleware::from_fn(check_origin))
        .layer(axum::middleware::from_fn_with_state(
            server.clone(),
            check_host,
        ))
        .with_state(server)
}

/// Refuses an API request (`/api/…`) that comes from another site: a `Sec-Fetch-Site` other than
/// `same-origin` or `none` (typed into the address bar), an `Origin` that is not
/// `http://<Host>`, and a POST whose body is not declared `application/json`.
async fn check_origin(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if let Some(refusal) = cross_site(&request) {
        return refusal;
    }
    next.run(request).await
}

fn cross_site(request: &axum::extract::Request) -> Option<Response> {
    // the page and its files may be opened from a link anywhere; only the API is guarded
    if !request.uri().path().starts_with("/api/") {
        return None;
    }
    let headers = request.headers();
    let text = |name| headers.get(name).map(|v| v.to_str().unwrap_or("\u{fffd}"));
    let forbidden = |what: String| {
        Some(error(
            StatusCode::FORBIDDEN,
            ApiError::request(format!(
                "{what}: the explorer answers only its own page; open it at this server's address"
            )),
        ))
    };
    if let Some(site) = text("sec-fetch-site")
        && !site.eq_ignore_ascii_case("same-origin")
        && !site.eq_ignore_ascii_case("none")
    {
        return forbidden(format!(
            "a request from another site (Sec-Fetch-Site: {site})"
        ));
    }
    if let Some(origin) = text(header::ORIGIN.as_str()) {
        let host = text(header::HOST.as_str()).unwrap_or("");
        if host.is_empty() || !origin.eq_ignore_ascii_case(&format!("http://{host}")) {
            return forbidden(format!(
                "a request from another origin (Origin: {})",
                crate::error::printable(origin, 200)
            ));
        }
    }
    if request.method() == axum::http::Method::POST {
        let json = text(header::CONTENT_TYPE.as_str()).is_some_and(|t| {
            t.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
        });
        if !json {
            return Some(error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ApiError::field(
                    "Content-Type",
                    "the API takes JSON bodies: send `Content-Type: application/json`",
                ),
            ));
        }
    }
    None
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

/// Serves until `shutdown` completes, then gives open connections [`SHUTDOWN_GRACE`] to finish
/// and closes them: the server stops within a second whatever its clients do.
pub async fn serve(
    listener: tokio::net::TcpListener,
    server: Arc<Server>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::service::TowerToHyperService;
    let app = router(server);
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (tcp, _) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                // out of descriptors or a connection reset before it was taken: go on
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        while connections.try_join_next().is_some() {}
        // beyond the cap the connection is closed at once (dropped)
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            continue;
        };
        // small answers go out at once: without TCP_NODELAY a response written in two pieces
        // waits for the browser's delayed acknowledgement (tens of milliseconds a slider move)
        let _ = tcp.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone().into_service::<hyper::body::Incoming>());
        let mut stopped = stopped.clone();
        connections.spawn(async move {
            let _slot = slot;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT);
            let connection = builder.serve_connection(TokioIo::new(tcp), service);
            tokio::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = stopped.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = tokio::time::timeout(SHUTDOWN_GRACE, connection).await;
                }
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE + Duration::from_millis(100), async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    connections.abort_all();
    Ok(())
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

/// Reads and parses a request body of at most [`MAX_BODY`] bytes, arriving within
/// [`BODY_TIMEOUT`].
async fn read(body: Body) -> Result<Request, Response> {
    let bytes = match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, MAX_BODY)).await
    {
        Ok(Ok(b)) => b,
        Ok(Err(_)) => {
            return Err(error(
                StatusCode::PAYLOAD_TOO_LARGE,
                ApiError::field("body", format!("larger than {} KiB", MAX_BODY / 1024)),
            ));
        }
        Err(_) => {
            return Err(error(
                StatusCode::REQUEST_TIMEOUT,
                ApiError::field(
                    "body",
                    format!("not received within {} s", BODY_TIMEOUT.as_secs()),
                ),
            ));
        }
    };
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
    // a bad request is answered at once: it never waits for, nor holds, an attribution slot
    if let Err(e) = s.explorer.validate(&req) {
        return bad(e);
    }
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
    // only a request that passes its checks counts against the rate limit
    if let Err(e) = s.explorer.validate_batch(&req) {
        return bad(e);
    }
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
