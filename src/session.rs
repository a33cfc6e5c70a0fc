//! A session: AWS credentials for one role. `obtain` is the core every command goes
//! through: a valid cached session is returned at once (one small file read, no runtime, no
//! network); otherwise, under a per-profile lock, it logs in — reusing the Okta web session
//! when Okta still knows it — and caches the result.
//!
//! settings → session → output: commands decide what to do with the session (write files,
//! exec, print).

use std::path::PathBuf;

use anyhow::Result;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::aws::{AwsCredentials, sts};
use crate::cache::{CacheDir, FORMAT_VERSION, Versioned, now_secs};
use crate::config::{OKTA_AWS_ROLE_TO_ASSUME, Settings};
use crate::okta::web_session::{self, OktaCookies};
use crate::okta::{OktaClient, authn};
use crate::role_choice;
use crate::saml::{Assertion, RolePair};
use crate::terminal;

/// What STS grants when neither the settings nor the assertion say.
const DEFAULT_DURATION_SECS: i32 = 3600;

/// Variables a wrapped command must not see: they would make the AWS CLI pick a profile
/// over the credentials we put in its environment.
pub const REMOVED_VARIABLES: [&str; 2] = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"];

/// Temporary credentials for one role, as cached.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Session {
    pub version: u32,
    /// The okta-aws profile (`None`: the unnamed one).
    pub profile: Option<String>,
    pub credentials: AwsCredentials,
    pub role: RolePair,
    pub region: String,
    /// Every role of the last assertion, for menus and completion.
    #[serde(default)]
    pub roles: Vec<RolePair>,
    /// The Okta org that vouched for it (origin), to find its web session.
    pub okta_org: String,
    /// ~/.aws/credentials sections `login` wrote, so `logout` removes exactly those.
    #[serde(default)]
    pub written_sections: Vec<String>,
}

impl Versioned for Session {
    fn version(&self) -> u32 {
        self.version
    }
}

impl Session {
    /// The variables that hand this session to a process.
    pub fn environment(&self) -> Vec<(&'static str, String)> {
        let c = &self.credentials;
        vec![
            ("AWS_ACCESS_KEY_ID", c.access_key_id.clone()),
            ("AWS_SECRET_ACCESS_KEY", c.secret_access_key.clone()),
            ("AWS_SESSION_TOKEN", c.session_token.clone()),
            ("AWS_CREDENTIAL_EXPIRATION", c.expiration_rfc3339()),
            ("AWS_REGION", self.region.clone()),
            ("AWS_DEFAULT_REGION", self.region.clone()),
        ]
    }

    /// Whether this session may serve a request: enough time left, and the wanted role.
    fn serves(&self, min_ttl_secs: u64, wanted_role: Option<&str>) -> bool {
        let fresh = self.credentials.expires_at > now_secs().saturating_add(min_ttl_secs);
        let right_role = wanted_role
            .is_none_or(|w| !role_choice::matching(std::slice::from_ref(&self.role), w).is_empty());
        fresh && right_role
    }
}

/// Where one profile's session and lock live.
pub struct SessionStore {
    pub cache: CacheDir,
    profile: Option<String>,
}

impl SessionStore {
    pub fn new(settings: &Settings) -> SessionStore {
        SessionStore {
            cache: CacheDir::new(settings.cache_dir()),
            profile: settings.profile.clone(),
        }
    }

    /// `p-NAME` for named profiles, `top` for the unnamed one: never colliding.
    fn stem(&self) -> String {
        match &self.profile {
            Some(name) => format!("p-{name}"),
            None => "top".to_string(),
        }
    }

    pub fn session_path(&self) -> PathBuf {
        self.cache.file(&self.stem(), "session.json")
    }

    pub fn load(&self) -> Option<Session> {
        self.cache.read(&self.session_path())
    }

    pub fn save(&self, session: &Session) -> Result<()> {
        self.cache.write(&self.session_path(), session)
    }

    fn describe(&self) -> String {
        match &self.profile {
            Some(name) => format!("profile {name}"),
            None => "the default profile".to_string(),
        }
    }
}

/// The file of an org's Okta web session.
pub fn okta_cookies_path(cache: &CacheDir, org_origin: &str) -> PathBuf {
    let host = org_origin.split("://").nth(1).unwrap_or(org_origin);
    cache.file(&format!("okta-{host}"), "okta.json")
}

/// What the caller wants of `obtain`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Request {
    /// Get new AWS credentials even if the cached ones are valid.
    pub force: bool,
}

