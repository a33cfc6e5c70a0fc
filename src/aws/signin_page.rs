//! Account names from AWS's SAML sign-in page. The assertion carries only account ids; the
//! page the Okta form would post it to shows each account's alias. We post it there
//! ourselves (best effort: any failure just leaves ids) and keep the names for a day, so
//! menus, `roles`, `status` and completion show them without network.
//!
//! Two page shapes are read, both as recorded from the real AWS (see
//! `tests/fixtures/recorded/aws-signin/`):
//! - the current page (since 2023, built with Next.js): its data is base64 JSON in
//!   `<meta name="data" content="…">`, whose `roles_accounts` maps `"alias (123456789012)"`,
//!   or the bare id for an account without alias, to the account's role ARNs. The page's
//!   `__NEXT_DATA__` script is there too, but its `pageProps` is empty;
//! - the older role picker: `div.saml-account-name` = "Account: ALIAS (123456789012)", or
//!   "Account: 123456789012" when the account has no alias.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use base64::Engine;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use scraper::{Html, Selector};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use anyhow::{Context, Result};

use crate::server_text::clean;
use crate::store::cache_dir::Versioned;

/// How long fetched names are trusted before the next login asks again.
pub const FRESH_FOR_SECS: u64 = 24 * 3600;
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Account id → alias, from the page's HTML. Never fails: an unknown page gives nothing.
pub fn parse_account_names(html: &str) -> HashMap<String, String> {
    let document = Html::parse_document(html);
    let mut names = from_role_picker(&document);
    names.extend(from_page_data(&document));
    names
}

fn from_role_picker(document: &Html) -> HashMap<String, String> {
    let selector = Selector::parse(".saml-account-name").expect("valid selector");
    document
        .select(&selector)
        .filter_map(|label| {
            let text: String = label.text().collect();
            parse_account_label(text.trim())
        })
        .collect()
}

/// "Account: acme-prod (123456789012)" (the picker) or "acme-prod (123456789012)" (a
/// `roles_accounts` key) → ("123456789012", "acme-prod"). A bare id gives nothing: no alias.
fn parse_account_label(text: &str) -> Option<(String, String)> {
    let rest = text.strip_prefix("Account:").unwrap_or(text).trim();
    let (name, id) = rest.strip_suffix(')')?.rsplit_once('(')?;
    // An alias is shown in menus and `status`: no escapes (server_text).
    let (name, id) = (clean(name), id.trim());
    let name = name.trim();
    (is_account_id(id) && !name.is_empty()).then(|| (id.to_string(), name.to_string()))
}

fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The current page's `<meta name="data">`: the names are the keys of `roles_accounts`.
fn from_page_data(document: &Html) -> HashMap<String, String> {
    let selector = Selector::parse(r#"meta[name="data"]"#).expect("valid selector");
    document
        .select(&selector)
        .filter_map(|meta| decode_page_data(meta.value().attr("content")?))
        .flat_map(|data| {
            data.get("roles_accounts")
                .and_then(Value::as_object)
                .map(|accounts| {
                    accounts
                        .keys()
                        .filter_map(|key| parse_account_label(key.trim()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
        .collect()
}

/// Base64 decoding that takes what a page may plausibly carry: standard or URL-safe
/// alphabet, with or without padding, wrapped over lines. (The `base64` crate's stock
/// engines each accept one of these only.)
const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// The meta's content as JSON: base64 of JSON as AWS sends it, or JSON as is.
fn decode_page_data(content: &str) -> Option<Value> {
    let content = content.trim();
    if content.starts_with('{') {
        return serde_json::from_str(content).ok();
    }
    let compact: String = content
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let engine = if compact.contains(['-', '_']) {
        &URL_SAFE_LENIENT
    } else {
        &STANDARD_LENIENT
    };
    let json = engine.decode(compact).ok()?;
    serde_json::from_slice(&json).ok()
}

/// AWS's sign-in hosts: one per partition, each also with a region label in front
/// (`us-east-2.signin.aws.amazon.com`).
const AWS_SIGNIN_HOSTS: [&str; 3] = [
    "signin.aws.amazon.com",
    "signin.amazonaws.cn",
    "signin.amazonaws-us-gov.com",
];

/// The sign-in page we may post an assertion to: AWS's, in any partition, or a plain-HTTP
/// loopback test server. Anything else gets no assertion from us, whatever the Okta page's
/// form says: the assertion is a credential.
pub fn allowed_action(action: &str) -> Option<Url> {
    let url = Url::parse(action).ok()?;
    let ok = match url.scheme() {
        "https" => {
            is_aws_signin_host(url.host_str()?) && url.port().is_none() && url.path() == "/saml"
        }
        "http" => crate::net::is_loopback(&url),
        _ => false,
    };
    ok.then_some(url)
}

/// An AWS sign-in host of any partition, or a regional one
/// (`us-east-1.signin.aws.amazon.com`): where the SAML page and the federation endpoint live.
pub(crate) fn is_aws_signin_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    AWS_SIGNIN_HOSTS.iter().any(|base| {
        host == *base
            || host
                .strip_suffix(base)
                .and_then(|h| h.strip_suffix('.'))
                .is_some_and(is_region_label)
    })
}

/// One DNS label such as `us-gov-west-1`: a deeper name under AWS's domain is not a
/// sign-in page.
fn is_region_label(label: &str) -> bool {
    !label.is_empty()
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// An HTTP client for the sign-in page: no redirects (AWS answers a single-role account
/// with a 302 into the console, which would sign a console session in for nothing), no
/// cookies, a short timeout.
pub fn signin_client() -> Result<reqwest::Client> {
    let deadline = crate::net::config().timeout.min(FETCH_TIMEOUT);
    crate::net::http_client()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(deadline)
        .timeout(deadline)
        .build()
        .context("cannot set up the HTTP client for AWS's sign-in page")
}

/// POST the assertion to the sign-in page (`action`, from `allowed_action`) and read the
/// names. A redirect means a single-role account (no picker): no names. Errors are for
/// `-v` only. Pass `signin_client()`: a client that follows redirects still gets the right
/// answer, but only after visiting the console.
pub async fn fetch_account_names(
    http: &reqwest::Client,
    action: &Url,
    saml_response_b64: &str,
) -> Result<HashMap<String, String>> {
    // AWS's form carries RelayState too; Okta's AWS app leaves it empty.
    let response = http
        .post(action.clone())
        .form(&[("SAMLResponse", saml_response_b64), ("RelayState", "")])
        .send()
        .await
        .map_err(|e| anyhow::anyhow!(crate::error::root_cause(&e.without_url())))?;
    let status = response.status();
    if status.is_redirection() || response.url() != action {
        return Ok(HashMap::new());
    }
    if !status.is_success() {
        anyhow::bail!("the AWS sign-in page answered HTTP {}", status.as_u16());
    }
    let body = match crate::net::read_capped(response).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(crate::net::ReadError::TooBig) => anyhow::bail!(crate::net::BodyTooBig),
        Err(crate::net::ReadError::Network(e)) => anyhow::bail!(e.without_url()),
    };
    Ok(parse_account_names(&body))
}

/// Known account names (cached by the store).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccountNames {
    pub version: u32,
    pub fetched_at: u64,
    pub names: BTreeMap<String, String>,
}

impl Versioned for AccountNames {
    fn version(&self) -> u32 {
        self.version
    }
}

impl AccountNames {
    /// Fetched less than `FRESH_FOR_SECS` before `now`.
    pub fn is_fresh(&self, now: u64) -> bool {
        now.saturating_sub(self.fetched_at) < FRESH_FOR_SECS
    }
}

/// `alias (123456789012)`, or the bare id when no name is known.
pub fn label(names: &BTreeMap<String, String>, account_id: &str) -> String {
    match names.get(account_id) {
        Some(name) => format!("{name} ({account_id})"),
        None => account_id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE_PICKER: &str = r#"<html><body><form id="saml_form"><fieldset>
        <div class="saml-account"><div onClick="expandCollapse(0);">
          <div class="saml-account-name">Account: acme &amp; co-prod (111111111111)</div></div>
          <div class="saml-account"><div class="saml-role"><input type="radio" name="roleIndex" class="saml-radio" id="arn:aws:iam::111111111111:role/Admin" value="arn:aws:iam::111111111111:role/Admin"/>
          <label for="arn:aws:iam::111111111111:role/Admin" class="saml-role-description">Admin</label></div></div></div>
        <div class="saml-account"><div class="saml-account-name">Account: 222222222222</div></div>
        <div class="saml-account"><div class="saml-account-name">Account: dev (team) (333333333333)</div></div>
        </fieldset></form></body></html>"#;

    #[test]
    fn the_role_picker_gives_aliases_and_skips_bare_ids() {
        let names = parse_account_names(ROLE_PICKER);
        assert_eq!(
            names.get("111111111111").map(String::as_str),
            Some("acme & co-prod")
        );
        assert_eq!(
            names.get("333333333333").map(String::as_str),
            Some("dev (team)")
        );
        assert!(!names.contains_key("222222222222"));
    }

    fn meta_page(content: &str) -> String {
        format!(
            r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
            <meta name="data"
              content="{content}">
            <title>Amazon Web Services Sign-In</title></head><body><div id="__next"></div>
            <script id="__NEXT_DATA__" type="application/json">{{"props":{{"pageProps":{{}}}},"page":"/saml"}}</script>
            </body></html>"#
        )
    }

    const ROLES_ACCOUNTS: &str = r#"{"invalid_accounts":{},"RelayState":"","name":null,
        "roles_accounts":{
          "acme-dev (111111111111)":["arn:aws:iam::111111111111:role/A"],
          "222222222222":["arn:aws:iam::222222222222:role/B"],
          "dev (team) (333333333333)":["arn:aws:iam::333333333333:role/C"],
          "R&D <shared> (444444444444)":["arn:aws:iam::444444444444:role/D"],
          "too short (12345)":["arn:aws:iam::12345:role/E"]},
        "foreign_accounts":{},"region":"IAD","portal":null,"problems":"{}","policy":null}"#;

    fn assert_roles_accounts_names(names: &HashMap<String, String>) {
        assert_eq!(names.len(), 3, "{names:?}");
        assert_eq!(names["111111111111"], "acme-dev");
        assert_eq!(names["333333333333"], "dev (team)");
        assert_eq!(names["444444444444"], "R&D <shared>");
    }

    #[test]
    fn the_meta_data_page_gives_aliases_and_skips_bare_ids() {
        let content = base64::engine::general_purpose::STANDARD.encode(ROLES_ACCOUNTS);
        assert_roles_accounts_names(&parse_account_names(&meta_page(&content)));
    }

    #[test]
    fn meta_data_is_read_whatever_its_base64_dialect() {
        use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
        // A JSON whose base64 holds `+`/`/` (or `-`/`_`) and needs padding.
        let mut json = ROLES_ACCOUNTS.replace("\"name\":null", "\"name\":\"þÿ>?~\"");
        while !STANDARD.encode(&json).ends_with('=') {
            json.push(' ');
        }
        let standard = STANDARD.encode(&json);
        assert!(
            standard.contains(['+', '/']) && standard.ends_with('='),
            "{standard}"
        );
        let wrapped: String = standard
            .as_bytes()
            .chunks(64)
            .map(|line| format!("{}\n", String::from_utf8_lossy(line)))
            .collect();
        for content in [
            standard.clone(),
            standard.trim_end_matches('=').to_string(),
            URL_SAFE.encode(&json),
            URL_SAFE_NO_PAD.encode(&json),
            wrapped,
            // An HTML parser decodes entities in attributes, as Okta-style escaping needs.
            standard.replace('+', "&#x2b;").replace('=', "&#x3d;"),
            // Plain JSON in the attribute, HTML-escaped.
            json.replace('&', "&amp;")
                .replace('"', "&quot;")
                .replace('<', "&lt;"),
        ] {
            assert_roles_accounts_names(&parse_account_names(&meta_page(&content)));
        }
    }

    #[test]
    fn broken_meta_data_gives_nothing() {
        use base64::engine::general_purpose::STANDARD;
        for content in [
            String::new(),
            "!!!not base64".to_string(),
            STANDARD.encode("{not json"),
            STANDARD.encode(r#"{"roles_accounts":["111111111111 (111111111111)"]}"#),
            STANDARD.encode(r#"{"roles_accounts":{"":[]," (111111111111)":[]}}"#),
            STANDARD.encode("[".repeat(10_000)),
            STANDARD.encode([0xff, 0xfe, 0x00]),
        ] {
            assert!(
                parse_account_names(&meta_page(&content)).is_empty(),
                "{content}"
            );
        }
        assert!(parse_account_names(r#"<meta name="data">"#).is_empty());
    }

    #[test]
    fn unrelated_or_broken_pages_give_nothing() {
        assert!(parse_account_names("<html><body>We encountered an internal error").is_empty());
        assert!(
            parse_account_names("<script type=\"application/json\">{not json</script>").is_empty()
        );
        assert!(parse_account_names("").is_empty());
        assert!(
            parse_account_names("<div class=\"saml-account-name\">Account: (12)</div>").is_empty()
        );
        let deep = "[".repeat(100_000);
        assert!(
            parse_account_names(&format!(
                "<script type=\"application/json\">{deep}</script>"
            ))
            .is_empty()
        );
        assert!(parse_account_names("\u{0}<<<>>>&&&;\u{fffd}").is_empty());
    }

    #[test]
    fn assertions_go_only_to_aws_sign_in_pages() {
        for ok in [
            "https://signin.aws.amazon.com/saml",
            "https://us-east-2.signin.aws.amazon.com/saml",
            "https://signin.amazonaws.cn/saml",
            "https://signin.amazonaws-us-gov.com/saml",
            "https://SignIn.AWS.Amazon.com/saml",
            "https://cn-north-1.signin.amazonaws.cn/saml",
            "https://us-gov-west-1.signin.amazonaws-us-gov.com/saml",
            "http://127.0.0.1:8080/aws/saml",
            "http://[::1]:8080/aws/saml",
            "http://localhost:8080/aws/saml",
        ] {
            assert!(allowed_action(ok).is_some(), "{ok}");
        }
        for refused in [
            "https://signin.aws.amazon.com.evil.example/saml",
            "http://signin.aws.amazon.com/saml",
            "https://evil.example/saml",
            "https://signin.aws.amazon.com/other",
            "https://evil.example/us-east-1.signin.aws.amazon.com/saml",
            "https://a.b.signin.aws.amazon.com/saml",
            "https://evil_.signin.aws.amazon.com/saml",
            "https://signin.aws.amazon.com:8443/saml",
            "https://127.0.0.1/saml",
            "http://10.0.0.1/saml",
            "ftp://signin.aws.amazon.com/saml",
            "/saml",
            "",
            "not a url",
        ] {
            assert!(allowed_action(refused).is_none(), "{refused}");
        }
    }
}
