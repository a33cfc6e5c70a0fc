//! The cache directory's mechanics (SPEC: 0700, files 0600): versioned JSON files written
//! atomically, read as a miss when anything is wrong with them, and OS file locks. Which file
//! holds what is the store's business (`store/mod.rs`).

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{Read, Write};
// Unix modes on Unix; on Windows an access list does their work (`restrict_new_directory`).
#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::UserError;
use crate::prompt::{Prompter, log};

/// Bumped when the files' shape changes; older files are then misses.
pub const FORMAT_VERSION: u32 = 1;

/// How long a process waits for another one's login before giving up.
const LOCK_WAIT_LIMIT: Duration = Duration::from_secs(600);
const LOCK_POLL: Duration = Duration::from_millis(25);

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// A file-name-safe form of a profile name or host: letters, digits, `.`, `-`, `_` kept,
/// anything else as `%XX` (so distinct names never collide).
pub fn file_stem(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-_".contains(&b) || (b == b'.' && !out.is_empty()) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The cache directory of one configuration.
#[derive(Debug, Clone)]
pub struct CacheDir {
    pub path: PathBuf,
}

impl CacheDir {
    pub fn new(path: PathBuf) -> CacheDir {
        CacheDir { path }
    }

    pub fn file(&self, stem: &str, extension: &str) -> PathBuf {
        self.path.join(format!("{}.{extension}", file_stem(stem)))
    }

    /// Create the directory (0700) if missing. An existing directory's mode is left alone:
    /// the user may have pointed us at a directory they manage.
    pub fn ensure(&self) -> Result<()> {
        if self.path.is_dir() {
            return Ok(());
        }
        let mut builder = DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        builder.mode(0o700);
        builder
            .create(&self.path)
            .with_context(|| format!("creating the cache directory {}", self.path.display()))?;
        restrict_new_directory(&self.path)
    }

    /// Read a JSON file; `None` when missing, unreadable, corrupt, or of another version.
    pub fn read<T: DeserializeOwned + Versioned>(&self, path: &Path) -> Option<T> {
        let mut text = String::new();
        match File::open(path).and_then(|mut f| f.read_to_string(&mut text)) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                log::debug(&format!(
                    "cache: cannot read {}: {e}; ignoring it",
                    path.display()
                ));
                return None;
            }
        }
        match serde_json::from_str::<T>(&text) {
            Ok(value) if value.version() == FORMAT_VERSION => Some(value),
            Ok(_) => {
                log::debug(&format!(
                    "cache: {} is of an older format; ignoring it",
                    path.display()
                ));
                None
            }
            Err(e) => {
                log::debug(&format!(
                    "cache: {} is corrupt ({e}); ignoring it",
                    path.display()
                ));
                None
            }
        }
    }

    /// Write a JSON file atomically with mode 0600.
    pub fn write<T: Serialize>(&self, path: &Path, value: &T) -> Result<()> {
        self.ensure()?;
        let mut temp = tempfile::NamedTempFile::new_in(&self.path)
            .with_context(|| format!("writing to the cache directory {}", self.path.display()))?;
        serde_json::to_writer(&mut temp, value)?;
        temp.as_file().sync_all()?;
        put_in_place(temp, path).with_context(|| format!("writing {}", path.display()))
    }

    pub fn remove(&self, path: &Path) -> Result<bool> {
        match std::fs::remove_file(path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e).with_context(|| format!("removing {}", path.display())),
        }
    }

    /// Files of one kind (by extension), with their stems decoded as far as needed.
    pub fn list(&self, extension: &str) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.path) else {
            return Vec::new();
        };
        let suffix = format!(".{extension}");
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(&suffix))
            })
            .collect();
        files.sort();
        files
    }

    /// Take the exclusive lock file at `path`, waiting (bounded) for another holder; `what`
    /// says whose login it guards. The OS releases it when the holder exits, even by a crash.
    pub fn lock(&self, path: &Path, what: &str, prompter: &dyn Prompter) -> Result<FileLock> {
        self.ensure()?;
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        // On Windows the file inherits the directory's access list.
        #[cfg(unix)]
        options.mode(0o600);
        let mut file = options
            .open(path)
            .with_context(|| format!("opening the lock file {}", path.display()))?;
        let started = Instant::now();
        let mut announced = false;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {}
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("locking {}", path.display()));
                }
            }
            if !announced {
                announced = true;
                announce_wait(path, what, prompter);
            }
            if started.elapsed() > LOCK_WAIT_LIMIT {
                return Err(UserError::new(format!(
                    "gave up after {} s waiting for another okta-aws logging in to {what}",
                    LOCK_WAIT_LIMIT.as_secs()
                ))
                .hint(format!(
                    "finish or stop that login, or remove {} if no okta-aws runs",
                    path.display()
                ))
                .into());
            }
            std::thread::sleep(LOCK_POLL);
        }
        // Record who holds it, for the message above (best effort).
        let _ = file.set_len(0);
        let _ = file.write_all(std::process::id().to_string().as_bytes());
        Ok(FileLock { _file: file })
    }
}

