//! Okta Identity Engine sign-in, for orgs that do not offer the Classic authentication API:
//! the OAuth device authorization grant (RFC 8628), then the exchange of its tokens for a
//! web SSO token, which `/login/token/sso` trades for an Okta session and the AWS app's SAML
//! page — the flow of Okta's own okta-aws-cli. Used when `OKTA_OIDC_CLIENT_ID` names the
//! org's native OIDC app (Device Authorization grant, `okta.apps.sso` scope).
//!
//! The user signs in (password, MFA, FastPass…) in a browser, at the URL we print: nothing
//! secret is typed into this tool.

use std::time::Duration;

use anyhow::{Context, Result};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use url::Url;

use super::client::OktaClient;
use super::saml_page::{self, SamlForm};
use crate::error::{Interrupted, UserError, fail};
use crate::prompt::{Prompter, Waited};
use crate::settings::keys::{OKTA_AWS_APP_URL, OKTA_OIDC_CLIENT_ID};

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const WEB_SSO_TOKEN: &str = "urn:okta:oauth:token-type:web_sso_token";
const SCOPES: &str = "openid okta.apps.sso";
/// RFC 8628 §3.5: on `slow_down`, poll 5 seconds less often from then on.
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

/// RFC 8628 §3.2.
#[derive(Debug, Deserialize)]
struct DeviceAuthorization {
    device_code: String,
    user_code: String,
    verification_uri: String,
    verification_uri_complete: Option<String>,
    expires_in: u64,
    /// Seconds between polls; 5 when absent (RFC 8628).
    interval: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct Tokens {
    access_token: String,
    id_token: Option<String>,
}

/// OAuth's error answer (RFC 6749 §5.2): the poll branches on its code.
#[derive(Debug, Deserialize)]
struct OAuthError {
    error: String,
    #[serde(default)]
    error_description: String,
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OAuth error {}: {}", self.error, self.error_description)
    }
}

impl std::error::Error for OAuthError {}

/// What the token endpoint said to one poll.
enum Poll {
    Granted(Tokens),
    Pending,
    SlowDown,
}

/// Sign in through the browser and return the AWS app's SAML form.
pub async fn saml_form(
    client: &OktaClient,
    prompter: &dyn Prompter,
    client_id: &str,
    app_url: &Url,
) -> Result<SamlForm> {
    let app_id = federation_app_id(app_url)?;
    let device: DeviceAuthorization = post_form(
        client,
        "oauth2/v1/device/authorize",
        &[("client_id", client_id), ("scope", SCOPES)],
    )
    .await
    .map_err(|e| explained(e, client_id))?;
    announce(prompter, &device);
    let tokens = wait_for_approval(client, prompter, client_id, &device).await?;
    let web_sso_token = exchange(client, client_id, &tokens, &app_id).await?;
    let mut url = client.url("login/token/sso");
    url.query_pairs_mut().append_pair("token", &web_sso_token);
    saml_page::fetch(client, url).await?.into_form()
}

/// Exchange the device flow's tokens for a web SSO token for the AWS app `app_id`.
async fn exchange(
    client: &OktaClient,
    client_id: &str,
    tokens: &Tokens,
    app_id: &str,
) -> Result<String> {
    let id_token = tokens.id_token.as_deref().ok_or_else(|| {
        UserError::new("Okta granted no ID token to the device sign-in").hint(format!(
            "the OIDC app of {OKTA_OIDC_CLIENT_ID} needs the openid scope"
        ))
    })?;
    let audience = format!("urn:okta:apps:{app_id}");
    let exchanged: Tokens = post_form(
        client,
        "oauth2/v1/token",
        &[
            ("client_id", client_id),
            ("grant_type", TOKEN_EXCHANGE),
            ("actor_token", &tokens.access_token),
            (
                "actor_token_type",
                "urn:ietf:params:oauth:token-type:access_token",
            ),
            ("subject_token", id_token),
            (
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:id_token",
            ),
            ("requested_token_type", WEB_SSO_TOKEN),
            ("audience", &audience),
        ],
    )
    .await
    .map_err(|e| explained(e, client_id))?;
    Ok(exchanged.access_token)
}

/// The AWS federation app's id: the segment after `amazon_aws` in the embed link
/// (`https://ORG/home/amazon_aws/0oa…/272`), which the web SSO token's audience names.
fn federation_app_id(app_url: &Url) -> Result<String> {
    let mut segments = app_url.path_segments().into_iter().flatten();
    segments
        .by_ref()
        .find(|s| *s == "amazon_aws")
        .and_then(|_| segments.next())
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .ok_or_else(|| {
            UserError::new(format!(
                "{OKTA_AWS_APP_URL} has no AWS app id (…/home/amazon_aws/APP_ID/…): {app_url}"
            ))
            .hint("the Identity Engine sign-in needs the AWS app's embed link")
            .into()
        })
}

fn announce(prompter: &dyn Prompter, device: &DeviceAuthorization) {
    let link = device
        .verification_uri_complete
        .as_deref()
        .unwrap_or(&device.verification_uri);
    prompter.say(&format!(
        "Sign in to Okta in your browser: open {link} and check that it shows the code {}. \
         Waiting… (Ctrl-C cancels)",
        device.user_code
    ));
}

