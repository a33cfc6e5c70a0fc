//! The HTTP side of talking to one Okta org. Every request to Okta goes through this client's
//! methods and its one `send`, so what every call needs (the org's cookies, deadlines, error
//! messages that never show a URL) is decided in one place.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use anyhow::{Context, Result};
use serde_json::Value;
use url::Url;

use crate::error::UserError;
use crate::server_text::clean;
use crate::settings::keys::OKTA_AWS_HTTP_TIMEOUT;

/// Redirects followed per request: Okta's own chains (session cookie redirect → app link →
/// sign-in page) take two or three.
const MAX_REDIRECTS: usize = 5;

/// The last second humantime can show (9999-12-31T23:59:59Z; it panics beyond), and far
/// below where `UNIX_EPOCH + secs` overflows: a hostile `X-Rate-Limit-Reset` must not crash us.
const LAST_SHOWABLE_EPOCH_SECS: u64 = 253_402_300_799;

/// An error answer of Okta's API: `{errorCode, errorSummary, errorCauses}`. Callers that
/// branch on it (a wrong password, a wrong code, a rate limit) find it with `ApiError::of`.
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

    /// The `ApiError` an error carries, if Okta's answer was one.
    pub fn of(error: &anyhow::Error) -> Option<&ApiError> {
        error.downcast_ref::<ApiError>()
    }

    /// Whether `error` is Okta's answer `code`.
    pub fn has_code(error: &anyhow::Error, code: &str) -> bool {
        ApiError::of(error).is_some_and(|api| api.is(code))
    }

    /// As an error: the `ApiError` to branch on, told the user's way (cause and hint).
    pub fn into_error(self) -> anyhow::Error {
        let told = self.to_user_error();
        anyhow::Error::new(self).context(told)
    }

    /// The message and hint shown to the user.
    pub fn to_user_error(&self) -> UserError {
        let mut cause = format!("Okta refused: {} ({})", self.summary, self.code);
        if let Some(detail) = self.causes.first() {
            cause = format!("{cause}: {detail}");
        }
        UserError::new(cause).hint(self.hint())
    }

    fn hint(&self) -> String {
        match self.code.as_str() {
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
        }
    }

    /// Okta's error object in an answer that is not a success.
    pub fn from_answer(answer: &Answer) -> ApiError {
        let json: Value = serde_json::from_str(&answer.body).unwrap_or(Value::Null);
        // Okta's texts are printed: no escapes (server_text).
        let field = |name: &str| json.get(name).and_then(Value::as_str).map(clean);
        let causes = json
            .get("errorCauses")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.get("errorSummary")?.as_str().map(clean))
                    .collect()
            })
            .unwrap_or_default();
        let status = answer.status;
        ApiError {
            status,
            code: field("errorCode").unwrap_or_else(|| format!("HTTP {status}")),
            summary: field("errorSummary")
                .unwrap_or_else(|| format!("unexpected HTTP {status} answer")),
            causes,
            reset_at: answer.rate_limit_reset,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_user_error())
    }
}

impl std::error::Error for ApiError {}

/// What Okta answered: read whole, so nothing later touches the connection.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    /// The path of the URL that answered, after redirects.
    pub landed_on: String,
    /// `X-Rate-Limit-Reset` (epoch seconds), when Okta sent it.
    pub rate_limit_reset: Option<u64>,
    pub body: String,
}

impl Answer {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The HTTP side of talking to one Okta org. A clone shares the connections and cookies.
#[derive(Clone)]
pub struct OktaClient {
    http: reqwest::Client,
    pub org: Url,
    cookies: Arc<OrgCookies>,
}

/// The org's cookies (`sid`, `DT`), bound to its origin: a cookie jar follows RFC 6265,
/// which ignores ports and lets a cookie without `Secure` go over plain http to the same
/// host. We talk to one origin only, so nothing is taken from or given to any other.
struct OrgCookies {
    jar: reqwest::cookie::Jar,
    origin: url::Origin,
}

impl reqwest::cookie::CookieStore for OrgCookies {
    fn set_cookies(
        &self,
        cookie_headers: &mut dyn Iterator<Item = &reqwest::header::HeaderValue>,
        url: &Url,
    ) {
        if url.origin() == self.origin {
            self.jar.set_cookies(cookie_headers, url);
        }
    }

