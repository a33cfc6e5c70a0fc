//! No terminal: nobody can be asked, so a question fails at once with an error naming the
//! setting that would answer it. Messages still reach the user, on stderr.

use anyhow::Result;

use super::interrupt::CancellableWait;
use super::{Prompter, Waiting, log};
use crate::error::UserError;

/// The back end for a process without a controlling terminal (cron, CI, an IDE).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoTerminal;

fn no_terminal(what: &str, setting: &str) -> anyhow::Error {
    UserError::new(format!("no terminal to ask for {what}"))
        .hint(format!(
            "set {setting} (in the environment or the config file)"
        ))
        .into()
}

impl Prompter for NoTerminal {
    fn is_interactive(&self) -> bool {
        false
    }

    fn ask(&self, question: &str, setting: &str) -> Result<String> {
        Err(no_terminal(question, setting))
    }

    fn ask_hidden(&self, question: &str, setting: &str) -> Result<String> {
        Err(no_terminal(question, setting))
    }

    fn choose(
        &self,
        prompt: &str,
        items: &[String],
        _default: usize,
        setting: &str,
    ) -> Result<usize> {
        let listing = items.join(", ");
        Err(
            UserError::new(format!("no terminal to ask: {prompt} ({listing})"))
                .hint(format!("set {setting}"))
                .into(),
        )
    }

    fn show_link(&self, message: &str, _link: &str) {
        self.say(message);
    }

    fn say(&self, message: &str) {
        log::say(message);
    }

    fn warn(&self, message: &str) {
        log::warn(message);
    }

    fn start_waiting(&self) -> Box<dyn Waiting + '_> {
        Box::new(CancellableWait::start())
    }
}
