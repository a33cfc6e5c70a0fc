//! The Okta web session (the `sid` cookie) and the device token (`DT` cookie), kept between
//! runs so that new AWS credentials need neither password nor MFA while Okta still knows us.

use anyhow::Result;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use super::client::OktaClient;
use super::device_flow::RefreshGrant;
use super::engine::EngineSeen;
use super::saml_page::{self, PageOutcome, SamlForm};
use crate::store::cache_dir::{FORMAT_VERSION, Versioned};

/// What we keep of an Okta web session, per org.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct OktaWebSession {
    pub version: u32,
    /// The org's origin (`https://acme.okta.com`).
    pub org: String,
    /// The session cookie; `None` once Okta ended the session (the device token stays).
    pub sid: Option<String>,
    /// Okta's device token: a stable device identity, for "remember this device".
    pub device_token: Option<String>,
    /// When Okta said the session ends (epoch seconds), as last seen.
    pub expires_at: Option<u64>,
    /// The org's engine, as last read (okta/engine.rs).
    #[serde(default)]
    pub engine: Option<EngineSeen>,
    /// The Identity Engine sign-in's refresh token (okta/device_flow.rs); revoked by logout.
    #[serde(default)]
    pub refresh: Option<RefreshGrant>,
}

impl Versioned for OktaWebSession {
    fn version(&self) -> u32 {
        self.version
    }
}

impl OktaWebSession {
    /// None yet, for the org at `origin`.
    pub fn new(origin: String) -> OktaWebSession {
        OktaWebSession {
            version: FORMAT_VERSION,
            org: origin,
            ..OktaWebSession::default()
        }
    }

    /// Whether the session is believed alive, from the cache alone.
    pub fn alive(&self, now: u64) -> bool {
        self.sid.is_some() && self.expires_at.is_none_or(|at| at > now)
    }

    /// Put the kept cookies into the client's jar.
    pub fn load_into(&self, client: &OktaClient) {
        if let Some(sid) = &self.sid {
            client.set_cookie("sid", sid);
        }
        if let Some(dt) = &self.device_token {
            client.set_cookie("DT", dt);
        }
    }

    /// Read the jar back after Okta set or refreshed cookies.
    pub fn read_back(self, client: &OktaClient) -> OktaWebSession {
        OktaWebSession {
            sid: client.cookie("sid"),
            device_token: client.cookie("DT").or(self.device_token),
            ..self
        }
    }

    /// Forget the session (Okta closed it); the device token stays.
    pub fn ended(self) -> OktaWebSession {
        OktaWebSession {
            sid: None,
            expires_at: None,
            ..self
        }
    }
}

/// Trade the one-time session token for the app link page and, in the same answer, a web
/// session (`sid` and `DT` cookies): `GET <app link>?onetimetoken=…`. One round trip, where
/// `sessionCookieRedirect` then the app link took two; the session's expiry is learned
/// later, concurrently with STS (`expiry`).
pub async fn establish(
    client: &OktaClient,
    session_token: &str,
    app_url: &Url,
) -> Result<SamlForm> {
    saml_page::fetch_with_token(client, app_url, session_token).await
}

/// With the cached session cookie: the app link page, or `None` when Okta no longer knows
/// the session (it answers its sign-in page).
pub async fn reuse(client: &OktaClient, app_url: &Url) -> Result<Option<SamlForm>> {
    match saml_page::fetch(client, app_url.clone()).await? {
        PageOutcome::Saml(form) => Ok(Some(form)),
        PageOutcome::SignIn => Ok(None),
        PageOutcome::Other(explained) => Err(explained),
    }
}

/// When the session ends, per `GET /api/v1/sessions/me` (best effort).
pub async fn expiry(client: &OktaClient) -> Option<u64> {
    let answer = client.get_api("api/v1/sessions/me").await.ok()?;
    if !answer.is_success() {
        return None;
    }
    let json: Value = serde_json::from_str(&answer.body).ok()?;
    let at = humantime::parse_rfc3339_weak(json.get("expiresAt")?.as_str()?.trim_end_matches('Z'))
        .ok()?;
    Some(at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs())
}

/// `DELETE /api/v1/sessions/me`: end the Okta session. Errors are the caller's to warn about.
pub async fn close(client: &OktaClient) -> Result<()> {
    let answer = client.delete_api("api/v1/sessions/me").await?;
    match answer.status {
        200..300 | 404 => Ok(()),
        status => anyhow::bail!("Okta answered HTTP {status} when closing the session"),
    }
}

/// End a kept web session at its org (best effort for the caller: errors are its to warn
/// about). The device token is kept: it names this device, not a session.
pub async fn close_kept(kept: &OktaWebSession) -> Result<()> {
    let client = OktaClient::new(Url::parse(&kept.org)?)?;
    kept.load_into(&client);
    close(&client).await
}
