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

/// This tool's binaries, as files: the running one and its siblings.
fn own_binaries() -> Vec<FileId> {
    let Ok(me) = std::env::current_exe() else {
        return Vec::new();
    };
    let mut own: Vec<FileId> = file_id(&me).into_iter().collect();
    if let Some(dir) = me.parent() {
        for name in ["awscli", "okta-aws"] {
            let file = format!("{name}{}", std::env::consts::EXE_SUFFIX);
            own.extend(file_id(&dir.join(file)));
        }
    }
    own
}

/// Which file a path names, whatever symlinks (or, on Unix, hard links) lead to it.
/// On Unix its device and inode: one `stat`, where resolving the path to its canonical
/// form costs a `readlink` per component — and system calls are slow in VMs: this is the
/// hot path of `awscli`.
#[cfg(unix)]
type FileId = (u64, u64);

#[cfg(unix)]
fn file_id(path: &Path) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
type FileId = PathBuf;

#[cfg(not(unix))]
fn file_id(path: &Path) -> Option<FileId> {
    std::fs::canonicalize(path).ok()
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
        return match configured_program(path) {
            Some(p) => Ok(p),
            None => fail(
                format!("{OKTA_AWS_CLI}={path} is not an executable file"),
                format!("set {OKTA_AWS_CLI} to the path of the AWS CLI (see `{LIST_AWS_ON_PATH}`)"),
            ),
        };
    }
    let own = own_binaries();
    // The first that qualifies ends the search: the rest of PATH is not looked at.
    let mut candidates = which::which_all("aws").into_iter().flatten();
    if let Some(found) = candidates.find(|candidate| {
        startable(candidate) && file_id(candidate).is_none_or(|id| !own.contains(&id))
    }) {
        return Ok(found);
    }
    fail(
        "the AWS CLI (`aws`) was not found on PATH",
        format!(
            "install it (pip install awscli, or AWS's installer), or set {OKTA_AWS_CLI} to its path"
        ),
    )
}

/// `OKTA_AWS_CLI`'s program: a name is looked up on PATH; an absolute path on Unix is
/// checked with one `stat` (a regular file with an execute bit; `exec` reports anything
/// else), not the three system calls of a PATH lookup.
fn configured_program(path: &str) -> Option<PathBuf> {
    #[cfg(unix)]
    if Path::new(path).is_absolute() {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(path).ok()?;
        let executable = meta.is_file() && meta.permissions().mode() & 0o111 != 0;
        return executable.then(|| PathBuf::from(path));
    }
    which::which(path)
        .ok()
        .filter(|p| p.is_file() && startable(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_configured_absolute_path_must_be_an_executable_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("aws");
        std::fs::write(&program, "#!/bin/sh\n").unwrap();
        let path = program.to_str().unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(configured_program(path), None);
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(configured_program(path), Some(program.clone()));
        assert_eq!(configured_program(dir.path().to_str().unwrap()), None);
        let missing = dir.path().join("missing");
        assert_eq!(configured_program(missing.to_str().unwrap()), None);
    }

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
