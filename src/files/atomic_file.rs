//! Safe whole-file updates of the user's files (~/.aws/credentials, ~/.aws/config).
//!
//! `update_file` = lock, read, edit, and (only if the text changed) write a temporary file in
//! the same directory and rename it over the target. Readers (the aws CLI, SDKs) therefore
//! see either the old or the new file, never a half-written one, and two okta-aws processes
//! updating the same file at once cannot lose each other's changes.
//!
//! * Symlinks are followed to their final target; the target is replaced, the link stays
//!   (dotfile managers link ~/.aws/credentials). A dangling link gets its target created.
//! * The lock is `File::lock` (flock on Unix) on a hidden sidecar `.<name>.lock` next to the
//!   target, held for the whole read-modify-write. The target itself cannot carry the lock,
//!   because the rename replaces its inode. The lock file is left in place: deleting it
//!   would let a waiter lock a file that is no longer the one on disk.
//! * The new file gets the old file's mode (0600 for a new file) and, when allowed, its
//!   owner (a `sudo`ed run must not leave root's file in the user's home).
//! * Content that is not UTF-8 is refused, and the file is left alone; so is anything but a
//!   regular file (a FIFO is refused at once, not read for ever).
//! * The lock file is opened without following a symlink (a planted one would otherwise be
//!   created or locked in someone else's place). Run as root with a user's HOME, the new
//!   file, lock file and directories go to the owner of that HOME (`files::trust`).

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};

use crate::error::UserError;

/// Read the file (missing = empty), apply `edit`, and if the text changed write it back
/// atomically. Returns whether it wrote.
pub fn update_file(
    path: &Path,
    edit: impl FnOnce(&str) -> Result<String>,
) -> Result<bool /* changed */> {
    let target = Target::of(path)?;
    create_private_dir(&target.dir)?;
    let lock_path = target.dir.join(format!(".{}.lock", target.name));
    let lock = open_lock_file(&lock_path)
        .with_context(|| format!("cannot create the lock file {}", lock_path.display()))?;
    lock.lock()
        .with_context(|| format!("cannot lock {}", lock_path.display()))?;
    let (old, meta) = read_text(&target.path)?;
    let new = edit(&old)?;
    if new == old {
        return Ok(false);
    }
    target
        .replace(&new, meta.as_ref())
        .with_context(|| format!("cannot write {}", target.path.display()))?;
    drop(lock);
    Ok(true)
}

/// The file a path finally names, its directory and its name.
struct Target {
    path: PathBuf,
    dir: PathBuf,
    name: String,
}

impl Target {
    fn of(path: &Path) -> Result<Target> {
        let path = final_target(path)?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path
            .file_name()
            .ok_or_else(|| anyhow!("{} is not a file name", path.display()))?
            .to_string_lossy()
            .into_owned();
        Ok(Target { path, dir, name })
    }

    /// Write `text` to a temporary file beside the target, with the old file's owner and
    /// mode, and rename it over the target.
    fn replace(&self, text: &str, old: Option<&fs::Metadata>) -> std::io::Result<()> {
        let temp_prefix = format!(".{}.okta-aws.", self.name);
        remove_stale_temporaries(&self.dir, &temp_prefix);
        let mut tmp = tempfile::Builder::new()
            .prefix(&temp_prefix)
            .suffix(".tmp")
            .tempfile_in(&self.dir)?;
        tmp.write_all(text.as_bytes())?;
        tmp.flush()?;
        copy_owner_and_mode(tmp.as_file(), old)?;
        tmp.as_file().sync_all()?;
        put_in_place(tmp, &self.path)?;
        // Make the rename durable; not every file system can sync a directory.
        if let Ok(d) = File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

/// The file's text and metadata; a missing file is empty. Anything but a regular UTF-8
/// file is refused and left alone.
fn read_text(path: &Path) -> Result<(String, Option<fs::Metadata>)> {
    // Checked on the open file before reading: a FIFO would block the read for ever.
    let mut file = match open_for_reading(path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok((String::new(), None)),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let meta = file
        .metadata()
        .with_context(|| format!("cannot read {}", path.display()))?;
    if !meta.is_file() {
        return Err(UserError::new(format!(
            "{} is not a regular file; not touching it",
            path.display()
        ))
        .hint("point AWS_SHARED_CREDENTIALS_FILE (or AWS_CONFIG_FILE) at a regular file")
        .into());
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow!("{} is not UTF-8 text; not touching it", path.display()))?;
    Ok((text, Some(meta)))
}

/// Open without blocking: a FIFO (or device) opens at once, and is then refused.
fn open_for_reading(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    options.open(path)
}

/// A writer killed between creating its temporary file and renaming it (SIGKILL, power
/// loss) leaves that file behind. We hold the lock, so no other writer is mid-write: every
/// temporary of ours still there is such a leftover.
fn remove_stale_temporaries(dir: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(prefix) && name.ends_with(".tmp") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Follow symlinks (relative ones from their own directory) to the final path, which may
/// not exist yet.
fn final_target(path: &Path) -> Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = fs::read_link(&p)
                    .with_context(|| format!("cannot read the symlink {}", p.display()))?;
                p = match p.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            Ok(_) => return Ok(p),
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(p),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", p.display())),
        }
    }
    bail!("{}: too many levels of symbolic links", path.display())
}

fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    #[cfg(unix)]
    let created = super::trust::missing_dirs(dir);
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
        .with_context(|| format!("cannot create the directory {}", dir.display()))?;
    // Root writing into a user's HOME: the new directories are the user's.
    #[cfg(unix)]
    super::trust::hand_over_dirs(&created)
        .with_context(|| format!("cannot hand over the directory {}", dir.display()))?;
    Ok(())
}

