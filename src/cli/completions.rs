//! Shell completion for both binaries.
//!
//! `okta-aws` uses clap_complete's dynamic completion (`unstable-dynamic`): the script a shell
//! loads is a small stub that calls `OKTA_AWS_COMPLETE=<shell> okta-aws -- <words>`, and the
//! binary answers from its own clap definition. Chosen over static scripts plus a hidden
//! `__complete` command because the values must be live — `--profile` lists the configured
//! profiles, `--role` the roles of the cached assertion — and one engine then serves five
//! shells with no hand-written per-shell value logic. The answer is read from the config file
//! and the cache only: no tokio runtime, no network, no prompt.
//!
//! `awscli` is not a clap program (its arguments are `aws`'s), so it speaks the `complete -C`
//! protocol `aws_completer` uses: COMP_LINE/COMP_POINT in, one candidate a line out. It
//! completes `--profile` with okta-aws profiles and hands everything else, with the profile
//! arguments taken out, to `aws_completer` when it is installed.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command as Process, Stdio};

use anyhow::Result;
use clap::{Args, CommandFactory, ValueEnum};
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};
use clap_complete::env::{Bash, Elvish, EnvCompleter, Fish, Powershell, Zsh};

use super::profile_flag::{self, Spellings};
use crate::aws::signin_page;
use crate::saml::RolePair;
use crate::settings::keys::OKTA_AWS_CLI;
use crate::settings::{Overrides, Profile, Settings};
use crate::store::Store;

/// The variable that turns a run of `okta-aws` into a completion request. Not clap's default
/// `COMPLETE`: a user's unrelated `COMPLETE=1` must not hijack the tool.
pub const COMPLETE_VAR: &str = "OKTA_AWS_COMPLETE";

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write the completion script for.
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

impl CompletionShell {
    /// The file name under `completions/` the committed script has.
    pub fn file_name(self) -> &'static str {
        match self {
            CompletionShell::Bash => "okta-aws.bash",
            CompletionShell::Zsh => "_okta-aws",
            CompletionShell::Fish => "okta-aws.fish",
            CompletionShell::Powershell => "okta-aws.ps1",
            CompletionShell::Elvish => "okta-aws.elv",
        }
    }

    fn env_completer(self) -> &'static dyn EnvCompleter {
        match self {
            CompletionShell::Bash => &Bash,
            CompletionShell::Zsh => &Zsh,
            CompletionShell::Fish => &Fish,
            CompletionShell::Powershell => &Powershell,
            CompletionShell::Elvish => &Elvish,
        }
    }
}

pub fn run(args: &CompletionsArgs) -> Result<()> {
    print!("{}", script(args.shell));
    Ok(())
}

/// The completion script for both binaries. It names the programs, not their paths, so the
/// committed copies are the same on every machine (`okta-aws` must be on PATH).
pub fn script(shell: CompletionShell) -> String {
    let mut buf = Vec::new();
    shell
        .env_completer()
        .write_registration(COMPLETE_VAR, "okta-aws", "okta-aws", "okta-aws", &mut buf)
        .expect("writing to a Vec cannot fail");
    let mut text = String::from_utf8(buf).expect("the registration is UTF-8");
    text.push_str(awscli_registration(shell));
    text
}

/// How each shell hands `awscli`'s line to `awscli` in the `complete -C` protocol.
fn awscli_registration(shell: CompletionShell) -> &'static str {
    match shell {
        CompletionShell::Bash => {
            "\n# awscli: okta-aws profiles for --profile, aws_completer for the rest.\n\
             complete -C awscli awscli\n"
        }
        CompletionShell::Zsh => {
            "\n# awscli: okta-aws profiles for --profile, aws_completer for the rest.\n\
             autoload -Uz bashcompinit && bashcompinit\n\
             complete -C awscli awscli\n"
        }
        CompletionShell::Fish => {
            "\n# awscli: okta-aws profiles for --profile, aws_completer for the rest.\n\
             function __okta_aws_complete_awscli\n    \
                 set -l line (commandline --current-process --cut-at-cursor)\n    \
                 COMP_LINE=\"$line\" COMP_POINT=(string length -- \"$line\") awscli\n\
             end\n\
             complete --command awscli --no-files --arguments '(__okta_aws_complete_awscli)'\n"
        }
        CompletionShell::Powershell => {
            "\n# awscli: okta-aws profiles for --profile, aws_completer for the rest.\n\
             Register-ArgumentCompleter -Native -CommandName awscli -ScriptBlock {\n    \
                 param($wordToComplete, $commandAst, $cursorPosition)\n    \
                 $env:COMP_LINE = $commandAst.ToString()\n    \
                 if ($env:COMP_LINE.Length -lt $cursorPosition) { $env:COMP_LINE += ' ' }\n    \
                 $env:COMP_POINT = $cursorPosition\n    \
                 awscli | ForEach-Object {\n        \
                     [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)\n    \
                 }\n    \
                 Remove-Item Env:\\COMP_LINE, Env:\\COMP_POINT\n\
             }\n"
        }
        // Elvish has no `aws_completer` integration to hand over to.
        CompletionShell::Elvish => "",
    }
}

