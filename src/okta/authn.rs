//! The Classic authentication transaction: user name and password, then whatever state Okta
//! answers, until it hands out a one-time `sessionToken`.

use anyhow::Result;
use serde_json::json;

use super::client::{ApiError, OktaClient};
use super::factors;
use super::transaction::{AuthnApi, Transaction};
use crate::error::{UserError, fail};
use crate::prompt::Prompter;
use crate::settings::keys::{OKTA_PASSWORD_CMD, OKTA_USERNAME};
use crate::settings::{MfaPresets, OktaUser};

/// Wrong passwords typed at the prompt before we give up.
const PASSWORD_TRIES: u32 = 3;

/// Where the password came from: typed passwords may be asked again, a command's may not.
enum PasswordSource {
    Typed,
    Command,
}

/// Log in with user name and password (and MFA); returns Okta's one-time session token.
pub async fn authenticate(
    client: &OktaClient,
    prompter: &dyn Prompter,
    user: &OktaUser,
    mfa: &MfaPresets,
) -> Result<String> {
    let api = AuthnApi { client, prompter };
    let mut tries = 0;
    loop {
        tries += 1;
        let username = user_name(prompter, user)?;
        let (password, source) = read_password(prompter, user, &username)?;
        let body = json!({
            "username": username,
            "password": password,
            "options": {"multiOptionalFactorEnroll": false, "warnBeforePasswordExpired": true},
        });
        drop(password);
        match api.post(client.url("api/v1/authn"), &body).await {
            Ok(transaction) => return follow(&api, mfa, transaction).await,
            Err(e)
                if ApiError::has_code(&e, "E0000004")
                    && matches!(source, PasswordSource::Typed)
                    && tries < PASSWORD_TRIES =>
            {
                prompter.say(if user.name.is_none() {
                    "Okta: authentication failed; try again (check the user name too: Enter keeps it)."
                } else {
                    "Okta: authentication failed; try again."
                });
            }
            Err(e) => return Err(e),
        }
    }
}

/// `OKTA_USERNAME`, else asked (the prompter may offer the name typed last time). Asked
/// again after a refused password, so that a mistyped name can be corrected.
fn user_name(prompter: &dyn Prompter, user: &OktaUser) -> Result<String> {
    let username = match &user.name {
        Some(name) => name.clone(),
        None => prompter.ask("Okta user name", OKTA_USERNAME)?,
    };
    if username.is_empty() {
        return fail(
            "the Okta user name is empty",
            format!("set {OKTA_USERNAME}"),
        );
    }
    Ok(username)
}

fn read_password(
    prompter: &dyn Prompter,
    user: &OktaUser,
    username: &str,
) -> Result<(String, PasswordSource)> {
    match &user.password_command {
        Some(command) => Ok((run_password_command(command)?, PasswordSource::Command)),
        None => {
            let password =
                prompter.ask_hidden(&format!("Okta password for {username}"), OKTA_PASSWORD_CMD)?;
            Ok((password, PasswordSource::Typed))
        }
    }
}

/// Run `OKTA_PASSWORD_CMD`; its stdout (less the final newline) is the password.
fn run_password_command(command: &str) -> Result<String> {
    let (mut process, program) = password_process(command)?;
    let output = process
        .stdin(std::process::Stdio::inherit())
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| {
            UserError::new(format!("{OKTA_PASSWORD_CMD}: cannot run '{program}': {e}"))
                .hint("check that the program exists and is on PATH")
        })?;
    if !output.status.success() {
        return fail(
            format!("{OKTA_PASSWORD_CMD} failed ({})", output.status),
            "run the command by hand to see why",
        );
    }
    password_printed(output.stdout)
}

/// On Unix the command is split into words as a shell would, and run without a shell.
#[cfg(not(windows))]
fn password_process(command: &str) -> Result<(std::process::Command, String)> {
    let words = shell_words::split(command).map_err(|e| {
        UserError::new(format!(
            "{OKTA_PASSWORD_CMD} cannot be split into words: {e}"
        ))
        .hint("quote it as a shell would, e.g. pass show 'okta/my login'")
    })?;
    let Some((program, args)) = words.split_first() else {
        return fail(
            format!("{OKTA_PASSWORD_CMD} is empty"),
            "set it to a command that prints the password",
        );
    };
    let mut process = std::process::Command::new(program);
    process.args(args);
    Ok((process, program.clone()))
}

