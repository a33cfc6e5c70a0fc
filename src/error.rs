//! Errors the user sees: one line of cause, an optional hint, and the exit status.

use std::fmt;

/// A failure explained to the user: what went wrong and what to do about it.
#[derive(Debug)]
pub struct UserError {
    pub cause: String,
    pub hint: Option<String>,
}

impl UserError {
    pub fn new(cause: impl Into<String>) -> Self {
        UserError {
            cause: cause.into(),
            hint: None,
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.cause)
    }
}

impl std::error::Error for UserError {}

/// The user pressed Ctrl-C: exit 130 without an error message.
#[derive(Debug)]
pub struct Interrupted;

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Interrupted {}

/// Shorthand for `Err(UserError::new(cause).hint(hint).into())`.
pub fn fail<T>(cause: impl Into<String>, hint: impl Into<String>) -> anyhow::Result<T> {
    Err(UserError::new(cause).hint(hint).into())
}

pub const EXIT_FAILURE: i32 = 1;
pub const EXIT_INTERRUPTED: i32 = 130;

/// Print an error as `okta-aws: <cause>` plus `  hint: …`, and give the exit status for it.
pub fn report(err: &anyhow::Error) -> i32 {
    if err.downcast_ref::<Interrupted>().is_some() {
        eprintln!();
        return EXIT_INTERRUPTED;
    }
    if let Some(io) = err.downcast_ref::<std::io::Error>()
        && io.kind() == std::io::ErrorKind::Interrupted
    {
        eprintln!();
        return EXIT_INTERRUPTED;
    }
    match err.downcast_ref::<UserError>() {
        Some(user) => {
            eprintln!("okta-aws: {}", one_line(&user.cause));
            if let Some(hint) = &user.hint {
                eprintln!("  hint: {}", one_line(hint));
            }
        }
        None => {
            // Context chain on one line: "writing ~/.aws/credentials: permission denied".
            let chain: Vec<String> = err.chain().map(|e| e.to_string()).collect();
            eprintln!("okta-aws: {}", one_line(&chain.join(": ")));
        }
    }
    EXIT_FAILURE
}

/// Text on one line: messages and causes from elsewhere may hold newlines.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The innermost message of an error chain (e.g. "Connection refused" under layers of context).
pub fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut current = e;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}
