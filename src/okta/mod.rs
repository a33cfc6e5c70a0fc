//! Okta's Classic Authentication API: the HTTP client, its JSON shapes and its errors
//! (`device_flow` is the Identity Engine's browser sign-in).
//!
//! Okta's docs say never to hard-code URLs but follow `_links`; we do, and refuse a link that
//! leaves the org (a state token must never travel to another host).

pub mod authn;
pub mod device_flow;
pub mod factors;
pub mod saml_page;
pub mod web_session;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::error::UserError;
use crate::terminal;

/// How long we are willing to wait, in total, for a rate-limit window to reset.
const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(15);
const MAX_RATE_LIMIT_RETRIES: u32 = 3;

/// An authentication transaction (every 200 answer of `/api/v1/authn*`).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Transaction {
    #[serde(default)]
    pub status: String,
    pub state_token: Option<String>,
    pub session_token: Option<String>,
    pub factor_result: Option<String>,
    #[serde(rename = "_embedded", default)]
    pub embedded: Value,
    #[serde(rename = "_links", default)]
    pub links: Value,
}

/// A `_links` entry.
#[derive(Debug, Clone, Deserialize)]
pub struct Link {
    pub href: String,
    pub name: Option<String>,
}

/// Read `_links.<name>`, which is an object or (for `resend`) an array of them.
pub fn link(links: &Value, name: &str) -> Option<Link> {
    let value = links.get(name)?;
    let first = if value.is_array() {
        value.get(0)?
    } else {
        value
    };
    serde_json::from_value(first.clone()).ok()
}

/// An enrolled MFA factor, as listed in `_embedded.factors`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Factor {
    pub id: String,
    pub factor_type: String,
    pub provider: String,
    #[serde(default)]
    pub profile: Value,
    #[serde(rename = "_links", default)]
    pub links: Value,
}

impl Factor {
    /// `PROVIDER.factorType`, the form `OKTA_MFA_CHOICE` takes.
    pub fn choice_name(&self) -> String {
        format!("{}.{}", self.provider, self.factor_type)
    }
}

impl Transaction {
    pub fn factors(&self) -> Vec<Factor> {
        self.embedded
            .get("factors")
            .and_then(|f| serde_json::from_value::<Vec<Factor>>(f.clone()).ok())
            .unwrap_or_default()
    }

    /// The factor of a challenge: `_embedded.factor` (real clients), or `_embedded.factors`
    /// as an object (the docs' examples).
    pub fn challenge_factor(&self) -> Option<&Value> {
        self.embedded
            .get("factor")
            .or_else(|| self.embedded.get("factors").filter(|f| f.is_object()))
    }

    pub fn link(&self, name: &str) -> Option<Link> {
        link(&self.links, name)
    }
}

/// The last second humantime can show (9999-12-31T23:59:59Z; it panics beyond), and far
/// below where `UNIX_EPOCH + secs` overflows: a hostile `X-Rate-Limit-Reset` must not crash us.
const LAST_SHOWABLE_EPOCH_SECS: u64 = 253_402_300_799;

/// An error answer of Okta's API: `{errorCode, errorSummary, errorCauses}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub summary: String,
    pub causes: Vec<String>,
    /// For 429: when the rate-limit window resets (epoch seconds).
    pub reset_at: Option<u64>,
}

impl ApiError {
    pub fn is(&self, code: &str) -> bool {
        self.code == code
    }

    /// The message and hint shown to the user.
    pub fn to_user_error(&self) -> UserError {
        let mut cause = format!("Okta refused: {} ({})", self.summary, self.code);
        if let Some(detail) = self.causes.first() {
            cause = format!("{cause}: {detail}");
        }
        let hint = match self.code.as_str() {
            "E0000004" => {
                "check OKTA_USERNAME and the password; a locked account also answers this"
                    .to_string()
            }
            "E0000011" => {
                "the login took too long and its transaction expired; run the command again"
                    .to_string()
            }
            "E0000047" => match self.reset_at.filter(|at| *at <= LAST_SHOWABLE_EPOCH_SECS) {
                Some(at) => format!(
                    "Okta's rate limit resets at {}; try again then",
                    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(at))
                ),
                None => "wait a minute and try again".to_string(),
            },
            "E0000068" => "the code was wrong or expired; try again with a fresh code".to_string(),
            "E0000079" => "this step is not allowed now; run the command again".to_string(),
            _ => format!(
                "HTTP {}; see Okta's error code {} in its API docs",
                self.status, self.code
            ),
        };
        UserError::new(cause).hint(hint)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_user_error())
    }
}

