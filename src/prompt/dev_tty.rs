//! The process's terminal: /dev/tty, opened at first use (the cached path never opens it),
//! else stderr for what is only shown.

use std::fs::File;
use std::io::Write;
use std::sync::OnceLock;

/// The controlling terminal, when there is one.
pub fn tty() -> Option<&'static File> {
    static TTY: OnceLock<Option<File>> = OnceLock::new();
    TTY.get_or_init(open_tty).as_ref()
}

#[cfg(unix)]
fn open_tty() -> Option<File> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok()
}

// windows-phase-1: no terminal off Unix yet (questions fail naming the setting); a Windows
// console (CONIN$/CONOUT$) back end of the prompt module replaces this (phase 2).
#[cfg(not(unix))]
fn open_tty() -> Option<File> {
    None
}

/// Show text to the user: on the terminal, else on stderr (never stdout).
pub fn write_to_user(text: &str) {
    match tty() {
        Some(mut tty) => {
            let _ = tty.write_all(text.as_bytes());
            let _ = tty.flush();
        }
        None => {
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
    }
}
