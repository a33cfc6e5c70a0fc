//! The AWS console signed in as a session, through AWS's federation endpoint (AWS's "Enable
//! custom identity broker access to the AWS console"): `getSigninToken` with the session's
//! credentials gives a sign-in token (good for 15 minutes); the `login` URL with it and a
//! Destination signs a browser in and sends it there.
//!
//! The credentials travel in the query string of a GET (AWS's design), so the endpoint is
//! checked before anything is sent (`FederationEndpoint`: AWS's sign-in hosts over https, or
//! loopback for tests), redirects are not followed, and no error message ever shows a URL.

use std::time::Duration;

use anyhow::Result;
use serde_json::{Value, json};
use url::Url;

use super::AwsCredentials;
use crate::error::{UserError, one_line, root_cause};

/// `Issuer` of the login URL: the console shows it when the session ends.
pub const ISSUER: &str = "okta-aws";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// A sign-in token answer is about a kilobyte; anything far larger is not one.
const MAX_ANSWER_BYTES: usize = 64 * 1024;
/// The console session lengths AWS accepts for `SessionDuration`.
const SESSION_SECONDS: std::ops::RangeInclusive<u64> = 900..=43_200;

/// The AWS partitions whose console we know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partition {
    Aws,
    AwsUsGov,
    AwsCn,
}

impl Partition {
    /// From a role ARN's partition field (`aws`, `aws-us-gov`, `aws-cn`).
    pub fn from_name(name: &str) -> Result<Partition, UserError> {
        match name {
            "aws" => Ok(Partition::Aws),
            "aws-us-gov" => Ok(Partition::AwsUsGov),
            "aws-cn" => Ok(Partition::AwsCn),
            other => Err(UserError::new(format!(
                "no AWS console sign-in is known for the partition '{}'",
                one_line(other)
            ))
            .hint("the console sign-in works for the aws, aws-us-gov and aws-cn partitions")),
        }
    }

    /// The host of the partition's sign-in pages and federation endpoint.
    fn signin_host(self) -> &'static str {
        match self {
            Partition::Aws => "signin.aws.amazon.com",
            Partition::AwsUsGov => "signin.amazonaws-us-gov.com",
            Partition::AwsCn => "signin.amazonaws.cn",
        }
    }

    /// The host of the partition's console (regional consoles are its subdomains).
    pub fn console_host(self) -> &'static str {
        match self {
            Partition::Aws => "console.aws.amazon.com",
            Partition::AwsUsGov => "console.amazonaws-us-gov.com",
            Partition::AwsCn => "console.amazonaws.cn",
        }
    }
}

/// A federation endpoint the session's credentials may be sent to: an AWS sign-in host over
/// https (`/federation` on it), or anything on loopback (tests, the demo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederationEndpoint(Url);

impl FederationEndpoint {
    /// The partition's own endpoint (`https://signin.aws.amazon.com/federation`, …).
    pub fn of(partition: Partition) -> FederationEndpoint {
        let url = format!("https://{}/federation", partition.signin_host());
        FederationEndpoint(Url::parse(&url).expect("a valid built-in URL"))
    }

    /// `OKTA_AWS_FEDERATION_URL` when set, else the partition's endpoint.
    pub fn configured_or_default(
        configured: Option<&str>,
        partition: Partition,
    ) -> Result<FederationEndpoint, UserError> {
        match configured {
            Some(text) => FederationEndpoint::parse(text),
            None => Ok(FederationEndpoint::of(partition)),
        }
    }

    /// `OKTA_AWS_FEDERATION_URL`'s value, checked.
    pub fn parse(text: &str) -> Result<FederationEndpoint, UserError> {
        let refused = || {
            UserError::new(format!(
                "OKTA_AWS_FEDERATION_URL is not an AWS federation endpoint: {}",
                one_line(text)
            ))
            .hint(
                "use https://signin.aws.amazon.com/federation (or the aws-us-gov/aws-cn one), \
                 or unset it; the session's credentials are sent there",
            )
        };
        let url = Url::parse(text.trim()).map_err(|_| refused())?;
        let aws_endpoint = url.scheme() == "https"
            && url.port().is_none()
            && url.path() == "/federation"
            && url
                .host_str()
                .is_some_and(super::signin_page::is_aws_signin_host);
        let loopback = matches!(url.scheme(), "http" | "https") && crate::net::is_loopback(&url);
        if !(aws_endpoint || loopback) || url.query().is_some() || !url.username().is_empty() {
            return Err(refused());
        }
        Ok(FederationEndpoint(url))
    }