    fn cookies(&self, url: &Url) -> Option<reqwest::header::HeaderValue> {
        if url.origin() != self.origin {
            return None;
        }
        self.jar.cookies(url)
    }
}

impl OktaClient {
    pub fn new(org: Url) -> Result<OktaClient> {
        let cookies = Arc::new(OrgCookies {
            jar: reqwest::cookie::Jar::default(),
            origin: org.origin(),
        });
        // `net` sends no Referer: reqwest would name the previous URL (query included: a
        // one-time token) on a redirect.
        if org.scheme() == "https" {
            // The first handshake needs the trusted roots: loaded while the login starts.
            crate::tls::warm_up();
        }
        let http = crate::net::http_client()
            .cookie_provider(cookies.clone())
            .redirect(same_origin_redirects(&org))
            .build()
            .context("cannot set up the HTTP client")?;
        Ok(OktaClient { http, org, cookies })
    }

    /// The org's origin (`https://acme.okta.com`), as the cache names its web session.
    pub fn origin(&self) -> String {
        self.org.origin().ascii_serialization()
    }

    /// Set a cookie for the org (a cached `sid` or `DT`): `Secure` when the org is https
    /// (the cache keeps no attributes; Okta sets its cookies `Secure`).
    pub fn set_cookie(&self, name: &str, value: &str) {
        let secure = if self.org.scheme() == "https" {
            "; Secure"
        } else {
            ""
        };
        self.cookies
            .jar
            .add_cookie_str(&format!("{name}={value}; Path=/{secure}"), &self.org);
    }

    /// A cookie the org has set, as the jar would send it.
    pub fn cookie(&self, name: &str) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let header = self.cookies.jar.cookies(&self.org)?;
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

    /// POST JSON to an API URL: its answer when a success, else Okta's `ApiError`.
    pub async fn post_json(&self, url: Url, body: &Value) -> Result<Answer> {
        let request = self.json_request(reqwest::Method::POST, url).json(body);
        let answer = self.send(request).await?;
        if !answer.is_success() {
            return Err(ApiError::from_answer(&answer).into_error());
        }
        Ok(answer)
    }

    /// GET a page (following redirects), as a browser would ask for it.
    pub async fn get_page(&self, url: Url) -> Result<Answer> {
        self.send(self.http.get(url).header("Accept", "text/html"))
            .await
    }

    /// GET an API path as JSON.
    pub async fn get_api(&self, path: &str) -> Result<Answer> {
        self.send(self.json_request(reqwest::Method::GET, self.url(path)))
            .await
    }

    /// DELETE an API path.
    pub async fn delete_api(&self, path: &str) -> Result<Answer> {
        self.send(self.json_request(reqwest::Method::DELETE, self.url(path)))
            .await
    }

    /// POST a form to an API path (OAuth's endpoints).
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Result<Answer> {
        let request = self.json_request(reqwest::Method::POST, self.url(path));
        self.send(request.form(form)).await
    }

    /// POST a form as a browser would, for a page (`/login/token/sso`: its token in the body,
    /// never in a URL that logs keep).
    pub async fn post_form_for_page(&self, path: &str, form: &[(&str, &str)]) -> Result<Answer> {
        let request = self.http.post(self.url(path)).header("Accept", "text/html");
        self.send(request.form(form)).await
    }

    fn json_request(&self, method: reqwest::Method, url: Url) -> reqwest::RequestBuilder {
        self.http
            .request(method, url)
            .header("Accept", "application/json")
    }

    /// Send a request to the org and read its answer. A failure to get one is a network
    /// error naming the org, never the URL (which may carry a one-time token).
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Answer> {
        let response = request
            .send()
            .await
            .map_err(|e| network_error(&self.org, e))?;
        let status = response.status().as_u16();
        let landed_on = response.url().path().to_string();
        let rate_limit_reset = response
            .headers()
            .get("X-Rate-Limit-Reset")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let body = match crate::net::read_capped(response).await {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(crate::net::ReadError::TooBig) => {
                return Err(UserError::new(format!(
                    "Okta's answer is larger than {} MiB; not read",
                    crate::net::MAX_BODY_BYTES >> 20
                ))
                .hint("check OKTA_ORG and OKTA_AWS_APP_URL: no answer of Okta's is that large")
                .into());
            }
            Err(crate::net::ReadError::Network(e)) => return Err(network_error(&self.org, e)),
        };
        Ok(Answer {
            status,
            landed_on,
            rate_limit_reset,
            body,
        })
    }
}

/// Why a redirect was not followed: a password, a token or a cookie would follow it.
#[derive(Debug)]
enum RedirectRefused {
    /// To another scheme, host or port (an https → http downgrade among them).
    OtherOrigin(String),
    TooMany,
}

impl std::fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RedirectRefused::OtherOrigin(origin) => {
                write!(f, "Okta redirected to another origin ({origin})")
            }
            RedirectRefused::TooMany => {
                write!(f, "Okta redirected more than {MAX_REDIRECTS} times")
            }
        }
    }
}

