//! `okta-aws login`: ensure a session and write its credentials (unless env mode).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::{ProfileArg, RoleArg, load_settings};
use crate::aws::credentials_file::{
    aws_config_path, config_section, credentials_path, write_credentials, write_many_credentials,
};
use crate::aws::{AwsCredentials, human_duration};
use crate::error::fail;
use crate::glob;
use crate::prompt::Prompter;
use crate::session::all_roles::{self, RoleOutcome};
use crate::session::written::write_config_entry;
use crate::session::{self, AwsSession, Obtained};
use crate::settings::Settings;
use crate::store::Store;

#[derive(Debug, Args)]
pub struct LoginArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
    #[command(flatten)]
    pub role: RoleArg,
    /// Log in again even if the cached session is still valid.
    #[arg(long)]
    pub force: bool,
    /// Assume every role of the assertion (or those matching a `--role` glob such as
    /// `prod-*/Admin`) and write a section `ACCOUNT_ID/ROLE_NAME` for each.
    #[arg(long)]
    pub all_roles: bool,
}

pub fn run(args: &LoginArgs, prompter: &dyn Prompter) -> Result<()> {
    let settings = load_settings(&args.profile, &args.role)?;
    let env_mode = *settings.files.env_mode.get()?;
    let pattern = settings.sts.role.as_deref().filter(|r| glob::is_pattern(r));
    if args.all_roles || pattern.is_some() {
        if env_mode {
            return fail(
                "login --all-roles writes credentials sections, and OKTA_ENV_MODE is on",
                "unset OKTA_ENV_MODE, or use `okta-aws exec --role ROLE` per role",
            );
        }
        return login_all_roles(&settings, prompter, pattern);
    }
    let request = session::Request { force: args.force };
    let session = session::obtain(&settings, prompter, request)?;
    if env_mode {
        prompter.say(&format!(
            "Logged in as {} until {}; OKTA_ENV_MODE is on, so nothing was written (use `okta-aws exec` or `okta-aws env`).",
            session.effective_role_arn(),
            session.effective_credentials().expiration_rfc3339()
        ));
        return Ok(());
    }
    let written = write_session(&settings, &session)?;
    say_written(&session, &written, prompter);
    Ok(())
}

/// What `write_session` wrote: the credentials section (also the AWS CLI profile to use),
/// and the cross-account `[profile]` entry when the session hops.
pub struct Written {
    pub section: String,
    pub credentials_file: PathBuf,
    pub role_profile: Option<(String, PathBuf)>,
}

/// Write the session's credentials section, and the cross-account profile when it hops: the
/// one writer of a single session, for `login`, `exec` and `awscli` alike (as the Java tool's
/// awscli/withokta wrote). Each file is updated under its own lock, atomically.
pub fn write_session(settings: &Settings, session: &AwsSession) -> Result<Written> {
    let section = credentials_section(settings, session);
    let path = credentials_path();
    write_credentials(&path, &section, &session.credentials)?;
    Store::for_settings(settings)
        .record_written_sections(&settings.profile, std::slice::from_ref(&section))?;
    // ~/.aws/config: the cross-account hop (`aws --profile NAME` then hops into the target
    // by itself) and the region (as the Java tool wrote it), recorded for logout.
    let config = aws_config_path();
    let region = settings.sts.regions.configured();
    let mut keys = Vec::new();
    if let Some(target) = &session.target {
        keys.extend([
            ("role_arn", target.role_arn.as_str()),
            ("source_profile", section.as_str()),
        ]);
    }
    keys.extend(region.map(|r| ("region", r)));
    if !keys.is_empty() {
        let store = Store::for_settings(settings);
        write_config_entry(&store, &settings.profile, &config, &section, &keys)?;
    }
    let role_profile = session
        .target
        .as_ref()
        .map(|_| (config_section(&section), config));
    Ok(Written {
        section,
        credentials_file: path,
        role_profile,
    })
}

