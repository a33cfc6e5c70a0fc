//! `okta-aws configure [--profile P]`: ask for a profile's settings on the terminal and write
//! them to the config file, changing only those keys (comments, other keys and sections stay
//! byte for byte: the `ini_edit` editor, written atomically under a lock).
//!
//! Where it writes: the top section for the unnamed profile; for a profile P, its `[P]`
//! section, or the Java tool's `config.P.properties` when that file holds P and the config
//! file has no `[P]` (the user's own layout is kept).

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::ProfileArg;

use crate::error::{UserError, fail};
use crate::files::atomic_file::update_file;
use crate::files::ini_edit::{IniDocument, TOP_SECTION};
use crate::prompt::Prompter;
use crate::settings::file::java_profile_file;
use crate::settings::keys::{
    OKTA_AWS_APP_URL, OKTA_AWS_REGION, OKTA_AWS_ROLE_TO_ASSUME, OKTA_MFA_CHOICE,
    OKTA_OIDC_CLIENT_ID, OKTA_ORG, OKTA_USERNAME,
};
use crate::settings::{ConfigFile, Profile, check_value, config_file_path};

#[derive(Debug, Args)]
pub struct ConfigureArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
}

/// One question: the setting it answers and how it is put to the user.
struct Question {
    key: &'static str,
    prompt: &'static str,
    required: bool,
}

const QUESTIONS: &[Question] = &[
    Question {
        key: OKTA_ORG,
        prompt: "Okta org (acme.okta.com)",
        required: true,
    },
    Question {
        key: OKTA_AWS_APP_URL,
        prompt: "AWS app embed link (https://acme.okta.com/home/amazon_aws/0oa…/272)",
        required: true,
    },
    Question {
        key: OKTA_OIDC_CLIENT_ID,
        prompt: "OIDC client id, for an Okta Identity Engine org (empty: Classic sign-in)",
        required: false,
    },
    Question {
        key: OKTA_USERNAME,
        prompt: "Okta user name (empty: asked at login)",
        required: false,
    },
    Question {
        key: OKTA_MFA_CHOICE,
        prompt: "MFA factor, e.g. OKTA.push or GOOGLE.token:software:totp (empty: asked)",
        required: false,
    },
    Question {
        key: OKTA_AWS_ROLE_TO_ASSUME,
        prompt: "Role: ARN, name or ACCOUNT/ROLE (empty: asked)",
        required: false,
    },
    Question {
        key: OKTA_AWS_REGION,
        prompt: "AWS region (empty: AWS_REGION, else us-east-1)",
        required: false,
    },
];

/// Wrong answers to one question before giving up.
const TRIES: usize = 3;

/// Why a typed answer cannot be taken: shown, and the question asked again.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What to do with one key.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Keep,
    Set(String),
    Clear,
}

/// The file and section a profile's settings are written to, their current values, and
/// the values a named profile inherits from the config file's top section.
struct Destination {
    path: PathBuf,
    section: String,
    current: BTreeMap<String, String>,
    inherited: BTreeMap<String, String>,
}

pub fn run(args: &ConfigureArgs, prompter: &dyn Prompter) -> Result<()> {
    let profile = Profile::requested(args.profile.profile.as_deref());
    let file = ConfigFile::load(&config_file_path())?;
    let destination = destination(&file, profile.name())?;
    check_section(&destination)?;
    if !prompter.is_interactive() {
        return fail(
            "configure asks its questions on a terminal, and there is none",
            format!(
                "edit {} by hand: KEY=value lines such as OKTA_ORG and OKTA_AWS_APP_URL{}",
                destination.path.display(),
                match profile.name() {
                    Some(p) if destination.section == p => format!(", under [{p}]"),
                    _ => String::new(),
                }
            ),
        );
    }
    let name = profile.name().unwrap_or("the default profile");
    prompter.say(&format!(
        "Configuring {name} in {} (Enter keeps the value in brackets, `-` removes it).",
        destination.path.display()
    ));
    let mut answers = Vec::new();
    for question in QUESTIONS {
        let values = Values {
            current: non_empty(&destination.current, question.key),
            inherited: non_empty(&destination.inherited, question.key),
        };
        answers.push((question.key, ask(prompter, question, values)?));
    }
    write(&destination, &answers)?;
    prompter.say(&format!(
        "Wrote {name} to {}. Next: okta-aws login{}",
        destination.path.display(),
        profile.flag()
    ));
    Ok(())
}

/// A setting's value in the profile itself, and the one it inherits (a named profile reads
/// the top section's values it does not set: settings resolution's own layering).
#[derive(Clone, Copy, Debug, Default)]
struct Values<'a> {
    current: Option<&'a str>,
    inherited: Option<&'a str>,
}

fn non_empty<'a>(values: &'a BTreeMap<String, String>, key: &str) -> Option<&'a str> {
    values
        .get(key)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

