//! A session: AWS credentials for one role. `obtain` is the core every command goes
//! through: a valid cached session is returned at once (one small file read, no runtime, no
//! network); otherwise, under a per-profile lock, it logs in — reusing the Okta web session
//! when Okta still knows it — and caches the result.
//!
//! settings → session → output: commands decide what to do with the session (write files,
//! exec, print).

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::arn::RoleArn;
use crate::aws::signin_page;
use crate::aws::target_role::{self, Decision};
use crate::aws::{AwsCredentials, sts};
use crate::cache::{CacheDir, FORMAT_VERSION, Versioned, now_secs};
use crate::okta::web_session::{self, OktaCookies};
use crate::okta::{OktaClient, authn, device_flow};
use crate::prompt::{self, Prompter};
use crate::role_choice::{self, MenuHints};
use crate::saml::{Assertion, RolePair};
use crate::settings::{DEFAULT_DURATION_SECS, Profile, Settings};

/// Variables a wrapped command must not see: they would make the AWS CLI pick a profile
/// over the credentials we put in its environment.
pub const REMOVED_VARIABLES: [&str; 2] = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"];

/// The variables a session sets, in the order `environment` gives (and `env` prints) them.
pub const SESSION_VARIABLES: [&str; 6] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
];

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
    /// The RoleSessionName for the cross-account hop (the Okta login, cleaned).
    #[serde(default)]
    pub session_name: String,
    /// The SAML role for which the cross-account target was decided (IAM is asked once).
    #[serde(default)]
    pub target_decided_for: Option<RoleArn>,
    /// The cross-account role this profile hops into, with its chained credentials.
    #[serde(default)]
    pub target: Option<TargetSession>,
}

/// A cross-account role and its credentials (from AssumeRole with the SAML session).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetSession {
    pub role_arn: RoleArn,
    pub credentials: AwsCredentials,
}

impl Versioned for Session {
    fn version(&self) -> u32 {
        self.version
    }
}

impl Session {
    /// The credentials handed to commands: the cross-account target's when there is one.
    pub fn effective_credentials(&self) -> &AwsCredentials {
        self.target
            .as_ref()
            .map_or(&self.credentials, |t| &t.credentials)
    }

    /// The role whose credentials `effective_credentials` are.
    pub fn effective_role_arn(&self) -> &RoleArn {
        self.target
            .as_ref()
            .map_or(&self.role.role_arn, |t| &t.role_arn)
    }

    /// The variables that hand this session to a process.
    pub fn environment(&self) -> Vec<(&'static str, String)> {
        let c = self.effective_credentials();
        let values = [
            c.access_key_id.clone(),
            c.secret_access_key.clone(),
            c.session_token.clone(),
            c.expiration_rfc3339(),
            self.region.clone(),
            self.region.clone(),
        ];
        SESSION_VARIABLES.into_iter().zip(values).collect()
    }

    /// Whether the SAML session may serve a request: enough time left, and the wanted role.
    fn serves(&self, min_ttl_secs: u64, wanted_role: Option<&str>) -> bool {
        let right_role = wanted_role
            .is_none_or(|w| !role_choice::matching(std::slice::from_ref(&self.role), w).is_empty());
        fresh(&self.credentials, min_ttl_secs) && right_role
    }

    /// Whether the cross-account hop is done (or not needed) and fresh.
    fn target_ready(&self, min_ttl_secs: u64) -> bool {
        self.target
            .as_ref()
            .is_none_or(|t| fresh(&t.credentials, min_ttl_secs))
    }
}

fn fresh(credentials: &AwsCredentials, min_ttl_secs: u64) -> bool {
    credentials.expires_at > now_secs().saturating_add(min_ttl_secs)
}

/// Where one profile's session and lock live.
pub struct SessionStore {
    pub cache: CacheDir,
    profile: Profile,
}

impl SessionStore {
    pub fn new(settings: &Settings) -> SessionStore {
        SessionStore {
            cache: CacheDir::new(settings.files.cache_dir.clone()),
            profile: settings.profile.clone(),
        }
    }

    /// `p-NAME` for named profiles, `top` for the unnamed one: never colliding.
    fn stem(&self) -> String {
        match self.profile.name() {
            Some(name) => format!("p-{name}"),
            None => "top".to_string(),
        }
    }

    pub fn session_path(&self) -> PathBuf {
        self.cache.file(&self.stem(), "session.json")
    }

    /// The ledger of credentials sections written for this profile.
    pub fn written_path(&self) -> PathBuf {
        self.cache.file(&self.stem(), "written.json")
    }

    pub fn load(&self) -> Option<Session> {
        self.cache.read(&self.session_path())
    }

