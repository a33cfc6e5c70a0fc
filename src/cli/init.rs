//! `okta-aws init <shell> [--alias-aws]`: the shell hooks — `withokta`, `okta-aws-use`,
//! completion for both binaries and, with `--alias-aws`, an `aws` that runs `awscli`.
//!
//! The hooks are the templates in `shell/`, one file per shell, embedded at build time; the
//! completion part is the same script `okta-aws completions <shell>` prints.

use anyhow::Result;
use clap::{Args, ValueEnum};

use super::completions::{self, CompletionShell};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The shell to write the hooks for (on Windows PowerShell when left out).
    #[arg(value_enum, required = cfg!(not(windows)))]
    pub shell: Option<InitShell>,
    /// Also make `aws` run `awscli` (a function; completion keeps working).
    #[arg(long)]
    pub alias_aws: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InitShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

impl InitShell {
    pub fn template(self) -> &'static str {
        match self {
            InitShell::Bash => include_str!("../../shell/okta-aws.bash"),
            InitShell::Zsh => include_str!("../../shell/okta-aws.zsh"),
            InitShell::Fish => include_str!("../../shell/okta-aws.fish"),
            InitShell::Powershell => include_str!("../../shell/okta-aws.ps1"),
        }
    }

    fn completion_shell(self) -> CompletionShell {
        match self {
            InitShell::Bash => CompletionShell::Bash,
            InitShell::Zsh => CompletionShell::Zsh,
            InitShell::Fish => CompletionShell::Fish,
            InitShell::Powershell => CompletionShell::Powershell,
        }
    }
}

/// The templates mark the `--alias-aws` part with these lines.
const ALIAS_BEGIN: &str = "# >>> okta-aws --alias-aws";
const ALIAS_END: &str = "# <<< okta-aws --alias-aws";

pub fn run(args: &InitArgs) -> Result<()> {
    // Required off Windows (clap checks it), so the default only ever applies there.
    let shell = args.shell.unwrap_or(InitShell::Powershell);
    print!("{}", script(shell, args.alias_aws));
    Ok(())
}

/// The hooks, then the completion script.
pub fn script(shell: InitShell, alias_aws: bool) -> String {
    let mut text = hooks(shell.template(), alias_aws);
    text.push_str(&completions::script(shell.completion_shell()));
    text
}

/// The template, without its `--alias-aws` part unless asked for.
fn hooks(template: &str, alias_aws: bool) -> String {
    let mut inside_alias = false;
    let mut out = String::with_capacity(template.len());
    for line in template.lines() {
        let marker = line.trim_end();
        if marker == ALIAS_BEGIN {
            inside_alias = true;
            continue;
        }
        if marker == ALIAS_END {
            inside_alias = false;
            continue;
        }
        if alias_aws || !inside_alias {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_has_one_alias_part() {
        for shell in InitShell::value_variants() {
            let template = shell.template();
            assert_eq!(template.matches(ALIAS_BEGIN).count(), 1, "{shell:?}");
            assert_eq!(template.matches(ALIAS_END).count(), 1, "{shell:?}");
        }
    }

    /// PowerShell is not installed where the tests run: check at least that the blocks close.
    #[test]
    fn powershell_braces_and_parentheses_balance() {
        for alias_aws in [false, true] {
            let text = script(InitShell::Powershell, alias_aws);
            for (open, close) in [('{', '}'), ('(', ')')] {
                let opened = text.matches(open).count();
                assert_eq!(opened, text.matches(close).count(), "{open}{close}");
            }
        }
    }

    #[test]
    fn the_alias_is_only_there_when_asked() {
        for shell in InitShell::value_variants() {
            let plain = script(*shell, false);
            let aliased = script(*shell, true);
            assert!(!plain.contains("awscli \"$@\"") && !plain.contains("awscli $argv"));
            assert!(!plain.contains("function aws"), "{shell:?}");
            assert!(aliased.len() > plain.len(), "{shell:?}");
            assert!(!aliased.contains(ALIAS_BEGIN), "{shell:?}");
            for text in [&plain, &aliased] {
                assert!(text.contains("withokta") && text.contains("okta-aws-use"));
            }
        }
    }
}
