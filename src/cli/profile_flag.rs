//! `--profile P` among words clap does not parse: `awscli`'s arguments (they are `aws`'s)
//! and the command line a shell asks us to complete.

use std::ffi::{OsStr, OsString};

/// One `--profile` found among the words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileFlag {
    /// Index of its first word.
    pub at: usize,
    /// Words it spans: 2 for `--profile P`, 1 for `--profile=P`.
    pub words: usize,
    pub value: String,
}

/// Which spellings count: `--profile P` and `--profile=P` always (aws's own), `-p P` and
/// `-pP` too for okta-aws's command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spellings {
    LongOnly,
    LongAndShort,
}

/// Every `--profile` among `words`, in order. A `--profile` with nothing after it is none.
pub fn find_all<S: AsRef<OsStr>>(words: &[S], spellings: Spellings) -> Vec<ProfileFlag> {
    let short = spellings == Spellings::LongAndShort;
    let text = |i: usize| words[i].as_ref().to_string_lossy();
    let mut found = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = text(i);
        let attached = || {
            let value = word.strip_prefix("--profile=");
            value.or_else(|| word.strip_prefix("-p").filter(|v| short && !v.is_empty()))
        };
        let flag = if word == "--profile" || (short && word == "-p") {
            (i + 1 < words.len()).then(|| (2, text(i + 1).into_owned()))
        } else {
            attached().map(|value| (1, value.to_string()))
        };
        match flag {
            Some((span, value)) => {
                found.push(ProfileFlag {
                    at: i,
                    words: span,
                    value,
                });
                i += span;
            }
            None => i += 1,
        }
    }
    found
}

/// Split off the first `--profile X` / `--profile=X`: its value, and the other words.
pub fn take_first(args: &[OsString]) -> (Option<String>, Vec<OsString>) {
    match find_all(args, Spellings::LongOnly).into_iter().next() {
        Some(flag) => {
            let mut rest = args.to_vec();
            rest.drain(flag.at..flag.at + flag.words);
            (Some(flag.value), rest)
        }
        None => (None, args.to_vec()),
    }
}

/// The last profile named in any spelling (clap would refuse a repeat anyway), if not empty.
pub fn last_named<S: AsRef<OsStr>>(words: &[S]) -> Option<String> {
    find_all(words, Spellings::LongAndShort)
        .pop()
        .map(|flag| flag.value)
        .filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::os_strings as os;

    #[test]
    fn profile_is_taken_out_in_both_spellings() {
        let (p, rest) = take_first(&os(&["s3", "ls", "--profile", "dev", "--region", "x"]));
        assert_eq!(p.as_deref(), Some("dev"));
        assert_eq!(rest, os(&["s3", "ls", "--region", "x"]));
        let (p, rest) = take_first(&os(&["--profile=prod", "sts", "get-caller-identity"]));
        assert_eq!(p.as_deref(), Some("prod"));
        assert_eq!(rest, os(&["sts", "get-caller-identity"]));
        let (p, rest) = take_first(&os(&["sts", "get-caller-identity"]));
        assert_eq!(p, None);
        assert_eq!(rest.len(), 2);
    }

    #[test]
    fn only_the_first_profile_is_taken_out() {
        let (p, rest) = take_first(&os(&["--profile=a", "sts", "--profile", "b"]));
        assert_eq!(p.as_deref(), Some("a"));
        assert_eq!(rest, os(&["sts", "--profile", "b"]));
        let (p, rest) = take_first(&os(&["sts", "--profile"]));
        assert_eq!(p, None);
        assert_eq!(rest, os(&["sts", "--profile"]));
    }

    #[test]
    fn short_spellings_only_when_asked() {
        let words = os(&["env", "-p", "a", "-pb", "--role", "x"]);
        assert!(find_all(&words, Spellings::LongOnly).is_empty());
        let found = find_all(&words, Spellings::LongAndShort);
        let values: Vec<&str> = found.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(values, ["a", "b"]);
        assert_eq!(last_named(&words).as_deref(), Some("b"));
        assert_eq!(last_named(&os(&["env", "--profile="])), None);
    }
}
