//! The cache directory's mechanics (SPEC: 0700, files 0600): versioned JSON files written
//! atomically, read as a miss when anything is wrong with them, and OS file locks. Which file
//! holds what is the store's business (`store/mod.rs`).

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{Read, Write};
// Unix modes on Unix; on Windows an access list does their work (`restrict_new_directory`).
#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};

#[cfg(unix)]
use crate::files::trust::Untrusted;
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

    /// Create the directory (0700) if missing, and refuse one that others can write (as
    /// ssh does for ~/.ssh). An existing directory's mode is otherwise left alone: the user
    /// may have pointed us at a directory they manage.
    pub fn ensure(&self) -> Result<()> {
        if !self.path.is_dir() {
            #[cfg(unix)]
            let created = crate::files::trust::missing_dirs(&self.path);
            let mut builder = DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            builder.mode(0o700);
            builder
                .create(&self.path)
                .with_context(|| format!("creating the cache directory {}", self.path.display()))?;
            #[cfg(unix)]
            crate::files::trust::hand_over_dirs(&created)
                .with_context(|| format!("handing over {}", self.path.display()))?;
            restrict_new_directory(&self.path)?;
        }
        #[cfg(unix)]
        unix_trust::check_dir(&self.path)?;
        Ok(())
    }

    /// Read a JSON file; `None` when missing, unreadable, corrupt, or of another version,
    /// and (with a warning naming it) when others could have written it or its directory.
    pub fn read<T: DeserializeOwned + Versioned>(&self, path: &Path) -> Option<T> {
        let text = match self
            .open_trusted(path)
            .and_then(|(file, len)| read_small_file(file, len))
        {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                warn_once(path, || match e.raw_os_error() {
                    Some(_) => format!("ignoring {}: {e}", path.display()),
                    None => e.to_string(),
                });
                return None;
            }
            Err(e) => {
                log::debug(&format!(
                    "cache: cannot read {}: {e}; ignoring it",
                    path.display()
                ));
                return None;
            }
        };
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

    /// A cache file opened for reading without following a symlink and without blocking on
    /// a FIFO, checked to be a file of ours (Unix; `PermissionDenied` names what is wrong),
    /// with its length.
    fn open_trusted(&self, path: &Path) -> std::io::Result<(File, u64)> {
        #[cfg(unix)]
        return unix_trust::open_for_reading(&self.path, path);
        #[cfg(not(unix))]
        {
            let file = File::open(path)?;
            let len = file.metadata()?.len();
            Ok((file, len))
        }
    }

    /// Write a JSON file atomically with mode 0600: a new file created exclusively (never
    /// through a name someone planted), renamed over the old one.
    pub fn write<T: Serialize>(&self, path: &Path, value: &T) -> Result<()> {
        self.ensure()?;
        remove_stale_temporaries(&self.path);
        let mut temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(&self.path)
            .with_context(|| format!("writing to the cache directory {}", self.path.display()))?;
        #[cfg(unix)]
        crate::files::trust::hand_over_file(temp.as_file())?;
        // Serialised first, written in one call: serde_json writes token by token, a system
        // call each to an unbuffered file (hundreds for a session).
        temp.write_all(&serde_json::to_vec(value)?)?;
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
        // A lock file planted as a symlink would have us truncate its target: never follow.
        #[cfg(unix)]
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        let mut file = match options.open(path) {
            Ok(file) => file,
            #[cfg(unix)]
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                return Err(unix_trust::untrusted_lock(Untrusted::symlink(path)));
            }
            Err(e) => {
                return Err(e).with_context(|| format!("opening the lock file {}", path.display()));
            }
        };
        #[cfg(unix)]
        unix_trust::check_lock_file(&file, path)?;
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

/// A file is read more than once per command: say what is wrong with it once.
fn warn_once(path: &Path, message: impl FnOnce() -> String) {
    static WARNED: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
    let mut warned = WARNED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if !warned.iter().any(|p| p == path) {
        warned.push(path.to_path_buf());
        log::warn(&message());
    }
}

/// Temporary files of `write`, renamed into place when complete.
const TEMP_PREFIX: &str = ".tmp";