impl std::error::Error for ApiError {}

/// A call to Okta failed: either Okta said no (`Api`), or we could not talk to it.
#[derive(Debug)]
pub enum OktaError {
    Api(ApiError),
    Other(anyhow::Error),
}

impl From<anyhow::Error> for OktaError {
    fn from(e: anyhow::Error) -> Self {
        OktaError::Other(e)
    }
}

impl From<OktaError> for anyhow::Error {
    fn from(e: OktaError) -> Self {
        match e {
            OktaError::Api(api) => api.to_user_error().into(),
            OktaError::Other(other) => other,
        }
    }
}

/// The HTTP side of talking to one Okta org.
pub struct OktaClient {
    pub http: reqwest::Client,
    pub org: Url,
    cookies: Arc<reqwest::cookie::Jar>,
}

impl OktaClient {
    pub fn new(org: Url) -> Result<OktaClient> {
        let cookies = Arc::new(reqwest::cookie::Jar::default());
        let http = reqwest::Client::builder()
            .user_agent(concat!("okta-aws/", env!("CARGO_PKG_VERSION")))
            .cookie_provider(cookies.clone())
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .context("cannot set up the HTTP client")?;
        Ok(OktaClient { http, org, cookies })
    }

    /// Set a cookie for the org (a cached `sid` or `DT`).
    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies
            .add_cookie_str(&format!("{name}={value}; Path=/"), &self.org);
    }

    /// A cookie the org has set, as the jar would send it.
    pub fn cookie(&self, name: &str) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let header = self.cookies.cookies(&self.org)?;
        header.to_str().ok()?.split(';').find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name && !value.is_empty()).then(|| value.to_string())
        })
    }

    /// The org's URL for an API path.
    pub fn url(&self, path: &str) -> Url {
        self.org.join(path).expect("API paths are valid URL paths")
    }

    /// Check that a link Okta gave us points back at the org.
    pub fn checked_link(&self, href: &str) -> Result<Url> {
        let url =
            Url::parse(href).with_context(|| format!("Okta sent a malformed link: {href}"))?;
        if url.origin() != self.org.origin() {
            return Err(UserError::new(format!(
                "Okta sent a link to another host ({})",
                url.origin().ascii_serialization()
            ))
            .hint("check OKTA_ORG: it must be the org that answers the login")
            .into());
        }
        Ok(url)
    }

    /// Send a request to the org; a failure to get an answer is a network error naming the
    /// org (never the URL, which may carry a one-time token).
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response> {
        request
            .send()
            .await
            .map_err(|e| network_error(&self.org, e).into())
    }

    /// POST JSON to the authentication API; waits out short rate-limit windows.
    pub async fn post(&self, url: Url, body: &Value) -> Result<Transaction, OktaError> {
        let mut attempt = 0;
        loop {
            let response = self
                .http
                .post(url.clone())
                .header("Accept", "application/json")
                .json(body)
                .send()
                .await
                .map_err(|e| network_error(&self.org, e))?;
            match read_answer(response).await {
                Err(OktaError::Api(api))
                    if api.status == 429 && attempt < MAX_RATE_LIMIT_RETRIES =>
                {
                    let wait = rate_limit_wait(api.reset_at);
                    if wait > MAX_RATE_LIMIT_WAIT {
                        return Err(OktaError::Api(api));
                    }
                    attempt += 1;
                    terminal::say(&format!(
                        "Okta's rate limit was reached; retrying in {} s",
                        wait.as_secs().max(1)
                    ));
                    tokio::time::sleep(wait).await;
                }
                other => return other,
            }
        }
    }
}

/// How long until the window resets, plus a little jitter so parallel clients spread out.
fn rate_limit_wait(reset_at: Option<u64>) -> Duration {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let jitter = Duration::from_millis(u64::from(now.subsec_millis() % 250) + 50);
    match reset_at {
        Some(at) => Duration::from_secs(at).saturating_sub(now) + jitter,
        None => Duration::from_secs(2) + jitter,
    }
}

