//! `okta-aws exec -- CMD ARGS…`: ensure a session, then become CMD with the credentials in
//! its environment.

use std::ffi::OsString;

use anyhow::Result;
use clap::Args;

use super::login::write_after_login;
use super::loop_guard;
use super::{ProfileArg, RoleArg, load_settings};
use crate::error::UserError;
use crate::prompt::Prompter;
use crate::session::{self, AwsSession, REMOVED_VARIABLES};

#[derive(Debug, Args)]
pub struct ExecArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
    #[command(flatten)]
    pub role: RoleArg,
    /// Split a single CMD word into words as a shell would (quotes, backslashes; nothing
    /// expanded, no shell run): `exec --split -- "aws s3 ls"`, as the Java tool's withokta
    /// took its command.
    #[arg(long)]
    pub split: bool,
    /// Serve renewed credentials to the command from a local endpoint (for long runs).
    #[arg(long)]
    pub server: bool,
    /// The command and its arguments (after `--`).
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "CMD"
    )]
    pub command: Vec<OsString>,
}

pub fn run(args: &ExecArgs, prompter: &dyn Prompter) -> Result<i32> {
    if args.server {
        return super::exec_server::run(args, prompter);
    }
    let command = command_words(args)?;
    let guard = loop_guard::exec_entry(&args.fingerprint(&command));
    loop_guard::check_exec(&guard)?;
    let settings = load_settings(&args.profile, &args.role)?;
    let obtained = session::obtain_reporting(&settings, prompter, session::Request::default())?;
    write_after_login(&settings, &obtained, prompter)?;
    let (program, rest) = command.split_first().expect("checked: not empty");
    let (name, chain) = loop_guard::passed_on(&guard);
    replace_process(program, rest, &obtained.session, &[(name, &chain)])
}

/// The command to run: as given, or with `--split` its one word split as a shell would.
fn command_words(args: &ExecArgs) -> Result<Vec<OsString>> {
    let words = match args.command.as_slice() {
        [line] if args.split => split_like_a_shell(line)?,
        _ => args.command.clone(),
    };
    if words.is_empty() {
        return Err(UserError::new("the command to run is empty")
            .hint("give it as `okta-aws exec -- CMD ARGS…`")
            .into());
    }
    Ok(words)
}

/// `"aws s3 ls 'my bucket'"` → `aws`, `s3`, `ls`, `my bucket`: quotes and backslashes as a
/// POSIX shell reads them, but nothing expanded and no shell run (shell-words).
fn split_like_a_shell(line: &std::ffi::OsStr) -> Result<Vec<OsString>> {
    let text = line.to_str().ok_or_else(|| {
        UserError::new("the command given to --split is not valid UTF-8")
            .hint("give the command as separate words, without --split")
    })?;
    let words = shell_words::split(text).map_err(|e| {
        UserError::new(format!("cannot split the command: {e}"))
            .hint("check its quotes, or give the command as separate words")
    })?;
    Ok(words.into_iter().map(OsString::from).collect())
}

impl ExecArgs {
    /// What makes one `exec` the same as another, for the loop guard.
    fn fingerprint(&self, command: &[OsString]) -> Vec<OsString> {
        let option = |value: &Option<String>| OsString::from(value.as_deref().unwrap_or(""));
        let mut words = vec![option(&self.profile.profile), option(&self.role.role)];
        words.extend(command.iter().cloned());
        words
    }
}

/// Run `program` with the session in its environment: on Unix the process is replaced
/// (execve), so exit status, signals and stdio are the program's own; elsewhere (Windows has
/// no execve) it runs as our child with our stdin, stdout and stderr, and its exit status
/// becomes ours.
pub fn replace_process(
    program: &std::ffi::OsStr,
    args: &[OsString],
    session: &AwsSession,
    extra_env: &[(&str, &str)],
) -> Result<i32> {
    let session_env = session.environment();
    let set: Vec<(&str, &str)> = session_env
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .chain(extra_env.iter().copied())
        .collect();
    // On GNU/Linux without std's `Command`, which copies the whole environment: this is
    // the end of `awscli`'s hot path (see direct_exec).
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let error = super::direct_exec::exec(program, args, &REMOVED_VARIABLES, &set);
        Err(cannot_run(program, &error))
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        let mut command = std::process::Command::new(program);
        command.args(args);
        for name in REMOVED_VARIABLES {
            command.env_remove(name);
        }
        command.envs(set);
        become_command(command)
    }
}

/// Replace this process with `command` (or run it and pass its exit status on, off Unix);
/// returns only with the reason it could not be started.
pub fn become_command(mut command: std::process::Command) -> Result<i32> {
    let error = run_replacing(&mut command)?;
    Err(cannot_run(command.get_program(), &error))
}

/// Why `program` could not be started, for the user.
fn cannot_run(program: &std::ffi::OsStr, error: &std::io::Error) -> anyhow::Error {
    let name = program.to_string_lossy();
    let cause = match error.kind() {
        std::io::ErrorKind::NotFound => format!("cannot run '{name}': command not found"),
        std::io::ErrorKind::PermissionDenied => format!("cannot run '{name}': permission denied"),
        _ => format!("cannot run '{name}': {error}"),
    };
    UserError::new(cause)
        .hint("check the command's name and PATH")
        .into()
}

/// Returns only when the program could not be started.
#[cfg(unix)]
fn run_replacing(command: &mut std::process::Command) -> Result<std::io::Error> {
    use std::os::unix::process::CommandExt;
    Ok(command.exec())
}

/// Off Unix: run the program as a child and exit with its status. Ctrl-C and Ctrl-Break go
/// to every process attached to the console, so the child gets them itself and decides; we
/// ignore them meanwhile, so as to outlive it and pass its status on (as a shell does).
#[cfg(not(unix))]
fn run_replacing(command: &mut std::process::Command) -> Result<std::io::Error> {
    ignore_console_interrupts();
    match command.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(e) => Ok(e),
    }
}

/// From now on Ctrl-C and Ctrl-Break do not end this process. A handler that answers "dealt
/// with" rather than `SetConsoleCtrlHandler(NULL, TRUE)`, whose "ignore" the child would
/// inherit; handlers run newest first, so it also takes precedence over the prompt's.
#[cfg(windows)]
fn ignore_console_interrupts() {
    use windows_sys::Win32::System::Console::{
        CTRL_BREAK_EVENT, CTRL_C_EVENT, SetConsoleCtrlHandler,
    };
    unsafe extern "system" fn swallow_interrupts(event: u32) -> windows_sys::core::BOOL {
        // Closing the console, logging off and shutting down keep their default: exit.
        (event == CTRL_C_EVENT || event == CTRL_BREAK_EVENT).into()
    }
    // SAFETY: registers a handler that only compares its argument; without a console the
    // call fails harmlessly (there is then no Ctrl-C to receive).
    unsafe {
        SetConsoleCtrlHandler(Some(swallow_interrupts), 1);
    }
}

#[cfg(not(any(unix, windows)))]
fn ignore_console_interrupts() {}