    pub fn url(&self) -> &Url {
        &self.0
    }

    /// The URL for `params` on this endpoint.
    fn with_query<'a>(&self, params: impl IntoIterator<Item = (&'a str, &'a str)>) -> Url {
        let mut url = self.0.clone();
        url.query_pairs_mut().extend_pairs(params);
        url
    }
}

/// Service shortcuts whose console is not at `/<name>/home`: (shortcut, path, fragment).
const SHORTCUT_PATHS: [(&str, &str, Option<&str>); 4] = [
    ("console", "console/home", None),
    ("home", "console/home", None),
    ("dynamodb", "dynamodbv2/home", None),
    ("logs", "cloudwatch/home", Some("logsV2:log-groups")),
];

/// Where the console opens: nothing (the console's home), a service shortcut (`s3`, `ec2`,
/// `iam`, `cloudformation`, `lambda`, any console's name → `/<name>/home?region=R`), or a full
/// https URL on the partition's console.
pub fn destination(
    partition: Partition,
    wanted: Option<&str>,
    region: &str,
) -> Result<Url, UserError> {
    let wanted = wanted.map(str::trim).unwrap_or("console");
    if wanted.contains("://") {
        return console_url(partition, wanted);
    }
    if !is_service_name(wanted) {
        return Err(not_a_destination(partition, wanted));
    }
    let (path, fragment) = SHORTCUT_PATHS
        .iter()
        .find(|(shortcut, _, _)| *shortcut == wanted)
        .map_or((format!("{wanted}/home"), None), |(_, path, fragment)| {
            (path.to_string(), *fragment)
        });
    let mut url = Url::parse(&format!("https://{}/{path}", partition.console_host()))
        .map_err(|_| not_a_destination(partition, wanted))?;
    url.query_pairs_mut().append_pair("region", region);
    url.set_fragment(fragment);
    Ok(url)
}

/// A console's name as it appears in console URLs: `s3`, `cloudformation`, `route53`.
fn is_service_name(word: &str) -> bool {
    (1..=40).contains(&word.len())
        && word
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !word.starts_with('-')
}

/// A full destination URL: https, on the partition's console host or a subdomain of it
/// (`us-west-2.console.aws.amazon.com`, `s3.console.aws.amazon.com`).
fn console_url(partition: Partition, text: &str) -> Result<Url, UserError> {
    let url = Url::parse(text).map_err(|_| not_a_destination(partition, text))?;
    let console = partition.console_host();
    let on_console = url.host_str().is_some_and(|host| {
        let host = host.to_ascii_lowercase();
        host == console || host.ends_with(&format!(".{console}"))
    });
    if url.scheme() != "https" || !on_console || !url.username().is_empty() || url.port().is_some()
    {
        return Err(not_a_destination(partition, text));
    }
    Ok(url)
}

fn not_a_destination(partition: Partition, text: &str) -> UserError {
    UserError::new(format!(
        "not a console destination: {}",
        one_line(&text.chars().take(200).collect::<String>())
    ))
    .hint(format!(
        "give a service's name (s3, ec2, iam, cloudformation, lambda, …) or an https URL on {}",
        partition.console_host()
    ))
}

/// The console session's length to ask for (`SessionDuration`). None for credentials from a
/// role chain (a cross-account hop: AssumeRole with the SAML role's credentials), since AWS
/// refuses the parameter for them and the console then keeps its default; otherwise as long
/// as the credentials still last, within AWS's 15 minutes to 12 hours.
pub fn session_duration(role_chained: bool, credentials_left: Duration) -> Option<u32> {
    if role_chained {
        return None;
    }
    let seconds = credentials_left
        .as_secs()
        .clamp(*SESSION_SECONDS.start(), *SESSION_SECONDS.end());
    Some(u32::try_from(seconds).expect("at most 43200"))
}

