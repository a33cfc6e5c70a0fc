//! Account names from AWS's SAML sign-in page. The assertion carries only account ids; the
//! page the Okta form would post it to shows each account's alias. We post it there
//! ourselves (best effort: any failure just leaves ids) and keep the names for a day, so
//! menus, `roles`, `status` and completion show them without network.
//!
//! Two page shapes are read:
//! - the older role picker: `div.saml-account-name` = "Account: ALIAS (123456789012)", or
//!   "Account: 123456789012" when the account has no alias;
//! - the newer Next.js page, whose data is JSON in a `<script>` (`__NEXT_DATA__`, type
//!   `application/json`). Its key names are not documented, so the JSON is walked for any
//!   object holding a 12-digit id under a key like `accountId` and a name under a key like
//!   `accountName`/`accountAlias`/`alias`/`name` (a name equal to the id is no alias; see
//!   `account_of` for the details).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use scraper::{Html, Selector};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use anyhow::{Context, Result};

use crate::store::cache_dir::Versioned;

/// How long fetched names are trusted before the next login asks again.
pub const FRESH_FOR_SECS: u64 = 24 * 3600;
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Account id → alias, from the page's HTML. Never fails: an unknown page gives nothing.
pub fn parse_account_names(html: &str) -> HashMap<String, String> {
    let document = Html::parse_document(html);
    let mut names = from_role_picker(&document);
    names.extend(from_embedded_json(&document));
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

/// "Account: acme-prod (123456789012)" → ("123456789012", "acme-prod").
fn parse_account_label(text: &str) -> Option<(String, String)> {
    let rest = text.strip_prefix("Account:").unwrap_or(text).trim();
    let (name, id) = rest.strip_suffix(')')?.rsplit_once('(')?;
    let (name, id) = (name.trim(), id.trim());
    (is_account_id(id) && !name.is_empty()).then(|| (id.to_string(), name.to_string()))
}

fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

fn from_embedded_json(document: &Html) -> HashMap<String, String> {
    let selector = Selector::parse(r#"script#__NEXT_DATA__, script[type="application/json"]"#)
        .expect("valid selector");
    let mut names = HashMap::new();
    for script in document.select(&selector) {
        let text: String = script.text().collect();
        if let Ok(json) = serde_json::from_str::<Value>(&text) {
            collect_accounts(&json, &mut names);
        }
    }
    names
}

fn collect_accounts(value: &Value, names: &mut HashMap<String, String>) {
    match value {
        Value::Object(map) => {
            if let Some((id, name)) = account_of(map) {
                names.insert(id.to_string(), name.to_string());
            }
            map.values().for_each(|v| collect_accounts(v, names));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_accounts(v, names)),
        _ => {}
    }
}

/// Keys that name an account, best first: an explicit account name or alias beats a bare
/// `alias`, which beats a bare `name`.
const NAME_KEYS: [&[&str]; 3] = [
    &[
        "accountname",
        "account_name",
        "accountalias",
        "account_alias",
    ],
    &["alias"],
    &["name"],
];

/// The heuristic for the undocumented JSON: an object is an account when it has a string
/// key containing both "account" and "id" (any case: `accountId`, `account_id`,
/// `AccountId`) whose value is a 12-digit id, and a non-empty name under one of
/// `NAME_KEYS` (any case) other than the id itself (pages show the id where there is no
/// alias). A bare `name` or `alias` in an object that also holds an ARN is taken for a
/// role's (`{"accountId", "roleArn", "name"}`), not the account's.
fn account_of(map: &serde_json::Map<String, Value>) -> Option<(&str, &str)> {
    let strings = || {
        map.iter()
            .filter_map(|(k, v)| Some((k.to_ascii_lowercase(), v.as_str()?.trim())))
    };
    let (_, id) =
        strings().find(|(k, v)| k.contains("account") && k.contains("id") && is_account_id(v))?;
    let holds_arn = strings().any(|(_, v)| v.starts_with("arn:"));
    let (rank, name) = NAME_KEYS.iter().enumerate().find_map(|(rank, keys)| {
        let (_, name) =
            strings().find(|(k, v)| keys.contains(&k.as_str()) && !v.is_empty() && *v != id)?;
        Some((rank, name))
    })?;
    (rank == 0 || !holds_arn).then_some((id, name))
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

fn is_aws_signin_host(host: &str) -> bool {
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
    reqwest::Client::builder()
        .user_agent(concat!("okta-aws/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(FETCH_TIMEOUT)
        .timeout(FETCH_TIMEOUT)
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
        .timeout(FETCH_TIMEOUT)
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
    let body = response.text().await.map_err(|e| e.without_url())?;
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

    #[test]
    fn embedded_json_is_walked_for_accounts() {
        let page = r#"<html><body><div id="__next"></div><script id="__NEXT_DATA__" type="application/json">
            {"props":{"pageProps":{"accounts":[
              {"accountId":"111111111111","accountName":"acme-dev","roles":[{"roleArn":"arn:aws:iam::111111111111:role/A"}]},
              {"accountId":"222222222222","accountName":"222222222222"},
              {"account_id":"333333333333","alias":"ops"},
              {"accountId":"12345","accountName":"too short"}]}}}</script></body></html>"#;
        let names = parse_account_names(page);
        assert_eq!(names.len(), 2, "{names:?}");
        assert_eq!(names["111111111111"], "acme-dev");
        assert_eq!(names["333333333333"], "ops");
    }

    #[test]
    fn embedded_json_with_escapes_other_keys_and_roles_named_like_accounts() {
        // Next.js escapes `<`, `>` and `&` in its data as \u003c…; a role object that
        // carries its account's id and a `name` must not rename the account.
        let page = r#"<script type="application/json">{"data":{"list":[
              {"AccountId":"444444444444","name":"R\u0026D \u003cshared\u003e","accountAlias":"rnd"},
              {"Account_ID":"555555555555","Name":"plain"},
              {"accountId":"666666666666","roleArn":"arn:aws:iam::666666666666:role/Admin","name":"Admin"},
              {"accountId":"777777777777","roleArn":"arn:aws:iam::777777777777:role/Ops","accountName":"ops"},
              {"accountId":"888888888888","accountName":"  "}]}}</script>
            <script>window.x = {"accountId":"999999999999","accountName":"not data"}</script>"#;
        let names = parse_account_names(page);
        assert_eq!(names.get("444444444444").map(String::as_str), Some("rnd"));
        assert_eq!(names.get("555555555555").map(String::as_str), Some("plain"));
        assert_eq!(names.get("777777777777").map(String::as_str), Some("ops"));
        assert_eq!(names.len(), 3, "{names:?}");

        let escaped = r#"<script id="__NEXT_DATA__" type="application/json">{"props":{"accounts":[{"accountId":"444444444444","accountName":"R\u0026D"}]}}</script>"#;
        assert_eq!(parse_account_names(escaped)["444444444444"], "R&D");
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
