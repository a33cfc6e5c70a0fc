//! The drop-in `aws`: passthrough without login, `--profile` handling, the recursion guard.

use crate::harness::*;

#[test]
fn version_help_and_configure_need_no_login() {
    let s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    let run = s.run("awscli", &["--version"]);
    run.success();
    assert!(format!("{}{}", run.stdout(), run.stderr()).contains("aws-cli/"));
    s.run("awscli", &["configure", "list"]).success();
    assert_eq!(s.okta.requests().len(), 0);
}

#[test]
fn a_profile_that_is_not_ours_goes_to_aws_untouched() {
    let s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.write_config("[work]\n");
    let run = s.run(
        "awscli",
        &["--profile", "theirs", "sts", "get-caller-identity"],
    );
    assert_ne!(run.code(), 0);
    assert!(
        run.stderr().contains("theirs"),
        "aws itself complains: {}",
        run.stderr()
    );
    assert_eq!(s.okta.requests().len(), 0);
}

#[test]
fn our_profile_is_removed_before_aws_runs() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.write_config("[work]\nOKTA_AWS_ROLE_TO_ASSUME=Admin\n");
    s.set("AWS_PROFILE", Some("not-there"));
    let run = s.run("awscli", &["sts", "--profile=work", "get-caller-identity"]);
    run.success();
    assert!(
        run.stdout().contains("assumed-role/Admin/"),
        "{}",
        run.stdout()
    );
}

#[test]
fn an_aws_that_leads_back_to_awscli_is_stopped() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    let script = s.dir.path().join("aws-wrapper");
    write_script(
        &script,
        format!(
            "#!/bin/sh\nexec '{}' \"$@\"\n",
            env!("CARGO_BIN_EXE_awscli")
        ),
    );
    s.set("OKTA_AWS_CLI", Some(script.to_str().unwrap()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"));
    s.run("awscli", &["sts", "get-caller-identity"])
        .fails_with("leads back to this tool");
}

#[test]
fn our_own_binary_on_path_as_aws_is_skipped() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    let bin = s.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_awscli"), bin.join("aws")).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    s.set("PATH", Some(&path))
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"));
    let run = s.run("aws", &["sts", "get-caller-identity"]);
    run.success();
    assert!(
        run.stdout().contains("assumed-role/Admin/"),
        "{}",
        run.stdout()
    );
}

/// The real `aws --profile PROFILE sts get-caller-identity`, no okta-aws anywhere.
fn plain_aws_as(s: &Sandbox, profile: &str) -> Run {
    s.run("aws", &["--profile", profile, "sts", "get-caller-identity"])
}

fn lines_with<'a>(text: &'a str, needle: &str) -> Vec<&'a str> {
    text.lines().filter(|l| l.contains(needle)).collect()
}

#[test]
fn a_login_by_awscli_writes_what_a_plain_aws_then_uses() {
    let s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.write_config("[work]\nOKTA_AWS_ROLE_TO_ASSUME=Admin\n");
    let run = s.run(
        "awscli",
        &["--profile", "work", "sts", "get-caller-identity"],
    );
    run.success();
    let stderr = run.stderr();
    let said = lines_with(&stderr, "Credentials written to [work] in ");
    assert_eq!(said.len(), 1, "one line: {}", run.stderr());
    assert!(said[0].contains(".aws/credentials") && said[0].contains("valid until 20"));
    let written = std::fs::read_to_string(s.credentials_file()).unwrap();
    assert!(
        written.starts_with("[work]\naws_access_key_id = "),
        "{written}"
    );
    let aws = plain_aws_as(&s, "work");
    assert!(aws.success().stdout().contains("assumed-role/Admin/"));

    // The cached path: no rewrite, no message.
    let before = std::fs::metadata(s.credentials_file())
        .unwrap()
        .modified()
        .unwrap();
    let run = s.run(
        "awscli",
        &["--profile", "work", "sts", "get-caller-identity"],
    );
    run.success();
    assert!(
        !run.stderr().contains("Credentials written"),
        "{}",
        run.stderr()
    );
    let after = std::fs::metadata(s.credentials_file())
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after);
}

#[test]
fn exec_writes_as_login_does_and_env_mode_or_env_never_write() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"));
    s.set("OKTA_ENV_MODE", Some("true"));
    s.run("okta-aws", &["exec", "--", "true"]).success();
    s.run("awscli", &["sts", "get-caller-identity"]).success();
    assert!(!s.credentials_file().exists(), "env mode writes nothing");

    s.set("OKTA_ENV_MODE", None);
    s.run("okta-aws", &["logout", "--all"]).success();
    s.run("okta-aws", &["env"]).success();
    s.run("okta-aws", &["logout", "--all"]).success();
    s.run("okta-aws", &["credential-process"]).success();
    assert!(
        !s.credentials_file().exists(),
        "env and credential-process never write"
    );

    s.run("okta-aws", &["logout", "--all"]).success();
    let run = s.run("okta-aws", &["exec", "--", "true"]);
    run.success();
    let section = "222222222222/Admin";
    let stderr = run.stderr();
    let said = lines_with(&stderr, &format!("Credentials written to [{section}]"));
    assert_eq!(said.len(), 1, "{}", run.stderr());
    let aws = plain_aws_as(&s, section);
    assert!(aws.success().stdout().contains("assumed-role/Admin/"));
}

