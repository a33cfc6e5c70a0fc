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
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use url::Url;

use super::client::OktaClient;
use super::saml_page::{self, SamlForm};
use crate::error::{Interrupted, UserError, fail, one_line};
use crate::prompt::{self, Prompter, Waited, browser, log};
use crate::settings::BrowserPrefs;
use crate::settings::keys::{OKTA_AWS_APP_URL, OKTA_OIDC_CLIENT_ID};

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const WEB_SSO_TOKEN: &str = "urn:okta:oauth:token-type:web_sso_token";
const SCOPES: &str = "openid okta.apps.sso";
/// Asked for too: a refresh token lets the next login skip the browser once the Okta session
/// has ended. An app without the Refresh Token grant refuses it (`invalid_scope`): then the
/// sign-in is asked again without it.
const OFFLINE_ACCESS: &str = "offline_access";
/// RFC 8628 §3.5: on `slow_down`, poll 5 seconds less often from then on.
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// The longest pause between polls, whatever Okta asks (Okta's own interval is 5 s).
const MAX_INTERVAL: Duration = Duration::from_secs(60);
/// The longest wait for the user, whatever the code's `expires_in` (Okta's is 10 minutes).
const MAX_WAIT: Duration = Duration::from_secs(30 * 60);
/// A poll in flight is raced against Ctrl-C for at most this long before looking again.
const CANCEL_WATCH: Duration = Duration::from_secs(3600);

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

impl DeviceAuthorization {
    /// The pause between polls: Okta's, at least a second and at most `MAX_INTERVAL`.
    fn interval(&self) -> Duration {
        Duration::from_secs(self.interval.unwrap_or(5).clamp(1, MAX_INTERVAL.as_secs()))
    }

    /// How long the user has: the code's lifetime, at most `MAX_WAIT`.
    fn lifetime(&self) -> Duration {
        Duration::from_secs(self.expires_in.min(MAX_WAIT.as_secs()))
    }
}

/// The token endpoint's answer. No `Debug`: every field is a secret.
#[derive(Deserialize)]
struct Tokens {
    access_token: String,
    id_token: Option<String>,
    /// With `offline_access`, when the app has the Refresh Token grant.
    refresh_token: Option<String>,
}

/// A refresh token Okta granted, and the OIDC app it belongs to; kept in the cache (0600)
/// with the org's web session, never shown.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshGrant {
    pub client_id: String,
    token: String,
}

impl std::fmt::Debug for RefreshGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshGrant")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// OAuth's error answer (RFC 6749 §5.2): the poll branches on its code.
#[derive(Debug, Deserialize)]
struct OAuthError {
    #[serde(deserialize_with = "crate::server_text::cleaned")]
    error: String,
    #[serde(default, deserialize_with = "crate::server_text::cleaned")]
    error_description: String,
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "OAuth error {}: {}",
            one_line(&self.error),
            one_line(&self.error_description)
        )
    }
}

impl std::error::Error for OAuthError {}

/// Whether `error` is OAuth's `code`.
fn is_oauth(error: &anyhow::Error, code: &str) -> bool {
    error
        .downcast_ref::<OAuthError>()
        .is_some_and(|e| e.error == code)
}

/// What the token endpoint said to one poll.
enum Poll {
    Granted(Tokens),
    Pending,
    SlowDown,
}

/// The browser sign-in's settings: the org's native OIDC app, and how to open the link.
#[derive(Debug, Clone, Copy)]
pub struct BrowserSignIn<'a> {
    pub client_id: &'a str,
    pub browser: &'a BrowserPrefs,
}

