//! Who may have written a file (SPEC "Trust"): files and directories that others can write
//! are not trusted, as ssh does for ~/.ssh. And who files we create belong to: run as root
//! with another user's HOME (`sudo` keeping HOME), new files and directories are handed to
//! the owner of that HOME, so root-owned files never lock the user out of their own cache
//! or credentials.
//!
//! Unix only: modes and owners are Unix's. (Windows has ACLs: its checks live beside these,
//! under their own cfg, in the Windows store.)

#![cfg(unix)]

use std::fs::{File, Metadata};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::home::home_dir;

/// Why a file or directory is not trusted, worded to follow its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untrusted {
    pub path: PathBuf,
    pub reason: String,
}

impl std::fmt::Display for Untrusted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.path.display(), self.reason)
    }
}

impl std::error::Error for Untrusted {}

impl Untrusted {
    /// A name we do not follow: whoever made it chose where it points.
    pub fn symlink(path: &Path) -> Untrusted {
        Untrusted {
            path: path.to_path_buf(),
            reason: "is a symlink".to_string(),
        }
    }
}

fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// The user files are for: ourselves, or under root the owner of HOME (root's own HOME
/// gives root). Files of root are trusted too (as ssh trusts them): only root could have
/// made them, and root can do anything anyway.
pub fn intended_owner() -> (u32, u32) {
    let uid = euid();
    if uid == 0
        && let Ok(home) = std::fs::metadata(home_dir())
    {
        return (home.uid(), home.gid());
    }
    // SAFETY: getegid has no preconditions and cannot fail.
    (uid, unsafe { libc::getegid() })
}

fn trusted_owner(uid: u32) -> bool {
    uid == 0 || uid == euid() || uid == intended_owner().0
}

fn untrusted(path: &Path, reason: String) -> Result<(), Untrusted> {
    Err(Untrusted {
        path: path.to_path_buf(),
        reason,
    })
}

/// A directory of ours: a directory, owned by us (or root), not writable by group or others.
pub fn check_private_dir(path: &Path, meta: &Metadata) -> Result<(), Untrusted> {
    if !meta.is_dir() {
        return untrusted(path, "is not a directory".to_string());
    }
    check_owner_and_mode(path, meta)
}

/// A file of ours: a regular file with one name, owned by us (or root), not writable by
/// group or others. (A second hard link could be someone else's file.)
pub fn check_private_file(path: &Path, meta: &Metadata) -> Result<(), Untrusted> {
    if !meta.is_file() {
        return untrusted(path, "is not a regular file".to_string());
    }
    if meta.nlink() > 1 {
        return untrusted(path, "has other hard links".to_string());
    }
    check_owner_and_mode(path, meta)
}

fn check_owner_and_mode(path: &Path, meta: &Metadata) -> Result<(), Untrusted> {
    if !trusted_owner(meta.uid()) {
        return untrusted(
            path,
            format!("belongs to another user (uid {})", meta.uid()),
        );
    }
    let mode = meta.mode() & 0o7777;
    if mode & 0o022 != 0 {
        return untrusted(
            path,
            format!("is writable by others (mode {:04o})", mode & 0o777),
        );
    }
    Ok(())
}

