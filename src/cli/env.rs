//! `okta-aws env`: print statements that put the session into the calling shell, for
//! `eval "$(okta-aws env)"`. Only the statements go to stdout; a login on the way talks to
//! the terminal, so the `eval` works with no cached session.

use anyhow::Result;
use clap::{Args, ValueEnum};

use super::{ProfileArg, RoleArg, load_settings};
use crate::error::UserError;
use crate::prompt::Prompter;
use crate::session::{self, REMOVED_VARIABLES, SESSION_VARIABLES};

#[derive(Debug, Args)]
pub struct EnvArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
    #[command(flatten)]
    pub role: RoleArg,
    /// Syntax of the statements (default: from $SHELL, else POSIX sh; on Windows PowerShell).
    #[arg(long, value_enum)]
    pub shell: Option<EnvShell>,
    /// Print statements that remove the variables instead (no login).
    #[arg(long)]
    pub unset: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EnvShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    /// cmd.exe's `set NAME=value` (Windows).
    Cmd,
    /// One JSON object: the variables to set, `null` for those to remove.
    Json,
    /// `NAME='value'` lines for docker/compose `--env-file`, python-dotenv, node dotenv.
    Dotenv,
}

/// The syntax actually written: the `--shell` values plus plain POSIX sh, the default for an
/// unknown `$SHELL` (bash and zsh read it too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Posix,
    Fish,
    Powershell,
    Cmd,
    Json,
    Dotenv,
}

impl From<EnvShell> for Syntax {
    fn from(shell: EnvShell) -> Syntax {
        match shell {
            EnvShell::Bash | EnvShell::Zsh => Syntax::Posix,
            EnvShell::Fish => Syntax::Fish,
            EnvShell::Powershell => Syntax::Powershell,
            EnvShell::Cmd => Syntax::Cmd,
            EnvShell::Json => Syntax::Json,
            EnvShell::Dotenv => Syntax::Dotenv,
        }
    }
}

impl Syntax {
    /// From `$SHELL` (`/usr/bin/fish`, `pwsh`, …); anything else gets POSIX sh.
    pub fn from_login_shell(shell: Option<&str>) -> Syntax {
        let name = shell
            .map(|s| s.rsplit(['/', '\\']).next().unwrap_or(s))
            .unwrap_or_default();
        let name = name.strip_suffix(".exe").unwrap_or(name);
        match name {
            "fish" => Syntax::Fish,
            "pwsh" | "powershell" => Syntax::Powershell,
            _ => Syntax::Posix,
        }
    }

    /// The syntax when `--shell` is not given: `$SHELL`'s, on Windows PowerShell's (neither
    /// PowerShell nor cmd.exe sets `SHELL`; Git Bash users have `--shell bash` and `init bash`).
    pub fn default_for_this_system() -> Syntax {
        if cfg!(windows) {
            Syntax::Powershell
        } else {
            Syntax::from_login_shell(std::env::var("SHELL").ok().as_deref())
        }
    }
}

pub fn run(args: &EnvArgs, prompter: &dyn Prompter) -> Result<()> {
    let syntax = args
        .shell
        .map(Syntax::from)
        .unwrap_or_else(Syntax::default_for_this_system);
    let text = if args.unset {
        statements(syntax, &[], &SESSION_VARIABLES)
    } else {
        let settings = load_settings(&args.profile, &args.role)?;
        let session = session::obtain(&settings, prompter, session::Request::default())?;
        let set = session.environment();
        if syntax == Syntax::Cmd {
            check_cmd_can_hold(&set)?;
        }
        statements(syntax, &set, &REMOVED_VARIABLES)
    };
    print!("{text}");
    Ok(())
}

/// Statements that remove `remove`, then set `set`. Removals come first so the last
/// statement succeeds (fish's `set -e` of an unset variable returns 1), leaving `$?` at 0.
pub fn statements(syntax: Syntax, set: &[(&str, String)], remove: &[&str]) -> String {
    match syntax {
        Syntax::Json => json_object(set, remove),
        Syntax::Dotenv => set
            .iter()
            .map(|(name, value)| format!("{name}={}\n", dotenv_quote(value)))
            .collect(),
        Syntax::Posix | Syntax::Fish | Syntax::Powershell | Syntax::Cmd => {
            let mut out: String = remove.iter().map(|n| unset_line(syntax, n)).collect();
            out.extend(set.iter().map(|(n, v)| set_line(syntax, n, v)));
            out
        }
    }
}

