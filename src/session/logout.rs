//! Logging out: forget cached sessions, remove what a login wrote into the AWS CLI's files
//! (the ledger's credentials sections and ~/.aws/config keys, nothing else), and close the
//! Okta web sessions they came from — saying so when other profiles shared one.

use std::collections::BTreeSet;

use anyhow::Result;

use super::written::remove_config_keys;
use crate::aws::credentials_file::{aws_config_path, credentials_path, remove_credentials};
use crate::okta::{device_flow, web_session};
use crate::prompt::Prompter;
use crate::store::{Scope, Store};

/// What a logout did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoggedOut {
    /// Cached AWS sessions forgotten.
    pub forgotten: usize,
    /// Okta web sessions closed.
    pub closed: usize,
    /// Whether ~/.aws/credentials lost sections.
    pub credentials_removed: bool,
    /// Whether ~/.aws/config lost (or got back) keys.
    pub config_removed: bool,
}

/// Log out of `scope`. `profile_org`, the profile's own Okta org, is closed even when no
/// session of it is cached; for every profile, every kept Okta web session is.
pub fn log_out(
    store: &Store,
    scope: Scope,
    profile_org: Option<String>,
    prompter: &dyn Prompter,
) -> Result<LoggedOut> {
    let written = store.take_written(scope)?;
    let (forgotten, mut orgs) = store.forget_aws_sessions(scope)?;
    match scope {
        Scope::Every => orgs.extend(store.all_okta_web_sessions().into_iter().map(|w| w.org)),
        Scope::Profile(_) => orgs.extend(profile_org),
    }
    // The config entries first: for a moment without them `aws --profile X` finds no
    // credentials; the other way round it would loop on `source_profile`.
    let config_removed = remove_config_keys(&aws_config_path(), &written.config)?;
    let credentials_removed = remove_credentials(&credentials_path(), &written.sections)?;
    tell_who_shared(store, &orgs, prompter);
    let closed = close_okta_web_sessions(store, &orgs, prompter);
    revoke_refresh_tokens(store, &orgs, prompter);
    Ok(LoggedOut {
        forgotten,
        closed,
        credentials_removed,
        config_removed,
    })
}

/// The Okta session is the org's, not the profile's: closing it means the other profiles
/// that use it sign in again at their next login (their AWS sessions stay until they
/// expire). Said in one line rather than kept open, since logout is what the user asked.
fn tell_who_shared(store: &Store, orgs: &BTreeSet<String>, prompter: &dyn Prompter) {
    for org in orgs {
        let sharing: BTreeSet<String> = store
            .all_aws_sessions()
            .into_iter()
            .filter(|s| &s.okta_org == org)
            .map(|s| s.profile.unwrap_or_else(|| "(default)".to_string()))
            .collect();
        if sharing.is_empty() || store.okta_web_session(org).is_none_or(|k| k.sid.is_none()) {
            continue;
        }
        let names: Vec<String> = sharing.into_iter().collect();
        prompter.say(&format!(
            "The Okta session at {org} is shared with profile(s) {}: it ends too, so their next login signs in again (their AWS sessions last until they expire).",
            names.join(", ")
        ));
    }
}

/// End each org's kept web session (`DELETE /api/v1/sessions/me`) and forget it; a failure
/// only warns (the session ends by itself).
fn close_okta_web_sessions(
    store: &Store,
    orgs: &BTreeSet<String>,
    prompter: &dyn Prompter,
) -> usize {
    let mut closed = 0;
    let runtime = match crate::net::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            prompter.warn(&format!("cannot close the Okta session: {e}"));
            return 0;
        }
    };
    for org in orgs {
        // Other credentials of the org's (an Identity Engine refresh token) are revoked
        // here, beside the web session's end.
        let Some(kept) = store.okta_web_session(org).filter(|k| k.sid.is_some()) else {
            continue;
        };
        match runtime.block_on(web_session::close_kept(&kept)) {
            Ok(()) => closed += 1,
            Err(e) => prompter.warn(&format!(
                "could not close the Okta session at {org}: {e:#}; it ends by itself"
            )),
        }
        if let Err(e) = store.save_okta_web_session(&kept.ended()) {
            prompter.warn(&format!("could not update the cache: {e:#}"));
        }
    }
    closed
}

/// Revoke each org's kept Identity Engine refresh token (`POST /oauth2/v1/revoke`) and forget
/// it. Kept apart from closing the web session: a refresh token outlives it. A failure only
/// warns; the token is forgotten either way.
fn revoke_refresh_tokens(store: &Store, orgs: &BTreeSet<String>, prompter: &dyn Prompter) {
    for org in orgs {
        let Some(mut kept) = store.okta_web_session(org) else {
            continue;
        };
        let Some(grant) = kept.refresh.take() else {
            continue;
        };
        let revoked = crate::net::runtime()
            .map_err(anyhow::Error::from)
            .and_then(|runtime| runtime.block_on(device_flow::revoke(org, &grant)));
        if let Err(e) = revoked {
            prompter.warn(&format!(
                "could not revoke the Okta refresh token at {org}: {e:#}"
            ));
        }
        if let Err(e) = store.save_okta_web_session(&kept) {
            prompter.warn(&format!("could not update the cache: {e:#}"));
        }
    }
}
