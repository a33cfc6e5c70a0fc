//! Talking to the user. The command layer builds a `Prompter` and hands it down: every layer
//! that asks a question, shows a menu, tells progress or waits on something the user may
//! cancel does it through the one it was given, so menus and factor prompts can be tested
//! with a script (`script.rs`) as well as in a real terminal.
//!
//! Back ends: `tty.rs`, the user's terminal (/dev/tty, or the Windows console's own handles;
//! never stdout, so `eval "$(okta-aws env)"` and `credential_process` keep a clean stdout
//! while a login asks for a password), which without a terminal becomes `none.rs`: questions
//! fail at once, naming the setting that would answer them. `-v` notes are not prompts:
//! `log.rs` keeps them a small global.

pub mod browser;
pub mod dev_tty;
pub mod interrupt;
pub mod log;
pub mod none;
pub mod numbered_menu;
pub mod qr;
#[cfg(test)]
pub mod script;
pub mod tty;
#[cfg(windows)]
pub mod windows_console;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use anyhow::Result;

/// Questions, menus and messages for the user. `setting` names what would answer a question
/// without asking (for the error when nobody can be asked).
pub trait Prompter {
    /// Whether a person can be asked.
    fn is_interactive(&self) -> bool;

    /// One line of visible input, trimmed.
    fn ask(&self, question: &str, setting: &str) -> Result<String>;

    /// Hidden input (a password, a security answer).
    fn ask_hidden(&self, question: &str, setting: &str) -> Result<String>;

    /// A menu of `items` starting on `default`; the index chosen.
    fn choose(
        &self,
        prompt: &str,
        items: &[String],
        default: usize,
        setting: &str,
    ) -> Result<usize>;

    /// A progress or result message (hidden by `--quiet`).
    fn say(&self, message: &str);

    /// A warning (shown even with `--quiet`).
    fn warn(&self, message: &str);

    /// A link for the user to open (`message` names it and any code it should show); a
    /// person at a terminal also gets it as a QR code, to open on a phone. No default: a
    /// wrapper that forgot to pass it on would lose the QR code.
    fn show_link(&self, message: &str, link: &str);

    /// Start waiting on something outside (a push approval, a browser sign-in) that the user
    /// may cancel with Ctrl-C. While the `Waiting` lives, Ctrl-C cancels the wait instead of
    /// ending the program, so the waiter can clean up (cancel the push at Okta).
    fn start_waiting(&self) -> Box<dyn Waiting + '_>;
}

/// Show the link (`message` tells what it is) and open it in a browser as `decision`
/// says: the link is always shown, so a browser that cannot be opened is only a warning.
pub fn present_link(
    prompter: &dyn Prompter,
    message: &str,
    link: &str,
    decision: &browser::Decision,
) {
    prompter.show_link(message, link);
    match decision {
        browser::Decision::Open(opener) => {
            if let Err(failed) = browser::open(opener, link) {
                prompter.warn(&format!("{failed}; open the link yourself"));
            }
        }
        browser::Decision::DontOpen(why) => log::debug(&format!("no browser opened: {why}")),
    }
}

/// How a pause ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waited {
    Elapsed,
    Cancelled,
}

/// A wait in progress: pauses between polls, any of which the user may cancel.
pub trait Waiting {
    /// Sleep `period`, or less when the user cancels (at once if they already did).
    fn pause(&mut self, period: Duration) -> Pin<Box<dyn Future<Output = Waited> + '_>>;
}
