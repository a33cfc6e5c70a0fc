//! Successful logins: every factor kind, settings precedence, what lands in ~/.aws.

use std::os::unix::fs::PermissionsExt;

use crate::harness::*;

fn caller_arn(json: &str) -> String {
    let value: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|_| panic!("not JSON: {json}"));
    value["Arn"].as_str().unwrap().to_string()
}

#[test]
fn totp_login_writes_a_section_the_real_aws_cli_can_use() {
    let mut s = Sandbox::new(scenario(
        user_with(vec![Factor::totp("GOOGLE", "123456")]),
        two_roles(),
    ));
    s.set("OKTA_MFA_CODE", Some("123456"))
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
    let run = s.run("okta-aws", &["login"]);
    run.success();
    assert!(run.stdout().is_empty(), "login prints nothing on stdout");
    assert!(
        run.stderr()
            .contains("aws --profile 111111111111/Developer"),
        "{}",
        run.stderr()
    );

    let text = std::fs::read_to_string(s.credentials_file()).unwrap();
    assert!(text.contains("[111111111111/Developer]"), "{text}");
    for key in [
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "x_security_token_expires",
    ] {
        assert!(text.contains(key), "{key} missing:\n{text}");
    }
    let mode = std::fs::metadata(s.credentials_file())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    assert!(!text.contains(PASSWORD));

    let aws = s.run(
        "aws",
        &[
            "--profile",
            "111111111111/Developer",
            "sts",
            "get-caller-identity",
        ],
    );
    aws.success();
    assert_eq!(
        caller_arn(&aws.stdout()),
        "arn:aws:sts::111111111111:assumed-role/Developer/alice@example.com"
    );
}

#[test]
fn push_with_number_challenge_then_awscli_runs_the_real_aws() {
    let factor = Factor::push(2, Some(42), PushOutcome::Approve);
    let mut s = Sandbox::new(scenario(user_with(vec![factor]), two_roles()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("222222222222/Admin"));
    let run = s.run("awscli", &["sts", "get-caller-identity"]);
    run.success();
    assert_eq!(
        caller_arn(&run.stdout()),
        "arn:aws:sts::222222222222:assumed-role/Admin/alice@example.com"
    );
    assert!(run.stderr().contains("tap 42"), "{}", run.stderr());
    // One push, two WAITING polls, then the approval.
    assert_eq!(s.okta.count("POST", "/api/v1/authn/factors/"), 3);
    let written = std::fs::read_to_string(s.credentials_file()).unwrap();
    assert!(
        written.starts_with("[222222222222/Admin]\n"),
        "a login by awscli writes as login does: {written}"
    );
}

#[test]
fn sms_code_login_and_exec_environment() {
    let mut s = Sandbox::new(scenario(
        user_with(vec![Factor::sms("654321")]),
        two_roles(),
    ));
    s.set("OKTA_MFA_CODE", Some("654321"))
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some(DEV_ROLE))
        .set("AWS_PROFILE", Some("stale"))
        .set("OKTA_AWS_REGION", Some("eu-west-1"));
    let run = s.run(
        "okta-aws",
        &["exec", "--", "sh", "-c", "echo $AWS_REGION $AWS_DEFAULT_REGION ${AWS_PROFILE:-none} ${#AWS_SESSION_TOKEN}; exit 7"],
    );
    assert_eq!(
        run.code(),
        7,
        "exit status is the command's: {}",
        run.stderr()
    );
    let words: Vec<String> = run.stdout().split_whitespace().map(String::from).collect();
    assert_eq!(words[..3], ["eu-west-1", "eu-west-1", "none"]);
    assert_ne!(words[3], "0", "a session token is set");
    assert!(
        run.stderr().contains("Okta sent a code by SMS"),
        "{}",
        run.stderr()
    );
}