/// The AWS app's SAML form for an Identity Engine sign-in: with the `kept` refresh token
/// while Okta honours it (no browser), else through the browser. Returns the refresh token
/// to keep (a new one when Okta rotates them; `None` when it grants none).
pub async fn saml_form(
    client: &OktaClient,
    prompter: &dyn Prompter,
    how: &BrowserSignIn<'_>,
    app_url: &Url,
    kept: Option<RefreshGrant>,
) -> Result<(SamlForm, Option<RefreshGrant>)> {
    let app_id = federation_app_id(app_url)?;
    let kept = kept.filter(|grant| grant.client_id == how.client_id);
    let refreshed = match &kept {
        Some(grant) => refreshed(client, prompter, grant).await?,
        None => None,
    };
    // A refresh that answers no new refresh token leaves the old one valid; one refused is
    // dropped.
    let (tokens, still_kept) = match refreshed {
        Some(tokens) => (tokens, kept),
        None => (browser_sign_in(client, prompter, how).await?, None),
    };
    let refresh = tokens
        .refresh_token
        .clone()
        .map(|token| RefreshGrant {
            client_id: how.client_id.to_string(),
            token,
        })
        .or(still_kept);
    let web_sso_token = exchange(client, how.client_id, &tokens, &app_id).await?;
    Ok((post_web_sso_token(client, &web_sso_token).await?, refresh))
}

