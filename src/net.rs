//! What every network-bound command needs before its first request: a single-threaded async
//! runtime.
//!
//! The cached path never comes here: it starts no runtime and resolves no names.

use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::Result;
use aws_smithy_runtime_api::client::http::HttpConnectorSettings;

use crate::error::UserError;
use crate::settings::NetSettings;
use crate::settings::keys::AWS_CA_BUNDLE;

/// A current-thread tokio runtime: a login is a short chain of requests (and a bounded fan-out
/// for `--all-roles`), so one thread is enough and starts fastest.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    crate::prompt::log::debug("starting the network runtime");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Whether a URL's host is this machine: `localhost` or a loopback address. Plain http is
/// allowed only there (tests, the demo).
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// What every HTTP client of the process shares: the deadline and the extra trusted CAs
/// of the settings. Set once, before the first request (`configure`); a process serves one
/// profile, and a global keeps these two values from being threaded through every layer
/// that builds a client (the Okta client, STS, IAM, AWS's sign-in page).
static CONFIG: OnceLock<NetConfig> = OnceLock::new();

/// The default of `OKTA_AWS_HTTP_TIMEOUT`: no real answer of Okta or AWS takes this long.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;

/// Connecting takes at most this (or the whole deadline, when shorter).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub struct NetConfig {
    /// The whole-request deadline (an AWS call's retries included).
    pub timeout: Duration,
    /// `AWS_CA_BUNDLE`'s PEM text, checked to hold certificates.
    ca_bundle: Option<Vec<u8>>,
}

static DEFAULT_CONFIG: NetConfig = NetConfig {
    timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
    ca_bundle: None,
};

/// Take the settings' deadline and CA bundle for every client built from now on. Fails
/// (naming the setting) on a bad deadline or an unreadable bundle.
pub fn configure(settings: &NetSettings) -> Result<()> {
    let config = NetConfig {
        timeout: Duration::from_secs(*settings.timeout_secs.get()?),
        ca_bundle: settings
            .ca_bundle
            .as_deref()
            .map(read_ca_bundle)
            .transpose()?,
    };
    // A second call (tests, or a command that logs in twice) keeps the first: same settings.
    let _ = CONFIG.set(config);
    Ok(())
}

/// The configuration in force (the defaults until `configure`).
pub fn config() -> &'static NetConfig {
    CONFIG.get().unwrap_or(&DEFAULT_CONFIG)
}

impl NetConfig {
    pub fn connect_timeout(&self) -> Duration {
        self.timeout.min(CONNECT_TIMEOUT)
    }

    /// `AWS_CA_BUNDLE`'s PEM text, when set.
    pub fn ca_bundle(&self) -> Option<&[u8]> {
        self.ca_bundle.as_deref()
    }

    /// The deadline as users set it, for messages.
    pub fn timeout_secs(&self) -> u64 {
        self.timeout.as_secs()
    }
}

fn read_ca_bundle(path: &Path) -> Result<Vec<u8>> {
    let shown = path.display();
    let pem = std::fs::read(path).map_err(|e| {
        UserError::new(format!("cannot read {AWS_CA_BUNDLE}={shown}: {e}"))
            .hint("point it at a PEM file of CA certificates, or unset it")
    })?;
    let certificates = reqwest::Certificate::from_pem_bundle(&pem).unwrap_or_default();
    if certificates.is_empty() {
        return Err(
            UserError::new(format!("{AWS_CA_BUNDLE}={shown} holds no PEM certificate"))
                .hint("it must hold one or more -----BEGIN CERTIFICATE----- blocks")
                .into(),
        );
    }
    Ok(pem)
}

/// A client builder with what every client needs: our User-Agent, the deadlines, the one
/// TLS configuration of the process (`tls`: the system's roots and the CA bundle, loaded
/// once), and no `Referer` (reqwest names the previous URL, query and all, on a redirect).
/// The system proxy (`HTTPS_PROXY`, `NO_PROXY`) stays on.
pub fn http_client() -> reqwest::ClientBuilder {
    let config = config();
    reqwest::Client::builder()
        .user_agent(concat!("okta-aws/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(config.connect_timeout())
        .timeout(config.timeout)
        .referer(false)
        .tls_backend_preconfigured(crate::tls::client_config())
}

/// The AWS SDK's deadlines: connecting, and each operation as a whole (its retries
/// included), so a stuck STS or IAM endpoint ends the command.
pub fn aws_timeouts() -> aws_config::timeout::TimeoutConfig {
    let config = config();
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(config.connect_timeout())
        .read_timeout(config.timeout)
        .operation_timeout(config.timeout)
        .build()
}

/// The AWS SDK's HTTP client, one for the process: the SDK's default (rustls, proxies from
/// the environment), trusting `AWS_CA_BUNDLE` on top of the system's roots when it is set.
/// One client keeps its connector, with the parsed root certificates, across STS, IAM and
/// the cross-account hop; else each SDK configuration builds its own. Built after
/// `configure` (the bundle is read there).
pub fn aws_http_client() -> aws_sdk_sts::config::SharedHttpClient {
    use aws_smithy_http_client::Builder;
    static CLIENT: OnceLock<aws_sdk_sts::config::SharedHttpClient> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let context = aws_tls_context();
            // As the SDK's default client (aws-smithy-runtime's `default_https_client`), with
            // our TLS context.
            Builder::new().build_with_connector_fn(move |settings, components| {
                if let Some(connector) = settings.and_then(connector_ahead) {
                    return connector;
                }
                let sleep = components.and_then(|c| c.sleep_impl());
                aws_connector(&context, settings.cloned(), sleep)
            })
        })
        .clone()
}