#[test]
fn every_code_factor_verifies_with_the_chosen_factor() {
    let factors = vec![
        Factor::push(0, None, PushOutcome::Reject),
        Factor::totp("OKTA", "111111"),
        Factor::question("Favourite colour?", "blue"),
        Factor::hardware("cccccc-yubi"),
        Factor::token("RSA", "222222"),
        Factor::call("333333"),
        Factor::email("444444"),
    ];
    let cases = [
        ("OKTA.token:software:totp", "111111"),
        ("OKTA.question", "blue"),
        ("YUBICO.token:hardware", "cccccc-yubi"),
        ("RSA.token", "222222"),
        ("OKTA.call", "333333"),
        ("OKTA.email", "444444"),
    ];
    let mut s = Sandbox::new(scenario(user_with(factors), two_roles()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"))
        .set("OKTA_ENV_MODE", Some("true"));
    for (choice, code) in cases {
        s.set("OKTA_MFA_CHOICE", Some(choice))
            .set("OKTA_MFA_CODE", Some(code));
        let run = s.run("okta-aws", &["env", "--shell", "bash"]);
        run.success();
        assert!(
            run.stdout().contains("export AWS_ACCESS_KEY_ID="),
            "{choice}: {}",
            run.stdout()
        );
    }
}

#[test]
fn settings_precedence_flag_env_section_top() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    // Settings in the file only: the top section carries the org, the profile picks the role.
    let org = s.okta.base_url();
    let app = s.okta.app_url();
    s.set("OKTA_ORG", None).set("OKTA_AWS_APP_URL", None);
    s.write_config(&format!(
        "# the Java tool's properties format\nOKTA_ORG={org}\nokta_aws_app_url = {app}\nOKTA_AWS_ROLE_TO_ASSUME=Developer\n\n[work]\nOKTA_AWS_ROLE_TO_ASSUME=Admin\n"
    ));
    let who = |s: &Sandbox, profile: &str| {
        let run = s.run("aws", &["--profile", profile, "sts", "get-caller-identity"]);
        caller_arn(&run.success().stdout())
    };
    s.run("okta-aws", &["login", "--profile", "work"]).success();
    assert!(who(&s, "work").contains("assumed-role/Admin/"));

    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
    s.run("okta-aws", &["login", "--profile", "work"]).success();
    assert!(
        who(&s, "work").contains("assumed-role/Developer/"),
        "environment beats the section"
    );

    s.run(
        "okta-aws",
        &["login", "--profile", "work", "--role", "Admin"],
    )
    .success();
    assert!(
        who(&s, "work").contains("assumed-role/Admin/"),
        "the flag beats the environment"
    );

    s.set("OKTA_AWS_ROLE_TO_ASSUME", None)
        .set("OKTA_PROFILE", Some("work"));
    s.run("okta-aws", &["login", "--role", "Developer"])
        .success();
    assert!(
        who(&s, "work").contains("assumed-role/Developer/"),
        "OKTA_PROFILE selects the profile"
    );

    s.set("OKTA_PROFILE", None);
    s.run("okta-aws", &["login"]).success();
    assert!(
        who(&s, "111111111111/Developer").contains("assumed-role/Developer/"),
        "top section"
    );
}

#[test]
fn java_tool_per_profile_properties_file_is_read() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.write_config("");
    std::fs::write(
        s.home().join(".okta/config.legacy.properties"),
        "OKTA_AWS_ROLE_TO_ASSUME=Admin\n",
    )
    .unwrap();
    s.set("OKTA_ENV_MODE", Some("true"));
    let run = s.run(
        "okta-aws",
        &[
            "exec",
            "--profile",
            "legacy",
            "--",
            "aws",
            "sts",
            "get-caller-identity",
        ],
    );
    assert!(caller_arn(&run.success().stdout()).contains("assumed-role/Admin/"));
}

#[test]
fn login_keeps_other_sections_and_comments() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
    let before = "# my keys\n[default]\naws_access_key_id = AKIAOLD\naws_secret_access_key = old ; not a comment\n\n; other\n[111111111111/Developer]\n# ours\naws_access_key_id = stale\nregion = eu-north-1\n";
    std::fs::create_dir_all(s.home().join(".aws")).unwrap();
    std::fs::write(s.credentials_file(), before).unwrap();
    s.run("okta-aws", &["login"]).success();
    let after = std::fs::read_to_string(s.credentials_file()).unwrap();
    assert!(after.starts_with("# my keys\n[default]\naws_access_key_id = AKIAOLD\naws_secret_access_key = old ; not a comment\n\n; other\n[111111111111/Developer]\n# ours\naws_access_key_id = "), "{after}");
    assert!(!after.contains("stale"));
    assert!(after.contains("region = eu-north-1"));
    assert_eq!(after.matches("aws_access_key_id").count(), 2, "{after}");
}

#[test]
fn env_mode_writes_nothing() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_ENV_MODE", Some("true"))
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"));
    let run = s.run("okta-aws", &["login"]);
    run.success();
    assert!(
        run.stderr().contains("nothing was written"),
        "{}",
        run.stderr()
    );
    assert!(!s.home().join(".aws").exists());
}

