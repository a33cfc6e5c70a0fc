//! Finding the real `aws` program, never this tool's own `awscli` (which users alias as `aws`).
//!
//! On Windows the search follows `PATHEXT` (the `which` crate does): the AWS CLI v2 installs
//! `aws.exe`, the v1 from pip an `aws.cmd` beside an extension-less Python script.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::error::fail;
use crate::settings::keys::OKTA_AWS_CLI;

/// The command that lists every `aws` on PATH, for hints.
const LIST_AWS_ON_PATH: &str = if cfg!(windows) {
    "where aws"
} else {
    "which -a aws"
};

/// This tool's binaries, canonicalised: the running one and its siblings.
fn own_binaries() -> Vec<PathBuf> {
    let Ok(me) = std::env::current_exe() else {
        return Vec::new();
    };
    let mut own = vec![canonical(&me)];
    if let Some(dir) = me.parent() {
        for name in ["awscli", "okta-aws"] {
            let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
            own.push(canonical(&dir.join(file)));
        }
    }
    own
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Whether `std::process::Command` can start this file on Windows: a program (`.exe`,
/// `.com`) or a batch file (`.bat`, `.cmd`, which it runs through cmd.exe). `PATHEXT` may
/// list more (`.vbs`, `.js`, `.ps1`), which need another host program.
fn startable_on_windows(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|ext| {
            ["exe", "com", "bat", "cmd"]
                .iter()
                .any(|startable| ext.eq_ignore_ascii_case(startable))
        })
}

/// On Unix `which` has already checked the execute bit.
fn startable(path: &Path) -> bool {
    !cfg!(windows) || startable_on_windows(path)
}

/// `OKTA_AWS_CLI` when set, else the first `aws` on PATH that is not this tool.
pub fn find_real_aws(configured: Option<&str>) -> Result<PathBuf> {
    if let Some(path) = configured {
        let found = which::which(path)
            .ok()
            .filter(|p| p.is_file() && startable(p));
        return match found {
            Some(p) => Ok(p),
            None => fail(
                format!("{OKTA_AWS_CLI}={path} is not an executable file"),
                format!("set {OKTA_AWS_CLI} to the path of the AWS CLI (see `{LIST_AWS_ON_PATH}`)"),
            ),
        };
    }
    let own = own_binaries();
    let candidates = which::which_all("aws")
        .map(|it| it.collect::<Vec<_>>())
        .unwrap_or_default();
    for candidate in candidates {
        if startable(&candidate) && !own.contains(&canonical(&candidate)) {
            return Ok(candidate);
        }
    }
    fail(
        "the AWS CLI (`aws`) was not found on PATH",
        format!(
            "install it (pip install awscli, or AWS's installer), or set {OKTA_AWS_CLI} to its path"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_starts_programs_and_batch_files_only() {
        for name in ["aws.exe", "AWS.EXE", "aws.cmd", "aws.Bat", "aws.com"] {
            assert!(startable_on_windows(Path::new(name)), "{name}");
        }
        for name in ["aws", "aws.ps1", "aws.vbs", "aws.js", "aws.exe.txt"] {
            assert!(!startable_on_windows(Path::new(name)), "{name}");
        }
    }
}