fn set_line(syntax: Syntax, name: &str, value: &str) -> String {
    match syntax {
        Syntax::Fish => format!("set -gx {name} {}\n", fish_quote(value)),
        Syntax::Powershell => format!("$env:{name} = {}\n", powershell_quote(value)),
        Syntax::Cmd => format!("set {}\n", cmd_assignment(name, value)),
        _ => format!("export {name}={}\n", posix_quote(value)),
    }
}

fn unset_line(syntax: Syntax, name: &str) -> String {
    match syntax {
        Syntax::Fish => format!("set -e {name}\n"),
        Syntax::Powershell => {
            format!("Remove-Item -Path Env:{name} -ErrorAction SilentlyContinue\n")
        }
        // `set NAME=` removes NAME (and sets errorlevel if it was not set; cmd goes on).
        Syntax::Cmd => format!("set {name}=\n"),
        _ => format!("unset {name}\n"),
    }
}

/// `{"NAME": "value", …, "REMOVED": null}`: for programs, not shells.
fn json_object(set: &[(&str, String)], remove: &[&str]) -> String {
    let mut map = serde_json::Map::new();
    for name in remove {
        map.insert(name.to_string(), serde_json::Value::Null);
    }
    for (name, value) in set {
        map.insert(name.to_string(), serde_json::Value::String(value.clone()));
    }
    let mut text = serde_json::to_string_pretty(&serde_json::Value::Object(map))
        .expect("a map of strings serializes");
    text.push('\n');
    text
}

/// Single-quote for POSIX shells: `'` becomes `'\''`; nothing inside is expanded.
pub fn posix_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// Single-quote for fish: inside `'…'` only `\'` and `\\` are escapes.
pub fn fish_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', r"\\").replace('\'', r"\'"))
}

/// Single-quote for PowerShell: nothing is expanded, and a quote is doubled. PowerShell also
/// takes the typographic quotes ‘ ’ ‚ ‛ as single quotes, so those are doubled too.
pub fn powershell_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// Characters cmd.exe takes literally in `set NAME=value`.
fn cmd_plain(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+-/=_.:,@~#$[]{}\\".contains(c)
}

/// Characters no `set` statement can carry through cmd.exe: `%` and `!` expand (the first
/// with no escape at the prompt), a `"` ends the quoting, a line end ends the statement.
const CMD_UNWRITABLE: [char; 5] = ['%', '!', '"', '\r', '\n'];

/// `NAME=value`, in quotes (`"NAME=value"`, which keeps `&|<>^()` and spaces literal) when
/// the value is not all plain characters. `check_cmd_can_hold` refuses what cannot be written.
pub fn cmd_assignment(name: &str, value: &str) -> String {
    if value.chars().all(cmd_plain) {
        format!("{name}={value}")
    } else {
        format!("\"{name}={value}\"")
    }
}

/// A value cmd.exe cannot be given is refused before anything is printed.
fn check_cmd_can_hold(set: &[(&str, String)]) -> Result<()> {
    for (name, value) in set {
        if value.contains(CMD_UNWRITABLE) {
            return Err(UserError::new(format!(
                "{name} holds a character cmd.exe cannot take in `set` (% ! \" or a line end)"
            ))
            .hint("use --shell powershell, or exec to run the command with the session")
            .into());
        }
    }
    Ok(())
}

