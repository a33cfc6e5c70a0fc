//! The Classic authentication transaction: user name and password, then whatever state Okta
//! answers, until it hands out a one-time `sessionToken`.

use anyhow::Result;
use serde_json::json;

use super::{OktaClient, OktaError, Transaction, factors};
use crate::error::{UserError, fail};
use crate::settings::keys::{OKTA_PASSWORD_CMD, OKTA_USERNAME};
use crate::settings::{MfaPresets, OktaUser};
use crate::terminal;

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
    user: &OktaUser,
    mfa: &MfaPresets,
) -> Result<String> {
    let username = match &user.name {
        Some(name) => name.clone(),
        None => terminal::ask("Okta user name", OKTA_USERNAME)?,
    };
    if username.is_empty() {
        return fail(
            "the Okta user name is empty",
            format!("set {OKTA_USERNAME}"),
        );
    }
    let mut tries = 0;
    loop {
        tries += 1;
        let (password, source) = read_password(user, &username)?;
        let body = json!({
            "username": username,
            "password": password,
            "options": {"multiOptionalFactorEnroll": false, "warnBeforePasswordExpired": true},
        });
        drop(password);
        match client.post(client.url("api/v1/authn"), &body).await {
            Ok(transaction) => return follow(client, mfa, transaction).await,
            Err(OktaError::Api(e))
                if e.is("E0000004")
                    && matches!(source, PasswordSource::Typed)
                    && tries < PASSWORD_TRIES =>
            {
                terminal::say("Okta: authentication failed; try again.");
            }
            Err(e) => return Err(e.into()),
        }
    }
}

fn read_password(user: &OktaUser, username: &str) -> Result<(String, PasswordSource)> {
    match &user.password_command {
        Some(command) => Ok((run_password_command(command)?, PasswordSource::Command)),
        None => {
            let password =
                terminal::ask_hidden(&format!("Okta password for {username}"), OKTA_PASSWORD_CMD)?;
            Ok((password, PasswordSource::Typed))
        }
    }
}

/// Run `OKTA_PASSWORD_CMD` without a shell; its stdout (less the final newline) is the password.
fn run_password_command(command: &str) -> Result<String> {
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
    let output = std::process::Command::new(program)
        .args(args)
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
    let Ok(mut password) = String::from_utf8(output.stdout) else {
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
    client: &OktaClient,
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
                terminal::warn("your Okta password expires soon; change it on Okta's web page");
                skip_warning(client, &transaction).await?
            }
            "MFA_REQUIRED" => factors::verify(client, mfa, &transaction).await?,
            "LOCKED_OUT" => {
                return fail(
                    "your Okta account is locked out",
                    "unlock it on Okta's sign-in page or ask your Okta administrator",
                );
            }
            "PASSWORD_EXPIRED" => {
                return fail(
                    "your Okta password has expired",
                    "change it on Okta's sign-in page in a browser, then run again",
                );
            }
            "MFA_ENROLL" | "MFA_ENROLL_ACTIVATE" => {
                return fail(
                    "Okta requires you to enroll an MFA factor before signing in",
                    "enroll one (Okta Verify, a TOTP app, SMS) on Okta's sign-in page in a browser, then run again",
                );
            }
            other => {
                return fail(
                    format!(
                        "Okta answered an authentication state this tool does not handle: {other}"
                    ),
                    "sign in once in a browser to finish what Okta asks, then run again",
                );
            }
        };
    }
}

async fn skip_warning(client: &OktaClient, transaction: &Transaction) -> Result<Transaction> {
    let (Some(skip), Some(state_token)) = (transaction.link("skip"), &transaction.state_token)
    else {
        return fail(
            "Okta warned about the password but offered no way to continue",
            "change your password in a browser",
        );
    };
    let url = client.checked_link(&skip.href)?;
    Ok(client
        .post(url, &json!({"stateToken": state_token}))
        .await?)
}

/// `POST _links.cancel` — best effort, used when the user gives up half way.
pub async fn cancel(client: &OktaClient, transaction: &Transaction) {
    if let (Some(cancel), Some(state_token)) =
        (transaction.link("cancel"), &transaction.state_token)
        && let Ok(url) = client.checked_link(&cancel.href)
    {
        let _ = client.post(url, &json!({"stateToken": state_token})).await;
    }
}
