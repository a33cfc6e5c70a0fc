//! The user's terminal: messages, questions, hidden input and menus.
//!
//! Everything here talks to /dev/tty (else stderr), never to stdout, so that
//! `eval "$(okta-aws env)"` and `credential_process` keep a clean stdout while a login asks
//! for a password. Without a terminal, a question fails at once with an error naming the
//! setting that would answer it.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};

use anyhow::Result;

use crate::error::{Interrupted, UserError};

static VERBOSITY: AtomicU8 = AtomicU8::new(1);

/// 0 = quiet (errors only), 1 = normal, 2+ = verbose.
pub fn set_verbosity(level: u8) {
    VERBOSITY.store(level, Ordering::Relaxed);
}

fn verbosity() -> u8 {
    VERBOSITY.load(Ordering::Relaxed)
}

fn tty() -> Option<&'static File> {
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

// windows-phase-1: no terminal off Unix yet (questions fail naming the setting); the
// Windows console (CONIN$/CONOUT$) back end of the prompt module replaces this (phase 2).
#[cfg(not(unix))]
fn open_tty() -> Option<File> {
    None
}

/// Whether a person can be asked: a controlling terminal exists.
pub fn is_interactive() -> bool {
    tty().is_some()
}

fn write_to_user(text: &str) {
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

/// A progress or result message for the user (hidden by `--quiet`).
pub fn say(message: &str) {
    if verbosity() >= 1 {
        write_to_user(&format!("{message}\n"));
    }
}

/// A warning: shown even with `--quiet`.
pub fn warn(message: &str) {
    write_to_user(&format!("okta-aws: warning: {message}\n"));
}

/// A detail shown with `-v` (never a secret).
pub fn debug(message: &str) {
    if verbosity() >= 2 {
        write_to_user(&format!("okta-aws: {message}\n"));
    }
}

fn no_terminal(what: &str, setting: &str) -> anyhow::Error {
    UserError::new(format!("no terminal to ask for {what}"))
        .hint(format!(
            "set {setting} (in the environment or the config file)"
        ))
        .into()
}

/// Ask for one line of visible input.
pub fn ask(question: &str, setting: &str) -> Result<String> {
    let Some(mut tty) = tty() else {
        return Err(no_terminal(question, setting));
    };
    tty.write_all(format!("{question}: ").as_bytes())?;
    tty.flush()?;
    let mut line = String::new();
    let read = BufReader::new(tty).read_line(&mut line)?;
    if read == 0 {
        return Err(Interrupted.into());
    }
    Ok(line.trim().to_string())
}

/// Ask for hidden input (echo off; restored even on Ctrl-C).
pub fn ask_hidden(question: &str, setting: &str) -> Result<String> {
    if tty().is_none() {
        return Err(no_terminal(question, setting));
    }
    let _guard = CooperativeInterrupt::enter();
    // rpassword turns echo off and reads /dev/tty; on Ctrl-C it raises SIGINT, which our
    // handler only records while this guard lives, so rpassword's Drop restores the echo.
    let answer = rpassword::prompt_password(format!("{question}: "));
    if interrupted() {
        return Err(Interrupted.into());
    }
    Ok(answer?)
}

/// A menu with arrow keys and type-to-filter; returns the chosen index.
pub fn choose(prompt: &str, items: &[String], default: usize, setting: &str) -> Result<usize> {
    let Some(tty) = tty() else {
        let listing = items.join(", ");
        return Err(
            UserError::new(format!("no terminal to ask: {prompt} ({listing})"))
                .hint(format!("set {setting}"))
                .into(),
        );
    };
    let term = menu_term(tty)?;
    let _guard = CooperativeInterrupt::enter();
    let picked = dialoguer::FuzzySelect::with_theme(&dialoguer::theme::ColorfulTheme::default())
        .with_prompt(prompt)
        .items(items)
        .default(default.min(items.len().saturating_sub(1)))
        .max_length(15)
        .interact_on_opt(&term);
    let _ = term.show_cursor();
    if interrupted() {
        return Err(Interrupted.into());
    }
    match picked {
        Ok(Some(index)) => Ok(index),
        Ok(None) => Err(Interrupted.into()),
        Err(dialoguer::Error::IO(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
            Err(Interrupted.into())
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(unix)]
fn menu_term(tty: &File) -> Result<console::Term> {
    Ok(console::Term::read_write_pair(
        tty.try_clone()?,
        tty.try_clone()?,
    ))
}

// windows-phase-1: unreachable while `open_tty` finds no terminal off Unix; the Windows
// console back end of the prompt module replaces it (phase 2).
#[cfg(not(unix))]
fn menu_term(_tty: &File) -> Result<console::Term> {
    anyhow::bail!("menus need the Windows console back end (issue 15 phase 2)")
}

// Ctrl-C handling. Default SIGINT would kill us while the terminal is in no-echo or raw
// mode, so while a prompt, menu or push poll runs (a `CooperativeInterrupt` guard lives)
// Ctrl-C is only recorded and the code unwinds (restoring the terminal, cancelling the
// Okta transaction). At any other time Ctrl-C exits at once with 130.

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static COOPERATIVE: AtomicUsize = AtomicUsize::new(0);

fn interrupt_notify() -> &'static tokio::sync::Notify {
    static NOTIFY: OnceLock<tokio::sync::Notify> = OnceLock::new();
    NOTIFY.get_or_init(tokio::sync::Notify::new)
}

/// Install the Ctrl-C handler (only on paths that may talk to the user or the network).
pub fn install_interrupt_handler() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let _ = ctrlc::set_handler(|| {
            let first = !INTERRUPTED.swap(true, Ordering::SeqCst);
            if first && COOPERATIVE.load(Ordering::SeqCst) > 0 {
                interrupt_notify().notify_waiters();
            } else {
                std::process::exit(crate::error::EXIT_INTERRUPTED);
            }
        });
    });
}

/// Whether Ctrl-C was pressed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Resolves when Ctrl-C is pressed (for `tokio::select!` in waiting loops).
pub async fn wait_for_interrupt() {
    let notified = interrupt_notify().notified();
    if interrupted() {
        return;
    }
    notified.await;
}

/// While alive, Ctrl-C is recorded instead of exiting, so the holder can clean up.
pub struct CooperativeInterrupt(());

impl CooperativeInterrupt {
    pub fn enter() -> Self {
        install_interrupt_handler();
        COOPERATIVE.fetch_add(1, Ordering::SeqCst);
        CooperativeInterrupt(())
    }
}

impl Drop for CooperativeInterrupt {
    fn drop(&mut self) {
        COOPERATIVE.fetch_sub(1, Ordering::SeqCst);
    }
}
