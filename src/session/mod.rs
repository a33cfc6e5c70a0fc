//! AWS sessions: `obtain` is the core every command goes through. A valid cached session is
//! returned at once (one small file read, no runtime, no network); otherwise, under a
//! per-profile lock, the providers run — the SAML role's session (kept while fresh, else a
//! login that reuses the Okta web session while Okta still knows it), wrapped by the
//! cross-account hop — and the cache keeps the result.
//!
//! settings → session → output: commands decide what to do with the session (write files,
//! exec, print).

mod account_names;
pub mod all_roles;
mod cached;
mod login;
pub mod logout;
pub mod model;
mod provider;
mod remembered_user;
mod target;
mod unattended;
pub mod written;

use anyhow::Result;

use cached::SessionCache;
use login::{LoginContext, SamlRole};
pub use model::{AwsSession, REMOVED_VARIABLES, SESSION_VARIABLES};
use provider::{Provider, run_online};
use target::CrossAccountHop;

use crate::prompt::Prompter;
use crate::settings::Settings;

/// What the caller wants of `obtain`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Request {
    /// Get new AWS credentials even if the cached ones are valid.
    pub force: bool,
}

/// A session, and whether this process's login made it: who writes ~/.aws files (login,
/// exec, awscli) writes only after a login of its own, never on the cached path.
#[derive(Debug)]
pub struct Obtained {
    pub session: AwsSession,
    pub logged_in: bool,
}

/// A valid session for the profile: from the cache, or through the providers.
pub fn obtain(
    settings: &Settings,
    prompter: &dyn Prompter,
    request: Request,
) -> Result<AwsSession> {
    obtain_reporting(settings, prompter, request).map(|obtained| obtained.session)
}

/// The cached session when it serves as it is; `None` when a login is needed. Touches no
/// network and starts no runtime: the lean `awscli` links only this much of `session`.
pub fn cached(settings: &Settings) -> Result<Option<AwsSession>> {
    Ok(SessionCache::new(settings)?.ready())
}

/// `obtain`, saying whether a login of this process made the session.
pub fn obtain_reporting(
    settings: &Settings,
    prompter: &dyn Prompter,
    request: Request,
) -> Result<Obtained> {
    let from_cache = |session| Obtained {
        session,
        logged_in: false,
    };
    let cache = SessionCache::new(settings)?;
    if !request.force
        && let Some(session) = cache.ready()
    {
        return Ok(from_cache(session));
    }
    // Check what can be checked before anyone is asked for a password.
    settings.check_for_login()?;
    warn_unsupported(settings, prompter);
    let _lock = cache.lock(prompter)?;
    // Another process may have logged in while we waited for the lock.
    let kept_saml = if request.force {
        None
    } else {
        cache.fresh_saml()
    };
    if let Some(session) = &kept_saml
        && cache.is_ready(session)
    {
        return Ok(from_cache(cache.with_current_region(session.clone())));
    }
    let session = provide(&cache, prompter, request, kept_saml.as_ref())?;
    Ok(Obtained {
        session,
        logged_in: true,
    })
}

/// The Java tool's settings that are set but ignored, one line each, when a login starts
/// (not on the cached path, which every `aws` call takes).
pub fn warn_unsupported(settings: &Settings, prompter: &dyn Prompter) {
    for warning in settings.unsupported_warnings() {
        prompter.warn(&warning);
    }
}

/// The providers, in their order: the cross-account hop around the SAML role's session —
/// the kept one while fresh, else a login. The session is cached as soon as it is there,
/// while the requests beside the login (`provider::beside`) may still be answered.
fn provide(
    cache: &SessionCache,
    prompter: &dyn Prompter,
    request: Request,
    kept_saml: Option<&AwsSession>,
) -> Result<AwsSession> {
    let settings = cache.settings();
    let previous = cache.previous();
    let saml_role = match kept_saml {
        Some(session) => SamlRole::Kept(session),
        None => SamlRole::Login {
            context: LoginContext {
                settings,
                prompter,
                store: cache.store(),
            },
            previous: previous.as_ref(),
        },
    };
    let providers = CrossAccountHop {
        inner: saml_role,
        settings,
        prompter,
        store: cache.store(),
        previous: previous.as_ref(),
        force: request.force,
    };
    run_online(&settings.net, async {
        let session = providers.provide().await?;
        cache.save(&session)?;
        Ok(session)
    })
}
