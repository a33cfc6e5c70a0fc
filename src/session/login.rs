//! The SAML role's session: the cache's while it is fresh, else a login — Okta's SAML
//! assertion (through the kept web session, or a sign-in), the role to assume, and STS's
//! credentials for it.

use anyhow::Result;

use super::account_names;
use super::model::AwsSession;
use super::provider::{Provider, beside};
use super::remembered_user::RememberingUser;
use super::unattended;
use crate::aws::{AwsCredentials, sts};
use crate::okta::OktaClient;
use crate::okta::sign_in::SignIn;
use crate::okta::web_session::OktaWebSession;
use crate::prompt::{Prompter, log};
use crate::role_choice::{self, MenuHints};
use crate::saml::{Assertion, RolePair};
use crate::settings::{DEFAULT_DURATION_SECS, Settings};
use crate::store::Store;
use crate::store::cache_dir::FORMAT_VERSION;

/// What a login works with.
#[derive(Clone, Copy)]
pub struct LoginContext<'a> {
    pub settings: &'a Settings,
    pub prompter: &'a dyn Prompter,
    pub store: &'a Store,
}

/// The SAML role's session.
pub enum SamlRole<'a> {
    /// The cache's, still fresh: only the cross-account part may need work.
    Kept(&'a AwsSession),
    /// A new login; `previous` is the cached session, for the menu's last choice.
    Login {
        context: LoginContext<'a>,
        previous: Option<&'a AwsSession>,
    },
}

impl Provider for SamlRole<'_> {
    async fn provide(&self) -> Result<AwsSession> {
        match self {
            SamlRole::Kept(session) => Ok((*session).clone()),
            SamlRole::Login { context, previous } => login(context, *previous).await,
        }
    }
}

/// The client for the org the settings name.
pub fn okta_client(settings: &Settings) -> Result<OktaClient> {
    OktaClient::new(settings.okta.org.get()?.clone())
}

/// Sign in to Okta and assume the chosen role.
async fn login(context: &LoginContext<'_>, previous: Option<&AwsSession>) -> Result<AwsSession> {
    let LoginContext {
        settings,
        prompter,
        store,
    } = *context;
    let client = okta_client(settings)?;
    unattended::questions_answerable(settings, prompter, store, &client.origin(), previous)?;
    // While Okta answers, the AWS SDK's root certificates for STS and IAM, and its
    // configuration for STS.
    crate::net::warm_up_aws_tls();
    let sts_config = StsConfigAhead::start(settings, previous);
    let (assertion, action) = saml_assertion(context, &client).await?;
    // First, beside STS and the cross-account hop after it: the new Okta session's expiry
    // (and, below, the account names when no menu needs them). Not needed to go on; sent
    // before STS's call, as they take longer.
    beside(learn_okta_session_expiry(client.clone(), store.clone()));
    log::debug(&format!(
        "the assertion grants {} role(s)",
        assertion.roles.len()
    ));
    let needs_menu = assertion.roles.len() > 1 && settings.sts.role.is_none();
    let account_names = if needs_menu {
        account_names::for_assertion(store, action.as_deref(), &assertion).await
    } else {
        let (kept, assertion) = (store.clone(), assertion.clone());
        let action = action.clone();
        beside(async move {
            account_names::refresh_beside(&kept, action.as_deref(), &assertion).await;
        });
        store.account_names().names
    };
    let hints = MenuHints {
        account_names,
        last_choice: previous.map(|p| p.role.role_arn.clone()),
    };
    let preset = settings.sts.role.as_deref();
    let role = role_choice::choose_role(&assertion.roles, preset, &hints, prompter)?;
    // A few turns of the loop before STS's first call (milliseconds of the SDK's CPU): the
    // requests beside it go out first, the account names' on a new connection (connect,
    // then write).
    for _ in 0..3 {
        tokio::task::yield_now().await;
    }
    let (credentials, region) = assume(context, &role, &assertion, sts_config).await?;
    Ok(AwsSession {
        version: FORMAT_VERSION,
        profile: settings.profile.name().map(str::to_string),
        credentials,
        role,
        region,
        roles: assertion.roles,
        okta_org: client.origin(),
        session_name: sts::session_name(assertion.name_id.as_deref()),
        target_decided_for: None,
        target: None,
    })
}