fn open_lock_file(path: &Path) -> std::io::Result<File> {
    let mut o = OpenOptions::new();
    o.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    // A lock file planted as a symlink (or FIFO) is not followed, nor waited on.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut o, libc::O_NOFOLLOW | libc::O_NONBLOCK);
    let file = o.open(path)?;
    #[cfg(unix)]
    check_lock_file(&file, path)?;
    Ok(file)
}

/// The lock file must be a regular file (never written: only locked); one root just
/// created in a user's directory is handed to that user.
#[cfg(unix)]
fn check_lock_file(file: &File, path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other(format!(
            "{} is not a regular file",
            path.display()
        )));
    }
    if meta.size() == 0 {
        super::trust::hand_over_file(file)?;
    }
    Ok(())
}

#[cfg(unix)]
fn copy_owner_and_mode(f: &File, old: Option<&fs::Metadata>) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let mode = match old {
        Some(m) => {
            // Keep the owner when we may (root editing a user's file); EPERM when we may not.
            match std::os::unix::fs::fchown(f, Some(m.uid()), Some(m.gid())) {
                Err(e) if e.kind() != ErrorKind::PermissionDenied => return Err(e),
                _ => {}
            }
            m.mode() & 0o7777
        }
        None => {
            // A new file: root writing into a user's HOME makes it the user's.
            super::trust::hand_over_file(f)?;
            0o600
        }
    };
    // after chown, which may clear set-id bits
    f.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn copy_owner_and_mode(f: &File, old: Option<&fs::Metadata>) -> std::io::Result<()> {
    if let Some(m) = old {
        f.set_permissions(m.permissions())?;
    }
    Ok(())
}

#[cfg(not(windows))]
fn put_in_place(tmp: tempfile::NamedTempFile, target: &Path) -> std::io::Result<()> {
    tmp.persist(target).map(drop).map_err(|e| e.error)
}