/// What a console sign-in needs.
#[derive(Debug, Clone, Copy)]
pub struct ConsoleSignin<'a> {
    pub endpoint: &'a FederationEndpoint,
    pub credentials: &'a AwsCredentials,
    /// From `session_duration`.
    pub session_duration: Option<u32>,
    pub destination: &'a Url,
}

/// The URL that signs a browser into the console as `signin.credentials` and opens the
/// destination. It holds a sign-in token: a secret for 15 minutes.
pub async fn signin_url(signin: &ConsoleSignin<'_>) -> Result<Url> {
    let http = federation_client(CONNECT_TIMEOUT, REQUEST_TIMEOUT)?;
    signin_url_with(&http, signin).await
}

async fn signin_url_with(http: &reqwest::Client, signin: &ConsoleSignin<'_>) -> Result<Url> {
    let token = signin_token(http, signin).await?;
    Ok(login_url(signin.endpoint, signin.destination, &token))
}

/// An HTTP client for the federation endpoint: no redirects (the credentials are in the
/// query; a redirect must not carry them on), no cookies, deadlines.
fn federation_client(connect: Duration, whole: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(concat!("okta-aws/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(connect)
        .timeout(whole)
        .build()
        .map_err(|e| {
            UserError::new(format!(
                "cannot set up the HTTP client for AWS's federation endpoint: {}",
                root_cause(&e)
            ))
            .into()
        })
}

/// `Action=login&Issuer=okta-aws&Destination=…&SigninToken=…` on the endpoint.
pub fn login_url(endpoint: &FederationEndpoint, destination: &Url, token: &str) -> Url {
    endpoint.with_query([
        ("Action", "login"),
        ("Issuer", ISSUER),
        ("Destination", destination.as_str()),
        ("SigninToken", token),
    ])
}

/// The `getSigninToken` request's URL. It holds the credentials: never shown.
fn signin_token_url(
    endpoint: &FederationEndpoint,
    credentials: &AwsCredentials,
    duration: Option<u32>,
) -> Url {
    let session = json!({
        "sessionId": credentials.access_key_id,
        "sessionKey": credentials.secret_access_key,
        "sessionToken": credentials.session_token,
    })
    .to_string();
    let duration = duration.map(|seconds| seconds.to_string());
    let mut params = vec![("Action", "getSigninToken")];
    if let Some(seconds) = &duration {
        params.push(("SessionDuration", seconds));
    }
    params.push(("Session", &session));
    endpoint.with_query(params)
}

async fn signin_token(http: &reqwest::Client, signin: &ConsoleSignin<'_>) -> Result<String> {
    let url = signin_token_url(signin.endpoint, signin.credentials, signin.session_duration);
    let host = endpoint_host(signin.endpoint);
    let mut response = http
        .get(url)
        .send()
        .await
        .map_err(|e| unreachable_endpoint(&host, e))?;
    let status = response.status().as_u16();
    let body = read_capped(&mut response)
        .await
        .map_err(|e| unreachable_endpoint(&host, e))?;
    let Some(body) = body else {
        return Err(UserError::new(format!(
            "AWS's federation endpoint ({host}) answered more than {} KiB",
            MAX_ANSWER_BYTES / 1024
        ))
        .hint("check OKTA_AWS_FEDERATION_URL")
        .into());
    };
    if !(200..300).contains(&status) {
        return Err(refusal(&host, status, &body, signin.session_duration.is_some()).into());
    }
    serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|answer| Some(answer.get("SigninToken")?.as_str()?.to_string()))
        .filter(|token| !token.is_empty())
        .ok_or_else(|| {
            UserError::new(format!(
                "AWS's federation endpoint ({host}) answered something that is not a sign-in token"
            ))
            .hint("check OKTA_AWS_FEDERATION_URL")
            .into()
        })
}

/// The body, read up to `MAX_ANSWER_BYTES`; `None` when it is longer.
async fn read_capped(response: &mut reqwest::Response) -> reqwest::Result<Option<Vec<u8>>> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

/// `signin.aws.amazon.com`, `127.0.0.1:8080`: for messages (never the URL, which holds
/// the credentials).
fn endpoint_host(endpoint: &FederationEndpoint) -> String {
    let url = endpoint.url();
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        _ => "?".to_string(),
    }
}