/// Poll the token endpoint until the user approves, denies or lets the code expire.
async fn wait_for_approval(
    client: &OktaClient,
    prompter: &dyn Prompter,
    client_id: &str,
    device: &DeviceAuthorization,
) -> Result<Tokens> {
    let mut waiting = prompter.start_waiting();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(device.expires_in);
    let mut interval = Duration::from_secs(device.interval.unwrap_or(5).max(1));
    loop {
        if waiting.pause(interval).await == Waited::Cancelled {
            return Err(Interrupted.into());
        }
        match poll(client, client_id, &device.device_code).await? {
            Poll::Granted(tokens) => return Ok(tokens),
            Poll::Pending => {}
            Poll::SlowDown => interval += SLOW_DOWN_STEP,
        }
        if tokio::time::Instant::now() + interval > deadline {
            return fail(
                "the browser sign-in was not completed in time",
                "run again and finish the sign-in in the browser",
            );
        }
    }
}

async fn poll(client: &OktaClient, client_id: &str, device_code: &str) -> Result<Poll> {
    let answer = post_form::<Tokens>(
        client,
        "oauth2/v1/token",
        &[
            ("client_id", client_id),
            ("device_code", device_code),
            ("grant_type", DEVICE_GRANT),
        ],
    )
    .await;
    let error = match answer {
        Ok(tokens) => return Ok(Poll::Granted(tokens)),
        Err(error) => error,
    };
    match error.downcast_ref::<OAuthError>().map(|e| e.error.as_str()) {
        Some("authorization_pending") => Ok(Poll::Pending),
        Some("slow_down") => Ok(Poll::SlowDown),
        _ => Err(explained(error, client_id)),
    }
}

/// POST a form to the org: the parsed answer, or OAuth's error object as an `OAuthError`.
async fn post_form<T: DeserializeOwned>(
    client: &OktaClient,
    path: &str,
    form: &[(&str, &str)],
) -> Result<T> {
    let answer = client.post_form(path, form).await?;
    if answer.is_success() {
        return serde_json::from_str(&answer.body)
            .with_context(|| format!("Okta's answer to {path} is not what OAuth specifies"));
    }
    match serde_json::from_str::<OAuthError>(&answer.body) {
        Ok(error) => Err(error.into()),
        Err(_) => fail(
            format!("Okta answered HTTP {} to {path}", answer.status),
            "check OKTA_ORG: is this an Okta Identity Engine org?",
        ),
    }
}

/// An OAuth error told the user's way; any other error as it is.
fn explained(error: anyhow::Error, client_id: &str) -> anyhow::Error {
    match error.downcast_ref::<OAuthError>() {
        Some(oauth) => oauth_failure(oauth, client_id),
        None => error,
    }
}

/// A final OAuth error, told the user's way.
fn oauth_failure(e: &OAuthError, client_id: &str) -> anyhow::Error {
    let (cause, hint) = match e.error.as_str() {
        "access_denied" => (
            "the sign-in was denied in the browser".to_string(),
            "run again and approve the sign-in".to_string(),
        ),
        "expired_token" => (
            "the browser sign-in code expired".to_string(),
            "run again and finish the sign-in in the browser sooner".to_string(),
        ),
        "invalid_client" | "unauthorized_client" => (
            format!("Okta does not accept the OIDC client {OKTA_OIDC_CLIENT_ID}={client_id}"),
            "use the client id of the org's native OIDC app with the Device Authorization grant"
                .to_string(),
        ),
        "invalid_scope" => (
            format!("the OIDC app of {OKTA_OIDC_CLIENT_ID} may not ask for: {SCOPES}"),
            "grant the app the okta.apps.sso scope (Okta admin → the app → Okta API Scopes)"
                .to_string(),
        ),
        "invalid_target" => (
            "Okta refuses a web SSO token for this AWS app".to_string(),
            format!(
                "check {OKTA_AWS_APP_URL}, and that the OIDC app may sign in to it (Federation Broker Mode)"
            ),
        ),
        other => (
            format!("Okta refused: {} ({other})", e.error_description),
            "check OKTA_ORG and OKTA_OIDC_CLIENT_ID".to_string(),
        ),
    };
    UserError::new(cause).hint(hint).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_id_comes_from_the_embed_link() {
        let id = |url: &str| federation_app_id(&Url::parse(url).unwrap());
        assert_eq!(
            id("https://acme.okta.com/home/amazon_aws/0oa1b2c3/272").unwrap(),
            "0oa1b2c3"
        );
        assert_eq!(
            id("https://acme.okta.com/home/amazon_aws/0oa1b2c3/272?fromHome=true").unwrap(),
            "0oa1b2c3"
        );
        for bad in [
            "https://acme.okta.com/app/UserHome",
            "https://acme.okta.com/home/amazon_aws/",
            "https://acme.okta.com/home/amazon_aws",
        ] {
            let e = id(bad).unwrap_err().to_string();
            assert!(e.contains("AWS app id"), "{bad}: {e}");
        }
    }

    #[test]
    fn final_oauth_errors_name_the_cause_and_the_setting() {
        let error = |code: &str| {
            oauth_failure(
                &OAuthError {
                    error: code.to_string(),
                    error_description: "described".to_string(),
                },
                "0oaclient",
            )
            .to_string()
        };
        assert!(error("access_denied").contains("denied"));
        assert!(error("expired_token").contains("expired"));
        assert!(error("invalid_client").contains("OKTA_OIDC_CLIENT_ID=0oaclient"));
        assert!(error("server_error").contains("described (server_error)"));
    }
}
