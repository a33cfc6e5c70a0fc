//! The command line: one file per command, each thin over `session` and `aws`.

pub mod awscli;
pub mod completions;
pub mod credential_process;
pub mod env;
pub mod exec;
pub mod init;
pub mod login;
pub mod logout;
pub mod profiles;
pub mod roles;
pub mod status;

use clap::{Args, Parser, Subcommand};

use crate::config::{OKTA_AWS_ROLE_TO_ASSUME, Settings, requested_profile};
use crate::{error, terminal};

/// Single sign-on for the AWS CLI through Okta.
#[derive(Debug, Parser)]
#[command(name = "okta-aws", version, about, propagate_version = true)]
pub struct Cli {
    /// More detail on the terminal (repeatable); secrets are never shown.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors and warnings.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make sure a session is valid and write its credentials to ~/.aws/credentials.
    Login(login::LoginArgs),
    /// Run a command with the session's credentials in its environment.
    Exec(exec::ExecArgs),
    /// Print shell statements that set the session's variables.
    Env(env::EnvArgs),
    /// Show each cached session: profile, role, expiry, time left, Okta session.
    Status(status::StatusArgs),
    /// Forget cached sessions, close the Okta session, remove the credentials written.
    Logout(logout::LogoutArgs),
    /// Print AWS's credential_process JSON (for `credential_process` in ~/.aws/config).
    CredentialProcess(credential_process::CredentialProcessArgs),
    /// List the roles the last login granted (from the cache; --refresh logs in).
    Roles(roles::RolesArgs),
    /// List the configured okta-aws profiles.
    Profiles(profiles::ProfilesArgs),
    /// Print shell hooks: withokta, okta-aws-use, completion (eval "$(okta-aws init bash)").
    Init(init::InitArgs),
    /// Print the completion script for both binaries.
    Completions(completions::CompletionsArgs),
}

/// `--profile P`: which okta-aws profile (section of the config file).
#[derive(Debug, Args, Clone, Default)]
pub struct ProfileArg {
    /// okta-aws profile (a [section] of the config file); default: OKTA_PROFILE, else the top section.
    #[arg(long, short = 'p', value_name = "PROFILE")]
    pub profile: Option<String>,
}

/// `--role R`: overrides OKTA_AWS_ROLE_TO_ASSUME.
#[derive(Debug, Args, Clone, Default)]
pub struct RoleArg {
    /// Role to assume: ARN, role name, or ACCOUNT/ROLE (overrides OKTA_AWS_ROLE_TO_ASSUME).
    #[arg(long, short = 'r', value_name = "ROLE")]
    pub role: Option<String>,
}

/// Resolve the settings for a command's `--profile` and `--role`.
pub fn load_settings(profile: &ProfileArg, role: &RoleArg) -> anyhow::Result<Settings> {
    Settings::load(
        requested_profile(profile.profile.as_deref()),
        &[(OKTA_AWS_ROLE_TO_ASSUME, role.role.clone())],
    )
}

/// Entry point of the `okta-aws` binary; returns the exit status.
pub fn okta_aws_main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    terminal::set_verbosity(if cli.quiet { 0 } else { 1 + cli.verbose });
    let result = match cli.command {
        Command::Login(args) => login::run(&args).map(|()| 0),
        Command::Exec(args) => exec::run(&args),
        Command::Env(args) => env::run(&args).map(|()| 0),
        Command::Status(args) => status::run(&args).map(|()| 0),
        Command::Logout(args) => logout::run(&args).map(|()| 0),
        Command::CredentialProcess(args) => credential_process::run(&args).map(|()| 0),
        Command::Roles(args) => roles::run(&args).map(|()| 0),
        Command::Profiles(args) => profiles::run(&args).map(|()| 0),
        Command::Init(args) => init::run(&args).map(|()| 0),
        Command::Completions(args) => completions::run(&args).map(|()| 0),
    };
    result.unwrap_or_else(|e| error::report(&e))
}