impl std::error::Error for RedirectRefused {}

/// Follow redirects only within the org's origin (scheme, host and port), a few hops at
/// most: a 307/308 re-sends the request's body (the password, a passCode) to wherever it
/// points, and the jar's cookies go along.
fn same_origin_redirects(org: &Url) -> reqwest::redirect::Policy {
    let origin = org.origin();
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.url().origin() != origin {
            let to = attempt.url().origin().ascii_serialization();
            attempt.error(RedirectRefused::OtherOrigin(to))
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(RedirectRefused::TooMany)
        } else {
            attempt.follow()
        }
    })
}

/// The refused redirect behind a request error, if that is what ended it.
fn refused_redirect(e: &reqwest::Error) -> Option<&RedirectRefused> {
    let mut source = std::error::Error::source(e);
    while let Some(current) = source {
        if let Some(refused) = current.downcast_ref::<RedirectRefused>() {
            return Some(refused);
        }
        source = current.source();
    }
    None
}

fn network_error(org: &Url, e: reqwest::Error) -> anyhow::Error {
    // URLs may carry one-time tokens: never show them.
    let e = e.without_url();
    if let Some(refused) = refused_redirect(&e) {
        return UserError::new(format!("{refused}; not followed"))
            .hint(format!(
                "okta-aws follows redirects only within {} (OKTA_ORG); check OKTA_ORG and OKTA_AWS_APP_URL",
                org.origin().ascii_serialization()
            ))
            .into();
    }
    let origin = org.origin().ascii_serialization();
    if e.is_timeout() {
        return UserError::new(format!(
            "Okta ({origin}) did not answer within {} s",
            crate::net::config().timeout_secs()
        ))
        .hint(format!(
            "check OKTA_ORG and your network; {OKTA_AWS_HTTP_TIMEOUT} sets the deadline"
        ))
        .into();
    }
    UserError::new(format!(
        "the connection to Okta ({origin}) failed: {}",
        crate::error::root_cause(&e)
    ))
    .hint("check OKTA_ORG and your network")
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn cached_cookies_stay_secure_and_bound_to_the_orgs_origin() {
        use reqwest::cookie::CookieStore;
        let client = OktaClient::new(Url::parse("https://acme.okta.com/").unwrap()).unwrap();
        client.set_cookie("sid", "the-session");
        client.set_cookie("DT", "the-device");
        let sent_to = |url: &str| {
            client
                .cookies
                .cookies(&Url::parse(url).unwrap())
                .map(|header| header.to_str().unwrap().to_string())
        };
        let at_org = sent_to("https://acme.okta.com/home/amazon_aws/x/272").unwrap();
        assert!(at_org.contains("sid=the-session") && at_org.contains("DT=the-device"));
        for elsewhere in [
            "http://acme.okta.com/home/amazon_aws/x/272",
            "https://acme.okta.com:8443/",
            "https://evil.okta.com/",
            "https://okta.com/",
        ] {
            assert_eq!(sent_to(elsewhere), None, "{elsewhere}");
        }
        assert_eq!(client.cookie("sid").as_deref(), Some("the-session"));
    }

    #[test]
    fn cookies_from_another_origin_are_not_kept() {
        use reqwest::cookie::CookieStore;
        let client = OktaClient::new(Url::parse("http://127.0.0.1:8080/").unwrap()).unwrap();
        let planted = reqwest::header::HeaderValue::from_static("sid=planted; Path=/");
        let other = Url::parse("http://127.0.0.1:9090/").unwrap();
        client
            .cookies
            .set_cookies(&mut std::iter::once(&planted), &other);
        assert_eq!(client.cookie("sid"), None);
        let own = Url::parse("http://127.0.0.1:8080/login").unwrap();
        client
            .cookies
            .set_cookies(&mut std::iter::once(&planted), &own);
        assert_eq!(client.cookie("sid").as_deref(), Some("planted"));
    }

    #[test]
    fn api_errors_are_told_and_can_be_branched_on() {
        let answer = Answer {
            status: 401,
            landed_on: "/api/v1/authn".into(),
            rate_limit_reset: None,
            body: r#"{"errorCode":"E0000004","errorSummary":"Authentication failed"}"#.into(),
        };
        let error = ApiError::from_answer(&answer).into_error();
        assert!(ApiError::has_code(&error, "E0000004"));
        let told = error.downcast_ref::<UserError>().unwrap();
        assert_eq!(told.cause, "Okta refused: Authentication failed (E0000004)");
        assert!(told.hint.as_deref().unwrap().contains("OKTA_USERNAME"));
    }
}