/// Where `profile` lives (or will), and its current values there.
fn destination(file: &ConfigFile, profile: Option<&str>) -> Result<Destination> {
    let inherited = match profile {
        Some(_) => file.top().clone(),
        None => BTreeMap::new(),
    };
    let at =
        |path: &PathBuf, section: &str, current: Option<&BTreeMap<String, String>>| Destination {
            path: path.clone(),
            section: section.to_string(),
            current: current.cloned().unwrap_or_default(),
            inherited: inherited.clone(),
        };
    let java_file = profile
        .map(|p| java_profile_file(&file.path, p))
        .filter(|java| java.exists());
    Ok(match (profile, java_file) {
        (None, _) => at(&file.path, TOP_SECTION, Some(file.top())),
        (Some(p), _) if file.section(p).is_some() => at(&file.path, p, file.section(p)),
        (Some(_), Some(java)) => at(&java, TOP_SECTION, Some(ConfigFile::load(&java)?.top())),
        (Some(p), None) => at(&file.path, p, None),
    })
}

/// A profile name that would not read back as its own section (`x]\n[work` would write a
/// second one) is refused before any question is asked.
fn check_section(destination: &Destination) -> Result<()> {
    let empty = IniDocument::parse_properties("");
    match empty.check_writable(&destination.section, OKTA_ORG, "") {
        Ok(()) => Ok(()),
        Err(refused) => fail(
            format!(
                "the profile name '{}' cannot be a section of {}: it {}",
                destination.section.escape_debug(),
                destination.path.display(),
                refused.reason
            ),
            "choose a profile name without brackets, control characters or surrounding spaces",
        ),
    }
}

/// Ask one question until the answer is acceptable (at most `TRIES` times).
fn ask(prompter: &dyn Prompter, question: &Question, values: Values) -> Result<Answer> {
    let prompt = match values {
        Values {
            current: Some(value),
            ..
        } => format!("{} [{value}]", question.prompt),
        Values {
            inherited: Some(value),
            ..
        } => format!("{} [{value}, from the top section]", question.prompt),
        _ => question.prompt.to_string(),
    };
    let mut last_problem = None;
    for _ in 0..TRIES {
        let typed = prompter.ask(&prompt, question.key)?;
        match judge(question, values, &typed) {
            Ok(answer) => return Ok(answer),
            Err(problem) => {
                prompter.say(&format!("  {problem}"));
                last_problem = Some(problem);
            }
        }
    }
    let problem = last_problem.expect("at least one try");
    Err(UserError::new(format!(
        "no acceptable {} after {TRIES} tries: {problem}",
        question.key
    ))
    .hint("run `okta-aws configure` again; nothing was written")
    .into())
}

/// What a typed line means for the setting: keep, set or clear, or why it cannot be taken.
/// A required setting the profile inherits may be left to the top section.
fn judge(question: &Question, values: Values, typed: &str) -> Result<Answer, Refused> {
    let Values { current, inherited } = values;
    let typed = typed.trim();
    match typed {
        "" if current.is_some() || inherited.is_some() => Ok(Answer::Keep),
        "-" if current.is_some() && inherited.is_some() => Ok(Answer::Clear),
        "" | "-" if question.required => Err(Refused(format!("{} is required", question.key))),
        "" => Ok(Answer::Keep),
        "-" if current.is_some() => Ok(Answer::Clear),
        "-" => Ok(Answer::Keep),
        value => {
            check(question.key, value)?;
            check_storable(question.key, value)?;
            Ok(Answer::Set(value.to_string()))
        }
    }
}

/// The same checks a login makes, so a profile that configure writes can be used.
fn check(key: &'static str, value: &str) -> Result<(), Refused> {
    if key == OKTA_MFA_CHOICE {
        return check_factor_choice(value);
    }
    check_value(key, value).map_err(|e| {
        Refused(match e.downcast_ref::<UserError>() {
            Some(UserError {
                cause,
                hint: Some(hint),
            }) => format!("{cause} ({hint})"),
            _ => e.to_string(),
        })
    })
}

/// The factor types a preset may name alone (those a login can verify on a terminal).
const FACTOR_TYPES: &[&str] = &[
    "push",
    "token:software:totp",
    "token:hardware",
    "token:hotp",
    "token",
    "sms",
    "call",
    "email",
    "question",
];

/// `PROVIDER.type` (`OKTA.push`, `GOOGLE.token:software:totp`) or a known type alone: what
/// the login matches enrolled factors against, so a typo is caught now, not at a login.
fn check_factor_choice(value: &str) -> Result<(), Refused> {
    let is_type = |t: &str| {
        !t.is_empty()
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-'))
    };
    let well_formed = match value.split_once('.') {
        Some((provider, kind)) => {
            !provider.is_empty()
                && provider
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                && is_type(kind)
        }
        None => FACTOR_TYPES.contains(&value.to_ascii_lowercase().as_str()),
    };
    if well_formed {
        return Ok(());
    }
    Err(Refused(format!(
        "{OKTA_MFA_CHOICE} '{}' is not a factor (PROVIDER.type, such as OKTA.push or GOOGLE.token:software:totp, or a type alone: {})",
        value.escape_debug(),
        FACTOR_TYPES.join(", ")
    )))
}

