//! `--version`: the package version, and in a build from a git checkout the commit and its
//! date (`okta-aws 0.1.0 (28c5460 2026-11-28)`).

use std::path::Path;
use std::process::Command;

const PACKAGE_VERSION: &str = env!("CARGO_PKG_VERSION");

fn okta_aws(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_okta-aws"))
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "{args:?}: {output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// `git` run in the crate's directory: `None` when it is not the top of a work tree.
fn git(args: &[&str]) -> Option<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let run = |args: &[&str]| {
        let output = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8(output.stdout).unwrap().trim().to_string())
    };
    let top = run(&["rev-parse", "--show-toplevel"])?;
    (Path::new(&top).canonicalize().ok()? == root.canonicalize().unwrap()).then_some(())?;
    run(args)
}

#[test]
fn version_names_the_commit_and_its_date_in_a_git_checkout() {
    let shown = okta_aws(&["--version"]);
    let Some(head) = git(&["rev-parse", "HEAD"]) else {
        assert_eq!(shown, format!("okta-aws {PACKAGE_VERSION}\n"));
        return;
    };
    let date = git(&["log", "-1", "--format=%cs"]).unwrap();
    let rest = shown
        .strip_prefix(&format!("okta-aws {PACKAGE_VERSION} ("))
        .and_then(|r| r.strip_suffix(&format!(" {date})\n")))
        .unwrap_or_else(|| panic!("{shown:?}: not `okta-aws {PACKAGE_VERSION} (COMMIT {date})`"));
    assert!(
        rest.len() >= 7 && head.starts_with(rest),
        "{shown:?} does not name HEAD {head}"
    );
}

/// The hot commands' short parse steps aside for `--version`; every spelling shows the same.
#[test]
fn every_version_flag_shows_the_same_version() {
    let full = okta_aws(&["--version"]);
    let version = full.strip_prefix("okta-aws ").unwrap();
    assert_eq!(okta_aws(&["-V"]), full);
    for command in ["exec", "env", "credential-process", "login"] {
        assert_eq!(
            okta_aws(&[command, "--version"]),
            format!("okta-aws-{command} {version}"),
            "{command}"
        );
    }
}