/// On Windows every program splits its own command line, and POSIX word splitting would eat
/// the backslashes of `C:\...` paths: the command goes to cmd.exe as typed
/// (`cmd /D /S /C "COMMAND"`: /S keeps its quotes as they are, /D skips AutoRun), so it is
/// written as at a cmd prompt — `"C:\Program Files\tool.exe" get okta`.
#[cfg(windows)]
fn password_process(command: &str) -> Result<(std::process::Command, String)> {
    use std::os::windows::process::CommandExt;
    if command.trim().is_empty() {
        return fail(
            format!("{OKTA_PASSWORD_CMD} is empty"),
            "set it to a command that prints the password",
        );
    }
    let shell = std::env::var_os("ComSpec").unwrap_or_else(|| "cmd.exe".into());
    let mut process = std::process::Command::new(&shell);
    process
        .args(["/D", "/S", "/C"])
        .raw_arg(format!("\"{command}\""));
    Ok((process, shell.to_string_lossy().into_owned()))
}

/// The password a command printed: its stdout less the final newline.
fn password_printed(stdout: Vec<u8>) -> Result<String> {
    let Ok(mut password) = String::from_utf8(stdout) else {
        return fail(
            format!("{OKTA_PASSWORD_CMD} printed something that is not text"),
            "it must print only the password",
        );
    };
    if password.ends_with('\n') {
        password.pop();
        if password.ends_with('\r') {
            password.pop();
        }
    }
    if password.is_empty() {
        return fail(
            format!("{OKTA_PASSWORD_CMD} printed an empty password"),
            "it must print the password on stdout",
        );
    }
    Ok(password)
}

/// Walk the transaction's states until SUCCESS or a state we must stop at.
async fn follow(
    api: &AuthnApi<'_>,
    mfa: &MfaPresets,
    mut transaction: Transaction,
) -> Result<String> {
    loop {
        transaction = match transaction.status.as_str() {
            "SUCCESS" => {
                return transaction.session_token.ok_or_else(|| {
                    UserError::new("Okta reported success but sent no session token")
                        .hint("this org may need a browser sign-in; try once in a browser")
                        .into()
                });
            }
            "PASSWORD_WARN" => {
                api.prompter
                    .warn("your Okta password expires soon; change it on Okta's web page");
                skip_warning(api, &transaction).await?
            }
            "MFA_REQUIRED" => factors::verify(api, mfa, &transaction).await?,
            other => return Err(stopped_at(other)),
        };
    }
}

/// Why a login stops at a state the user must settle in a browser (or we do not know).
fn stopped_at(status: &str) -> anyhow::Error {
    let (cause, hint) = match status {
        "LOCKED_OUT" => (
            "your Okta account is locked out".to_string(),
            "unlock it on Okta's sign-in page or ask your Okta administrator",
        ),
        "PASSWORD_EXPIRED" => (
            "your Okta password has expired".to_string(),
            "change it on Okta's sign-in page in a browser, then run again",
        ),
        "MFA_ENROLL" | "MFA_ENROLL_ACTIVATE" => (
            "Okta requires you to enroll an MFA factor before signing in".to_string(),
            "enroll one (Okta Verify, a TOTP app, SMS) on Okta's sign-in page in a browser, then run again",
        ),
        other => (
            format!("Okta answered an authentication state this tool does not handle: {other}"),
            "sign in once in a browser to finish what Okta asks, then run again",
        ),
    };
    UserError::new(cause).hint(hint).into()
}

async fn skip_warning(api: &AuthnApi<'_>, transaction: &Transaction) -> Result<Transaction> {
    match api.follow(transaction, "skip").await {
        Some(next) => next,
        None => fail(
            "Okta warned about the password but offered no way to continue",
            "change your password in a browser",
        ),
    }
}