/// A value that the config file's reader would not read back as typed (a trailing `\`
/// joins the next line; a control character breaks the line) is refused, not mangled.
fn check_storable(key: &'static str, value: &str) -> Result<(), Refused> {
    IniDocument::parse_properties("")
        .check_writable(TOP_SECTION, key, value)
        .map_err(|e| Refused(format!("{key} cannot be stored as typed: it {}", e.reason)))
}

/// Apply the answers to the destination file: only those keys change.
fn write(destination: &Destination, answers: &[(&str, Answer)]) -> Result<()> {
    update_file(&destination.path, |text| {
        let mut doc = IniDocument::parse_properties(text);
        for (key, answer) in answers {
            match answer {
                Answer::Keep => {}
                Answer::Set(value) => doc.set(&destination.section, key, value)?,
                Answer::Clear => {
                    doc.remove_key(&destination.section, key);
                }
            }
        }
        Ok(doc.render())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &Question = &QUESTIONS[0];
    const USERNAME: &Question = &QUESTIONS[3];
    const FACTOR: &Question = &QUESTIONS[4];

    const NONE: Values = Values {
        current: None,
        inherited: None,
    };

    fn own(value: &str) -> Values<'_> {
        Values {
            current: Some(value),
            inherited: None,
        }
    }

    fn inherited(value: &str) -> Values<'_> {
        Values {
            current: None,
            inherited: Some(value),
        }
    }

    #[test]
    fn enter_keeps_dash_clears_and_required_values_stay_required() {
        assert_eq!(judge(ORG, own("a.okta.com"), ""), Ok(Answer::Keep));
        assert_eq!(
            judge(ORG, NONE, ""),
            Err(Refused("OKTA_ORG is required".to_string()))
        );
        assert_eq!(
            judge(ORG, own("a.okta.com"), "-"),
            Err(Refused("OKTA_ORG is required".to_string()))
        );
        assert_eq!(judge(USERNAME, own("bob"), " - "), Ok(Answer::Clear));
        assert_eq!(judge(USERNAME, NONE, "-"), Ok(Answer::Keep));
        assert_eq!(judge(USERNAME, NONE, ""), Ok(Answer::Keep));
        assert_eq!(
            judge(USERNAME, own("bob"), " alice "),
            Ok(Answer::Set("alice".to_string()))
        );
    }

    #[test]
    fn a_profile_may_leave_required_values_to_the_top_section() {
        assert_eq!(judge(ORG, inherited("a.okta.com"), ""), Ok(Answer::Keep));
        let both = Values {
            current: Some("b.okta.com"),
            inherited: Some("a.okta.com"),
        };
        assert_eq!(judge(ORG, both, "-"), Ok(Answer::Clear));
        assert_eq!(
            judge(ORG, inherited("a.okta.com"), "b.okta.com"),
            Ok(Answer::Set("b.okta.com".to_string()))
        );
    }

    #[test]
    fn answers_get_the_logins_own_checks() {
        assert_eq!(
            judge(ORG, NONE, "acme.okta.com"),
            Ok(Answer::Set("acme.okta.com".to_string()))
        );
        let insecure = judge(ORG, NONE, "http://acme.okta.com").unwrap_err().0;
        assert!(insecure.contains("OKTA_ORG"), "{insecure}");
        let app = &QUESTIONS[1];
        let not_a_link = judge(app, NONE, "acme.okta.com/home").unwrap_err().0;
        assert!(not_a_link.contains("embed link"), "{not_a_link}");
        assert!(not_a_link.contains("in your answer"), "{not_a_link}");
        assert!(!not_a_link.contains("command line"), "{not_a_link}");
    }

    #[test]
    fn the_factor_is_checked_for_form() {
        for good in [
            "OKTA.push",
            "GOOGLE.token:software:totp",
            "push",
            "SMS",
            "RSA.token",
        ] {
            assert_eq!(
                judge(FACTOR, NONE, good),
                Ok(Answer::Set(good.to_string())),
                "{good}"
            );
        }
        for bad in [
            "pusj",
            "OKTA.",
            ".push",
            "OKTA push",
            "OKTA.push now",
            "okta/push",
        ] {
            let refused = judge(FACTOR, NONE, bad).unwrap_err().0;
            assert!(refused.contains("PROVIDER.type"), "{bad}: {refused}");
        }
    }

    #[test]
    fn values_that_would_not_read_back_are_refused() {
        let refused = judge(USERNAME, NONE, "bob\\").unwrap_err().0;
        assert!(refused.contains("backslash"), "{refused}");
        let refused = judge(USERNAME, NONE, "bob\u{1b}[31m").unwrap_err().0;
        assert!(refused.contains("control"), "{refused}");
        assert_eq!(
            judge(USERNAME, NONE, "a]b\\c"),
            Ok(Answer::Set("a]b\\c".to_string()))
        );
    }
}
