//! The `awscli` binary: a drop-in `aws` that makes sure an Okta session is valid, then
//! replaces itself with the real `aws`, credentials in its environment.

use std::ffi::{OsStr, OsString};

use anyhow::Result;

use super::exec::{become_command, replace_process};
use crate::aws::cli_path::find_real_aws;
use crate::error::{self, fail};
use crate::prompt::tty::TtyPrompter;
use crate::session;
use crate::settings::keys::OKTA_AWS_CLI;
use crate::settings::{ConfigFile, Overrides, Profile, Settings, config_file_path};

/// Set in the real `aws`'s environment; seeing it on start means `aws` led back to us.
const RECURSION_GUARD: &str = "OKTA_AWS_AWSCLI_ACTIVE";

/// Entry point of the `awscli` binary; returns the exit status (when `aws` could not run).
pub fn awscli_main() -> i32 {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    run(args).unwrap_or_else(|e| error::report(&e))
}

fn run(args: Vec<OsString>) -> Result<i32> {
    if std::env::var_os(RECURSION_GUARD).is_some() {
        return fail(
            "awscli was started by the `aws` it runs: `aws` leads back to this tool",
            format!("set {OKTA_AWS_CLI} to the real AWS CLI (see `which -a aws`)"),
        );
    }
    // bash's `complete -C awscli awscli` (and our zsh/fish/PowerShell hooks): answer it.
    if let Some(line) = super::completions::awscli_request() {
        return super::completions::complete_awscli(&line);
    }
    let (profile_flag, rest) = super::profile_flag::take_first(&args);
    if needs_no_login(&args) {
        return run_untouched(&args);
    }
    // One read of the config file serves both questions: is it ours, and its settings.
    let file = ConfigFile::load(&config_file_path())?;
    let profile = match profile_flag {
        Some(name) if !file.has_profile(&name) => return run_untouched(&args),
        explicit => Profile::requested(explicit.as_deref()),
    };
    let settings = Settings::from_file(&file, profile, &Overrides::default())?;
    let aws = find_real_aws(settings.files.aws_cli.as_deref())?;
    let session = session::obtain(&settings, &TtyPrompter, session::Request::default())?;
    replace_process(aws.as_os_str(), &rest, &session, &[(RECURSION_GUARD, "1")])
}

/// Run the real `aws` with the arguments as given, no login.
fn run_untouched(args: &[OsString]) -> Result<i32> {
    let configured = std::env::var(OKTA_AWS_CLI).ok().filter(|v| !v.is_empty());
    let aws = find_real_aws(configured.as_deref())?;
    let mut command = std::process::Command::new(&aws);
    command.args(args).env(RECURSION_GUARD, "1");
    become_command(command)
}

/// `aws --version`, `aws help`, `aws s3 help`, `aws configure …` and shell completion need
/// no credentials.
pub fn needs_no_login(args: &[OsString]) -> bool {
    if std::env::var_os("COMP_LINE").is_some() {
        return true;
    }
    let is = |a: &OsString, s: &str| a.as_os_str() == OsStr::new(s);
    let first_command = args.iter().find(|a| !a.to_string_lossy().starts_with('-'));
    args.iter().any(|a| is(a, "--version"))
        || first_command.is_some_and(|a| is(a, "help") || is(a, "configure"))
        || args.last().is_some_and(|a| is(a, "help"))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::cli::os_strings as os;

    #[test]
    fn help_version_and_configure_need_no_login() {
        assert!(needs_no_login(&os(&["--version"])));
        assert!(needs_no_login(&os(&["help"])));
        assert!(needs_no_login(&os(&["s3", "help"])));
        assert!(needs_no_login(&os(&["configure", "list"])));
        assert!(!needs_no_login(&os(&["sts", "get-caller-identity"])));
        assert!(!needs_no_login(&os(&["s3", "ls", "s3://help"])));
    }
}