#[cfg(not(windows))]
fn restrict_new_directory(_dir: &Path) -> Result<()> {
    Ok(()) // created 0700
}

/// Windows has no modes: an access list naming only the user, inherited by the files.
#[cfg(windows)]
fn restrict_new_directory(dir: &Path) -> Result<()> {
    crate::files::windows::restrict_to_user(dir)
        .with_context(|| format!("restricting the cache directory {} to you", dir.display()))
}

#[cfg(not(windows))]
fn put_in_place(temp: tempfile::NamedTempFile, path: &Path) -> std::io::Result<()> {
    temp.persist(path).map(drop).map_err(|e| e.error)
}

/// Another okta-aws reading the file (std shares deletion) or a virus scanner may hold it:
/// `files::windows::replace` retries.
#[cfg(windows)]
fn put_in_place(temp: tempfile::NamedTempFile, path: &Path) -> std::io::Result<()> {
    crate::files::windows::replace(&temp.into_temp_path(), path)
}

/// Tell the user whose login we wait for (the holder's pid, as it recorded it).
fn announce_wait(path: &Path, what: &str, prompter: &dyn Prompter) {
    let holder = std::fs::read_to_string(path).unwrap_or_default();
    let holder = holder.trim();
    let by = if holder.is_empty() {
        String::new()
    } else {
        format!(" (pid {holder})")
    };
    prompter.say(&format!(
        "Waiting for another okta-aws{by} that is logging in to {what}…"
    ));
}

/// Held while a profile's login runs; dropping it (or exiting) releases the lock.
pub struct FileLock {
    _file: File,
}

/// Files carry a format version.
pub trait Versioned {
    fn version(&self) -> u32;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::none::NoTerminal;

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Probe {
        version: u32,
        value: String,
    }

    impl Versioned for Probe {
        fn version(&self) -> u32 {
            self.version
        }
    }

    #[test]
    fn stems_are_safe_and_distinct() {
        assert_eq!(file_stem("work"), "work");
        assert_eq!(file_stem("a/b"), "a%2Fb");
        assert_eq!(file_stem("../x"), "%2E.%2Fx");
        assert_ne!(file_stem("a b"), file_stem("a_b"));
    }

    #[test]
    fn files_are_private_and_corruption_is_a_miss() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CacheDir::new(dir.path().join("cache"));
        let path = cache.file("p", "json");
        cache
            .write(
                &path,
                &Probe {
                    version: FORMAT_VERSION,
                    value: "x".into(),
                },
            )
            .unwrap();
        // Unix modes; the Windows access list is checked in files::windows's tests.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&cache.path), 0o700);
            assert_eq!(mode(&path), 0o600);
        }
        assert_eq!(cache.read::<Probe>(&path).unwrap().value, "x");
        std::fs::write(&path, "{not json").unwrap();
        assert!(cache.read::<Probe>(&path).is_none());
        cache
            .write(
                &path,
                &Probe {
                    version: 0,
                    value: "old".into(),
                },
            )
            .unwrap();
        assert!(cache.read::<Probe>(&path).is_none());
    }

    #[test]
    fn a_second_lock_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CacheDir::new(dir.path().to_path_buf());
        let path = cache.file("p", "lock");
        let first = cache.lock(&path, "p", &NoTerminal).unwrap();
        let cache2 = cache.clone();
        let started = Instant::now();
        let waiter = std::thread::spawn(move || {
            let _second = cache2.lock(&path, "p", &NoTerminal).unwrap();
            started.elapsed()
        });
        std::thread::sleep(Duration::from_millis(200));
        drop(first);
        assert!(waiter.join().unwrap() >= Duration::from_millis(200));
    }
}
