//! `okta-aws env`: print statements that put the session into the calling shell, for
//! `eval "$(okta-aws env)"`. Only the statements go to stdout.

use anyhow::Result;
use clap::{Args, ValueEnum};

use super::{ProfileArg, RoleArg, load_settings};
use crate::session::{self, REMOVED_VARIABLES};

#[derive(Debug, Args)]
pub struct EnvArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
    #[command(flatten)]
    pub role: RoleArg,
    /// Syntax of the statements (default: from $SHELL).
    #[arg(long, value_enum)]
    pub shell: Option<EnvShell>,
    /// Print statements that remove the variables instead.
    #[arg(long)]
    pub unset: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EnvShell {
    Bash,
    Zsh,
}

/// The variables a session sets, in the order they are printed.
pub const SESSION_VARIABLES: [&str; 6] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
];

pub fn run(args: &EnvArgs) -> Result<()> {
    let mut out = String::new();
    if args.unset {
        out.push_str(&format!("unset {}\n", SESSION_VARIABLES.join(" ")));
    } else {
        let settings = load_settings(&args.profile, &args.role)?;
        let session = session::obtain(&settings, session::Request::default())?;
        for (name, value) in session.environment() {
            out.push_str(&format!("export {name}={}\n", posix_quote(&value)));
        }
        out.push_str(&format!("unset {}\n", REMOVED_VARIABLES.join(" ")));
    }
    print!("{out}");
    Ok(())
}

/// Single-quote for POSIX shells: `'` becomes `'\''`; nothing inside is expanded.
pub fn posix_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_quoting_survives_quotes_dollars_and_newlines() {
        assert_eq!(posix_quote("a b"), "'a b'");
        assert_eq!(posix_quote("it's $HOME\n"), "'it'\\''s $HOME\n'");
    }
}
