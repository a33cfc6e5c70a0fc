//! The user's terminal: questions on /dev/tty, hidden input, menus with arrow keys and
//! type-to-filter. Without a terminal it answers as `NoTerminal`.

use std::io::{BufRead, BufReader, Write};

use anyhow::Result;

use super::dev_tty::tty;
use super::interrupt::{CooperativeInterrupt, interrupted};
use super::none::NoTerminal;
use super::{Prompter, Waiting, log, qr};
use crate::error::Interrupted;

/// The back end for a person at a terminal. Building one opens nothing: /dev/tty is opened
/// at the first question or message.
#[derive(Debug, Clone, Copy, Default)]
pub struct TtyPrompter;

impl Prompter for TtyPrompter {
    fn is_interactive(&self) -> bool {
        tty().is_some()
    }

    fn ask(&self, question: &str, setting: &str) -> Result<String> {
        let Some(mut tty) = tty() else {
            return NoTerminal.ask(question, setting);
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

    fn ask_hidden(&self, question: &str, setting: &str) -> Result<String> {
        if tty().is_none() {
            return NoTerminal.ask_hidden(question, setting);
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

    fn choose(
        &self,
        prompt: &str,
        items: &[String],
        default: usize,
        setting: &str,
    ) -> Result<usize> {
        let Some(tty) = tty() else {
            return NoTerminal.choose(prompt, items, default, setting);
        };
        let term = menu_term(tty)?;
        let _guard = CooperativeInterrupt::enter();
        let picked =
            dialoguer::FuzzySelect::with_theme(&dialoguer::theme::ColorfulTheme::default())
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

    // Messages and waits are the same with or without a terminal.
    fn say(&self, message: &str) {
        NoTerminal.say(message);
    }

    fn warn(&self, message: &str) {
        NoTerminal.warn(message);
    }

    fn show_link(&self, message: &str, link: &str) {
        NoTerminal.say(message);
        // The code is for a person looking at this terminal: not with --quiet, and never on
        // stderr (a log or a pipe would only get noise).
        if let (Some(mut tty), true) = (tty(), log::verbosity() >= 1)
            && let Some(code) = qr::terminal_qr(link)
        {
            let _ = writeln!(tty, "Or scan it with a phone:\n{code}");
        }
    }

    fn start_waiting(&self) -> Box<dyn Waiting + '_> {
        NoTerminal.start_waiting()
    }
}

#[cfg(unix)]
fn menu_term(tty: &std::fs::File) -> Result<console::Term> {
    Ok(console::Term::read_write_pair(
        tty.try_clone()?,
        tty.try_clone()?,
    ))
}

// windows-phase-1: unreachable while `dev_tty` finds no terminal off Unix; a Windows console
// back end of the prompt module replaces it (phase 2).
#[cfg(not(unix))]
fn menu_term(_tty: &std::fs::File) -> Result<console::Term> {
    anyhow::bail!("menus need the Windows console back end (issue 15 phase 2)")
}
