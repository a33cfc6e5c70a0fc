//! Loop guards for the commands that run another program with the session (`exec`,
//! `awscli`): when the program leads back to us — an `aws` wrapper that runs `okta-aws exec --
//! aws`, or `awscli` itself found as `aws` — each round would log in and start the next, for
//! ever. One variable, passed down to the program, records who started it; a command that
//! finds itself there stops at once, before any login.

use std::ffi::OsString;
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::error::fail;
use crate::settings::keys::OKTA_AWS_CLI;

/// The chain of our commands above this process: `awscli` for the drop-in `aws`, and a
/// fingerprint of each `exec`'s arguments, separated by `:`.
pub const CHAIN_VARIABLE: &str = "OKTA_AWS_EXEC_CHAIN";

/// `awscli`'s entry in the chain.
const AWSCLI: &str = "awscli";

/// Deeper than this, `exec`s nested inside one another are taken for a loop whose
/// arguments change each round (no one nests that many on purpose).
const MAX_DEPTH: usize = 16;

/// The chain as this process was given it.
fn inherited() -> Vec<String> {
    let chain = std::env::var(CHAIN_VARIABLE).unwrap_or_default();
    chain
        .split(':')
        .filter(|entry| !entry.is_empty())
        .map(str::to_string)
        .collect()
}

/// `awscli` started by the `aws` that an `awscli` runs: the real `aws` is not the AWS CLI.
pub fn check_awscli() -> anyhow::Result<()> {
    if inherited().iter().any(|entry| entry == AWSCLI) {
        return fail(
            "awscli was started by the `aws` it runs: `aws` leads back to this tool",
            format!("set {OKTA_AWS_CLI} to the real AWS CLI (see `which -a aws`)"),
        );
    }
    Ok(())
}

/// The chain entry of `exec` with these arguments (all of its own, the command included).
/// The same `exec` inside itself is a loop; another `exec` (another profile, another
/// command) inside it is fine.
pub fn exec_entry(args: &[OsString]) -> String {
    let mut hasher = DefaultHasher::new();
    args.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

/// Stop an `exec` that is already among the commands above it, or nested too deep.
pub fn check_exec(entry: &str) -> anyhow::Result<()> {
    let chain = inherited();
    if chain.iter().any(|e| e == entry) || chain.len() >= MAX_DEPTH {
        return fail(
            "okta-aws exec was started by the command it runs: it leads back to okta-aws exec",
            format!(
                "if the command is an `aws` wrapper that calls okta-aws, set {OKTA_AWS_CLI} or PATH to reach the real AWS CLI"
            ),
        );
    }
    Ok(())
}

/// The variable to hand the program, with `entry` added to the chain.
pub fn passed_on(entry: &str) -> (&'static str, String) {
    let mut chain = inherited();
    chain.push(entry.to_string());
    (CHAIN_VARIABLE, chain.join(":"))
}

/// `passed_on` for `awscli`.
pub fn passed_on_by_awscli() -> (&'static str, String) {
    passed_on(AWSCLI)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::os_strings as os;

    #[test]
    fn the_same_arguments_give_the_same_entry_and_others_another() {
        let a = exec_entry(&os(&["exec", "--", "aws", "s3", "ls"]));
        assert_eq!(a, exec_entry(&os(&["exec", "--", "aws", "s3", "ls"])));
        assert_ne!(
            a,
            exec_entry(&os(&["exec", "-p", "x", "--", "aws", "s3", "ls"]))
        );
        assert_ne!(a, exec_entry(&os(&["exec", "--", "aws", "s3ls"])));
        assert!(!a.contains(':'));
    }
}