#[test]
fn a_short_rate_limit_is_waited_out_and_a_password_warning_continues() {
    let user = User::new(LOGIN, PASSWORD).after_password(AfterPassword::PasswordWarn);
    let mut s = Sandbox::new(scenario(user, two_roles()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"))
        .set("OKTA_ENV_MODE", Some("true"));
    s.okta.rate_limit_next(1);
    let run = s.run("okta-aws", &["env", "--shell", "zsh"]);
    run.success();
    assert!(run.stderr().contains("rate limit"), "{}", run.stderr());
    assert!(
        run.stderr().contains("password expires soon"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stdout().contains("unset AWS_PROFILE\n"),
        "{}",
        run.stdout()
    );
}

#[test]
fn a_single_role_needs_no_choice_and_session_duration_is_used() {
    let roles = vec![SamlRole::new(DEV_ROLE, &provider_for(DEV_ROLE))];
    let mut sc = scenario(user_with(vec![]), roles);
    sc.session_duration = Some(7200);
    let mut s = Sandbox::new(sc);
    s.set("OKTA_ENV_MODE", Some("true"));
    let run = s.run(
        "okta-aws",
        &["exec", "--", "sh", "-c", "echo $AWS_CREDENTIAL_EXPIRATION"],
    );
    run.success();
    let expiry = humantime::parse_rfc3339(run.stdout().trim()).unwrap();
    let left = expiry
        .duration_since(std::time::SystemTime::now())
        .unwrap()
        .as_secs();
    assert!(
        (7000..=7200).contains(&left),
        "SessionDuration 7200 asked of STS, got {left} s"
    );
}

#[test]
fn verbose_output_never_shows_a_secret() {
    let mut s = Sandbox::new(scenario(
        user_with(vec![Factor::totp("OKTA", "135790")]),
        two_roles(),
    ));
    s.set("OKTA_MFA_CODE", Some("135790"))
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"));
    let run = s.run("okta-aws", &["-vv", "login"]);
    run.success();
    let text = std::fs::read_to_string(s.credentials_file()).unwrap();
    let secret = text
        .lines()
        .find_map(|l| l.strip_prefix("aws_secret_access_key = "))
        .unwrap();
    let token = text
        .lines()
        .find_map(|l| l.strip_prefix("aws_session_token = "))
        .unwrap();
    let err = run.stderr();
    assert!(err.contains("okta-aws: "), "verbose notes are shown: {err}");
    for hidden in [PASSWORD, "135790", secret, token] {
        assert!(!err.contains(hidden), "{hidden} leaked: {err}");
    }
    assert!(
        !err.contains("onetimetoken") && !err.contains("token="),
        "{err}"
    );
}

/// As the Java tool did: with OKTA_AWS_REGION set, login writes the region for the profile,
/// and the real aws reads it; logout takes it out again. The Java tool's settings that
/// okta-aws lacks are named in one line each, and otherwise ignored.
#[test]
fn the_region_is_written_for_the_profile_and_java_only_settings_are_named() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"))
        .set("OKTA_AWS_REGION", Some("eu-central-1"))
        .set("OKTA_BROWSER_AUTH", Some("true"));
    s.write_config("OKTA_COOKIES_PATH=/tmp/cookies\n");
    let run = s.run("okta-aws", &["login"]);
    run.success();
    for key in [
        "OKTA_BROWSER_AUTH (in the environment)",
        "OKTA_COOKIES_PATH (in ",
    ] {
        assert!(run.stderr().contains(key), "{key}: {}", run.stderr());
    }
    assert_eq!(run.stderr().matches("does not implement").count(), 2);
    let region = s.run(
        "aws",
        &[
            "--profile",
            "111111111111/Developer",
            "configure",
            "get",
            "region",
        ],
    );
    assert_eq!(region.success().stdout().trim(), "eu-central-1");
    s.run("okta-aws", &["logout"]).success();
    let config = std::fs::read_to_string(s.home().join(".aws/config")).unwrap();
    assert!(config.trim().is_empty(), "{config}");
    // The cached path stays quiet.
    s.run("okta-aws", &["login"]).success();
    let cached = s.run("okta-aws", &["exec", "--", "true"]);
    assert!(!cached.success().stderr().contains("does not implement"));
}
