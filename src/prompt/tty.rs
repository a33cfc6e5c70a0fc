//! The user's terminal: questions, hidden input and menus on /dev/tty (Unix) or the console
//! (Windows). Without a terminal it answers as `NoTerminal`. The logic is one; what differs
//! by platform is how a line, a hidden line and a menu are read (`platform` below): on Unix
//! menus take arrow keys and type-to-filter, on Windows a number or part of a name.

use anyhow::Result;

use super::dev_tty::{tty, write_text};
use super::none::NoTerminal;
use super::{Prompter, Waiting, log, qr};
use platform::{read_hidden, read_line, read_menu};

/// The back end for a person at a terminal. Building one opens nothing: the terminal is
/// opened at the first question or message.
#[derive(Debug, Clone, Copy, Default)]
pub struct TtyPrompter;

impl Prompter for TtyPrompter {
    fn is_interactive(&self) -> bool {
        tty().is_some()
    }

    fn ask(&self, question: &str, setting: &str) -> Result<String> {
        let Some(tty) = tty() else {
            return NoTerminal.ask(question, setting);
        };
        let line = read_line(tty, &format!("{question}: "))?;
        Ok(line.trim().to_string())
    }

    fn ask_hidden(&self, question: &str, setting: &str) -> Result<String> {
        let Some(tty) = tty() else {
            return NoTerminal.ask_hidden(question, setting);
        };
        read_hidden(tty, &format!("{question}: "))
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
        read_menu(tty, prompt, items, default)
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
        if let (Some(tty), true) = (tty(), log::verbosity() >= 1)
            && let Some(code) = qr::terminal_qr(link)
        {
            let _ = write_text(tty, &format!("Or scan it with a phone:\n{code}\n"));
        }
    }

    fn start_waiting(&self) -> Box<dyn Waiting + '_> {
        NoTerminal.start_waiting()
    }
}

#[cfg(unix)]
mod platform {
    use std::fs::File;
    use std::io::{BufRead, BufReader, Write};

    use anyhow::Result;

    use crate::error::Interrupted;
    use crate::prompt::interrupt::{CooperativeInterrupt, interrupted};

    /// A line typed after `prompt`; the end of input is Ctrl-D, taken as a Ctrl-C.
    pub fn read_line(mut tty: &File, prompt: &str) -> Result<String> {
        tty.write_all(prompt.as_bytes())?;
        tty.flush()?;
        let mut line = String::new();
        let read = BufReader::new(tty).read_line(&mut line)?;
        if read == 0 {
            return Err(Interrupted.into());
        }
        Ok(line)
    }

    pub fn read_hidden(_tty: &File, prompt: &str) -> Result<String> {
        let _guard = CooperativeInterrupt::enter();
        // rpassword turns echo off and reads /dev/tty; on Ctrl-C it raises SIGINT, which our
        // handler only records while this guard lives, so rpassword's Drop restores the echo.
        let answer = rpassword::prompt_password(prompt);
        if interrupted() {
            return Err(Interrupted.into());
        }
        Ok(answer?)
    }

    /// A menu with arrow keys and type-to-filter, on the terminal's own handles.
    pub fn read_menu(tty: &File, prompt: &str, items: &[String], default: usize) -> Result<usize> {
        let term = console::Term::read_write_pair(tty.try_clone()?, tty.try_clone()?);
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
}

/// On the console, Ctrl-C during a read ends the program (the console's mode put back
/// first: `windows_console.rs`); the end of input (Ctrl-Z) is taken as a Ctrl-C.
#[cfg(windows)]
mod platform {
    use anyhow::Result;

    use crate::error::Interrupted;
    use crate::prompt::numbered_menu;
    use crate::prompt::windows_console::{Console, Echo};

    pub fn read_line(console: &Console, prompt: &str) -> Result<String> {
        console.write(prompt)?;
        Ok(console.read_line(Echo::Shown)?.ok_or(Interrupted)?)
    }

    pub fn read_hidden(console: &Console, prompt: &str) -> Result<String> {
        console.write(prompt)?;
        Ok(console.read_line(Echo::Hidden)?.ok_or(Interrupted)?)
    }

    /// A numbered menu: the console's keys reach only standard input's readers.
    pub fn read_menu(
        console: &Console,
        prompt: &str,
        items: &[String],
        default: usize,
    ) -> Result<usize> {
        let picked = numbered_menu::pick(prompt, items, default, |shown| {
            console.write(shown)?;
            console.read_line(Echo::Shown)
        })?;
        Ok(picked.ok_or(Interrupted)?)
    }
}