    pub fn save(&self, session: &Session) -> Result<()> {
        self.cache.write(&self.session_path(), session)
    }

    fn describe(&self) -> String {
        self.profile.describe()
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
pub fn obtain(settings: &Settings, prompter: &dyn Prompter, request: Request) -> Result<Session> {
    let store = SessionStore::new(settings);
    let min_ttl = *settings.sts.min_ttl_secs.get()?;
    let wanted_role = settings.sts.role.as_deref();
    let ready = |s: &Session| s.target_ready(min_ttl) && target_matches(s, settings);
    if !request.force
        && let Some(session) = cached(&store, min_ttl, wanted_role)
        && ready(&session)
    {
        return Ok(with_current_region(session, settings));
    }
    settings.check_for_login()?;
    let _lock = store
        .cache
        .lock(&store.stem(), &store.describe(), prompter)?;
    // Another process may have logged in while we waited for the lock.
    let reusable = if request.force {
        None
    } else {
        cached(&store, min_ttl, wanted_role)
    };
    if let Some(session) = &reusable
        && ready(session)
    {
        return Ok(with_current_region(session.clone(), settings));
    }
    prompt::interrupt::install_handler();
    let runtime = crate::net::runtime()?;
    let previous = store.load();
    let session = runtime.block_on(async {
        let mut session = match reusable {
            // The SAML session is fresh: only the cross-account part needs work.
            Some(session) => session,
            None => login(settings, prompter, &store.cache, previous.as_ref()).await?,
        };
        settle_target(
            settings,
            prompter,
            &mut session,
            previous.as_ref(),
            request.force,
        )
        .await?;
        anyhow::Ok(session)
    })?;
    store.save(&session)?;
    Ok(session)
}

/// A preset `OKTA_AWS_TARGET_ROLE` must agree with the cached target.
fn target_matches(session: &Session, settings: &Settings) -> bool {
    match (&settings.target.role, &session.target) {
        (None, _) => true,
        (Some(preset), Some(target)) => target.role_arn.is_named_by(preset),
        // The preset found no target last time: try again (and warn again).
        (Some(_), None) => false,
    }
}

/// Decide the cross-account target (preset, remembered, or through IAM) and hop into it.
async fn settle_target(
    settings: &Settings,
    prompter: &dyn Prompter,
    session: &mut Session,
    previous: Option<&Session>,
    force: bool,
) -> Result<()> {
    let remembered = previous.filter(|p| p.target_decided_for.is_some());
    let decision = target_role::decide(
        &settings.target,
        &session.role,
        remembered.and_then(|p| p.target_decided_for.as_ref()),
        remembered.and_then(|p| p.target.as_ref().map(|t| &t.role_arn)),
        force,
    )?;
    let target_arn = match decision {
        Decision::Keep(arn) | Decision::Use(arn) => arn,
        Decision::Introspect => {
            let region = settings
                .sts
                .regions
                .for_partition(session.role.role_arn.partition());
            target_role::introspect_and_choose(
                &settings.target,
                &region,
                &session.role,
                &session.credentials,
                prompter,
            )
            .await?
        }
    };
    session.target_decided_for = Some(session.role.role_arn.clone());
    let Some(role_arn) = target_arn else {
        session.target = None;
        return Ok(());
    };
    // Keep fresh chained credentials for the same target.
    let min_ttl = *settings.sts.min_ttl_secs.get()?;
    if let Some(TargetSession {
        role_arn: kept,
        credentials: c,
    }) = &session.target
        && *kept == role_arn
        && fresh(c, min_ttl)
        && !force
    {
        return Ok(());
    }
    let duration = settings.sts.duration_or(sts::ROLE_CHAINING_MAX_SECS)?;
    let credentials = sts::assume_role(
        &session.region,
        &session.credentials,
        &role_arn,
        &session.session_name,
        duration,
    )
    .await?;
    prompt::debug(&format!("assumed the cross-account role {role_arn}"));
    session.target = Some(TargetSession {
        role_arn,
        credentials,
    });
    Ok(())
}

fn cached(store: &SessionStore, min_ttl: u64, wanted_role: Option<&str>) -> Option<Session> {
    let session = store.load()?;
    if session.serves(min_ttl, wanted_role) {
        prompt::debug(&format!(
            "using the cached session for {}",
            session.role.role_arn
        ));
        Some(session)
    } else {
        prompt::debug("the cached session is expired, too close to expiry, or for another role");
        None
    }
}

fn with_current_region(mut session: Session, settings: &Settings) -> Session {
    session.region = settings
        .sts
        .regions
        .for_partition(session.role.role_arn.partition());
    session
}

/// How many roles `login --all-roles` assumes at once.
const ALL_ROLES_WIDTH: usize = 16;

/// One role of an all-roles login: its credentials, or why not.
pub struct RoleOutcome {
    pub role: RolePair,
    pub credentials: Result<sts::SamlGrant>,
}

/// Every role of one assertion whose ARN, `ACCOUNT/ROLE` or `ALIAS/ROLE` matches `pattern`
/// (all when `None`), assumed concurrently. Failures are per role.
pub fn obtain_all(
    settings: &Settings,
    prompter: &dyn Prompter,
    pattern: Option<&str>,
) -> Result<Vec<RoleOutcome>> {
    settings.check_for_login()?;
    let store = SessionStore::new(settings);
    let _lock = store
        .cache
        .lock(&store.stem(), &store.describe(), prompter)?;
    prompt::interrupt::install_handler();
    let runtime = crate::net::runtime()?;
    runtime.block_on(async {
        let client = OktaClient::new(settings.okta.org.get()?.clone())?;
        let (assertion, action) = saml_assertion(
            settings,
            prompter,
            &store.cache,
            &client,
            settings.okta.app_link.get()?,
        )
        .await?;
        // Globs may name accounts by alias.
        let names = account_names(&store.cache, action.as_deref(), &assertion).await;
        let chosen: Vec<RolePair> = assertion
            .roles
            .iter()
            .filter(|r| pattern.is_none_or(|p| role_choice::matches_pattern(p, r, &names)))
            .cloned()
            .collect();
        if chosen.is_empty() {
            let all: Vec<String> = assertion.roles.iter().map(|r| r.role_arn.short()).collect();
            return crate::error::fail(
                format!(
                    "no role matches '{}': your roles are {}",
                    pattern.unwrap_or("*"),
                    all.join(", ")
                ),
                "a pattern matches the role ARN, ACCOUNT/ROLE or ALIAS/ROLE; * and ? are wildcards",
            );
        }
        let duration = saml_duration(settings, &assertion)?;
        Ok(assume_concurrently(settings, chosen, assertion.base64, duration).await)
    })
}

/// AssumeRoleWithSAML for each role, at most `ALL_ROLES_WIDTH` at a time; results in the
/// roles' order.
async fn assume_concurrently(
    settings: &Settings,
    roles: Vec<RolePair>,
    assertion: String,
    duration: i32,
) -> Vec<RoleOutcome> {
    // One SDK configuration per region (loading one reads the AWS config files).
    let regions: std::collections::BTreeSet<String> = roles
        .iter()
        .map(|r| settings.sts.regions.for_partition(r.role_arn.partition()))
        .collect();
    let mut configs = BTreeMap::new();
    for region in regions {
        let config = sts::sdk_config(&region, None).await;
        configs.insert(region, config);
    }
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(ALL_ROLES_WIDTH));
    let assertion: std::sync::Arc<str> = assertion.into();
    let mut tasks = tokio::task::JoinSet::new();
    for (index, role) in roles.into_iter().enumerate() {
        let region = settings
            .sts
            .regions
            .for_partition(role.role_arn.partition());
        let config = configs[&region].clone();
        let (permits, assertion) = (permits.clone(), assertion.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let credentials =
                sts::assume_role_with_saml(&config, &role, &assertion, duration).await;
            (index, RoleOutcome { role, credentials })
        });
    }
    let mut outcomes: Vec<(usize, RoleOutcome)> = tasks.join_all().await;
    outcomes.sort_by_key(|(index, _)| *index);
    outcomes.into_iter().map(|(_, outcome)| outcome).collect()
}

