//! The command line: one file per command, each thin over `session` and `aws`.

pub mod awscli;
pub mod completions;
pub mod configure;
pub mod console;
pub mod credential_process;
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod direct_exec;
pub mod doctor;
pub mod env;
pub mod exec;
pub mod exec_server;
pub mod init;
pub mod login;
pub mod logout;
pub mod loop_guard;
pub mod profile_flag;
pub mod profiles;
pub mod roles;
pub mod status;

use std::ffi::OsString;

use clap::{Args, FromArgMatches, Parser, Subcommand};

use crate::error;
use crate::prompt::tty::TtyPrompter;
use crate::prompt::{Prompter, log};
use crate::settings::{Overrides, Profile, Settings};

/// The version `--version` shows: `0.1.0 (28c5460 2026-11-28)` in a build from a git
/// checkout (commit and commit date), the plain package version otherwise. A constant from
/// build.rs: printing it costs the cached path nothing.
pub const VERSION: &str = env!("OKTA_AWS_VERSION");

/// Single sign-on for the AWS CLI through Okta.
#[derive(Debug, Parser)]
#[command(name = "okta-aws", version = VERSION, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub globals: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// The flags every command takes.
#[derive(Debug, Args, Clone, Copy)]
pub struct GlobalArgs {
    /// More detail on the terminal (repeatable); secrets are never shown.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors and warnings.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
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
    /// Write a profile to the config file, asking on the terminal.
    Configure(configure::ConfigureArgs),
    /// Open the AWS console signed in as the session (--print: print the sign-in URL).
    Console(console::ConsoleArgs),
    /// Check the setup: settings, the org, the app link, the aws CLI, clock, files, cache.
    Doctor(doctor::DoctorArgs),
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
        Profile::requested(profile.profile.as_deref()),
        &Overrides {
            role: role.role.clone(),
        },
    )
}

/// Entry point of the `okta-aws` binary; returns the exit status.
pub fn okta_aws_main() -> i32 {
    let args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == awscli::HANDOVER) {
        return awscli::handover_main(args[2..].to_vec());
    }
    let cli = match parse_command_line(&args) {
        Ok(cli) => cli,
        Err(e)
            if e.kind() == clap::error::ErrorKind::InvalidSubcommand
                && let Some(profile) = java_profile_form(&args) =>
        {
            return awscli::profile_main(&profile, args[2..].to_vec());
        }
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    let GlobalArgs { verbose, quiet } = cli.globals;
    log::set_verbosity(if quiet { 0 } else { 1 + verbose });
    run(cli.command, &TtyPrompter).unwrap_or_else(|e| error::report(&e))
}

/// The Java tool's `okta-aws PROFILE AWS-ARGS…` (run `aws` with that profile's session): the
/// first word, which clap took for an unknown subcommand, names a configured profile. Anything
/// else keeps clap's error, so a mistyped subcommand still gets its suggestion.
fn java_profile_form(args: &[OsString]) -> Option<String> {
    let first = args.get(1)?.to_str()?;
    if first.starts_with('-') {
        return None;
    }
    let file = crate::settings::ConfigFile::load(&crate::settings::config_file_path()).ok()?;
    file.has_profile(first).then(|| first.to_string())
}

/// Run one command; its exit status.
fn run(command: Command, prompter: &dyn Prompter) -> anyhow::Result<i32> {
    let done = |()| 0;
    match command {
        Command::Login(args) => login::run(&args, prompter).map(done),
        Command::Exec(args) => exec::run(&args, prompter),
        Command::Env(args) => env::run(&args, prompter).map(done),
        Command::Status(args) => status::run(&args, prompter).map(done),
        Command::Logout(args) => logout::run(&args, prompter).map(done),
        Command::CredentialProcess(args) => credential_process::run(&args, prompter).map(done),
        Command::Roles(args) => roles::run(&args, prompter).map(done),
        Command::Profiles(args) => profiles::run(&args).map(done),
        Command::Init(args) => init::run(&args).map(done),
        Command::Completions(args) => completions::run(&args).map(done),
        Command::Configure(args) => configure::run(&args, prompter).map(done),
        Command::Console(args) => console::run(&args, prompter).map(done),
        Command::Doctor(args) => doctor::run(&args),
    }
}

/// Parse the command line.
///
/// The commands that run before every `aws` call (`exec`, `env`, `credential-process`) are
/// first parsed against their own arguments alone: building clap's whole command tree costs
/// about as much as everything else a cached `exec` does (measured: 0.13 ms of 0.8 ms). The
/// same derive definitions serve both parsers, and whatever the short parse does not accept
/// as it stands (help, version, a mistake, a global flag before the command) goes through
/// the full parser, so help and error messages are the full parser's.
pub fn parse_command_line(args: &[OsString]) -> Result<Cli, clap::Error> {
    match parse_hot_command(args) {
        Some(cli) => Ok(cli),
        None => Cli::try_parse_from(args),
    }
}

