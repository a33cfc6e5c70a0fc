//! The container-credentials endpoint of `exec --server`: a small HTTP server on 127.0.0.1
//! that hands a session's credentials to a long-running command in the format every AWS SDK
//! and the AWS CLI read from `AWS_CONTAINER_CREDENTIALS_FULL_URI` (ECS's, also used by EKS Pod
//! Identity), so that the command's credentials are renewed as the session is, where static
//! keys would expire mid-run.
//!
//! The protocol, as the SDKs read it (botocore's `ContainerProvider`): `GET` on the full URI,
//! with the `Authorization` header set to exactly `AWS_CONTAINER_AUTHORIZATION_TOKEN`'s value
//! (no scheme); a 200 JSON answer `{AccessKeyId, SecretAccessKey, Token, Expiration}`
//! (RFC 3339), which they cache and fetch again as it nears its expiration. Plain http is
//! accepted only on loopback (botocore: a loopback IP, `localhost`, or the ECS/EKS link-local
//! addresses), so the server listens on 127.0.0.1 and the URI names that address.
//!
//! Trust: a random port and a random token (32 bytes from the OS), compared in constant time;
//! a wrong or missing token gets 403 and never reaches the credentials' source; requests are
//! bounded (8 KiB of headers, a deadline for them, a cap on connections), and each connection
//! is its own task, so a slow client holds up nobody else. Nothing is logged.
//!
//! HTTP is hyper's (already in the tree under reqwest); the server runs as local tasks
//! (`spawn_local`) because the credentials' source may ask on the terminal through a
//! prompter, which is not `Send`: `start` must be called inside a `tokio::task::LocalSet`.

use std::cell::Cell;
use std::convert::Infallible;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::rc::Rc;
use std::time::Duration;

use anyhow::{Context, Result};
use base64::Engine;
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::json;
use subtle::ConstantTimeEq;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, Semaphore, oneshot};
use tokio::task::{JoinHandle, JoinSet};

use super::AwsCredentials;
use crate::error::{UserError, one_line};

/// The variable that tells SDKs where the endpoint is.
pub const FULL_URI_VARIABLE: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
/// The variable that holds the token SDKs send as `Authorization`.
pub const TOKEN_VARIABLE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";

/// The one path that answers.
pub const PATH: &str = "/credentials";

/// Random bytes in the token: 256 bits.
const TOKEN_BYTES: usize = 32;

/// Bounds on what clients may cost us.
#[derive(Debug, Clone, Copy)]
struct Limits {
    /// A request's headers must arrive within this (an idle kept-alive connection too).
    header_deadline: Duration,
    /// Connections served at once; more are closed at once. SDK clients keep a few each.
    connections: usize,
}

const LIMITS: Limits = Limits {
    header_deadline: Duration::from_secs(10),
    connections: 64,
};

/// Request headers beyond this get 431 (hyper's smallest buffer).
const MAX_HEADER_BYTES: usize = 8 * 1024;

/// Where the credentials come from: the session layer's, which refreshes them (through the
/// Okta session, asking on the terminal only when it must) before they expire. Calls never
/// overlap: the server makes one at a time, and requests that arrive while one runs share
/// its answer.
pub trait CredentialSource {
    fn current(&self) -> impl Future<Output = Result<AwsCredentials>>;
}

impl<F, Fut> CredentialSource for F
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<AwsCredentials>>,
{
    fn current(&self) -> impl Future<Output = Result<AwsCredentials>> {
        self()
    }
}