pub fn network_error(org: &Url, e: reqwest::Error) -> OktaError {
    // URLs may carry one-time tokens: never show them.
    let e = e.without_url();
    let what = if e.is_timeout() {
        "timed out"
    } else {
        "failed"
    };
    OktaError::Other(
        UserError::new(format!(
            "the connection to Okta ({}) {what}: {}",
            org.origin().ascii_serialization(),
            crate::error::root_cause(&e)
        ))
        .hint("check OKTA_ORG and your network")
        .into(),
    )
}

async fn read_answer(response: reqwest::Response) -> Result<Transaction, OktaError> {
    let status = response.status().as_u16();
    let reset_at = response
        .headers()
        .get("X-Rate-Limit-Reset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let text = response
        .text()
        .await
        .map_err(|e| OktaError::Other(e.without_url().into()))?;
    decode_answer(status, reset_at, &text)
}

/// An answer of the authentication API, by HTTP status: a transaction (2xx) or Okta's error
/// object (anything else; a body that is not one still gives an `ApiError` naming the
/// status). `reset_at` is the `X-Rate-Limit-Reset` header. Public for the tests that run it
/// over recorded answers of the real Okta.
pub fn decode_answer(
    status: u16,
    reset_at: Option<u64>,
    text: &str,
) -> Result<Transaction, OktaError> {
    if (200..300).contains(&status) {
        return serde_json::from_str(text).map_err(|_| {
            OktaError::Other(
                UserError::new(format!("Okta answered HTTP {status} with something that is not an authentication transaction"))
                    .hint("check that OKTA_ORG is your Okta org")
                    .into(),
            )
        });
    }
    let json: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let field = |name: &str| json.get(name).and_then(Value::as_str).map(str::to_string);
    let causes = json
        .get("errorCauses")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| c.get("errorSummary")?.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Err(OktaError::Api(ApiError {
        status,
        code: field("errorCode").unwrap_or_else(|| format!("HTTP {status}")),
        summary: field("errorSummary")
            .unwrap_or_else(|| format!("unexpected HTTP {status} answer")),
        causes,
        reset_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_read_objects_and_arrays() {
        let links = serde_json::json!({
            "next": {"name": "poll", "href": "https://o/next"},
            "resend": [{"name": "sms", "href": "https://o/resend"}]
        });
        assert_eq!(link(&links, "next").unwrap().name.as_deref(), Some("poll"));
        assert_eq!(link(&links, "resend").unwrap().href, "https://o/resend");
        assert!(link(&links, "cancel").is_none());
    }

    #[test]
    fn challenge_factor_is_read_from_either_shape() {
        let t: Transaction = serde_json::from_value(serde_json::json!({
            "status": "MFA_CHALLENGE",
            "_embedded": {"factors": {"id": "opf1", "_embedded": {"challenge": {"correctAnswer": 42}}}}
        }))
        .unwrap();
        assert_eq!(t.challenge_factor().unwrap()["id"], "opf1");
        let t: Transaction = serde_json::from_value(serde_json::json!({
            "status": "MFA_CHALLENGE", "_embedded": {"factor": {"id": "opf2"}}
        }))
        .unwrap();
        assert_eq!(t.challenge_factor().unwrap()["id"], "opf2");
    }

    #[test]
    fn links_to_other_hosts_are_refused() {
        let client = OktaClient::new(Url::parse("https://acme.okta.com/").unwrap()).unwrap();
        assert!(
            client
                .checked_link("https://acme.okta.com/api/v1/authn/factors/x/verify")
                .is_ok()
        );
        assert!(client.checked_link("https://evil.example/api").is_err());
        assert!(client.checked_link("http://acme.okta.com/api").is_err());
    }

    #[test]
    fn rate_limit_wait_follows_the_reset_header() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let wait = rate_limit_wait(Some(now + 3));
        assert!(
            wait >= Duration::from_secs(2) && wait <= Duration::from_secs(4),
            "{wait:?}"
        );
        assert!(rate_limit_wait(Some(now - 10)) < Duration::from_secs(1));
    }
}