/// New tokens from the kept refresh token, or `None` (one line said) when Okta refuses it:
/// expired, revoked, rotated away, or the app lost the grant.
async fn refreshed(
    client: &OktaClient,
    prompter: &dyn Prompter,
    grant: &RefreshGrant,
) -> Result<Option<Tokens>> {
    let answer = post_form::<Tokens>(
        client,
        "oauth2/v1/token",
        &[
            ("client_id", &grant.client_id),
            ("grant_type", "refresh_token"),
            ("refresh_token", &grant.token),
            ("scope", &format!("{SCOPES} {OFFLINE_ACCESS}")),
        ],
    )
    .await;
    match answer {
        Ok(tokens) => {
            log::debug("signed in with the kept refresh token: no browser needed");
            Ok(Some(tokens))
        }
        Err(e) if e.downcast_ref::<OAuthError>().is_some() => {
            log::debug(&format!("the refresh token was refused: {e}"));
            prompter.say("The kept Okta sign-in has expired; signing in in the browser.");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The device authorization: the user signs in in a browser, we wait for the tokens.
async fn browser_sign_in(
    client: &OktaClient,
    prompter: &dyn Prompter,
    how: &BrowserSignIn<'_>,
) -> Result<Tokens> {
    // A broken browser setting stops here, before Okta is asked for anything.
    let decision = browser::decide_for(how.browser)?;
    let device = authorize(client, how.client_id).await?;
    announce(client, prompter, &device, &decision)?;
    wait_for_approval(client, prompter, how.client_id, &device).await
}

/// `POST /oauth2/v1/device/authorize`, with `offline_access` when the app allows it.
async fn authorize(client: &OktaClient, client_id: &str) -> Result<DeviceAuthorization> {
    let path = "oauth2/v1/device/authorize";
    let with_offline = format!("{SCOPES} {OFFLINE_ACCESS}");
    let asked = post_form(
        client,
        path,
        &[("client_id", client_id), ("scope", &with_offline)],
    )
    .await;
    match asked {
        Err(e) if is_oauth(&e, "invalid_scope") => {
            log::debug("the OIDC app refuses offline_access: no refresh token");
            post_form(client, path, &[("client_id", client_id), ("scope", SCOPES)])
                .await
                .map_err(|e| explained(e, client_id))
        }
        asked => asked.map_err(|e| explained(e, client_id)),
    }
}

/// Hand the web SSO token to Okta in a POST body (never in a URL: URLs land in logs) for
/// an Okta session and the AWS app's page.
async fn post_web_sso_token(client: &OktaClient, web_sso_token: &str) -> Result<SamlForm> {
    let answer = client
        .post_form_for_page("login/token/sso", &[("token", web_sso_token)])
        .await?;
    saml_page::read_page(answer.status, &answer.landed_on, &answer.body).into_form()
}

/// `POST /oauth2/v1/revoke`: end a kept refresh token at its org (`logout`). Okta answers 200
/// for tokens it no longer knows too.
pub async fn revoke(org: &str, grant: &RefreshGrant) -> Result<()> {
    let client = OktaClient::new(Url::parse(org)?)?;
    let answer = client
        .post_form(
            "oauth2/v1/revoke",
            &[
                ("client_id", &grant.client_id),
                ("token", &grant.token),
                ("token_type_hint", "refresh_token"),
            ],
        )
        .await?;
    match answer.status {
        200..300 => Ok(()),
        status => anyhow::bail!("Okta answered HTTP {status} to the revocation"),
    }
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
    .map_err(|e| exchange_failure(e, client_id))?;
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

/// Show the sign-in link with its code (and a QR code), and open it in the browser.
fn announce(
    client: &OktaClient,
    prompter: &dyn Prompter,
    device: &DeviceAuthorization,
    decision: &browser::Decision,
) -> Result<()> {
    let link = device
        .verification_uri_complete
        .as_deref()
        .unwrap_or(&device.verification_uri);
    // The link is opened and shown: it must be the org's own page.
    let link = client.checked_link(link)?;
    let code: String = one_line(&device.user_code)
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    prompt::present_link(
        prompter,
        &format!(
            "Sign in to Okta in your browser: {link} (check that it shows the code {code}). \
             Waiting… (Ctrl-C cancels)"
        ),
        link.as_str(),
        decision,
    );
    Ok(())
}

/// Poll the token endpoint until the user approves, denies or lets the code expire. Ctrl-C
/// ends the wait at once, during a pause or a poll.
async fn wait_for_approval(
    client: &OktaClient,
    prompter: &dyn Prompter,
    client_id: &str,
    device: &DeviceAuthorization,
) -> Result<Tokens> {
    let mut waiting = prompter.start_waiting();
    let deadline = tokio::time::Instant::now() + device.lifetime();
    let mut interval = device.interval();
    loop {
        if waiting.pause(interval).await == Waited::Cancelled {
            return Err(Interrupted.into());
        }
        let answer = tokio::select! {
            answer = poll(client, client_id, &device.device_code) => answer?,
            waited = waiting.pause(CANCEL_WATCH) => return match waited {
                Waited::Cancelled => Err(Interrupted.into()),
                Waited::Elapsed => fail("Okta did not answer the sign-in poll", "run again"),
            },
        };
        match answer {
            Poll::Granted(tokens) => return Ok(tokens),
            Poll::Pending => {}
            Poll::SlowDown => {
                interval = (interval + SLOW_DOWN_STEP).min(MAX_INTERVAL);
                log::debug(&format!("Okta asks to poll less often: every {interval:?}"));
            }
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

/// The token exchange's error told the user's way: `invalid_grant` there is the AWS app's
/// check of the sign-in (its "Allowed Web SSO Client" and authentication policy).
fn exchange_failure(error: anyhow::Error, client_id: &str) -> anyhow::Error {
    if !is_oauth(&error, "invalid_grant") {
        return explained(error, client_id);
    }
    UserError::new(
        "Okta refuses the AWS app's web SSO token for this sign-in (invalid_grant: the AWS \
         app's assurance requirements are not met)",
    )
    .hint(format!(
        "ask your Okta admin to set the OIDC app of {OKTA_OIDC_CLIENT_ID}={client_id} as the \
         AWS app's \"Allowed Web SSO Client\" and to give the two apps the same authentication \
         policy (device state \"Any\")"
    ))
    .into()
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
            "use the client id of the org's native OIDC app with the Device Authorization and \
             Token Exchange grants"
                .to_string(),
        ),
        "invalid_scope" => (
            format!("the OIDC app of {OKTA_OIDC_CLIENT_ID} may not ask for: {SCOPES}"),
            "ask your Okta admin to grant the app the okta.apps.sso scope (the app → Okta API \
             Scopes)"
                .to_string(),
        ),
        "invalid_target" => (
            "Okta refuses a web SSO token for this AWS app".to_string(),
            format!(
                "check {OKTA_AWS_APP_URL}, and that the OIDC app may sign in to it (Federation Broker Mode)"
            ),
        ),
        other => (
            format!(
                "Okta refused: {} ({})",
                one_line(&e.error_description),
                one_line(other)
            ),
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
        let scope = oauth_failure(
            &OAuthError {
                error: "invalid_scope".to_string(),
                error_description: String::new(),
            },
            "0oaclient",
        );
        let scope = scope.downcast_ref::<UserError>().unwrap();
        assert!(
            scope.cause.contains("openid okta.apps.sso"),
            "{}",
            scope.cause
        );
        assert!(
            scope
                .hint
                .as_deref()
                .unwrap()
                .contains("okta.apps.sso scope")
        );
        assert!(error("server_error").contains("described (server_error)"));
    }
}