/// A running endpoint. Dropping it stops the server too; `shutdown` also waits for the
/// port to be closed.
pub struct ServerHandle {
    url: String,
    token: String,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHandle")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl ServerHandle {
    /// For `AWS_CONTAINER_CREDENTIALS_FULL_URI`: `http://127.0.0.1:PORT/credentials`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// For `AWS_CONTAINER_AUTHORIZATION_TOKEN`. A secret: never show it.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The two variables a command needs to use this endpoint.
    pub fn environment(&self) -> [(&'static str, String); 2] {
        [
            (FULL_URI_VARIABLE, self.url.clone()),
            (TOKEN_VARIABLE, self.token.clone()),
        ]
    }

    /// Stop accepting, end every connection, and close the port.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Start serving `source`'s credentials on 127.0.0.1, on a port the system picks. Call it
/// inside a `tokio::task::LocalSet` (the server's tasks are local).
pub async fn start<S: CredentialSource + 'static>(source: S) -> Result<ServerHandle> {
    start_with(source, LIMITS).await
}

async fn start_with<S: CredentialSource + 'static>(
    source: S,
    limits: Limits,
) -> Result<ServerHandle> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .map_err(|e| {
            UserError::new(format!(
                "cannot listen on 127.0.0.1 for the credentials endpoint: {e}"
            ))
            .hint("run without --server")
        })?;
    let port = listener.local_addr().context("the endpoint's port")?.port();
    let token = random_token()?;
    let shared = Rc::new(Shared {
        source,
        token: token.clone(),
        calls: Mutex::new(None),
        finished_calls: Cell::new(0),
    });
    let (stop, stopped) = oneshot::channel();
    let task = tokio::task::spawn_local(accept_loop(listener, shared, limits, stopped));
    Ok(ServerHandle {
        url: format!("http://127.0.0.1:{port}{PATH}"),
        token,
        stop: Some(stop),
        task,
    })
}

/// 32 bytes from the OS's generator, base64url: 43 characters safe in a header.
fn random_token() -> Result<String> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| {
        UserError::new(format!("the system's random number generator failed: {e}"))
            .hint("run without --server")
    })?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// What the request handlers share.
struct Shared<S> {
    source: S,
    token: String,
    /// Held while the source is asked; the last answer.
    calls: Mutex<Option<Result<AwsCredentials, String>>>,
    /// How many asks have finished.
    finished_calls: Cell<u64>,
}

impl<S: CredentialSource> Shared<S> {
    /// The source's credentials. One ask at a time; a request that arrived while an ask was
    /// running (or waiting) takes that ask's answer instead of asking again.
    async fn credentials(&self) -> Result<AwsCredentials, String> {
        let finished_before = self.finished_calls.get();
        let mut last = self.calls.lock().await;
        if self.finished_calls.get() > finished_before
            && let Some(answer) = last.as_ref()
        {
            return answer.clone();
        }
        let answer = self.source.current().await.map_err(|e| describe(&e));
        *last = Some(answer.clone());
        self.finished_calls.set(self.finished_calls.get() + 1);
        answer
    }

    /// Whether the request carries the token, compared in constant time.
    fn is_authorized(&self, request: &Request<Incoming>) -> bool {
        request
            .headers()
            .get(header::AUTHORIZATION)
            .is_some_and(|sent| bool::from(sent.as_bytes().ct_eq(self.token.as_bytes())))
    }
}

/// A failed ask, for the client's error message: one line, cause and hint.
fn describe(error: &anyhow::Error) -> String {
    match error.downcast_ref::<UserError>() {
        Some(user) => match &user.hint {
            Some(hint) => one_line(&format!("{} ({hint})", user.cause)),
            None => one_line(&user.cause),
        },
        None => one_line(&error.to_string()),
    }
}

async fn accept_loop<S: CredentialSource + 'static>(
    listener: TcpListener,
    shared: Rc<Shared<S>>,
    limits: Limits,
    mut stopped: oneshot::Receiver<()>,
) {
    let slots = std::sync::Arc::new(Semaphore::new(limits.connections));
    // Owned here: when the loop ends (or its task is aborted) every connection ends too.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of file descriptors or the like: let it pass rather than spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                // Over the cap: dropped (closed) at once.
                let Ok(slot) = slots.clone().try_acquire_owned() else { continue };
                connections.spawn_local(serve_connection(stream, shared.clone(), limits, slot));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve_connection<S: CredentialSource + 'static>(
    stream: TcpStream,
    shared: Rc<Shared<S>>,
    limits: Limits,
    _slot: tokio::sync::OwnedSemaphorePermit,
) {
    let service = service_fn(move |request| {
        let shared = shared.clone();
        async move { Ok::<_, Infallible>(answer(&shared, request).await) }
    });
    // Errors are the client's (a reset, a timeout, bad HTTP): the connection just ends.
    let _ = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_deadline)
        .max_buf_size(MAX_HEADER_BYTES)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

