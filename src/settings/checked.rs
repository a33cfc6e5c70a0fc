//! A setting's value with where it came from, checked the first time a command asks for it.

use std::path::PathBuf;
use std::sync::OnceLock;

use anyhow::Result;

use super::values::Invalid;
use crate::error::UserError;

/// Where a value came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag,
    Environment,
    File(PathBuf),
    /// Typed in answer to a question (`configure`).
    Answer,
}

impl Source {
    pub fn describe(&self) -> String {
        match self {
            Source::Flag => "on the command line".to_string(),
            Source::Environment => "in the environment".to_string(),
            Source::File(path) => format!("in {}", path.display()),
            Source::Answer => "in your answer".to_string(),
        }
    }
}

/// A setting's value, checked the first time it is asked for; its problem, if any, is
/// reported to each command that asks.
#[derive(Debug, Clone)]
pub struct Checked<T> {
    key: &'static str,
    /// The text and where it came from; `None` when the setting is not set.
    text: Option<(String, Source)>,
    /// Where a missing value would be set, for the hint.
    missing_hint_place: String,
    read: fn(Option<&str>) -> std::result::Result<T, Invalid>,
    value: OnceLock<std::result::Result<T, Problem>>,
}

/// A setting's problem, as the user will read it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Problem {
    cause: String,
    hint: String,
}

impl<T> Checked<T> {
    /// `key`'s `text` (and its source), to be checked by `read` when first asked for;
    /// `missing_hint_place` says where a missing value would be set.
    pub(super) fn new(
        key: &'static str,
        text: Option<(String, Source)>,
        missing_hint_place: String,
        read: fn(Option<&str>) -> std::result::Result<T, Invalid>,
    ) -> Checked<T> {
        Checked {
            key,
            text,
            missing_hint_place,
            read,
            value: OnceLock::new(),
        }
    }

    /// The same setting with `text` from `source` in place of its own (a command's own
    /// value, such as `exec --server`'s refresh margin), checked the same way.
    pub fn replaced(&self, text: String, source: Source) -> Checked<T> {
        Checked::new(
            self.key,
            Some((text, source)),
            self.missing_hint_place.clone(),
            self.read,
        )
    }

    /// The value, or the setting's problem as a `UserError`.
    pub fn get(&self) -> Result<&T> {
        self.checked().as_ref().map_err(|problem| {
            UserError::new(problem.cause.clone())
                .hint(problem.hint.clone())
                .into()
        })
    }

    /// The value when it is good, for commands to which it is a nicety.
    pub fn ok(&self) -> Option<&T> {
        self.checked().as_ref().ok()
    }

    fn checked(&self) -> &std::result::Result<T, Problem> {
        self.value.get_or_init(|| {
            let text = self.text.as_ref().map(|(text, _)| text.as_str());
            (self.read)(text).map_err(|invalid| self.problem(invalid))
        })
    }

    /// What is wrong, naming the key and where its text came from.
    fn problem(&self, invalid: Invalid) -> Problem {
        let key = self.key;
        let origin = match &self.text {
            Some((_, source)) => source.describe(),
            None => String::new(),
        };
        match invalid {
            Invalid::Missing => Problem {
                cause: format!("{key} is not set"),
                hint: format!(
                    "set {key} in the environment or in {}",
                    self.missing_hint_place
                ),
            },
            Invalid::Form { shown, expected } => Problem {
                cause: format!("{key}={shown} {origin} is not valid"),
                hint: format!("{key} must be {expected}"),
            },
            Invalid::Insecure(url) => Problem {
                cause: format!(
                    "{key} uses {}:// ({url}), which is not safe for a password",
                    url.scheme()
                ),
                hint: format!("use an https:// URL for {key}"),
            },
        }
    }
}