/// A connector as the SDK's default client builds it, with our TLS context. Building it
/// parses the root certificates into its TLS configuration.
fn aws_connector(
    context: &aws_smithy_http_client::tls::TlsContext,
    settings: Option<HttpConnectorSettings>,
    sleep: Option<aws_sdk_sts::config::SharedAsyncSleep>,
) -> aws_smithy_http_client::Connector {
    use aws_smithy_http_client::proxy::ProxyConfig;
    let mut connector = aws_smithy_http_client::ConnectorBuilder::default()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .tls_context(context.clone());
    connector.set_proxy_config(Some(ProxyConfig::from_env()));
    connector.set_connector_settings(settings);
    connector.set_sleep_impl(sleep);
    connector.build()
}

/// The connector settings the SDK derives from `aws_timeouts` (taken from it, so that the
/// connector built ahead matches what the SDK asks for).
fn aws_connector_settings() -> HttpConnectorSettings {
    let timeouts = aws_timeouts();
    let mut settings = HttpConnectorSettings::builder();
    settings
        .set_connect_timeout(timeouts.connect_timeout())
        .set_read_timeout(timeouts.read_timeout());
    settings.build()
}

/// The connector `warm_up_aws_tls` is building, for the first SDK call.
static CONNECTOR_AHEAD: Mutex<Option<JoinHandle<aws_smithy_http_client::Connector>>> =
    Mutex::new(None);

/// The connector built ahead, when the SDK asks for the settings it was built with (those
/// of `aws_timeouts`; its sleep is the SDK's default, tokio's). Should it still be in the
/// making, this waits for it rather than start over.
fn connector_ahead(settings: &HttpConnectorSettings) -> Option<aws_smithy_http_client::Connector> {
    let expected = aws_connector_settings();
    if settings.connect_timeout() != expected.connect_timeout()
        || settings.read_timeout() != expected.read_timeout()
    {
        return None;
    }
    let ahead = CONNECTOR_AHEAD.lock().ok()?.take()?;
    ahead.join().ok()
}

/// Build the AWS SDK's connector on another thread, so that a login parses the root
/// certificates while it waits for Okta rather than on its one runtime thread between the
/// assertion and STS (where the requests sent beside STS would wait for it too).
pub fn warm_up_aws_tls() {
    let Ok(mut ahead) = CONNECTOR_AHEAD.lock() else {
        return;
    };
    if ahead.is_some() {
        return;
    }
    let context = aws_tls_context();
    let settings = aws_connector_settings();
    *ahead = std::thread::Builder::new()
        .name("aws-tls-warm-up".into())
        // No sleep: the connector takes the default, tokio's, as the SDK's components do.
        .spawn(move || aws_connector(&context, Some(settings), None))
        .ok();
}

fn aws_tls_context() -> aws_smithy_http_client::tls::TlsContext {
    use aws_smithy_http_client::tls::{TlsContext, TrustStore};
    let Some(pem) = config().ca_bundle.clone() else {
        return TlsContext::default();
    };
    TlsContext::builder()
        .with_trust_store(TrustStore::default().with_pem_certificate(pem))
        .build()
        .unwrap_or_default()
}

/// No answer of Okta or AWS comes near this (a SAML page with hundreds of roles is well
/// under a megabyte); a bigger one is refused unread, so a hostile or broken server cannot
/// make us hold gigabytes.
pub const MAX_BODY_BYTES: usize = 8 << 20;

/// An answer over `MAX_BODY_BYTES`.
#[derive(Debug)]
pub struct BodyTooBig;

impl std::fmt::Display for BodyTooBig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the answer is larger than {} MiB", MAX_BODY_BYTES >> 20)
    }
}

impl std::error::Error for BodyTooBig {}

/// Why a body was not read.
#[derive(Debug)]
pub enum ReadError {
    TooBig,
    Network(reqwest::Error),
}

/// The body, read chunk by chunk and given up on past `MAX_BODY_BYTES` (announced or not).
pub async fn read_capped(mut response: reqwest::Response) -> Result<Vec<u8>, ReadError> {
    if response
        .content_length()
        .is_some_and(|length| length > MAX_BODY_BYTES as u64)
    {
        return Err(ReadError::TooBig);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Network)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ReadError::TooBig);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Whether an error (or one of its causes) is an answer over the size limit.
pub fn is_too_big(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if e.is::<BodyTooBig>() || e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        current = e.source();
    }
    false
}

/// Caps the body of every AWS SDK answer (STS, IAM) at `MAX_BODY_BYTES`: the SDK reads a
/// whole answer into memory before parsing it.
#[derive(Debug)]
pub struct AwsBodyLimit;

impl aws_sdk_sts::config::Intercept for AwsBodyLimit {
    fn name(&self) -> &'static str {
        "AwsBodyLimit"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut aws_sdk_sts::config::interceptors::BeforeDeserializationInterceptorContextMut<
            '_,
        >,
        _components: &aws_sdk_sts::config::RuntimeComponents,
        _cfg: &mut aws_sdk_sts::config::ConfigBag,
    ) -> Result<(), aws_sdk_sts::error::BoxError> {
        let response = context.response_mut();
        let body = response.take_body();
        *response.body_mut() = aws_smithy_types::body::SdkBody::from_body_1_x(
            http_body_util::Limited::new(body, MAX_BODY_BYTES),
        );
        Ok(())
    }
}