/// A valid session for the profile: from the cache, or by logging in.
pub fn obtain(settings: &Settings, request: Request) -> Result<Session> {
    let store = SessionStore::new(settings);
    let min_ttl = settings.min_ttl_secs()?;
    let wanted_role = settings.get(OKTA_AWS_ROLE_TO_ASSUME);
    if !request.force
        && let Some(session) = cached(&store, min_ttl, wanted_role)
    {
        return Ok(with_current_region(session, settings));
    }
    // Check what can be checked before anyone is asked for a password.
    settings.okta_org()?;
    settings.app_url()?;
    settings.sts_duration()?;
    let _lock = store.cache.lock(&store.stem(), &store.describe())?;
    // Another process may have logged in while we waited for the lock.
    if !request.force
        && let Some(session) = cached(&store, min_ttl, wanted_role)
    {
        return Ok(with_current_region(session, settings));
    }
    terminal::install_interrupt_handler();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let previous = store.load();
    let mut session = runtime.block_on(login(settings, &store.cache))?;
    if let Some(previous) = previous {
        session.written_sections = previous.written_sections;
    }
    store.save(&session)?;
    Ok(session)
}

fn cached(store: &SessionStore, min_ttl: u64, wanted_role: Option<&str>) -> Option<Session> {
    let session = store.load()?;
    if session.serves(min_ttl, wanted_role) {
        terminal::debug(&format!(
            "using the cached session for {}",
            session.role.role_arn
        ));
        Some(session)
    } else {
        terminal::debug("the cached session is expired, too close to expiry, or for another role");
        None
    }
}

fn with_current_region(mut session: Session, settings: &Settings) -> Session {
    session.region = settings.region();
    session
}

/// Remember that `login` wrote this credentials section (for `logout`).
pub fn record_written_section(settings: &Settings, section: &str) -> Result<()> {
    let store = SessionStore::new(settings);
    if let Some(mut session) = store.load()
        && !session.written_sections.iter().any(|s| s == section)
    {
        session.written_sections.push(section.to_string());
        store.save(&session)?;
    }
    Ok(())
}

async fn login(settings: &Settings, cache: &CacheDir) -> Result<Session> {
    let org = settings.okta_org()?;
    let app_url = settings.app_url()?;
    let client = OktaClient::new(org.clone())?;
    let assertion = saml_assertion(settings, cache, &client, &app_url).await?;
    terminal::debug(&format!(
        "the assertion grants {} role(s)",
        assertion.roles.len()
    ));
    let role = role_choice::choose(&assertion.roles, settings.get(OKTA_AWS_ROLE_TO_ASSUME))?;
    let duration = settings
        .sts_duration()?
        .or(assertion.session_duration)
        .unwrap_or(DEFAULT_DURATION_SECS);
    let region = settings.region();
    let config = sts::sdk_config(&region, None).await;
    let credentials =
        sts::assume_role_with_saml(&config, &role, &assertion.base64, duration).await?;
    Ok(Session {
        version: FORMAT_VERSION,
        profile: settings.profile.clone(),
        credentials,
        role,
        region,
        roles: assertion.roles,
        okta_org: org.origin().ascii_serialization(),
        written_sections: Vec::new(),
    })
}

/// The SAML assertion: through the cached Okta session when Okta still knows it (no
/// password, no MFA), else through a full login.
async fn saml_assertion(
    settings: &Settings,
    cache: &CacheDir,
    client: &OktaClient,
    app_url: &Url,
) -> Result<Assertion> {
    let cookies_path = okta_cookies_path(cache, &client.org.origin().ascii_serialization());
    let mut cookies: OktaCookies = cache
        .read(&cookies_path)
        .unwrap_or_else(|| OktaCookies::new(&client.org));
    web_session::load_into(client, &cookies);
    let reused = match cookies.sid {
        Some(_) => web_session::reuse(client, app_url).await?,
        None => None,
    };
    let form = match reused {
        Some(form) => {
            terminal::debug("the Okta session is still valid: no password needed");
            form
        }
        None => {
            if cookies.sid.take().is_some() {
                terminal::say("The Okta session has ended; logging in again.");
            }
            let session_token = authn::authenticate(client, settings).await?;
            let form = web_session::establish(client, &session_token, app_url).await?;
            cookies.expires_at = web_session::expiry(client).await;
            form
        }
    };
    let cookies = web_session::read_from(client, &cookies);
    if let Err(e) = cache.write(&cookies_path, &cookies) {
        terminal::warn(&format!("cannot keep the Okta session: {e:#}"));
    }
    Assertion::parse(&form.saml_response)
}
