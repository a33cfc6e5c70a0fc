//! `okta-aws logout`: forget cached sessions, close the Okta session, and remove the
//! credentials this tool wrote (nothing else).

use std::collections::BTreeSet;

use anyhow::Result;
use clap::Args;
use url::Url;

use super::{ProfileArg, RoleArg, load_settings};
use crate::aws::credentials_file::{credentials_path, remove_credentials};
use crate::cache::CacheDir;
use crate::okta::OktaClient;
use crate::okta::web_session::{self, OktaCookies};
use crate::prompt::Prompter;
use crate::session::{Session, SessionStore, WrittenSections, okta_cookies_path};
use crate::settings::{Overrides, Profile, Settings};

#[derive(Debug, Args)]
pub struct LogoutArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
    /// Every cached session of every profile.
    #[arg(long, conflicts_with = "profile")]
    pub all: bool,
}

pub fn run(args: &LogoutArgs, prompter: &dyn Prompter) -> Result<()> {
    let settings = if args.all {
        Settings::load(Profile::unnamed(), &Overrides::default())?
    } else {
        load_settings(&args.profile, &RoleArg::default())?
    };
    let store = SessionStore::new(&settings);
    let cache = &store.cache;
    let (session_files, ledgers) = if args.all {
        (cache.list("session.json"), cache.list("written.json"))
    } else {
        (vec![store.session_path()], vec![store.written_path()])
    };

    let mut sections = Vec::new();
    for path in &ledgers {
        if let Some(ledger) = cache.read::<WrittenSections>(path) {
            sections.extend(ledger.sections);
        }
        cache.remove(path)?;
    }
    let mut orgs = BTreeSet::new();
    let mut forgotten = 0;
    for path in &session_files {
        if let Some(session) = cache.read::<Session>(path) {
            orgs.insert(session.okta_org);
        }
        if cache.remove(path)? {
            forgotten += 1;
        }
    }
    if args.all {
        orgs.extend(all_cookie_orgs(cache));
    } else if let Some(org) = settings.okta.org.ok() {
        orgs.insert(org.origin().ascii_serialization());
    }
    let removed = remove_credentials(&credentials_path(), &sections)?;
    let closed = close_okta_sessions(cache, &orgs, prompter);
    let target = if args.all {
        "every profile".to_string()
    } else {
        Profile::requested(args.profile.profile.as_deref()).describe()
    };
    prompter.say(&format!(
        "Logged out of {target}: {forgotten} cached session(s) forgotten, {} Okta session(s) closed{}.",
        closed,
        if removed {
            ", credentials removed from ~/.aws/credentials"
        } else {
            ""
        }
    ));
    Ok(())
}

fn all_cookie_orgs(cache: &CacheDir) -> Vec<String> {
    cache
        .list("okta.json")
        .iter()
        .filter_map(|p| cache.read::<OktaCookies>(p))
        .map(|c| c.org)
        .collect()
}

/// End each org's Okta session (`DELETE /api/v1/sessions/me`); a failure only warns. The
/// device token is kept: it names this device, not a session.
fn close_okta_sessions(
    cache: &CacheDir,
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
        let path = okta_cookies_path(cache, org);
        let Some(mut cookies) = cache.read::<OktaCookies>(&path) else {
            continue;
        };
        if cookies.sid.is_none() {
            continue;
        }
        match runtime.block_on(close_one(org, &cookies)) {
            Ok(()) => closed += 1,
            Err(e) => prompter.warn(&format!(
                "could not close the Okta session at {org}: {e:#}; it ends by itself"
            )),
        }
        cookies.sid = None;
        cookies.expires_at = None;
        if let Err(e) = cache.write(&path, &cookies) {
            prompter.warn(&format!("could not update {}: {e:#}", path.display()));
        }
    }
    closed
}

async fn close_one(org: &str, cookies: &OktaCookies) -> Result<()> {
    let client = OktaClient::new(Url::parse(org)?)?;
    web_session::load_into(&client, cookies);
    web_session::close(&client).await
}
