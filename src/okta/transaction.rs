//! Okta's Classic authentication transaction: its JSON (state, tokens, `_links`, the
//! factors in `_embedded`), and `AuthnApi`, the transaction's side of one login — posts that
//! wait out short rate-limit windows, and `cancel` when the user gives up half way.
//!
//! Okta's docs say never to hard-code URLs but follow `_links`; we do, and refuse a link that
//! leaves the org (a state token must never travel to another host).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Result;
use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

use super::client::{Answer, ApiError, OktaClient};
use crate::error::UserError;
use crate::prompt::Prompter;

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

/// The authentication API as one login uses it: the org's client, and the user to tell.
pub struct AuthnApi<'a> {
    pub client: &'a OktaClient,
    pub prompter: &'a dyn Prompter,
}

impl AuthnApi<'_> {
    /// POST to the authentication API; waits out short rate-limit windows.
    pub async fn post(&self, url: Url, body: &Value) -> Result<Transaction> {
        let mut attempt = 0;
        loop {
            let error = match self.client.post_json(url.clone(), body).await {
                Ok(answer) => return read_transaction(answer.status, &answer.body),
                Err(error) => error,
            };
            let wait = match ApiError::of(&error) {
                Some(api) if api.status == 429 && attempt < MAX_RATE_LIMIT_RETRIES => {
                    rate_limit_wait(api.reset_at)
                }
                _ => return Err(error),
            };
            if wait > MAX_RATE_LIMIT_WAIT {
                return Err(error);
            }
            attempt += 1;
            self.prompter.say(&format!(
                "Okta's rate limit was reached; retrying in {} s",
                wait.as_secs().max(1)
            ));
            tokio::time::sleep(wait).await;
        }
    }

    /// POST `{stateToken}` to the transaction's link `name`; `None` when it has no such
    /// link or no state token.
    pub async fn follow(
        &self,
        transaction: &Transaction,
        name: &str,
    ) -> Option<Result<Transaction>> {
        let (link, state_token) = (transaction.link(name)?, transaction.state_token.as_ref()?);
        let url = match self.client.checked_link(&link.href) {
            Ok(url) => url,
            Err(e) => return Some(Err(e)),
        };
        Some(self.post(url, &json!({"stateToken": state_token})).await)
    }

    /// `POST _links.cancel`: best effort, when the user gives up half way.
    pub async fn cancel(&self, transaction: &Transaction) {
        let _ = self.follow(transaction, "cancel").await;
    }
}

/// An answer of the authentication API, by HTTP status: a transaction (2xx) or Okta's error
/// object (anything else, as an error `ApiError::of` finds; a body that is not one still
/// names the status). `reset_at` is the `X-Rate-Limit-Reset` header. Public for the tests
/// that run it over recorded answers of the real Okta.
pub fn decode_answer(status: u16, reset_at: Option<u64>, body: &str) -> Result<Transaction> {
    let answer = Answer {
        status,
        landed_on: String::new(),
        rate_limit_reset: reset_at,
        body: body.to_string(),
    };
    if !answer.is_success() {
        return Err(ApiError::from_answer(&answer).into_error());
    }
    read_transaction(status, body)
}

fn read_transaction(status: u16, body: &str) -> Result<Transaction> {
    serde_json::from_str(body).map_err(|_| {
        UserError::new(format!(
            "Okta answered HTTP {status} with something that is not an authentication transaction"
        ))
        .hint("check that OKTA_ORG is your Okta org")
        .into()
    })
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