/// Answer a completion request (`OKTA_AWS_COMPLETE=<shell>`) and exit; otherwise return at
/// once. Call first thing in `main`, before anything writes to stdout.
pub fn complete_if_asked() {
    clap_complete::CompleteEnv::with_factory(command)
        .var(COMPLETE_VAR)
        .completer("okta-aws")
        .complete();
}

/// The clap command with live values on every `--profile` and `--role`.
pub fn command() -> clap::Command {
    with_live_values(super::Cli::command())
}

fn with_live_values(mut cmd: clap::Command) -> clap::Command {
    let has = |cmd: &clap::Command, id: &str| cmd.get_arguments().any(|a| a.get_id() == id);
    if has(&cmd, "profile") {
        cmd = cmd.mut_arg("profile", |a| {
            a.add(ArgValueCandidates::new(profile_candidates))
        });
    }
    if has(&cmd, "role") {
        cmd = cmd.mut_arg("role", |a| a.add(ArgValueCandidates::new(role_candidates)));
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, with_live_values);
    }
    cmd
}

fn profile_candidates() -> Vec<CompletionCandidate> {
    super::profiles::profile_names()
        .unwrap_or_default()
        .into_iter()
        .map(CompletionCandidate::new)
        .collect()
}

/// The roles of the cached assertion of the profile on the line being completed (else
/// OKTA_PROFILE, else the unnamed one), as ARNs and as `ACCOUNT/ROLE`.
fn role_candidates() -> Vec<CompletionCandidate> {
    let words: Vec<OsString> = std::env::args_os().collect();
    let profile = Profile::requested(profile_flag::last_named(completed_words(&words)).as_deref());
    let Ok(settings) = Settings::load(profile, &Overrides::default()) else {
        return Vec::new();
    };
    let store = Store::for_settings(&settings);
    let Some(roles) = store.granted_roles(&settings.profile) else {
        return Vec::new();
    };
    let names = store.account_names().names;
    let account = |r: &RolePair| signin_page::label(&names, r.role_arn.account());
    let arns = roles.iter().map(|r| {
        CompletionCandidate::new(r.role_arn.as_str())
            .help(Some(format!("{} {}", account(r), r.role_arn.name()).into()))
    });
    let short = roles.iter().map(|r| {
        CompletionCandidate::new(r.role_arn.short())
            .help(Some(format!("{} {}", account(r), r.role_arn.name()).into()))
    });
    arns.chain(short).collect()
}

/// The words of the command line being completed: what follows the first `--` of
/// `okta-aws -- okta-aws env --profile p --role …`.
fn completed_words(args: &[OsString]) -> &[OsString] {
    match args.iter().position(|a| a == "--") {
        Some(at) => &args[at + 1..],
        None => &[],
    }
}

/// A `complete -C` request to `awscli`: the line up to the cursor, when both variables are set.
pub fn awscli_request() -> Option<String> {
    let line = std::env::var("COMP_LINE").ok()?;
    let point: usize = std::env::var("COMP_POINT").ok()?.parse().ok()?;
    let mut cut = point.min(line.len());
    while !line.is_char_boundary(cut) {
        cut -= 1;
    }
    Some(line[..cut].to_string())
}

/// Print `awscli`'s candidates for the line up to the cursor, one a line.
pub fn complete_awscli(line: &str) -> Result<i32> {
    let text: String = awscli_candidates(line)
        .iter()
        .map(|c| format!("{c}\n"))
        .collect();
    print!("{text}");
    Ok(0)
}

