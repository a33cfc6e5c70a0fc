//! A prompter that follows a script, for unit tests: it answers questions and menus in
//! order, records what was asked and said, and cancels a wait when told to. A question the
//! script does not answer fails as it would without a terminal.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use anyhow::Result;

use super::none::NoTerminal;
use super::{Prompter, Waited, Waiting};

/// One scripted reply.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reply {
    Line(String),
    Pick(usize),
}

/// A menu as it was shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu {
    pub prompt: String,
    pub items: Vec<String>,
    pub default: usize,
}

#[derive(Debug, Default)]
pub struct ScriptedPrompter {
    replies: RefCell<VecDeque<Reply>>,
    questions: RefCell<Vec<String>>,
    menus: RefCell<Vec<Menu>>,
    said: RefCell<Vec<String>>,
    /// Pauses that elapse before the next one is cancelled; `None`: never cancelled.
    pauses_before_cancel: Option<usize>,
    pauses: RefCell<usize>,
}

impl ScriptedPrompter {
    pub fn new() -> ScriptedPrompter {
        ScriptedPrompter::default()
    }

    /// Answer the next question with `line`.
    pub fn answer(self, line: &str) -> ScriptedPrompter {
        self.replies
            .borrow_mut()
            .push_back(Reply::Line(line.to_string()));
        self
    }

    /// Pick item `index` of the next menu.
    pub fn pick(self, index: usize) -> ScriptedPrompter {
        self.replies.borrow_mut().push_back(Reply::Pick(index));
        self
    }

    /// Let `pauses` pauses elapse (at once: no real time passes), then cancel the next.
    pub fn cancel_after(mut self, pauses: usize) -> ScriptedPrompter {
        self.pauses_before_cancel = Some(pauses);
        self
    }

    /// The questions asked, in order (menus not included).
    pub fn questions(&self) -> Vec<String> {
        self.questions.borrow().clone()
    }

    /// The menus shown, in order.
    pub fn menus(&self) -> Vec<Menu> {
        self.menus.borrow().clone()
    }

    /// Everything said and warned (warnings as `warning: …`), in order.
    pub fn said(&self) -> Vec<String> {
        self.said.borrow().clone()
    }

    /// How many pauses the waits took.
    pub fn pauses(&self) -> usize {
        *self.pauses.borrow()
    }

    fn next_line(&self, question: &str, setting: &str) -> Result<String> {
        self.questions.borrow_mut().push(question.to_string());
        match self.replies.borrow_mut().pop_front() {
            Some(Reply::Line(line)) => Ok(line),
            Some(other) => panic!("the script has {other:?} where {question:?} is asked"),
            None => NoTerminal.ask(question, setting),
        }
    }
}

impl Prompter for ScriptedPrompter {
    fn is_interactive(&self) -> bool {
        true
    }

    fn ask(&self, question: &str, setting: &str) -> Result<String> {
        self.next_line(question, setting)
    }

    fn ask_hidden(&self, question: &str, setting: &str) -> Result<String> {
        self.next_line(question, setting)
    }

    fn choose(
        &self,
        prompt: &str,
        items: &[String],
        default: usize,
        setting: &str,
    ) -> Result<usize> {
        self.menus.borrow_mut().push(Menu {
            prompt: prompt.to_string(),
            items: items.to_vec(),
            default,
        });
        match self.replies.borrow_mut().pop_front() {
            Some(Reply::Pick(index)) => Ok(index),
            Some(other) => panic!("the script has {other:?} where the menu {prompt:?} is shown"),
            None => NoTerminal.choose(prompt, items, default, setting),
        }
    }

    fn show_link(&self, message: &str, _link: &str) {
        self.say(message);
    }

    fn say(&self, message: &str) {
        self.said.borrow_mut().push(message.to_string());
    }

    fn warn(&self, message: &str) {
        self.said.borrow_mut().push(format!("warning: {message}"));
    }

    fn start_waiting(&self) -> Box<dyn Waiting + '_> {
        Box::new(ScriptedWait { prompter: self })
    }
}

struct ScriptedWait<'a> {
    prompter: &'a ScriptedPrompter,
}

impl Waiting for ScriptedWait<'_> {
    fn pause(&mut self, _period: Duration) -> Pin<Box<dyn Future<Output = Waited> + '_>> {
        let mut pauses = self.prompter.pauses.borrow_mut();
        let cancelled = self.prompter.pauses_before_cancel == Some(*pauses);
        *pauses += 1;
        let waited = if cancelled {
            Waited::Cancelled
        } else {
            Waited::Elapsed
        };
        Box::pin(async move { waited })
    }
}
