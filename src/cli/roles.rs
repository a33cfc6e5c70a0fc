//! `okta-aws roles`: the roles the last SAML assertion granted, read from the cache (no
//! network); `--refresh` logs in first.

use std::collections::BTreeMap;

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use super::{ProfileArg, RoleArg, load_settings};
use crate::error::fail;
use crate::prompt::Prompter;
use crate::saml::RolePair;
use crate::session;
use crate::settings::Settings;
use crate::store::Store;

#[derive(Debug, Args)]
pub struct RolesArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
    /// Log in again first, for a fresh list from Okta.
    #[arg(long)]
    pub refresh: bool,
    /// One JSON array of {account_id, role_name, role_arn, provider_arn}.
    #[arg(long)]
    pub json: bool,
}

/// One role as `--json` prints it.
#[derive(Debug, Serialize)]
struct RoleEntry<'a> {
    account_id: &'a str,
    /// The account's alias, when AWS's sign-in page told it.
    #[serde(skip_serializing_if = "Option::is_none")]
    account_name: Option<&'a str>,
    role_name: &'a str,
    role_arn: &'a str,
    provider_arn: &'a str,
}

pub fn run(args: &RolesArgs, prompter: &dyn Prompter) -> Result<()> {
    let settings = load_settings(&args.profile, &RoleArg::default())?;
    if args.refresh {
        session::obtain(&settings, prompter, session::Request { force: true })?;
    }
    let roles = granted_roles(&settings)?;
    if args.json {
        let names = Store::for_settings(&settings).account_names().names;
        let entries: Vec<RoleEntry> = roles.iter().map(|r| entry(r, &names)).collect();
        println!("{}", serde_json::to_string_pretty(&entries)?);
    } else {
        let text: String = roles.iter().map(|r| format!("{}\n", r.role_arn)).collect();
        print!("{text}");
    }
    Ok(())
}

/// The roles of the profile's last assertion, from the cache.
fn granted_roles(settings: &Settings) -> Result<Vec<RolePair>> {
    match Store::for_settings(settings).granted_roles(&settings.profile) {
        Some(roles) => Ok(roles),
        None => {
            let (flag, which) = (settings.profile.flag(), settings.profile.describe());
            fail(
                format!("no cached session for {which}"),
                format!("run `okta-aws roles{flag} --refresh` (or `okta-aws login{flag}`) once"),
            )
        }
    }
}

fn entry<'a>(role: &'a RolePair, names: &'a BTreeMap<String, String>) -> RoleEntry<'a> {
    RoleEntry {
        account_id: role.role_arn.account(),
        account_name: names.get(role.role_arn.account()).map(String::as_str),
        role_name: role.role_arn.name(),
        role_arn: role.role_arn.as_str(),
        provider_arn: &role.provider_arn,
    }
}