fn unreachable_endpoint(host: &str, error: reqwest::Error) -> anyhow::Error {
    let why = if error.is_timeout() {
        "it did not answer in time".to_string()
    } else {
        root_cause(&error.without_url())
    };
    UserError::new(format!(
        "cannot reach AWS's federation endpoint ({host}): {why}"
    ))
    .hint("check the network connection, or OKTA_AWS_FEDERATION_URL")
    .into()
}

/// AWS's refusal, told with its own words where it gave some (a servlet page titled
/// `HTTP Status 400 - Invalid credentials parameter`).
fn refusal(host: &str, status: u16, body: &[u8], asked_duration: bool) -> UserError {
    let cause = match aws_message(body) {
        Some(message) => {
            format!("AWS's federation endpoint ({host}) refused: {message} (HTTP {status})")
        }
        None => format!("AWS's federation endpoint ({host}) refused the sign-in (HTTP {status})"),
    };
    let hint = match status {
        400 if asked_duration => {
            "the session's credentials may have expired (run okta-aws login --force), or come \
             from a role chain, which cannot ask for a console session length"
        }
        400 => {
            "the session's credentials may have expired or been revoked: run okta-aws login --force"
        }
        _ => "try again later; check OKTA_AWS_FEDERATION_URL if it is set",
    };
    UserError::new(cause).hint(hint)
}