#[test]
fn awscli_processes_logging_in_at_once_leave_one_well_formed_file() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.write_config(
        "[work]\nOKTA_AWS_ROLE_TO_ASSUME=Admin\n[dev]\nOKTA_AWS_ROLE_TO_ASSUME=Developer\n",
    );
    std::fs::create_dir_all(s.home().join(".aws")).unwrap();
    std::fs::write(s.credentials_file(), "# mine\n[other]\nregion = x\n").unwrap();
    s.set("OKTA_AWS_CLI", Some("true"));
    let children: Vec<_> = (0..6)
        .map(|i| {
            let profile = if i % 2 == 0 { "work" } else { "dev" };
            let mut command = s.command("awscli", &["--profile", profile, "s3", "ls"]);
            command
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped());
            command.spawn().unwrap()
        })
        .collect();
    let mut written = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        written += String::from_utf8_lossy(&out.stderr)
            .matches("Credentials written")
            .count();
    }
    assert_eq!(written, 2, "one login, and one write, per profile");
    let text = std::fs::read_to_string(s.credentials_file()).unwrap();
    assert!(text.starts_with("# mine\n[other]\nregion = x\n"), "{text}");
    for section in ["[work]", "[dev]"] {
        assert_eq!(text.matches(section).count(), 1, "{text}");
    }
    assert_eq!(text.matches("aws_session_token = ").count(), 2, "{text}");
    s.set("OKTA_AWS_CLI", None);
    assert!(
        plain_aws_as(&s, "work")
            .success()
            .stdout()
            .contains("assumed-role/Admin/")
    );
    assert!(
        plain_aws_as(&s, "dev")
            .success()
            .stdout()
            .contains("assumed-role/Developer/")
    );
}

#[test]
fn an_exec_that_leads_back_to_itself_is_stopped() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    let bin = s.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    // An `aws` wrapper that runs okta-aws exec -- aws: it finds itself again on PATH.
    let wrapper = bin.join("aws");
    write_script(
        &wrapper,
        format!(
            "#!/bin/sh\nexec '{}' exec -- aws \"$@\"\n",
            env!("CARGO_BIN_EXE_okta-aws")
        ),
    );
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    s.set("PATH", Some(&path))
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"));
    s.run(
        "okta-aws",
        &["exec", "--", "aws", "sts", "get-caller-identity"],
    )
    .fails_with("leads back to okta-aws exec");
    // Another exec nested inside one (another command) is no loop.
    let run = s.run(
        "okta-aws",
        &[
            "exec",
            "--",
            env!("CARGO_BIN_EXE_okta-aws"),
            "exec",
            "--",
            "sh",
            "-c",
            "echo nested=$AWS_REGION",
        ],
    );
    assert!(
        run.success().stdout().contains("nested=us-east-1"),
        "{}",
        run.stdout()
    );
}

#[test]
fn the_java_tools_forms_profile_first_and_one_quoted_command() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.write_config("[work]\nOKTA_AWS_ROLE_TO_ASSUME=Admin\n");
    let run = s.run("okta-aws", &["work", "sts", "get-caller-identity"]);
    assert!(
        run.success().stdout().contains("assumed-role/Admin/"),
        "{}",
        run.stdout()
    );
    assert_eq!(
        lines_with(&run.stderr(), "Credentials written to [work]").len(),
        1
    );
    // A mistyped subcommand that names no profile keeps clap's answer.
    let run = s.run("okta-aws", &["logn"]);
    assert_eq!(run.code(), 2, "{}", run.stderr());
    assert!(run.stderr().contains("login"), "{}", run.stderr());

    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"));
    let run = s.run(
        "okta-aws",
        &[
            "exec",
            "--split",
            "--",
            "sh -c 'echo \"split: $1\"' x 'two words'",
        ],
    );
    assert_eq!(run.success().stdout(), "split: two words\n");
    s.run("okta-aws", &["exec", "--split", "--", "sh -c 'unclosed"])
        .fails_with("cannot split the command");
}

#[test]
fn a_credentials_file_that_cannot_be_written_only_warns_and_the_command_runs() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"))
        .set("AWS_SHARED_CREDENTIALS_FILE", Some("/dev/null/credentials"));
    let run = s.run(
        "okta-aws",
        &["exec", "--", "sh", "-c", "echo ran=$AWS_REGION"],
    );
    assert_eq!(run.success().stdout(), "ran=us-east-1\n");
    assert!(
        run.stderr().contains("the credentials were not written"),
        "{}",
        run.stderr()
    );
}

/// `awscli` started with stdin and stderr closed (`<&- 2>&-`): the cache file it opens must
/// not take their place, and `aws` gets them open on /dev/null — on GNU/Linux `awscli` runs
/// without std's start-up, which otherwise does this (src/bin/awscli.rs).
#[test]
fn closed_standard_descriptors_reach_aws_as_dev_null() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    let script = s.dir.path().join("aws-descriptors");
    write_script(
        &script,
        "#!/bin/sh\nreadlink /proc/self/fd/0 /proc/self/fd/2 || echo closed\n",
    );
    s.set("OKTA_AWS_CLI", Some(script.to_str().unwrap()))
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"));
    // The first run logs in (through okta-aws); the second reads the cache.
    s.run("awscli", &["sts", "get-caller-identity"]).success();
    let requests = s.okta.requests().len();
    let run = s.run(
        "sh",
        &[
            "-c",
            "exec \"$0\" sts get-caller-identity <&- 2>&-",
            env!("CARGO_BIN_EXE_awscli"),
        ],
    );
    run.success();
    assert_eq!(run.stdout(), "/dev/null\n/dev/null\n");
    assert_eq!(s.okta.requests().len(), requests, "the session was cached");
}
