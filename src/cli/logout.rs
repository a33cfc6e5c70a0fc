//! `okta-aws logout`: forget cached sessions, close the Okta session, and remove the
//! credentials this tool wrote (nothing else).

use anyhow::Result;
use clap::Args;

use super::{ProfileArg, RoleArg, load_settings};
use crate::prompt::Prompter;
use crate::session::logout::log_out;
use crate::settings::{Overrides, Profile, Settings};
use crate::store::{Scope, Store};

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
    let store = Store::for_settings(&settings);
    let (scope, target) = if args.all {
        (Scope::Every, "every profile".to_string())
    } else {
        (
            Scope::Profile(&settings.profile),
            settings.profile.describe(),
        )
    };
    let org = settings
        .okta
        .org
        .ok()
        .map(|org| org.origin().ascii_serialization());
    // Closing Okta's sessions needs the deadline and CA bundle; a bad one only warns here
    // (the defaults are used): forgetting the local sessions must not depend on it.
    if let Err(e) = crate::net::configure(&settings.net) {
        prompter.warn(&format!("{e:#}"));
    }
    let done = log_out(&store, scope, org, prompter)?;
    prompter.say(&format!(
        "Logged out of {target}: {} cached session(s) forgotten, {} Okta session(s) closed{}.",
        done.forgotten,
        done.closed,
        match (done.credentials_removed, done.config_removed) {
            (true, true) => ", credentials removed from ~/.aws/credentials and ~/.aws/config",
            (true, false) => ", credentials removed from ~/.aws/credentials",
            (false, true) => ", entries removed from ~/.aws/config",
            (false, false) => "",
        }
    ));
    Ok(())
}
