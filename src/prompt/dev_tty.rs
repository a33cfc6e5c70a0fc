//! The process's terminal, opened at first use (the cached path never opens it): /dev/tty on
//! Unix, the console's own input and output on Windows (`windows_console.rs`); else stderr
//! for what is only shown.

use std::io::Write;
use std::sync::OnceLock;

/// The terminal's type on this platform.
#[cfg(unix)]
pub type Tty = std::fs::File;
#[cfg(windows)]
pub type Tty = super::windows_console::Console;

static TTY: OnceLock<Option<Tty>> = OnceLock::new();

/// The controlling terminal, when there is one.
pub fn tty() -> Option<&'static Tty> {
    TTY.get_or_init(open_tty).as_ref()
}

#[cfg(unix)]
fn open_tty() -> Option<Tty> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok()
}

#[cfg(windows)]
fn open_tty() -> Option<Tty> {
    super::windows_console::Console::open()
}

/// Show text on the terminal.
#[cfg(unix)]
pub fn write_text(mut tty: &Tty, text: &str) -> std::io::Result<()> {
    tty.write_all(text.as_bytes())?;
    tty.flush()
}

/// Show text on the terminal.
#[cfg(windows)]
pub fn write_text(tty: &Tty, text: &str) -> std::io::Result<()> {
    tty.write(text)
}

/// Show text to the user: on the terminal, else on stderr (never stdout).
pub fn write_to_user(text: &str) {
    match tty() {
        Some(tty) => {
            let _ = write_text(tty, text);
        }
        None => {
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
    }
}

/// Ctrl-C is ending the program: put the terminal back as it was if a read had changed it
/// (the Windows console's; on Unix rpassword restores the terminal as it unwinds).
pub fn restore_after_interrupt() {
    #[cfg(windows)]
    if let Some(Some(console)) = TTY.get() {
        console.restore_after_interrupt();
    }
}
