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
mod target;

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

/// A valid session for the profile: from the cache, or through the providers.
pub fn obtain(
    settings: &Settings,
    prompter: &dyn Prompter,
    request: Request,
) -> Result<AwsSession> {
    let cache = SessionCache::new(settings)?;
    if !request.force
        && let Some(session) = cache.ready()
    {
        return Ok(session);
    }
    // Check what can be checked before anyone is asked for a password.
    settings.check_for_login()?;
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
        return Ok(cache.with_current_region(session.clone()));
    }
    let session = provide(&cache, prompter, request, kept_saml.as_ref())?;
    cache.save(&session)?;
    Ok(session)
}

/// The providers, in their order: the cross-account hop around the SAML role's session —
/// the kept one while fresh, else a login.
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
        previous: previous.as_ref(),
        force: request.force,
    };
    run_online(&settings.net, providers.provide())
}
