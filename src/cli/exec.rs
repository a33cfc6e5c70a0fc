//! `okta-aws exec -- CMD ARGS…`: ensure a session, then become CMD with the credentials in
//! its environment.

use std::ffi::OsString;

use anyhow::Result;
use clap::Args;

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
    let settings = load_settings(&args.profile, &args.role)?;
    let session = session::obtain(&settings, prompter, session::Request::default())?;
    let (program, rest) = args.command.split_first().expect("clap requires a command");
    replace_process(program, rest, &session, &[])
}

/// Run `program` with the session in its environment: on Unix the process is replaced
/// (execve), so exit status, signals and stdio are the program's own; elsewhere we wait and
/// pass its exit status on.
pub fn replace_process(
    program: &std::ffi::OsStr,
    args: &[OsString],
    session: &AwsSession,
    extra_env: &[(&str, &str)],
) -> Result<i32> {
    let mut command = std::process::Command::new(program);
    command.args(args);
    for name in REMOVED_VARIABLES {
        command.env_remove(name);
    }
    command.envs(session.environment());
    command.envs(extra_env.iter().copied());
    become_command(command)
}

/// Replace this process with `command` (or run it and pass its exit status on, off Unix);
/// returns only with the reason it could not be started.
pub fn become_command(mut command: std::process::Command) -> Result<i32> {
    let error = run_replacing(&mut command)?;
    let name = command.get_program().to_string_lossy().into_owned();
    let cause = match error.kind() {
        std::io::ErrorKind::NotFound => format!("cannot run '{name}': command not found"),
        std::io::ErrorKind::PermissionDenied => format!("cannot run '{name}': permission denied"),
        _ => format!("cannot run '{name}': {error}"),
    };
    Err(UserError::new(cause)
        .hint("check the command's name and PATH")
        .into())
}

/// Returns only when the program could not be started.
#[cfg(unix)]
fn run_replacing(command: &mut std::process::Command) -> Result<std::io::Error> {
    use std::os::unix::process::CommandExt;
    Ok(command.exec())
}

#[cfg(not(unix))]
fn run_replacing(command: &mut std::process::Command) -> Result<std::io::Error> {
    match command.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(e) => Ok(e),
    }
}