/// The ~/.aws/credentials sections `login` wrote for a profile, so that `logout` removes
/// exactly those (kept apart from the session: `login --all-roles` writes many).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct WrittenSections {
    pub version: u32,
    pub sections: Vec<String>,
}

impl Versioned for WrittenSections {
    fn version(&self) -> u32 {
        self.version
    }
}

/// Remember that `login` wrote these credentials sections (for `logout`).
pub fn record_written_sections(settings: &Settings, sections: &[String]) -> Result<()> {
    let store = SessionStore::new(settings);
    let path = store.written_path();
    let mut ledger: WrittenSections = store.cache.read(&path).unwrap_or_default();
    let before = ledger.sections.len();
    for section in sections {
        if !ledger.sections.contains(section) {
            ledger.sections.push(section.clone());
        }
    }
    if ledger.sections.len() == before && ledger.version == FORMAT_VERSION {
        return Ok(());
    }
    ledger.version = FORMAT_VERSION;
    store.cache.write(&path, &ledger)
}

async fn login(
    settings: &Settings,
    prompter: &dyn Prompter,
    cache: &CacheDir,
    previous: Option<&Session>,
) -> Result<Session> {
    let org = settings.okta.org.get()?;
    let app_url = settings.okta.app_link.get()?;
    let client = OktaClient::new(org.clone())?;
    let (assertion, action) = saml_assertion(settings, prompter, cache, &client, app_url).await?;
    prompt::debug(&format!(
        "the assertion grants {} role(s)",
        assertion.roles.len()
    ));
    let needs_menu = assertion.roles.len() > 1 && settings.sts.role.is_none();
    let account_names = if needs_menu {
        account_names(cache, action.as_deref(), &assertion).await
    } else {
        signin_page::load_any(cache).names
    };
    let hints = MenuHints {
        account_names,
        last_choice: previous.map(|p| p.role.role_arn.clone()),
    };
    let role = role_choice::choose_role(
        &assertion.roles,
        settings.sts.role.as_deref(),
        &hints,
        prompter,
    )?;
    let duration = saml_duration(settings, &assertion)?;
    let region = settings
        .sts
        .regions
        .for_partition(role.role_arn.partition());
    let config = sts::sdk_config(&region, None).await;
    let grant = sts::assume_role_with_saml(&config, &role, &assertion.base64, duration).await?;
    if let Some(shortened) = &grant.shortened {
        prompter.warn(shortened);
    }
    let credentials = grant.credentials;
    Ok(Session {
        version: FORMAT_VERSION,
        profile: settings.profile.name().map(str::to_string),
        credentials,
        role,
        region,
        roles: assertion.roles,
        okta_org: org.origin().ascii_serialization(),
        session_name: sts::session_name(assertion.name_id.as_deref()),
        target_decided_for: None,
        target: None,
    })
}