/// The message in AWS's error page's title, as plain printable text (the page is hostile
/// input: no control characters, bounded).
fn aws_message(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let title = text.split_once("<title>")?.1.split_once("</title>")?.0;
    let message = title
        .split_once(" - ")
        .map_or(title, |(_, message)| message);
    let clean: String = message
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    let clean = one_line(&clean);
    (!clean.is_empty()).then_some(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials() -> AwsCredentials {
        AwsCredentials {
            access_key_id: "ASIAFAKEACCESSKEY01".to_string(),
            secret_access_key: "fake/secret+key=".to_string(),
            session_token: "FwoGZXIvYXdzEFAKE//token==".to_string(),
            expires_at: 4_102_444_800,
        }
    }

    #[test]
    fn partitions_by_name_and_their_endpoints() {
        let endpoints: Vec<String> = ["aws", "aws-us-gov", "aws-cn"]
            .iter()
            .map(|name| {
                let partition = Partition::from_name(name).unwrap();
                FederationEndpoint::of(partition).url().to_string()
            })
            .collect();
        assert_eq!(
            endpoints,
            [
                "https://signin.aws.amazon.com/federation",
                "https://signin.amazonaws-us-gov.com/federation",
                "https://signin.amazonaws.cn/federation",
            ]
        );
        let unknown = Partition::from_name("aws-iso\x1b[2J").unwrap_err();
        assert!(unknown.cause.contains("aws-iso"), "{unknown}");
    }

    #[test]
    fn the_configured_endpoint_must_be_aws_or_loopback() {
        let default = FederationEndpoint::configured_or_default(None, Partition::AwsCn).unwrap();
        assert_eq!(default, FederationEndpoint::of(Partition::AwsCn));
        for good in [
            "https://signin.aws.amazon.com/federation",
            "https://us-east-1.signin.aws.amazon.com/federation",
            "https://signin.amazonaws-us-gov.com/federation",
            "http://127.0.0.1:8080/federation",
            "http://localhost:9/fed",
            "http://[::1]:9/federation",
        ] {
            let endpoint = FederationEndpoint::configured_or_default(Some(good), Partition::Aws);
            assert!(endpoint.is_ok(), "{good}");
        }
        for bad in [
            "http://signin.aws.amazon.com/federation",
            "https://signin.aws.amazon.com.evil.example/federation",
            "https://evil.example/federation",
            "https://a.b.signin.aws.amazon.com/federation",
            "https://signin.aws.amazon.com:8443/federation",
            "https://signin.aws.amazon.com/other",
            "https://signin.aws.amazon.com/federation?Action=x",
            "https://user@signin.aws.amazon.com/federation",
            "ftp://127.0.0.1/federation",
            "not a url",
        ] {
            let error = FederationEndpoint::parse(bad).expect_err(bad);
            assert!(error.cause.contains("OKTA_AWS_FEDERATION_URL"), "{error}");
        }
    }

    #[test]
    fn shortcuts_open_the_services_console_in_the_region() {
        let url = |partition, wanted| {
            destination(partition, wanted, "eu-west-1")
                .unwrap()
                .to_string()
        };
        assert_eq!(
            url(Partition::Aws, None),
            "https://console.aws.amazon.com/console/home?region=eu-west-1"
        );
        for service in ["s3", "ec2", "iam", "cloudformation", "lambda", "route53"] {
            assert_eq!(
                url(Partition::Aws, Some(service)),
                format!("https://console.aws.amazon.com/{service}/home?region=eu-west-1")
            );
        }
        assert_eq!(
            url(Partition::Aws, Some("dynamodb")),
            "https://console.aws.amazon.com/dynamodbv2/home?region=eu-west-1"
        );
        assert_eq!(
            url(Partition::Aws, Some("logs")),
            "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups"
        );
        assert_eq!(
            url(Partition::AwsUsGov, Some("ec2")),
            "https://console.amazonaws-us-gov.com/ec2/home?region=eu-west-1"
        );
        assert_eq!(
            url(Partition::AwsCn, Some("s3")),
            "https://console.amazonaws.cn/s3/home?region=eu-west-1"
        );
    }

    #[test]
    fn a_full_destination_must_be_on_the_partitions_console() {
        for good in [
            "https://console.aws.amazon.com/ec2/v2/home?region=us-east-1#Instances:",
            "https://us-west-2.console.aws.amazon.com/lambda/home",
            "https://s3.console.aws.amazon.com/s3/buckets",
        ] {
            assert_eq!(
                destination(Partition::Aws, Some(good), "x")
                    .unwrap()
                    .as_str(),
                good
            );
        }
        for bad in [
            "http://console.aws.amazon.com/ec2/home",
            "https://console.aws.amazon.com.evil.example/",
            "https://evil.example/?https://console.aws.amazon.com/",
            "https://console.amazonaws.cn/s3/home",
            "https://user@console.aws.amazon.com/",
            "javascript://console.aws.amazon.com/%0aalert(1)",
            "S3",
            "../etc",
            "s3/home",
            "-x",
            "",
        ] {
            let error = destination(Partition::Aws, Some(bad), "us-east-1").expect_err(bad);
            assert!(
                error.cause.starts_with("not a console destination"),
                "{error}"
            );
            assert!(
                error
                    .hint
                    .as_deref()
                    .unwrap()
                    .contains("console.aws.amazon.com")
            );
        }
    }

    #[test]
    fn session_duration_is_left_out_for_a_role_chain_and_kept_within_awss_range() {
        assert_eq!(session_duration(true, Duration::from_secs(3000)), None);
        assert_eq!(
            session_duration(false, Duration::from_secs(3000)),
            Some(3000)
        );
        assert_eq!(session_duration(false, Duration::from_secs(60)), Some(900));
        assert_eq!(
            session_duration(false, Duration::from_secs(100_000)),
            Some(43_200)
        );
    }

    #[test]
    fn the_token_request_carries_the_session_as_json() {
        let endpoint = FederationEndpoint::of(Partition::Aws);
        let url = signin_token_url(&endpoint, &credentials(), Some(3600));
        let params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(params[0], ("Action".into(), "getSigninToken".into()));
        assert_eq!(params[1], ("SessionDuration".into(), "3600".into()));
        let session: Value = serde_json::from_str(&params[2].1).unwrap();
        assert_eq!(
            session,
            json!({
                "sessionId": "ASIAFAKEACCESSKEY01",
                "sessionKey": "fake/secret+key=",
                "sessionToken": "FwoGZXIvYXdzEFAKE//token==",
            })
        );
        let chained = signin_token_url(&endpoint, &credentials(), None);
        assert!(
            !chained
                .query_pairs()
                .any(|(key, _)| key == "SessionDuration")
        );
    }

    #[test]
    fn the_login_url_names_the_issuer_destination_and_token() {
        let endpoint = FederationEndpoint::of(Partition::AwsUsGov);
        let destination =
            Url::parse("https://console.amazonaws-us-gov.com/s3/home?region=us-gov-west-1#a&b")
                .unwrap();
        let url = login_url(&endpoint, &destination, "tok+en/=");
        assert_eq!(url.host_str(), Some("signin.amazonaws-us-gov.com"));
        let params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let expected: Vec<(String, String)> = [
            ("Action", "login"),
            ("Issuer", "okta-aws"),
            ("Destination", destination.as_str()),
            ("SigninToken", "tok+en/="),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(params, expected);
        assert_eq!(
            url.fragment(),
            None,
            "the destination's fragment stays inside it"
        );
    }

    #[test]
    fn awss_message_is_read_from_its_error_page_as_plain_text() {
        let page = b"<html><head><title>HTTP Status 400 - Invalid credentials parameter\x1b[31m\
                     </title></head></html>";
        assert_eq!(
            aws_message(page).as_deref(),
            Some("Invalid credentials parameter[31m")
        );
        assert_eq!(aws_message(b"<html>no title</html>"), None);
        let huge = format!("<title>{}</title>", "x".repeat(10_000));
        assert_eq!(aws_message(huge.as_bytes()).unwrap().len(), 120);
    }

    mod against_the_fake {
        use std::io::{Read, Write};
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};

        use super::*;
        use fake_okta::{Blackhole, FakeOkta, Scenario};

        fn runtime() -> tokio::runtime::Runtime {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
        }

        fn signin_with(
            http: &reqwest::Client,
            endpoint: &str,
            session_duration: Option<u32>,
        ) -> Result<Url> {
            let endpoint = FederationEndpoint::parse(endpoint).unwrap();
            let destination = destination(Partition::Aws, Some("s3"), "eu-west-1").unwrap();
            let credentials = credentials();
            let signin = ConsoleSignin {
                endpoint: &endpoint,
                credentials: &credentials,
                session_duration,
                destination: &destination,
            };
            runtime().block_on(signin_url_with(http, &signin))
        }

        fn signin_against(endpoint: &str, session_duration: Option<u32>) -> Result<Url> {
            let http = federation_client(CONNECT_TIMEOUT, REQUEST_TIMEOUT).unwrap();
            signin_with(&http, endpoint, session_duration)
        }

        /// What a browser gets for `url`.
        fn browse(url: &Url) -> (u16, String) {
            runtime().block_on(async {
                let answer = reqwest::get(url.clone()).await.unwrap();
                (answer.status().as_u16(), answer.text().await.unwrap())
            })
        }

        fn user_error(error: &anyhow::Error) -> &UserError {
            error.downcast_ref::<UserError>().expect("a UserError")
        }

        /// Nothing secret in a message: no credentials, no URL with them.
        fn assert_no_secrets(error: &UserError) {
            let text = format!("{} {}", error.cause, error.hint.as_deref().unwrap_or(""));
            for secret in ["fake/secret", "FwoGZXIvYXdzEFAKE", "ASIAFAKE", "Session="] {
                assert!(!text.contains(secret), "{text}");
            }
        }

        #[test]
        fn a_sign_in_url_that_the_endpoint_accepts() {
            let okta = FakeOkta::start(Scenario::default());
            let url = signin_against(&okta.federation_url(), Some(43_200)).unwrap();

            let requests = okta.federation_requests();
            assert_eq!(requests.len(), 1);
            let token_request = &requests[0];
            assert_eq!(token_request.status, 200);
            assert_eq!(token_request.param("Action"), Some("getSigninToken"));
            assert_eq!(token_request.param("SessionDuration"), Some("43200"));
            let session: Value =
                serde_json::from_str(token_request.param("Session").unwrap()).unwrap();
            assert_eq!(session["sessionKey"], "fake/secret+key=");

            // The login URL works at the endpoint, as a browser would use it.
            let (status, page) = browse(&url);
            assert_eq!(status, 200, "{page}");
            assert!(page.contains("https://console.aws.amazon.com/s3/home?region=eu-west-1"));
            let login = &okta.federation_requests()[1];
            assert_eq!(login.param("Action"), Some("login"));
            assert_eq!(login.param("Issuer"), Some("okta-aws"));
            assert_eq!(login.status, 200);
        }

        #[test]
        fn a_role_chain_asks_for_no_session_duration() {
            let okta = FakeOkta::start(Scenario::default());
            signin_against(&okta.federation_url(), None).unwrap();
            let requests = okta.federation_requests();
            assert_eq!(requests[0].param("SessionDuration"), None);
            assert_eq!(requests[0].status, 200);
        }

        #[test]
        fn refused_credentials_are_a_user_error_with_awss_words_and_a_hint() {
            let okta = FakeOkta::start(Scenario {
                federation_refuses_credentials: true,
                ..Scenario::default()
            });
            let with_duration = signin_against(&okta.federation_url(), Some(3600)).unwrap_err();
            let error = user_error(&with_duration);
            assert!(
                error
                    .cause
                    .contains("Invalid credentials parameter (HTTP 400)"),
                "{error}"
            );
            assert!(error.hint.as_deref().unwrap().contains("role chain"));
            assert_no_secrets(error);

            let without = signin_against(&okta.federation_url(), None).unwrap_err();
            let error = user_error(&without);
            assert!(
                error.hint.as_deref().unwrap().contains("login --force"),
                "{error:?}"
            );
            assert_no_secrets(error);
        }

        #[test]
        fn a_stuck_endpoint_ends_at_the_deadline() {
            let blackhole = Blackhole::start();
            let http =
                federation_client(Duration::from_millis(500), Duration::from_millis(300)).unwrap();
            let error =
                signin_with(&http, &format!("{}/federation", blackhole.url()), None).unwrap_err();
            let error = user_error(&error);
            assert!(error.cause.contains("did not answer in time"), "{error}");
            assert_no_secrets(error);
        }

        /// A one-answer-fits-all HTTP server on loopback; counts the requests it gets.
        fn canned_server(answer: Vec<u8>) -> (String, Arc<AtomicUsize>) {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let url = format!("http://{}/federation", listener.local_addr().unwrap());
            let count = Arc::new(AtomicUsize::new(0));
            let counter = count.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(mut stream) = stream else { continue };
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                        head.push(byte[0]);
                    }
                    counter.fetch_add(1, Ordering::SeqCst);
                    let _ = stream.write_all(&answer);
                }
            });
            (url, count)
        }

        #[test]
        fn a_huge_answer_is_refused() {
            let mut answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{\"SigninToken\":\"".to_vec();
            answer.extend(std::iter::repeat_n(b'x', 2 * MAX_ANSWER_BYTES));
            answer.extend(b"\"}");
            let (url, _) = canned_server(answer);
            let error = signin_against(&url, None).unwrap_err();
            assert!(
                user_error(&error).cause.contains("more than 64 KiB"),
                "{error}"
            );
        }

        #[test]
        fn a_redirect_is_not_followed() {
            let listener_url = {
                // The redirect points back at the same server: a followed one would count twice.
                let answer = b"HTTP/1.1 302 Found\r\nLocation: /federation?again=1\r\n\
                               Content-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_vec();
                canned_server(answer)
            };
            let (url, count) = listener_url;
            let error = signin_against(&url, None).unwrap_err();
            let error = user_error(&error);
            assert!(error.cause.contains("HTTP 302"), "{error}");
            assert_eq!(count.load(Ordering::SeqCst), 1);
        }

        #[test]
        fn an_answer_without_a_token_is_a_user_error() {
            let answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                           Content-Length: 2\r\nConnection: close\r\n\r\n{}"
                .to_vec();
            let (url, _) = canned_server(answer);
            let error = signin_against(&url, None).unwrap_err();
            assert!(
                user_error(&error).cause.contains("not a sign-in token"),
                "{error}"
            );
        }
    }
}