/// After `exec` or `awscli` obtained a session: write it as `login` does when this process
/// logged in (not on the cached path, not in env mode), and say so in one line. A file that
/// cannot be written is a warning: the command still gets the credentials in its environment.
pub fn write_after_login(
    settings: &Settings,
    obtained: &Obtained,
    prompter: &dyn Prompter,
) -> Result<()> {
    if !obtained.logged_in || *settings.files.env_mode.get()? {
        return Ok(());
    }
    let session = &obtained.session;
    let written = match write_session(settings, session) {
        Ok(written) => written,
        Err(e) => {
            prompter.warn(&format!(
                "the credentials were not written ({e:#}); the command gets them in its environment"
            ));
            return Ok(());
        }
    };
    let hop = match &written.role_profile {
        Some((section, path)) => format!(" and [{section}] in {}", path.display()),
        None => String::new(),
    };
    prompter.say(&format!(
        "Credentials written to [{}] in {}{hop}, valid until {}: `aws --profile {}` uses them.",
        written.section,
        written.credentials_file.display(),
        session.credentials.expiration_rfc3339(),
        written.section,
    ));
    Ok(())
}

/// `login`'s account of what it wrote.
fn say_written(session: &AwsSession, written: &Written, prompter: &dyn Prompter) {
    prompter.say(&format!(
        "Credentials for {} written to [{}] in {}, valid until {} ({} left).",
        session.role.role_arn,
        written.section,
        written.credentials_file.display(),
        session.credentials.expiration_rfc3339(),
        human_duration(session.credentials.time_left()),
    ));
    if let (Some(target), Some((section, path))) = (&session.target, &written.role_profile) {
        prompter.say(&format!(
            "Cross-account role {} written to [{section}] in {}.",
            target.role_arn,
            path.display()
        ));
    }
    prompter.say(&format!(
        "Use them with: aws --profile {} …",
        written.section
    ));
}

/// Assume every matching role at once and write a section per role; failures are reported
/// per role and do not undo the others.
fn login_all_roles(
    settings: &Settings,
    prompter: &dyn Prompter,
    pattern: Option<&str>,
) -> Result<()> {
    let outcomes = all_roles::obtain_all(settings, prompter, pattern)?;
    let total = outcomes.len();
    let written = granted_sections(outcomes, prompter);
    let path = credentials_path();
    if !written.is_empty() {
        write_many_credentials(&path, &written)?;
        let sections: Vec<String> = written.iter().map(|(s, _)| s.clone()).collect();
        Store::for_settings(settings).record_written_sections(&settings.profile, &sections)?;
    }
    for (section, credentials) in &written {
        prompter.say(&format!(
            "[{section}] valid until {}",
            credentials.expiration_rfc3339()
        ));
    }
    let failed = total - written.len();
    prompter.say(&format!(
        "{} role(s) written to {}{}.",
        written.len(),
        path.display(),
        if failed > 0 {
            format!(", {failed} failed")
        } else {
            String::new()
        }
    ));
    if written.is_empty() {
        return fail(
            "no role could be assumed",
            "see the messages above for each role",
        );
    }
    Ok(())
}

/// The section and credentials of each role that was assumed; each failure is a warning.
fn granted_sections(
    outcomes: Vec<RoleOutcome>,
    prompter: &dyn Prompter,
) -> Vec<(String, AwsCredentials)> {
    let mut written = Vec::new();
    for outcome in outcomes {
        let section = outcome.role.role_arn.short();
        match outcome.credentials {
            Ok(grant) => {
                if let Some(shortened) = &grant.shortened {
                    prompter.warn(shortened);
                }
                written.push((section, grant.credentials));
            }
            Err(e) => prompter.warn(&format!("{section}: {e}")),
        }
    }
    written
}

/// The credentials section: the okta-aws profile's name, or `ACCOUNT_ID/ROLE_NAME` for the
/// unnamed profile.
pub fn credentials_section(settings: &Settings, session: &AwsSession) -> String {
    match settings.profile.name() {
        Some(name) => name.to_string(),
        None => session.role.role_arn.short(),
    }
}
