//! The user's home directory, and `~/` in paths the user gives.

use std::path::PathBuf;

/// The user's home directory (`$HOME` first, as shells and the AWS CLI do).
pub fn home_dir() -> PathBuf {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .or_else(std::env::home_dir)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Expand a leading `~/` the way the AWS CLI does for its file variables.
pub fn expand_tilde(path: &str) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => home_dir().join(rest),
        None if path == "~" => home_dir(),
        None => PathBuf::from(path),
    }
}