async fn answer<S: CredentialSource>(
    shared: &Shared<S>,
    request: Request<Incoming>,
) -> Response<Full<Bytes>> {
    if request.uri().path() != PATH {
        return plain(StatusCode::NOT_FOUND, "not found");
    }
    if request.method() != Method::GET {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "only GET");
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET"));
        return response;
    }
    if !shared.is_authorized(&request) {
        return plain(
            StatusCode::FORBIDDEN,
            "wrong or missing authorization token",
        );
    }
    match shared.credentials().await {
        Ok(credentials) => json_response(StatusCode::OK, credentials_json(&credentials)),
        Err(message) => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"code": "CredentialsUnavailable", "message": message}),
        ),
    }
}

/// The container-credentials answer.
fn credentials_json(credentials: &AwsCredentials) -> serde_json::Value {
    json!({
        "AccessKeyId": credentials.access_key_id,
        "SecretAccessKey": credentials.secret_access_key,
        "Token": credentials.session_token,
        "Expiration": credentials.expiration_rfc3339(),
    })
}

fn json_response(status: StatusCode, body: serde_json::Value) -> Response<Full<Bytes>> {
    response(status, "application/json", body.to_string())
}

fn plain(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    response(status, "text/plain; charset=utf-8", format!("{text}\n"))
}