/// dotenv has no single standard: single quotes are literal in docker compose, python-dotenv
/// and node's dotenv, so they are used whenever they can hold the value (always, for AWS
/// credentials). A value with a `'` or a newline is double-quoted with `\\`, `\"`, `\n`.
pub fn dotenv_quote(value: &str) -> String {
    if !value.contains(['\'', '\n', '\r']) {
        return format!("'{value}'");
    }
    let escaped = value
        .replace('\\', r"\\")
        .replace('"', "\\\"")
        .replace('\n', r"\n")
        .replace('\r', r"\r");
    format!("\"{escaped}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NASTY: &str = "it's \"$HOME\" `id` \\ ‘x’\nline two";

    #[test]
    fn posix_quoting_survives_quotes_dollars_and_newlines() {
        assert_eq!(posix_quote("a b"), "'a b'");
        assert_eq!(posix_quote("it's $HOME\n"), "'it'\\''s $HOME\n'");
    }

    #[test]
    fn fish_quoting_escapes_quote_and_backslash_only() {
        assert_eq!(fish_quote(r"a\b'c $d"), r"'a\\b\'c $d'");
    }

    #[test]
    fn powershell_quoting_doubles_every_kind_of_single_quote() {
        assert_eq!(powershell_quote("it's $env:HOME"), "'it''s $env:HOME'");
        assert_eq!(
            powershell_quote("\u{2018}a\u{2019}"),
            "'\u{2018}\u{2018}a\u{2019}\u{2019}'"
        );
        assert_eq!(powershell_quote("a\nb `x` \"y\""), "'a\nb `x` \"y\"'");
    }

    #[test]
    fn dotenv_prefers_single_quotes_and_escapes_otherwise() {
        assert_eq!(dotenv_quote("a $b \"c\""), "'a $b \"c\"'");
        assert_eq!(dotenv_quote("it's\n\\"), r#""it's\n\\""#);
    }

    #[test]
    fn login_shell_picks_the_syntax() {
        assert_eq!(
            Syntax::from_login_shell(Some("/usr/bin/fish")),
            Syntax::Fish
        );
        assert_eq!(
            Syntax::from_login_shell(Some("/opt/pwsh")),
            Syntax::Powershell
        );
        assert_eq!(
            Syntax::from_login_shell(Some("pwsh.exe")),
            Syntax::Powershell
        );
        assert_eq!(Syntax::from_login_shell(Some("/bin/zsh")), Syntax::Posix);
        assert_eq!(Syntax::from_login_shell(Some("/bin/dash")), Syntax::Posix);
        assert_eq!(Syntax::from_login_shell(None), Syntax::Posix);
    }

    #[test]
    fn removals_come_first_then_the_values() {
        let set = [("A", NASTY.to_string())];
        let text = statements(Syntax::Fish, &set, &["P"]);
        assert_eq!(text, format!("set -e P\nset -gx A {}\n", fish_quote(NASTY)));
        let text = statements(Syntax::Powershell, &set, &["P"]);
        assert!(text.starts_with("Remove-Item -Path Env:P -ErrorAction SilentlyContinue\n"));
        assert!(text.ends_with(&format!("$env:A = {}\n", powershell_quote(NASTY))));
    }

    #[test]
    fn cmd_sets_plain_values_bare_and_quotes_the_rest() {
        let set = [
            ("AWS_SESSION_TOKEN", "FwoG+ab/c==".to_string()),
            ("AWS_PROFILE", "a & b".to_string()),
        ];
        assert_eq!(
            statements(Syntax::Cmd, &set, &["P"]),
            "set P=\nset AWS_SESSION_TOKEN=FwoG+ab/c==\nset \"AWS_PROFILE=a & b\"\n"
        );
    }

    #[test]
    fn cmd_refuses_what_it_cannot_hold() {
        for bad in ["50%", "a!b", "say \"x\"", "two\nlines"] {
            let error = check_cmd_can_hold(&[("AWS_PROFILE", bad.to_string())]).unwrap_err();
            assert!(error.to_string().contains("AWS_PROFILE"), "{error}");
        }
        assert!(check_cmd_can_hold(&[("A", "x (y) & z".to_string())]).is_ok());
    }

    #[test]
    fn the_default_syntax_is_powershell_on_windows_only() {
        let default = Syntax::default_for_this_system();
        if cfg!(windows) {
            assert_eq!(default, Syntax::Powershell);
        } else {
            let shell = std::env::var("SHELL").ok();
            assert_eq!(default, Syntax::from_login_shell(shell.as_deref()));
        }
    }

    #[test]
    fn json_gives_values_and_nulls() {
        let text = statements(Syntax::Json, &[("A", NASTY.to_string())], &["P"]);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["A"], NASTY);
        assert!(value["P"].is_null());
    }
}
