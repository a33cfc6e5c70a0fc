//! The user's home directory, and `~/` in paths the user gives.

use std::ffi::OsString;
use std::path::PathBuf;

/// The user's home directory: `$HOME` first, as shells and the AWS CLI do; on Windows, where
/// `HOME` is usually unset, `%USERPROFILE%` (what the AWS CLI and SDKs use there), then the
/// system's answer.
pub fn home_dir() -> PathBuf {
    home_from(|name| std::env::var_os(name))
        .or_else(std::env::home_dir)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The home the environment names (`lookup` reads a variable), if any.
fn home_from(lookup: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let set = |name: &str| lookup(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    set("HOME").or_else(|| profile_home(set))
}

#[cfg(windows)]
fn profile_home(set: impl Fn(&str) -> Option<PathBuf>) -> Option<PathBuf> {
    set("USERPROFILE")
}

/// Off Windows `USERPROFILE` means nothing (a Windows habit carried into WSL, say).
#[cfg(not(windows))]
fn profile_home(_set: impl Fn(&str) -> Option<PathBuf>) -> Option<PathBuf> {
    None
}

/// Expand a leading `~/` the way the AWS CLI does for its file variables (and `~\` on
/// Windows, where both separators are used).
pub fn expand_tilde(path: &str) -> PathBuf {
    let rest = path
        .strip_prefix("~/")
        .or_else(|| path.strip_prefix("~\\").filter(|_| cfg!(windows)));
    match rest {
        Some(rest) => home_dir().join(rest),
        None if path == "~" => home_dir(),
        None => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn environment(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn home_wins_and_an_empty_one_does_not_count() {
        let env = environment(&[("HOME", "/h"), ("USERPROFILE", "C:\\Users\\a")]);
        assert_eq!(home_from(env), Some(PathBuf::from("/h")));
        let env = environment(&[("HOME", "")]);
        assert_eq!(home_from(env), None);
    }

    #[cfg(windows)]
    #[test]
    fn without_home_windows_uses_the_user_profile() {
        let env = environment(&[("HOME", ""), ("USERPROFILE", "C:\\Users\\a")]);
        assert_eq!(home_from(env), Some(PathBuf::from("C:\\Users\\a")));
    }

    #[cfg(not(windows))]
    #[test]
    fn without_home_unix_ignores_a_user_profile() {
        let env = environment(&[("USERPROFILE", "C:\\Users\\a")]);
        assert_eq!(home_from(env), None);
    }

    #[cfg(windows)]
    #[test]
    fn a_tilde_with_a_backslash_is_the_home_on_windows() {
        assert_eq!(expand_tilde("~\\x\\y"), home_dir().join("x\\y"));
        assert_eq!(expand_tilde("~/x"), home_dir().join("x"));
        assert_eq!(expand_tilde("C:\\x"), PathBuf::from("C:\\x"));
    }
}