/// After a sign-in, when the kept Okta session ends (`sessions/me`), kept with it. Best
/// effort: without it the session is tried until Okta refuses it.
async fn learn_okta_session_expiry(client: OktaClient, store: Store) {
    let Some(mut kept) = store.okta_web_session(&client.origin()) else {
        return;
    };
    if kept.sid.is_none() || kept.expires_at.is_some() {
        return;
    }
    kept.expires_at = crate::okta::web_session::expiry(&client).await;
    if kept.expires_at.is_some() {
        let _ = store.save_okta_web_session(&kept);
    }
}

/// AssumeRoleWithSAML for the chosen role, in its partition's region: the credentials and
/// the region.
async fn assume(
    context: &LoginContext<'_>,
    role: &RolePair,
    assertion: &Assertion,
    config: StsConfigAhead,
) -> Result<(AwsCredentials, String)> {
    let settings = context.settings;
    let duration = saml_duration(settings, assertion)?;
    let partition = role.role_arn.partition();
    let region = settings.sts.regions.for_partition(partition);
    let config = config.for_region(&region).await;
    let grant = sts::assume_role_with_saml(&config, role, &assertion.base64, duration).await?;
    if let Some(shortened) = &grant.shortened {
        context.prompter.warn(shortened);
    }
    Ok((grant.credentials, region))
}

/// The AWS SDK's configuration for STS (no credentials), loaded on another thread while the
/// login waits for Okta, for the region of the last role's partition (else `aws`'s):
/// loading it reads the AWS CLI's files and takes milliseconds of CPU that would otherwise
/// come between the assertion and STS, and delay the requests sent beside STS. Not a task
/// of the login's runtime: there it would run before the first Okta request went out.
struct StsConfigAhead {
    region: String,
    config: tokio::sync::oneshot::Receiver<aws_config::SdkConfig>,
}

impl StsConfigAhead {
    fn start(settings: &Settings, previous: Option<&AwsSession>) -> StsConfigAhead {
        let partition = previous.map_or("aws", |p| p.role.role_arn.partition());
        let region = settings.sts.regions.for_partition(partition);
        let (sender, config) = tokio::sync::oneshot::channel();
        let for_thread = region.clone();
        // Should the thread or its runtime not start, the sender is dropped: loaded later.
        let _ = std::thread::Builder::new()
            .name("sts-config".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                let Ok(runtime) = runtime else {
                    return;
                };
                let _ = sender.send(runtime.block_on(sts::sdk_config(&for_thread, None)));
            });
        StsConfigAhead { region, config }
    }

    /// The configuration for `region`: the one loaded ahead when it is that region's.
    async fn for_region(self, region: &str) -> aws_config::SdkConfig {
        if self.region == region
            && let Ok(config) = self.config.await
        {
            return config;
        }
        sts::sdk_config(region, None).await
    }
}

/// The SAML role's session length: `OKTA_STS_DURATION`, else the assertion's
/// SessionDuration, else an hour.
pub fn saml_duration(settings: &Settings, assertion: &Assertion) -> Result<i32> {
    let from_assertion = assertion.session_duration.unwrap_or(DEFAULT_DURATION_SECS);
    settings.sts.duration_or(from_assertion)
}

/// The SAML assertion, and where Okta's form would post it (AWS's sign-in page): through
/// the kept Okta web session when Okta still knows it, else through a sign-in. The web
/// session is kept for the next login.
pub async fn saml_assertion(
    context: &LoginContext<'_>,
    client: &OktaClient,
) -> Result<(Assertion, Option<String>)> {
    let LoginContext {
        settings,
        prompter,
        store,
    } = *context;
    let app_link = settings.okta.app_link.get()?;
    let kept = store
        .okta_web_session(&client.origin())
        .unwrap_or_else(|| OktaWebSession::new(client.origin()));
    let sign_in = SignIn::for_settings(&settings.okta);
    let origin = client.origin();
    let asking = RememberingUser::new(prompter, store.remembered_user_name(&origin));
    let (form, kept) = sign_in
        .saml_form_reusing(client, &asking, app_link, kept)
        .await?;
    if let Err(e) = store.save_okta_web_session(&kept) {
        prompter.warn(&format!("cannot keep the Okta session: {e:#}"));
    }
    if let Some(name) = asking.typed()
        && let Err(e) = store.remember_user_name(&origin, &name)
    {
        prompter.warn(&format!("cannot remember the user name: {e:#}"));
    }
    let assertion = Assertion::parse(&form.saml_response)?;
    // `roles` and completion list them whatever this login goes on to do.
    if let Err(e) = store.save_granted_roles(&settings.profile, &assertion.roles) {
        prompter.warn(&format!("cannot keep the list of roles: {e:#}"));
    }
    Ok((assertion, form.action))
}
