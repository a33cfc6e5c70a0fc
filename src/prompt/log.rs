//! How much to tell (`-q`, `-v`), and the `-v` notes: a process-wide setting, not a prompt,
//! so any layer may leave a note without being handed anything.

use std::sync::atomic::{AtomicU8, Ordering};

use super::dev_tty::write_to_user;

static VERBOSITY: AtomicU8 = AtomicU8::new(1);

/// 0 = quiet (errors and warnings only), 1 = normal, 2+ = verbose.
pub fn set_verbosity(level: u8) {
    VERBOSITY.store(level, Ordering::Relaxed);
}

pub fn verbosity() -> u8 {
    VERBOSITY.load(Ordering::Relaxed)
}

/// A detail shown with `-v` (never a secret).
pub fn debug(message: &str) {
    if verbosity() >= 2 {
        write_to_user(&format!("okta-aws: {message}\n"));
    }
}

/// A message at normal verbosity, as the real back ends show it.
pub(super) fn say(message: &str) {
    if verbosity() >= 1 {
        write_to_user(&format!("{message}\n"));
    }
}

/// A warning, shown even with `--quiet`.
pub fn warn(message: &str) {
    write_to_user(&format!("okta-aws: warning: {message}\n"));
}
