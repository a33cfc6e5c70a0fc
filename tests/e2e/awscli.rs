//! The drop-in `aws`: passthrough without login, `--profile` handling, the recursion guard.

use std::os::unix::fs::PermissionsExt;

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
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nexec '{}' \"$@\"\n",
            env!("CARGO_BIN_EXE_awscli")
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
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