fn parse_hot_command(args: &[OsString]) -> Option<Cli> {
    match args.get(1)?.to_str()? {
        "exec" => parse_alone("exec", args, Command::Exec),
        "env" => parse_alone("env", args, Command::Env),
        "credential-process" => parse_alone("credential-process", args, Command::CredentialProcess),
        _ => None,
    }
}

/// `args` (program, `name`, rest…) parsed as command `name` with arguments `A` and the global
/// flags; `None` for anything but a clean parse.
fn parse_alone<A: Args + FromArgMatches>(
    name: &'static str,
    args: &[OsString],
    command: fn(A) -> Command,
) -> Option<Cli> {
    let parser = clap::Command::new(name).version(VERSION);
    let parser = A::augment_args(GlobalArgs::augment_args(parser));
    let own_args = args[..1].iter().chain(&args[2..]);
    let matches = parser.try_get_matches_from(own_args).ok()?;
    Some(Cli {
        globals: GlobalArgs::from_arg_matches(&matches).ok()?,
        command: command(A::from_arg_matches(&matches).ok()?),
    })
}

/// Test arguments as the command line gives them.
#[cfg(test)]
pub(crate) fn os_strings(words: &[&str]) -> Vec<OsString> {
    words.iter().map(OsString::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn argv(words: &[&str]) -> Vec<OsString> {
        os_strings(&[&["okta-aws"], words].concat())
    }

    /// The short parse either agrees with the full parser exactly or steps aside: it takes
    /// every clean parse of a hot command written first, and nothing the full parser refuses
    /// or answers with help or a version.
    fn assert_parsers_agree(args: &[OsString]) {
        let short = parse_hot_command(args).map(|cli| format!("{cli:?}"));
        let full = Cli::try_parse_from(args);
        let hot_first = args
            .get(1)
            .and_then(|a| a.to_str())
            .is_some_and(|a| ["exec", "env", "credential-process"].contains(&a));
        match (&short, &full) {
            (Some(short), Ok(full)) => assert_eq!(short, &format!("{full:?}"), "{args:?}"),
            (None, Ok(full)) => assert!(!hot_first, "short parse missed {args:?}: {full:?}"),
            (Some(short), Err(e)) => panic!("short parse took {args:?} as {short}; full: {e}"),
            (None, Err(_)) => {}
        }
    }

    #[test]
    fn short_parse_of_hot_commands_matches_the_full_parser() {
        let cases: &[&[&str]] = &[
            &["exec", "--", "true"],
            &["exec", "true"],
            &["exec", "-p", "dev", "--", "aws", "s3", "ls"],
            &[
                "exec",
                "--profile=dev",
                "--role",
                "Admin",
                "--",
                "sh",
                "-c",
                "echo $X",
            ],
            &[
                "exec",
                "-pdev",
                "-r",
                "111111111111/Admin",
                "terraform",
                "plan",
            ],
            &["exec", "-v", "--", "x"],
            &["exec", "-vv", "-q", "--", "x"],
            &["exec", "--help"],
            &["exec", "-h"],
            &["exec", "--version"],
            &["exec", "-V"],
            &["exec", "--"],
            &["exec"],
            &["exec", "-p"],
            &["exec", "--bogus", "--", "x"],
            &["exec", "--", "--version"],
            &["exec", "--", "-h"],
            &["env"],
            &["env", "--shell", "fish"],
            &["env", "--shell=json", "-p", "dev"],
            &["env", "--unset", "-q"],
            &["env", "--shell", "nope"],
            &["env", "--shell"],
            &["env", "extra"],
            &["credential-process", "--profile", "p"],
            &["credential-process", "--role", "r", "-v"],
            &["credential-process", "--help"],
            &["-v", "exec", "--", "x"],
            &["login", "--role", "Admin"],
            &["--version"],
        ];
        for case in cases {
            assert_parsers_agree(&argv(case));
        }
        // The common shapes do take the short path.
        for case in [
            &["exec", "--", "true"][..],
            &["env", "--shell", "bash"],
            &["credential-process"],
        ] {
            assert!(parse_hot_command(&argv(case)).is_some(), "{case:?}");
        }
    }

    proptest! {
        #[test]
        fn short_parse_never_disagrees(words in proptest::collection::vec(
            proptest::sample::select(vec![
                "exec", "env", "credential-process", "login", "--", "-p", "dev", "--profile",
                "--profile=x", "-r", "--role", "Admin", "-v", "-q", "-vq", "--shell", "fish",
                "--unset", "-h", "--help", "-V", "--version", "true", "--bogus", "-pdev", "",
            ]),
            0..7,
        )) {
            assert_parsers_agree(&argv(&words));
        }
    }
}
