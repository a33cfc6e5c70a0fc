//! The `awscli` binary: a drop-in `aws` that makes sure an Okta session is valid, then
//! replaces itself with the real `aws`, credentials in its environment.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;

use anyhow::Result;

use super::exec::{become_command, replace_process};
use super::loop_guard;
use crate::aws::cli_path::find_real_aws;
use crate::error::{self, fail};
use crate::prompt::tty::TtyPrompter;
use crate::session::{self, AwsSession};
use crate::settings::keys::OKTA_AWS_CLI;
use crate::settings::{ConfigFile, Overrides, Profile, Settings, config_file_path};

/// The first argument by which `awscli` hands a cache miss to `okta-aws`:
/// `okta-aws __awscli ARGS…` logs in, writes as `login` does, then runs `aws ARGS…`.
/// Internal: not a subcommand, never shown, kept out of clap.
pub const HANDOVER: &str = "__awscli";

/// Entry point of the `awscli` binary; returns the exit status (when `aws` could not run).
///
/// The lean path: a cached session becomes `aws`'s environment with no runtime, no HTTP,
/// no TLS and no AWS SDK linked into this binary; anything that needs a login goes to
/// `okta-aws` (see `HANDOVER`), so that this binary stays small and starts fast.
pub fn awscli_main() -> i32 {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    run_lean(args).unwrap_or_else(|e| error::report(&e))
}

/// `awscli`'s entry point on GNU/Linux, where the binary is glibc's `main` and std's
/// start-up does not run (see src/bin/awscli.rs). What of it matters here is done here: the
/// standard descriptors are open before any file is, and a panic exits with std's 101.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn lean_start() -> i32 {
    open_closed_standard_descriptors();
    std::panic::catch_unwind(awscli_main).unwrap_or(101)
}

/// Point any of descriptors 0–2 that is closed at /dev/null, as std's start-up does: else
/// the cache file opened next could become "stderr", and `aws` would inherit the hole.
/// One `poll` finds them (`POLLNVAL`); `open` takes the lowest free descriptor.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn open_closed_standard_descriptors() {
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: `fds` is a valid array of 3 pollfd for the duration of the call.
    if unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) } < 0 {
        return;
    }
    for pollfd in fds.iter().filter(|p| p.revents & libc::POLLNVAL != 0) {
        // SAFETY: a constant NUL-terminated path; the descriptor is kept for the process.
        let fd = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
        if fd != pollfd.fd {
            // std aborts here too: no safe way on without the standard descriptors.
            std::process::abort();
        }
    }
}

/// `okta-aws __awscli ARGS…`: `awscli`'s cache miss, logged in here.
pub fn handover_main(args: Vec<OsString>) -> i32 {
    run_with_login(args).unwrap_or_else(|e| error::report(&e))
}

/// The Java tool's `okta-aws PROFILE AWS-ARGS…`: `awscli --profile PROFILE AWS-ARGS…`,
/// logging in here when needed.
pub fn profile_main(profile: &str, aws_args: Vec<OsString>) -> i32 {
    let mut args = vec![OsString::from("--profile"), OsString::from(profile)];
    args.extend(aws_args);
    handover_main(args)
}

/// What `awscli ARGS…` asks for.
enum Plan {
    /// `aws` with the arguments as given, no login.
    Untouched(Vec<OsString>),
    /// `aws` with `rest` (our `--profile` taken out) and this profile's session.
    WithSession {
        settings: Box<Settings>,
        rest: Vec<OsString>,
    },
}

fn plan(args: Vec<OsString>) -> Result<Plan> {
    loop_guard::check_awscli()?;
    let (profile_flag, rest) = super::profile_flag::take_first(&args);
    if needs_no_login(&args) {
        return Ok(Plan::Untouched(args));
    }
    // One read of the config file serves both questions: is it ours, and its settings.
    let file = ConfigFile::load(&config_file_path())?;
    let profile = match profile_flag {
        Some(name) if !file.has_profile(&name) => return Ok(Plan::Untouched(args)),
        explicit => Profile::requested(explicit.as_deref()),
    };
    let settings = Settings::from_file(&file, profile, &Overrides::default())?;
    Ok(Plan::WithSession {
        settings: Box::new(settings),
        rest,
    })
}

fn run_lean(args: Vec<OsString>) -> Result<i32> {
    // bash's `complete -C awscli awscli` (and our zsh/fish/PowerShell hooks): answer it.
    if let Some(line) = super::completions::awscli_request() {
        loop_guard::check_awscli()?;
        return super::completions::complete_awscli(&line);
    }
    match plan(args.clone())? {
        Plan::Untouched(args) => run_untouched(&args),
        Plan::WithSession { settings, rest } => match session::cached(&settings)? {
            Some(session) => run_aws(&settings, &rest, &session),
            None => hand_over(&args),
        },
    }
}

fn run_with_login(args: Vec<OsString>) -> Result<i32> {
    match plan(args)? {
        Plan::Untouched(args) => run_untouched(&args),
        Plan::WithSession { settings, rest } => {
            let prompter = TtyPrompter;
            let request = session::Request::default();
            let obtained = session::obtain_reporting(&settings, &prompter, request)?;
            super::login::write_after_login(&settings, &obtained, &prompter)?;
            run_aws(&settings, &rest, &obtained.session)
        }
    }
}

/// Become the real `aws` with the session.
fn run_aws(settings: &Settings, rest: &[OsString], session: &AwsSession) -> Result<i32> {
    let aws = find_real_aws(settings.files.aws_cli.as_deref())?;
    let (name, chain) = loop_guard::passed_on_by_awscli();
    replace_process(aws.as_os_str(), rest, session, &[(name, &chain)])
}

/// Become `okta-aws __awscli ARGS…`: the `okta-aws` installed beside this binary.
fn hand_over(args: &[OsString]) -> Result<i32> {
    let mut command = std::process::Command::new(okta_aws_beside_us()?);
    command.arg(HANDOVER).args(args);
    become_command(command)
}

/// `okta-aws` in this binary's own directory (both are installed together).
fn okta_aws_beside_us() -> Result<PathBuf> {
    let name = format!("okta-aws{}", std::env::consts::EXE_SUFFIX);
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(&name)))
        .filter(|path| path.is_file());
    match beside {
        Some(path) => Ok(path),
        None => fail(
            "awscli needs a login, and okta-aws is not installed beside it",
            "install both binaries into the same directory (`cargo install` does)",
        ),
    }
}

/// Run the real `aws` with the arguments as given, no login.
fn run_untouched(args: &[OsString]) -> Result<i32> {
    let configured = std::env::var(OKTA_AWS_CLI).ok().filter(|v| !v.is_empty());
    let aws = find_real_aws(configured.as_deref())?;
    let mut command = std::process::Command::new(&aws);
    let (name, chain) = loop_guard::passed_on_by_awscli();
    command.args(args).env(name, chain);
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