/// The line split at the cursor: the finished words and the one being typed (maybe empty).
fn split_at_cursor(line: &str) -> (Vec<&str>, &str) {
    let mut words: Vec<&str> = line.split_whitespace().collect();
    let current = if line.is_empty() || line.ends_with(char::is_whitespace) {
        ""
    } else {
        words.pop().unwrap_or("")
    };
    (words, current)
}

fn awscli_candidates(line: &str) -> Vec<String> {
    let (before, current) = split_at_cursor(line);
    let matching_profiles = |prefix: &str| -> Vec<String> {
        super::profiles::profile_names()
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.starts_with(prefix))
            .collect()
    };
    // aws_completer offers no profile names (it answers with service names), so
    // `--profile` is ours alone.
    if before.last() == Some(&"--profile") {
        return matching_profiles(current);
    }
    if let Some(prefix) = current.strip_prefix("--profile=") {
        return matching_profiles(prefix)
            .into_iter()
            .map(|p| format!("--profile={p}"))
            .collect();
    }
    aws_completer(&aws_line(&before, current))
}

/// The line `aws` would see: first word `aws`, and the finished `--profile X` /
/// `--profile=X` taken out, as `awscli` takes it out before running `aws`.
fn aws_line(before: &[&str], current: &str) -> String {
    let mut words: Vec<&str> = before.iter().skip(1).copied().collect();
    if let Some(flag) = profile_flag::find_all(&words, Spellings::LongOnly).first() {
        words.drain(flag.at..flag.at + flag.words);
    }
    words.insert(0, "aws");
    words.push(current);
    words.join(" ")
}

/// `aws_completer`'s candidates for an `aws` line; none when it is not installed.
fn aws_completer(line: &str) -> Vec<String> {
    let Some(completer) = find_aws_completer() else {
        return Vec::new();
    };
    let output = Process::new(completer)
        .env("COMP_LINE", line)
        .env("COMP_POINT", line.len().to_string())
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    match output {
        Ok(out) => String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::trim_end)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Beside the configured real `aws` (OKTA_AWS_CLI) first, then on PATH.
fn find_aws_completer() -> Option<PathBuf> {
    let beside_aws = std::env::var_os(OKTA_AWS_CLI)
        .map(PathBuf::from)
        .and_then(|aws| Some(aws.parent()?.join("aws_completer")))
        .filter(|p| p.is_file());
    beside_aws.or_else(|| which::which("aws_completer").ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::cli::os_strings as os;

    #[test]
    fn the_profile_is_found_in_every_spelling() {
        for line in [
            &["okta-aws", "env", "--profile", "work", "--role"][..],
            &["okta-aws", "env", "--profile=work", "--role"],
            &["okta-aws", "env", "-p", "work", "--role"],
            &["okta-aws", "env", "-pwork", "--role"],
        ] {
            assert_eq!(
                profile_flag::last_named(&os(line)).as_deref(),
                Some("work"),
                "{line:?}"
            );
        }
        assert_eq!(
            profile_flag::last_named(&os(&["okta-aws", "env", "--role"])),
            None
        );
    }

    #[test]
    fn only_the_words_after_the_escape_are_the_line() {
        let args = os(&["okta-aws", "--", "okta-aws", "env", "-p", "x"]);
        assert_eq!(
            completed_words(&args),
            &os(&["okta-aws", "env", "-p", "x"])[..]
        );
    }

    #[test]
    fn awscli_line_is_split_at_the_cursor() {
        assert_eq!(split_at_cursor("awscli s3 l"), (vec!["awscli", "s3"], "l"));
        assert_eq!(split_at_cursor("awscli s3 "), (vec!["awscli", "s3"], ""));
    }

    #[test]
    fn aws_sees_its_own_name_and_no_okta_profile() {
        let before = ["awscli", "--profile", "work", "sts"];
        assert_eq!(aws_line(&before, "get-c"), "aws sts get-c");
        let before = ["aws", "s3", "--profile=work"];
        assert_eq!(aws_line(&before, ""), "aws s3 ");
    }

    #[test]
    fn every_script_registers_okta_aws_by_name() {
        for shell in CompletionShell::value_variants() {
            let text = script(*shell);
            assert!(text.contains(COMPLETE_VAR), "{shell:?}");
            assert!(text.contains("okta-aws"), "{shell:?}");
        }
        assert!(script(CompletionShell::Powershell).contains("-CommandName awscli"));
    }

    #[test]
    fn the_live_command_is_a_valid_clap_command() {
        command().debug_assert();
    }
}