fn response(status: StatusCode, content_type: &'static str, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Credentials must not be kept by anything between (there is nothing, but say so).
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::task::LocalSet;

    use super::*;

    fn credentials(n: u32) -> AwsCredentials {
        AwsCredentials {
            access_key_id: format!("ASIAFAKE{n:04}"),
            secret_access_key: format!("secret/{n}"),
            session_token: format!("token+{n}=="),
            expires_at: 1_900_000_000 + u64::from(n),
        }
    }

    /// Run `test` in a LocalSet on a current-thread runtime, as the wiring will.
    fn local(test: impl Future<Output = ()>) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        LocalSet::new().block_on(&runtime, test);
    }

    /// A source that counts its asks, takes `delay` to answer, and hands out credentials
    /// numbered by the ask.
    fn counting_source(
        asks: Rc<Cell<u32>>,
        delay: Duration,
    ) -> impl Fn() -> std::pin::Pin<Box<dyn Future<Output = Result<AwsCredentials>>>> {
        move || {
            let asks = asks.clone();
            Box::pin(async move {
                asks.set(asks.get() + 1);
                let n = asks.get();
                tokio::time::sleep(delay).await;
                Ok(credentials(n))
            })
        }
    }

    struct Reply {
        status: u16,
        content_type: Option<String>,
        body: String,
    }

    async fn get(url: &str, token: Option<&str>) -> Reply {
        send(reqwest::Method::GET, url, token).await
    }

    async fn send(method: reqwest::Method, url: &str, token: Option<&str>) -> Reply {
        let mut request = reqwest::Client::new().request(method, url);
        if let Some(token) = token {
            request = request.header("Authorization", token);
        }
        let reply = request.send().await.unwrap();
        Reply {
            status: reply.status().as_u16(),
            content_type: reply
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_string()),
            body: reply.text().await.unwrap(),
        }
    }

    #[test]
    fn the_right_token_gets_the_container_credentials_json() {
        local(async {
            let asks = Rc::new(Cell::new(0));
            let server = start(counting_source(asks.clone(), Duration::ZERO))
                .await
                .unwrap();
            assert!(server.url().starts_with("http://127.0.0.1:"));
            assert!(server.url().ends_with("/credentials"));
            let reply = get(server.url(), Some(server.token())).await;
            assert_eq!(reply.status, 200, "{}", reply.body);
            assert_eq!(reply.content_type.as_deref(), Some("application/json"));
            let json: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
            assert_eq!(
                json,
                json!({
                    "AccessKeyId": "ASIAFAKE0001",
                    "SecretAccessKey": "secret/1",
                    "Token": "token+1==",
                    "Expiration": "2030-03-17T17:46:41Z",
                })
            );
            assert_eq!(asks.get(), 1);
            // Each request asks the source (which keeps the session fresh).
            get(server.url(), Some(server.token())).await;
            assert_eq!(asks.get(), 2);
        });
    }

    #[test]
    fn a_wrong_or_missing_token_gets_403_and_never_asks_the_source() {
        local(async {
            let asks = Rc::new(Cell::new(0));
            let server = start(counting_source(asks.clone(), Duration::ZERO))
                .await
                .unwrap();
            let token = server.token().to_string();
            let mut wrong_last = token.clone();
            wrong_last.pop();
            wrong_last.push(if token.ends_with('A') { 'B' } else { 'A' });
            for sent in [
                None,
                Some(""),
                Some(wrong_last.as_str()),
                Some(&token[..token.len() - 1]),
                Some(&*format!("Bearer {token}")),
                Some(&*format!("{token}x")),
            ] {
                let reply = get(server.url(), sent).await;
                assert_eq!(reply.status, 403, "{sent:?}");
                assert!(!reply.body.contains("ASIA"));
            }
            assert_eq!(asks.get(), 0);
        });
    }

    #[test]
    fn other_paths_get_404_and_other_methods_405() {
        local(async {
            let asks = Rc::new(Cell::new(0));
            let server = start(counting_source(asks.clone(), Duration::ZERO))
                .await
                .unwrap();
            let base = server.url().trim_end_matches(PATH).to_string();
            for path in ["/", "/credentials/", "/credential", "/latest/meta-data/"] {
                let reply = get(&format!("{base}{path}"), Some(server.token())).await;
                assert_eq!(reply.status, 404, "{path}");
            }
            for method in [
                reqwest::Method::POST,
                reqwest::Method::PUT,
                reqwest::Method::DELETE,
            ] {
                let reply = send(method.clone(), server.url(), Some(server.token())).await;
                assert_eq!(reply.status, 405, "{method}");
            }
            // A query string does not change the path.
            let reply = get(&format!("{}?x=1", server.url()), Some(server.token())).await;
            assert_eq!(reply.status, 200);
            assert_eq!(asks.get(), 1);
        });
    }

    #[test]
    fn requests_during_a_refresh_share_it() {
        local(async {
            let asks = Rc::new(Cell::new(0));
            let server = start(counting_source(asks.clone(), Duration::from_millis(300)))
                .await
                .unwrap();
            let (url, token) = (server.url().to_string(), server.token().to_string());
            let requests: Vec<_> = (0..5)
                .map(|_| {
                    let (url, token) = (url.clone(), token.clone());
                    tokio::task::spawn_local(async move { get(&url, Some(&token)).await })
                })
                .collect();
            for request in requests {
                let reply = request.await.unwrap();
                assert_eq!(reply.status, 200);
                assert!(reply.body.contains("ASIAFAKE0001"), "{}", reply.body);
            }
            assert_eq!(asks.get(), 1, "one refresh for all");
            // A request after it asks again.
            let reply = get(&url, Some(&token)).await;
            assert!(reply.body.contains("ASIAFAKE0002"));
        });
    }

    #[test]
    fn a_failing_source_is_a_500_with_its_one_line_message() {
        local(async {
            let source = || async {
                Err::<AwsCredentials, _>(
                    UserError::new("the Okta session has ended\nand no terminal")
                        .hint("run okta-aws login")
                        .into(),
                )
            };
            let server = start(source).await.unwrap();
            let reply = get(server.url(), Some(server.token())).await;
            assert_eq!(reply.status, 500);
            let json: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
            assert_eq!(
                json["message"],
                "the Okta session has ended and no terminal (run okta-aws login)"
            );
            assert_eq!(json["code"], "CredentialsUnavailable");
        });
    }

    #[test]
    fn huge_headers_get_431_and_the_server_keeps_serving() {
        local(async {
            let asks = Rc::new(Cell::new(0));
            let server = start(counting_source(asks.clone(), Duration::ZERO))
                .await
                .unwrap();
            let reply = reqwest::Client::new()
                .get(server.url())
                .header("Authorization", server.token())
                .header("X-Padding", "x".repeat(20_000))
                .send()
                .await
                .unwrap();
            assert_eq!(reply.status().as_u16(), 431);
            assert_eq!(asks.get(), 0);
            assert_eq!(get(server.url(), Some(server.token())).await.status, 200);
        });
    }

    #[test]
    fn a_stalled_client_blocks_nobody_and_is_cut_off() {
        local(async {
            let asks = Rc::new(Cell::new(0));
            let limits = Limits {
                header_deadline: Duration::from_millis(200),
                ..LIMITS
            };
            let server = start_with(counting_source(asks.clone(), Duration::ZERO), limits)
                .await
                .unwrap();
            let address = server
                .url()
                .trim_start_matches("http://")
                .trim_end_matches(PATH);
            let mut stalled = TcpStream::connect(address).await.unwrap();
            stalled
                .write_all(b"GET /credentials HTTP/1.1\r\nHost: x\r\n")
                .await
                .unwrap();
            // Others are served while it stalls.
            assert_eq!(get(server.url(), Some(server.token())).await.status, 200);
            // And it is closed after the deadline (bounded: the test fails rather than hang).
            let mut buffer = Vec::new();
            let read =
                tokio::time::timeout(Duration::from_secs(10), stalled.read_to_end(&mut buffer))
                    .await
                    .expect("the stalled connection was never closed");
            assert!(read.is_err() || !String::from_utf8_lossy(&buffer).contains("ASIA"));
        });
    }

    #[test]
    fn connections_over_the_cap_are_closed_and_the_rest_served() {
        local(async {
            let asks = Rc::new(Cell::new(0));
            let limits = Limits {
                connections: 2,
                ..LIMITS
            };
            let server = start_with(counting_source(asks.clone(), Duration::ZERO), limits)
                .await
                .unwrap();
            let address = server
                .url()
                .trim_start_matches("http://")
                .trim_end_matches(PATH);
            let _held: Vec<TcpStream> = vec![
                TcpStream::connect(address).await.unwrap(),
                TcpStream::connect(address).await.unwrap(),
            ];
            let mut third = TcpStream::connect(address).await.unwrap();
            let mut buffer = Vec::new();
            // Closed at once, well before the 10 s header deadline would close it.
            let closed =
                tokio::time::timeout(Duration::from_secs(5), third.read_to_end(&mut buffer))
                    .await
                    .expect("the connection over the cap was not closed at once");
            assert!(closed.is_err() || buffer.is_empty());
            drop(_held);
            // Slots come back as connections end: served again (bounded retries).
            let mut served = false;
            for _ in 0..100 {
                let attempt = reqwest::Client::new()
                    .get(server.url())
                    .header("Authorization", server.token())
                    .send()
                    .await;
                if attempt.is_ok_and(|r| r.status() == 200) {
                    served = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            assert!(served);
        });
    }

    #[test]
    fn after_shutdown_the_port_is_closed() {
        local(async {
            let server = start(counting_source(Rc::new(Cell::new(0)), Duration::ZERO))
                .await
                .unwrap();
            let address = server
                .url()
                .trim_start_matches("http://")
                .trim_end_matches(PATH)
                .to_string();
            assert!(TcpStream::connect(&address).await.is_ok());
            server.shutdown().await;
            assert!(TcpStream::connect(&address).await.is_err());
        });
    }

    #[test]
    fn tokens_are_long_random_and_not_shown_by_debug() {
        local(async {
            let seen = RefCell::new(Vec::new());
            for _ in 0..2 {
                let server = start(counting_source(Rc::new(Cell::new(0)), Duration::ZERO))
                    .await
                    .unwrap();
                let token = server.token().to_string();
                assert_eq!(token.len(), 43);
                assert!(
                    token
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                );
                assert!(!format!("{server:?}").contains(&token));
                assert_eq!(
                    server.environment(),
                    [
                        (FULL_URI_VARIABLE, server.url().to_string()),
                        (TOKEN_VARIABLE, token.clone()),
                    ]
                );
                seen.borrow_mut().push(token);
            }
            let seen = seen.borrow();
            assert_ne!(seen[0], seen[1]);
        });
    }
}
