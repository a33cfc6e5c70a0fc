//! The HTTP server: routes, the per-request frame (latency, 429s, rate-limit
//! headers, the log) and the [`FakeOkta`] handle that owns the server thread.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Router, http::Uri};
use tokio::sync::oneshot;

use crate::objects::{error, not_found, rate_limited};
use crate::recorder::{self, RecordedRequest};
use crate::scenario::{AppPage, Scenario, SigninPage};
use crate::state::{FederationRequest, LoggedRequest, Shared, looks_like_sid};
use crate::web::cookie;
use crate::{authn, aws_signin, browser, federation, hostile, oauth, web};

/// A running fake Okta org on 127.0.0.1. Dropping it stops the server.
pub struct FakeOkta {
    shared: Arc<Shared>,
    shutdown: Mutex<Option<oneshot::Sender<()>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl FakeOkta {
    /// Serves `scenario` on a free port; returns once the server accepts requests.
    pub fn start(scenario: Scenario) -> FakeOkta {
        FakeOkta::start_on(scenario, 0).expect("fake Okta could not start")
    }

    /// Like [`FakeOkta::start`] on a chosen port (0 for any free one).
    pub fn start_on(scenario: Scenario, port: u16) -> std::io::Result<FakeOkta> {
        let listener = loopback_listener(port)?;
        let recorder = loopback_listener(0)?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let recorder_port = recorder.local_addr()?.port();
        let shared = Arc::new(Shared::new(base_url, recorder_port, scenario));
        let (shutdown_tx, shutdown_rx) = oneshot::channel();
        let (ready_tx, ready_rx) = mpsc::channel();
        let routers = [
            (listener, router(shared.clone())),
            (recorder, recorder::router(shared.clone())),
        ];
        let thread = std::thread::Builder::new()
            .name("fake-okta".to_string())
            .spawn(move || serve(routers, ready_tx, shutdown_rx))?;
        // The thread reports whether the runtime and listener came up.
        ready_rx
            .recv()
            .map_err(|_| std::io::Error::other("fake Okta server thread died"))??;
        Ok(FakeOkta {
            shared,
            shutdown: Mutex::new(Some(shutdown_tx)),
            thread: Mutex::new(Some(thread)),
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The AWS app's embed link: `base_url/home/amazon_aws/<app_id>/272`.
    pub fn app_url(&self) -> String {
        self.shared.app_url()
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.lock().log.clone()
    }

    /// How many requests had this method (case-insensitive) and a path starting with `path_prefix`.
    pub fn count(&self, method: &str, path_prefix: &str) -> usize {
        self.shared
            .lock()
            .log
            .iter()
            .filter(|r| r.method.eq_ignore_ascii_case(method) && r.path.starts_with(path_prefix))
            .count()
    }

    /// The next `n` requests to `/api/v1/authn*` answer 429 E0000047.
    pub fn rate_limit_next(&self, n: u32) {
        self.shared.lock().rate_limited = n;
    }

    /// Latency injected before every later answer.
    pub fn set_delay(&self, delay: Duration) {
        self.shared.lock().scenario.delay = delay;
    }

    /// Okta forgets every session: existing `sid` cookies stop working.
    pub fn end_all_sessions(&self) {
        self.shared.lock().end_all_sessions();
    }

    pub fn set_app_page(&self, page: AppPage) {
        self.shared.lock().scenario.app_page = page;
    }

    pub fn set_signin_page(&self, page: SigninPage) {
        self.shared.lock().scenario.signin_page = page;
    }

    /// Changes the scenario of the running org (its users and their ids stay as started).
    pub fn update(&self, change: impl FnOnce(&mut Scenario)) {
        change(&mut self.shared.lock().scenario);
    }

    /// `http://127.0.0.1:PORT` of the recorder, the other origin of hostile redirects.
    pub fn recorder_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.shared.recorder_port)
    }

    /// Every request the recorder received, in order.
    pub fn recorded(&self) -> Vec<RecordedRequest> {
        self.shared
            .recorded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The AWS federation endpoint this server also plays (`OKTA_AWS_FEDERATION_URL`).
    pub fn federation_url(&self) -> String {
        format!("{}/federation", self.shared.base_url)
    }

    /// Every request to the federation endpoint, in order.
    pub fn federation_requests(&self) -> Vec<FederationRequest> {
        self.shared.lock().federation_log.clone()
    }

    /// How many refresh tokens still work (revoked and rotated ones do not).
    pub fn live_refresh_tokens(&self) -> usize {
        self.shared.lock().refresh_tokens.len()
    }

    /// Every refresh token stops working, as when they expire or an admin revokes them.
    pub fn expire_refresh_tokens(&self) {
        self.shared.lock().refresh_tokens.clear();
    }

    /// How many requests carried a web SSO token in the URL (`GET /login/token/sso?token=`).
    pub fn sso_tokens_in_url(&self) -> usize {
        self.shared
            .lock()
            .log
            .iter()
            .filter(|r| r.path == "/login/token/sso" && r.query.contains("token="))
            .count()
    }
}

fn loopback_listener(port: u16) -> std::io::Result<TcpListener> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

impl Drop for FakeOkta {
    fn drop(&mut self) {
        let sender = self.shutdown.get_mut().ok().and_then(Option::take);
        if let Some(sender) = sender {
            let _ = sender.send(());
        }
        let thread = self.thread.get_mut().ok().and_then(Option::take);
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

/// The server thread: its own runtime, serving both listeners until told to stop.
fn serve(
    routers: [(TcpListener, Router); 2],
    ready: mpsc::Sender<std::io::Result<()>>,
    shutdown: oneshot::Receiver<()>,
) {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            let _ = ready.send(Err(err));
            return;
        }
    };
    runtime.block_on(async move {
        let [(main, main_router), (recorder, recorder_router)] = routers;
        let listeners = tokio::net::TcpListener::from_std(main)
            .and_then(|main| Ok((main, tokio::net::TcpListener::from_std(recorder)?)));
        let (main, recorder) = match listeners {
            Ok(listeners) => listeners,
            Err(err) => {
                let _ = ready.send(Err(err));
                return;
            }
        };
        let _ = ready.send(Ok(()));
        // No graceful shutdown: a test dropping the fake must not wait for
        // a client's keep-alive connection or a delayed (or never-coming) answer.
        tokio::select! {
            _ = axum::serve(main, main_router) => {}
            _ = axum::serve(recorder, recorder_router) => {}
            _ = shutdown => {}
        }
    });
    runtime.shutdown_background();
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/v1/authn", post(authn::authn))
        .route("/api/v1/authn/skip", post(authn::skip))
        .route("/api/v1/authn/previous", post(authn::previous))
        .route("/api/v1/authn/cancel", post(authn::cancel))
        .route("/api/v1/authn/factors/{id}/verify", post(authn::verify))
        .route(
            "/api/v1/authn/factors/{id}/verify/resend",
            post(authn::resend),
        )
        .route("/api/v1/sessions", post(web::create_session))
        .route(
            "/api/v1/sessions/me",
            get(web::session_me).delete(web::end_session_me),
        )
        .route("/api/v1/users/me/appLinks", get(web::app_links))
        .route("/home/amazon_aws/{app_id}/{number}", get(web::app_link))
        .route("/login/login.htm", get(web::login_page))
        .route("/aws/saml", post(aws_signin::signin_page))
        .route("/.well-known/okta-organization", get(oauth::org_metadata))
        .route("/oauth2/v1/device/authorize", post(oauth::device_authorize))
        .route("/oauth2/v1/token", post(oauth::token))
        .route("/oauth2/v1/revoke", post(oauth::revoke))
        .route(
            "/activate",
            get(browser::activate_link).post(browser::activate_form),
        )
        .route(
            "/login/token/sso",
            get(browser::token_sso_query).post(browser::token_sso_form),
        )
        .route("/login/step-up/redirect", get(web::step_up_redirect))
        .route("/federation", get(federation::federation))
        .route(
            "/login/sessionCookieRedirect",
            get(web::session_cookie_redirect),
        )
        .fallback(unknown_path)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(shared.clone(), frame))
        .with_state(shared)
}

async fn unknown_path(uri: Uri) -> Response {
    not_found(&format!("{} (Path)", uri.path()))
}

async fn method_not_allowed() -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "E0000022",
        "The endpoint does not support the provided HTTP method",
        &[],
    )
}

