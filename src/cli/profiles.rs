//! `okta-aws profiles`: the configured profiles, one a line (the config file's `[P]`
//! sections and the Java tool's `config.P.properties` files).

use anyhow::Result;
use clap::Args;

use crate::settings::{ConfigFile, config_file_path};

#[derive(Debug, Args)]
pub struct ProfilesArgs {}

pub fn run(_args: &ProfilesArgs) -> Result<()> {
    let text: String = profile_names()?
        .iter()
        .map(|name| format!("{name}\n"))
        .collect();
    print!("{text}");
    Ok(())
}

/// Every configured profile name (no login, no network: one or two file reads).
pub fn profile_names() -> Result<Vec<String>> {
    Ok(ConfigFile::load(&config_file_path())?.profile_names())
}
