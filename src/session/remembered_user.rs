//! The Okta user name typed at the prompt, remembered per org (as saml2aws does): offered
//! as the default next time (Enter takes it), and again when Okta refuses the password, so
//! a mistyped name can be corrected. A prompter wrapping the real one, so that the sign-in
//! (`okta/authn.rs`) asks as always and the session layer, the store's only user, keeps it.

use std::cell::RefCell;

use anyhow::Result;

use crate::prompt::{Prompter, Waiting};
use crate::settings::keys::OKTA_USERNAME;

/// The user's prompter, with the user name question answered by default.
pub struct RememberingUser<'a> {
    inner: &'a dyn Prompter,
    /// The last name typed (this run), else the one remembered for the org.
    default: RefCell<Option<String>>,
    typed: RefCell<Option<String>>,
}

impl<'a> RememberingUser<'a> {
    pub fn new(inner: &'a dyn Prompter, remembered: Option<String>) -> RememberingUser<'a> {
        RememberingUser {
            inner,
            default: RefCell::new(remembered),
            typed: RefCell::new(None),
        }
    }

    /// The user name typed at the prompt in this run, if one was.
    pub fn typed(&self) -> Option<String> {
        self.typed.borrow().clone()
    }

    fn ask_user_name(&self, question: &str) -> Result<String> {
        let default = self.default.borrow().clone();
        let question = match &default {
            Some(name) => format!("{question} [{name}]"),
            None => question.to_string(),
        };
        let answer = self.inner.ask(&question, OKTA_USERNAME)?;
        let name = match default {
            Some(name) if answer.is_empty() => name,
            _ => answer,
        };
        if !name.is_empty() {
            self.default.replace(Some(name.clone()));
            self.typed.replace(Some(name.clone()));
        }
        Ok(name)
    }
}

impl Prompter for RememberingUser<'_> {
    fn is_interactive(&self) -> bool {
        self.inner.is_interactive()
    }

    fn ask(&self, question: &str, setting: &str) -> Result<String> {
        if setting == OKTA_USERNAME {
            return self.ask_user_name(question);
        }
        self.inner.ask(question, setting)
    }

    fn ask_hidden(&self, question: &str, setting: &str) -> Result<String> {
        self.inner.ask_hidden(question, setting)
    }

    fn choose(
        &self,
        prompt: &str,
        items: &[String],
        default: usize,
        setting: &str,
    ) -> Result<usize> {
        self.inner.choose(prompt, items, default, setting)
    }

    fn say(&self, message: &str) {
        self.inner.say(message);
    }

    fn warn(&self, message: &str) {
        self.inner.warn(message);
    }

    fn show_link(&self, message: &str, link: &str) {
        self.inner.show_link(message, link);
    }

    fn start_waiting(&self) -> Box<dyn Waiting + '_> {
        self.inner.start_waiting()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::script::ScriptedPrompter;

    #[test]
    fn enter_takes_the_remembered_name_and_a_new_one_replaces_it() {
        let script = ScriptedPrompter::new().answer("").answer("bob");
        let p = RememberingUser::new(&script, Some("alice".to_string()));
        assert_eq!(p.ask("Okta user name", OKTA_USERNAME).unwrap(), "alice");
        assert_eq!(p.ask("Okta user name", OKTA_USERNAME).unwrap(), "bob");
        assert_eq!(p.typed().as_deref(), Some("bob"));
        assert!(script.questions().iter().any(|q| q.contains("[alice]")));
    }
}