/// Wraps every request: injected latency, hostile answers, forced 429s on the authn API,
/// the `X-Rate-Limit-*` headers, and the log entry.
async fn frame(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let (delay, hostile) = {
        let inner = shared.lock();
        (inner.scenario.delay, inner.scenario.hostile.clone())
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or_default().to_string();
    let had_session_cookie =
        cookie(request.headers(), "sid").is_some_and(|sid| looks_like_sid(&sid));
    let referer = request
        .headers()
        .get(header::REFERER)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    let logged = |status: u16| LoggedRequest {
        method: method.to_string(),
        path: path.clone(),
        query: query.clone(),
        status,
        had_session_cookie,
        referer: referer.clone(),
    };

    if hostile::blackholed(&hostile, &path) {
        shared.lock().log.push(logged(0));
        // Read, never answered; dropped with the connection or the server.
        return std::future::pending().await;
    }
    let target = hostile::Target {
        method: &method,
        path: &path,
        query: &query,
    };
    let origins = hostile::Origins {
        base: &shared.base_url,
        recorder_port: shared.recorder_port,
    };
    let hostile_answer = hostile::answer(&hostile, &origins, &target);
    let throttled = hostile_answer.is_none()
        && path.starts_with("/api/v1/authn")
        && shared.lock().take_rate_limit();
    let answered_here = hostile_answer.or_else(|| throttled.then(rate_limited));
    let mut response = match answered_here {
        Some(answer) => {
            // Read the request first: closing a connection with unread bytes resets it, and
            // the reset would cut the answer short at the client.
            let _ = axum::body::to_bytes(request.into_body(), 1 << 20).await;
            answer
        }
        None => next.run(request).await,
    };
    if let Some(text) = &hostile.error_text {
        response = hostile::with_error_text(response, text).await;
    }

    let mut inner = shared.lock();
    if inner.scenario.log_to_stderr {
        eprintln!(
            "fake-okta: {method} {path} -> {}",
            response.status().as_u16()
        );
    }
    let rate = inner.rate_headers(throttled);
    let reset = match (&hostile.rate_limit_reset, throttled) {
        (Some(reset), true) => HeaderValue::from_str(reset).ok(),
        _ => None,
    };
    let headers = response.headers_mut();
    headers.insert("X-Rate-Limit-Limit", HeaderValue::from(rate.limit));
    headers.insert("X-Rate-Limit-Remaining", HeaderValue::from(rate.remaining));
    headers.insert(
        "X-Rate-Limit-Reset",
        reset.unwrap_or_else(|| HeaderValue::from(rate.reset_epoch)),
    );
    inner.log.push(logged(response.status().as_u16()));
    response
}