/// Windows refuses a rename over a file a reader holds open: `files::windows::replace`
/// waits for it, then writes in place. Our handle is closed first; the temporary file is
/// removed on the way out if it is still there.
#[cfg(windows)]
fn put_in_place(tmp: tempfile::NamedTempFile, target: &Path) -> std::io::Result<()> {
    let tmp = tmp.into_temp_path();
    super::windows::replace(&tmp, target)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt, symlink};

    fn append(line: String) -> impl FnOnce(&str) -> Result<String> {
        move |old| Ok(format!("{old}{line}\n"))
    }

    #[test]
    fn new_file_is_0600_in_a_new_0700_dir() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("aws/credentials");
        assert!(update_file(&path, append("[default]".into())).unwrap());
        assert_eq!(fs::read_to_string(&path).unwrap(), "[default]\n");
        assert_eq!(fs::metadata(&path).unwrap().mode() & 0o777, 0o600);
        assert_eq!(
            fs::metadata(d.path().join("aws")).unwrap().mode() & 0o777,
            0o700
        );
        // the lock file is hidden and stays; no temporary file is left
        let mut names: Vec<_> = fs::read_dir(d.path().join("aws"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, [".credentials.lock", "credentials"]);
    }

    #[test]
    fn existing_mode_is_kept() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("config");
        fs::write(&path, "a\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let ino = fs::metadata(&path).unwrap().ino();
        assert!(update_file(&path, append("b".into())).unwrap());
        let m = fs::metadata(&path).unwrap();
        assert_eq!(m.mode() & 0o777, 0o644);
        assert_ne!(m.ino(), ino, "replaced by rename");
        assert_eq!(fs::read_to_string(&path).unwrap(), "a\nb\n");
    }

    #[test]
    fn symlink_is_followed_and_kept() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("dotfiles")).unwrap();
        let target = d.path().join("dotfiles/credentials");
        fs::write(&target, "old\n").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o640)).unwrap();
        let aws = d.path().join("aws");
        fs::create_dir(&aws).unwrap();
        let link = aws.join("credentials");
        symlink("../dotfiles/credentials", &link).unwrap(); // relative link
        let link2 = d.path().join("link2");
        symlink(&link, &link2).unwrap(); // a chain
        assert!(update_file(&link2, append("new".into())).unwrap());
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert!(
            fs::symlink_metadata(&link2)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "old\nnew\n");
        assert_eq!(fs::metadata(&target).unwrap().mode() & 0o777, 0o640);
        assert!(d.path().join("dotfiles/.credentials.lock").exists());
    }

    #[test]
    fn dangling_symlink_creates_the_target() {
        let d = tempfile::tempdir().unwrap();
        let link = d.path().join("credentials");
        symlink("store/creds", &link).unwrap();
        assert!(update_file(&link, append("x".into())).unwrap());
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            fs::read_to_string(d.path().join("store/creds")).unwrap(),
            "x\n"
        );
        assert_eq!(fs::read_to_string(&link).unwrap(), "x\n");
    }

    #[test]
    fn unchanged_text_is_not_written() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("credentials");
        fs::write(&path, "same\n").unwrap();
        let before = fs::metadata(&path).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(!update_file(&path, |t| Ok(t.to_string())).unwrap());
        let after = fs::metadata(&path).unwrap();
        assert_eq!(before.ino(), after.ino());
        assert_eq!(before.modified().unwrap(), after.modified().unwrap());
        // a missing file edited to nothing is not created
        let missing = d.path().join("missing");
        assert!(!update_file(&missing, |t| Ok(t.to_string())).unwrap());
        assert!(!missing.exists());
    }

    #[test]
    fn non_utf8_is_refused_and_untouched() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("credentials");
        fs::write(&path, b"[default]\n\xff\xfe\n").unwrap();
        let err = update_file(&path, |_| Ok("x".into())).unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.contains("is not UTF-8 text; not touching it"), "{msg}");
        assert!(msg.contains(path.to_str().unwrap()), "{msg}");
        assert_eq!(fs::read(&path).unwrap(), b"[default]\n\xff\xfe\n");
    }

    #[test]
    fn edit_error_writes_nothing() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("credentials");
        fs::write(&path, "keep\n").unwrap();
        let err = update_file(&path, |_| bail!("no thanks")).unwrap_err();
        assert_eq!(err.to_string(), "no thanks");
        assert_eq!(fs::read_to_string(&path).unwrap(), "keep\n");
    }

    #[test]
    fn a_directory_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let sub = d.path().join("credentials");
        fs::create_dir(&sub).unwrap();
        let err = update_file(&sub, |_| Ok("x".into())).unwrap_err();
        assert!(
            format!("{err:#}").contains(sub.to_str().unwrap()),
            "{err:#}"
        );
    }

    #[test]
    fn concurrent_updates_are_never_lost() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("credentials");
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    for i in 0..25 {
                        update_file(&path, |old| {
                            // widen the race window between read and write
                            std::thread::yield_now();
                            Ok(format!("{old}key_{t}_{i} = {i}\n"))
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 200);
        for t in 0..8 {
            for i in 0..25 {
                assert!(text.contains(&format!("key_{t}_{i} = {i}\n")));
            }
        }
    }
    /// Issue 11 item 9: a FIFO as the credentials file is refused at once, never read.
    #[test]
    fn a_fifo_is_refused_at_once() {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("credentials");
        let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let err = update_file(&path, |_| Ok("x".into())).unwrap_err();
        assert!(format!("{err:#}").contains("not a regular file"), "{err:#}");
        assert!(fs::symlink_metadata(&path).unwrap().file_type().is_fifo());
    }

    /// Issue 11 item 3: a lock file planted as a symlink is neither followed nor created.
    #[test]
    fn a_lock_file_planted_as_a_symlink_is_not_followed() {
        let d = tempfile::tempdir().unwrap();
        let victim = d.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let aws = d.path().join("aws");
        fs::create_dir(&aws).unwrap();
        symlink(&victim, aws.join(".credentials.lock")).unwrap();
        symlink(d.path().join("nowhere"), aws.join(".config.lock")).unwrap();
        assert!(update_file(&aws.join("credentials"), append("x".into())).is_err());
        assert!(update_file(&aws.join("config"), append("x".into())).is_err());
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert!(!d.path().join("nowhere").exists());
        assert!(!aws.join("credentials").exists());
    }
}