/// The SAML role's session length: `OKTA_STS_DURATION`, else the assertion's
/// SessionDuration, else an hour.
fn saml_duration(settings: &Settings, assertion: &Assertion) -> Result<i32> {
    settings
        .sts
        .duration_or(assertion.session_duration.unwrap_or(DEFAULT_DURATION_SECS))
}

/// The SAML assertion: through the cached Okta session when Okta still knows it (no
/// password, no MFA), else through a full login.
async fn saml_assertion(
    settings: &Settings,
    prompter: &dyn Prompter,
    cache: &CacheDir,
    client: &OktaClient,
    app_url: &Url,
) -> Result<(Assertion, Option<String>)> {
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
            prompt::debug("the Okta session is still valid: no password needed");
            form
        }
        None => {
            if cookies.sid.take().is_some() {
                prompter.say("The Okta session has ended; logging in again.");
            }
            let form = match &settings.okta.oidc_client_id {
                // An Identity Engine org: the user signs in in the browser.
                Some(client_id) => {
                    device_flow::saml_form(client, prompter, client_id, app_url).await?
                }
                None => {
                    let okta = &settings.okta;
                    let session_token =
                        authn::authenticate(client, prompter, &okta.user, &okta.mfa).await?;
                    web_session::establish(client, &session_token, app_url).await?
                }
            };
            cookies.expires_at = web_session::expiry(client).await;
            form
        }
    };
    let cookies = web_session::read_from(client, &cookies);
    if let Err(e) = cache.write(&cookies_path, &cookies) {
        prompter.warn(&format!("cannot keep the Okta session: {e:#}"));
    }
    Ok((Assertion::parse(&form.saml_response)?, form.action))
}

/// Account id → name for the assertion's accounts: cached for a day, else read from AWS's
/// sign-in page (the form's action). Best effort: any failure leaves ids only.
async fn account_names(
    cache: &CacheDir,
    action: Option<&str>,
    assertion: &Assertion,
) -> BTreeMap<String, String> {
    if let Some(fresh) = signin_page::load_fresh(cache) {
        return fresh.names;
    }
    let Some(url) = action.and_then(signin_page::allowed_action) else {
        prompt::debug("no AWS sign-in page to read account names from");
        return signin_page::load_any(cache).names;
    };
    // A client of its own: no cookies, and no following AWS's redirect into the console
    // (its answer for a single-role account).
    let http = match signin_page::signin_client() {
        Ok(http) => http,
        Err(e) => {
            prompt::debug(&format!("account names unavailable: {e}"));
            return signin_page::load_any(cache).names;
        }
    };
    match signin_page::fetch_account_names(&http, &url, &assertion.base64).await {
        Ok(fetched) => match signin_page::save(cache, fetched) {
            Ok(saved) => saved.names,
            Err(e) => {
                prompt::debug(&format!("cannot cache account names: {e:#}"));
                signin_page::load_any(cache).names
            }
        },
        Err(e) => {
            prompt::debug(&format!("account names unavailable: {e}"));
            signin_page::load_any(cache).names
        }
    }
}