/// How old a temporary file must be to be a leftover: a write takes milliseconds, and
/// writers of other profiles may be mid-write (they hold no common lock).
const STALE_TEMP_AGE: Duration = Duration::from_secs(60);

/// Remove temporary files left by a writer killed before its rename (SIGKILL, power loss):
/// they hold secrets. Only ours (by name, regular files) and only stale ones.
fn remove_stale_temporaries(dir: &Path) -> usize {
    remove_temporaries(dir, STALE_TEMP_AGE)
}

/// Remove our temporary files at least `min_age` old (`logout --all`: every one).
pub fn remove_temporaries(dir: &Path, min_age: Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let is_ours = entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX);
        let stale = entry
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .is_some_and(|m| {
                m.modified()
                    .ok()
                    .map(|t| t.elapsed().unwrap_or(Duration::ZERO))
                    .is_some_and(|age| age >= min_age)
            });
        if is_ours && stale && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// The most `read_small_file` reads at once (and so allocates before reading): a cache
/// file is a few KiB.
const FIRST_READ_LIMIT: usize = 1 << 20;

/// The whole of a cache file (a few KiB) whose length the trust check's `fstat` gave: one
/// `read` into a buffer one byte larger, where `read_to_string` would `fstat` and `seek`
/// again and read twice — system calls cost microseconds each in a VM, on the path of every
/// cached `awscli`. A read shorter than asked is the end of a regular file; should the file
/// have grown since (it is replaced by rename, never written in place), the rest is read on.
fn read_small_file(mut file: File, len: u64) -> std::io::Result<String> {
    let wanted = usize::try_from(len)
        .unwrap_or(usize::MAX)
        .saturating_add(1)
        .min(FIRST_READ_LIMIT);
    let mut bytes = vec![0; wanted];
    let n = loop {
        match file.read(&mut bytes) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => break other?,
        }
    };
    bytes.truncate(n);
    if n == wanted {
        file.read_to_end(&mut bytes)?;
    }
    String::from_utf8(bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// Unix: the cache's files and directory are ours alone (see `files::trust`).
#[cfg(unix)]
mod unix_trust {
    use std::fs::{File, OpenOptions};
    use std::io::{Error, ErrorKind};
    use std::os::unix::fs::OpenOptionsExt;
    use std::path::Path;

    use anyhow::Result;

    use crate::error::UserError;
    use crate::files::trust::{Untrusted, check_private_dir, check_private_file};

    fn refused(untrusted: Untrusted) -> Error {
        let Untrusted { path, reason } = untrusted;
        Error::new(
            ErrorKind::PermissionDenied,
            format!("ignoring {}: it {reason}", path.display()),
        )
    }

    /// The cache directory: refused when others can write it or it is not ours.
    pub fn check_dir(dir: &Path) -> Result<()> {
        let meta = std::fs::metadata(dir)?;
        check_private_dir(dir, &meta).map_err(|untrusted| {
            UserError::new(format!(
                "not trusting the cache directory: {untrusted}"
            ))
            .hint(format!(
                "make it yours alone (chmod 700 {0}; chown it), or remove it: okta-aws recreates it",
                dir.display()
            ))
            .into()
        })
    }

    /// Open a cache file for reading: not through a symlink, not blocking on a FIFO, and
    /// only a regular file of ours in a directory of ours.
    pub fn open_for_reading(dir: &Path, path: &Path) -> std::io::Result<(File, u64)> {
        let dir_meta = std::fs::metadata(dir)?;
        check_private_dir(dir, &dir_meta).map_err(refused)?;
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(path)
            .map_err(|e| match e.raw_os_error() {
                Some(libc::ELOOP) => refused(Untrusted::symlink(path)),
                _ => e,
            })?;
        let meta = file.metadata()?;
        check_private_file(path, &meta).map_err(refused)?;
        Ok((file, meta.len()))
    }

    /// A lock file that is not a regular file of ours is refused before it is written; one
    /// of ours is handed to the user it is for (it may have just been created by root).
    pub fn check_lock_file(file: &File, path: &Path) -> Result<()> {
        check_private_file(path, &file.metadata()?).map_err(untrusted_lock)?;
        crate::files::trust::hand_over_file(file)?;
        Ok(())
    }

    pub fn untrusted_lock(untrusted: Untrusted) -> anyhow::Error {
        let path = untrusted.path.display().to_string();
        UserError::new(format!("not trusting the lock file: {untrusted}"))
            .hint(format!("remove {path} if no okta-aws runs"))
            .into()
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

    #[test]
    fn a_small_file_is_read_whole_even_when_longer_than_its_stat_said() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let text = "x".repeat(5000);
        std::fs::write(&path, &text).unwrap();
        for stat_len in [5000, 4999, 0, 10_000] {
            let file = File::open(&path).unwrap();
            assert_eq!(read_small_file(file, stat_len).unwrap(), text, "{stat_len}");
        }
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        let not_utf8 = read_small_file(File::open(&path).unwrap(), 2).unwrap_err();
        assert_eq!(not_utf8.kind(), std::io::ErrorKind::InvalidData);
    }

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
    fn probe(value: &str) -> Probe {
        Probe {
            version: FORMAT_VERSION,
            value: value.into(),
        }
    }

    #[cfg(unix)]
    fn chmod(path: &Path, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    /// Issue 11 item 3: a directory others can write is refused, naming it; what is in it
    /// is not read.
    #[cfg(unix)]
    #[test]
    fn a_directory_others_can_write_is_refused_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CacheDir::new(dir.path().join("cache"));
        let path = cache.file("p", "json");
        cache.write(&path, &probe("planted")).unwrap();
        chmod(&cache.path, 0o777);
        assert!(cache.read::<Probe>(&path).is_none());
        for err in [
            cache.write(&path, &probe("x")).unwrap_err(),
            cache
                .lock(&cache.file("p", "lock"), "p", &NoTerminal)
                .map(drop)
                .unwrap_err(),
        ] {
            let user = err.downcast_ref::<UserError>().expect("a UserError");
            assert!(
                user.cause.contains("writable by others (mode 0777)"),
                "{}",
                user.cause
            );
            assert!(
                user.cause.contains(cache.path.to_str().unwrap()),
                "{}",
                user.cause
            );
        }
        chmod(&cache.path, 0o700);
        assert_eq!(cache.read::<Probe>(&path).unwrap().value, "planted");
    }

    /// Symlinks and FIFOs planted in the cache are never followed nor waited on, and a lock
    /// file planted as a symlink does not truncate its target.
    #[cfg(unix)]
    #[test]
    fn planted_symlinks_and_fifos_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CacheDir::new(dir.path().join("cache"));
        cache.ensure().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let lock = cache.file("p", "lock");
        std::os::unix::fs::symlink(&victim, &lock).unwrap();
        let err = cache.lock(&lock, "p", &NoTerminal).map(drop).unwrap_err();
        assert!(err.to_string().contains("is a symlink"), "{err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");

        let session = cache.file("s", "json");
        let other = dir.path().join("other.json");
        std::fs::write(&other, serde_json::to_string(&probe("theirs")).unwrap()).unwrap();
        std::os::unix::fs::symlink(&other, &session).unwrap();
        assert!(cache.read::<Probe>(&session).is_none());
        // the write replaces the link, not its target
        cache.write(&session, &probe("mine")).unwrap();
        assert_eq!(cache.read::<Probe>(&session).unwrap().value, "mine");
        assert!(std::fs::read_to_string(&other).unwrap().contains("theirs"));

        let fifo = cache.file("f", "json");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        assert!(cache.read::<Probe>(&fifo).is_none()); // at once: no writer needed
    }

    /// Issue 11 item 9: temporaries of a writer killed mid-write hold secrets; stale ones
    /// go at the next write, fresh ones (another writer's, mid-write) stay.
    #[test]
    fn stale_temporaries_are_removed_at_the_next_write() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CacheDir::new(dir.path().to_path_buf());
        let stale = dir.path().join(".tmpAbC123");
        let fresh = dir.path().join(".tmpXyZ789");
        for (path, age) in [(&stale, 3600), (&fresh, 0)] {
            let file = File::create(path).unwrap();
            file.set_modified(SystemTime::now() - Duration::from_secs(age))
                .unwrap();
        }
        cache.write(&cache.file("p", "json"), &probe("x")).unwrap();
        assert!(!stale.exists());
        assert!(fresh.exists());
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