/// What is wrong with a user's file that holds secrets (~/.aws/credentials): others may
/// write it or its directory, it is a symlink to someone else's file, or others may read
/// it. Warnings, not refusals: the file is the user's, and the AWS CLI reads it anyway.
pub fn secret_file_warnings(path: &Path) -> Vec<String> {
    let mut warnings = Vec::new();
    let Ok(meta) = std::fs::metadata(path) else {
        return warnings;
    };
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    let shown = path.display();
    if is_link && !trusted_owner(meta.uid()) {
        warnings.push(format!(
            "{shown} is a symlink to a file of another user (uid {})",
            meta.uid()
        ));
    }
    let mode = meta.mode() & 0o777;
    if mode & 0o022 != 0 {
        warnings.push(format!("{shown} is writable by others (mode {mode:04o})"));
    } else if mode & 0o044 != 0 {
        warnings.push(format!(
            "{shown} holds secrets and is readable by others (mode {mode:04o}); chmod 600 it"
        ));
    }
    let dir = std::fs::canonicalize(path)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf));
    if let Some(dir) = dir
        && let Ok(d) = std::fs::metadata(&dir)
        && (d.mode() & 0o022 != 0 && d.mode() & 0o1000 == 0 || !trusted_owner(d.uid()))
    {
        warnings.push(format!(
            "its directory {} is writable by others (mode {:04o}, uid {})",
            dir.display(),
            d.mode() & 0o777,
            d.uid()
        ));
    }
    warnings
}

/// Under root, hand a file we just created to the user it is for (see `intended_owner`).
pub fn hand_over_file(file: &File) -> std::io::Result<()> {
    let (uid, gid) = intended_owner();
    if euid() == 0 && uid != 0 {
        std::os::unix::fs::fchown(file, Some(uid), Some(gid))?;
    }
    Ok(())
}

/// Under root, hand the directories just created (`created`, outermost first) to the user.
pub fn hand_over_dirs(created: &[PathBuf]) -> std::io::Result<()> {
    let (uid, gid) = intended_owner();
    if euid() == 0 && uid != 0 {
        for dir in created {
            std::os::unix::fs::lchown(dir, Some(uid), Some(gid))?;
        }
    }
    Ok(())
}

/// The directories `create_dir_all(path)` would create, outermost first.
pub fn missing_dirs(path: &Path) -> Vec<PathBuf> {
    let mut missing: Vec<PathBuf> = path
        .ancestors()
        .take_while(|p| !p.as_os_str().is_empty() && std::fs::symlink_metadata(p).is_err())
        .map(Path::to_path_buf)
        .collect();
    missing.reverse();
    missing
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn writable_by_others_or_not_a_directory_is_untrusted() {
        let d = tempfile::tempdir().unwrap();
        let meta = |p: &Path| std::fs::metadata(p).unwrap();
        chmod(d.path(), 0o700);
        assert_eq!(check_private_dir(d.path(), &meta(d.path())), Ok(()));
        for mode in [0o770, 0o707, 0o777] {
            chmod(d.path(), mode);
            let err = check_private_dir(d.path(), &meta(d.path())).unwrap_err();
            assert!(err.reason.contains("writable by others"), "{err}");
        }
        chmod(d.path(), 0o700);
        let file = d.path().join("f");
        std::fs::write(&file, "x").unwrap();
        assert!(check_private_dir(&file, &meta(&file)).is_err());
        chmod(&file, 0o600);
        assert_eq!(check_private_file(&file, &meta(&file)), Ok(()));
        std::fs::hard_link(&file, d.path().join("g")).unwrap();
        let err = check_private_file(&file, &meta(&file)).unwrap_err();
        assert!(err.reason.contains("hard links"), "{err}");
    }

    #[test]
    fn secret_files_readable_or_writable_by_others_are_warned_about() {
        let d = tempfile::tempdir().unwrap();
        chmod(d.path(), 0o700);
        let file = d.path().join("credentials");
        std::fs::write(&file, "x").unwrap();
        chmod(&file, 0o600);
        assert!(secret_file_warnings(&file).is_empty());
        chmod(&file, 0o644);
        let w = secret_file_warnings(&file);
        assert!(w[0].contains("readable by others"), "{w:?}");
        chmod(&file, 0o666);
        let w = secret_file_warnings(&file);
        assert!(w[0].contains("writable by others"), "{w:?}");
        chmod(&file, 0o600);
        chmod(d.path(), 0o777);
        let w = secret_file_warnings(&file);
        assert!(w[0].contains("its directory"), "{w:?}");
    }
}
