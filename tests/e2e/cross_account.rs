//! Cross-account roles end to end: IAM introspection against moto, the chained hop, the
//! ~/.aws/config entry, and failures that only warn. Each test uses its own accounts: moto
//! is shared by the whole test binary.

use crate::harness::*;

fn allow(resources: &[&str]) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":{}}}]}}"#,
        serde_json::to_string(resources).unwrap()
    )
}

/// A sandbox whose only Okta role is `arn:aws:iam::{account}:role/{name}`.
fn sandbox_for(account: &str, name: &str) -> Sandbox {
    let arn = format!("arn:aws:iam::{account}:role/{name}");
    Sandbox::new(scenario(
        user_with(vec![]),
        vec![SamlRole::new(&arn, &provider_for(&arn))],
    ))
}

/// The real `aws --profile PROFILE sts get-caller-identity`, no wrapper.
fn aws_as(s: &Sandbox, profile: &str) -> Run {
    s.run("aws", &["--profile", profile, "sts", "get-caller-identity"])
}

fn caller_arn(run: &Run) -> String {
    let json: serde_json::Value = serde_json::from_str(&run.success().stdout()).unwrap();
    json["Arn"].as_str().unwrap().to_string()
}

#[test]
fn the_one_target_is_found_and_awscli_runs_as_it() {
    Seeder::for_account("400000000001")
        .role_with_policy("Ops", &allow(&["arn:aws:iam::500000000001:role/Deploy"]));
    let s = sandbox_for("400000000001", "Ops");
    let run = s.run("awscli", &["sts", "get-caller-identity"]);
    assert_eq!(
        caller_arn(&run),
        "arn:aws:sts::500000000001:assumed-role/Deploy/alice@example.com"
    );
    // The hop is said without -v, and written as login writes it: a plain aws follows it.
    let stderr = run.stderr();
    let said: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("cross-account role"))
        .collect();
    assert_eq!(
        said,
        [
            "Using cross-account role arn:aws:iam::500000000001:role/Deploy (through arn:aws:iam::400000000001:role/Ops)."
        ]
    );
    assert!(
        caller_arn(&aws_as(&s, "400000000001/Ops"))
            .starts_with("arn:aws:sts::500000000001:assumed-role/Deploy/"),
        "{stderr}"
    );
    let status = s.run("okta-aws", &["status"]);
    assert!(
        status
            .success()
            .stdout()
            .contains("Ops -> 500000000001/Deploy"),
        "{}",
        status.stdout()
    );
    // Cached: the next call touches neither Okta nor IAM.
    let calls = s.okta.requests().len();
    let mut s = s;
    s.set("AWS_ENDPOINT_URL_IAM", Some("http://127.0.0.1:9"));
    let env = s.run("okta-aws", &["env", "--shell", "bash"]);
    env.success();
    assert_eq!(s.okta.requests().len(), calls);
    let out = env.stdout();
    let exp: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("export AWS_CREDENTIAL_EXPIRATION="))
        .collect();
    let at = humantime::parse_rfc3339(exp[0].split('\'').nth(1).unwrap()).unwrap();
    let left = at
        .duration_since(std::time::SystemTime::now())
        .unwrap()
        .as_secs();
    assert!(left <= 3600, "role chaining is capped at an hour: {left}");
}

#[test]
fn login_writes_a_config_entry_the_aws_cli_follows() {
    Seeder::for_account("400000000002")
        .role_with_policy("Ops", &allow(&["arn:aws:iam::500000000002:role/Deploy"]));
    let mut s = sandbox_for("400000000002", "Ops");
    s.write_config("[team]\n");
    s.set("OKTA_AWS_REGION", Some("eu-west-2"));
    let config = s.home().join(".aws/config");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, "# mine\n[profile team]\nrole_arn = arn:aws:iam::1:role/Old\noutput = json\n\n[profile other]\nregion = x\n").unwrap();
    let run = s.run("okta-aws", &["login", "--profile", "team"]);
    run.success();
    assert!(
        run.stderr()
            .contains("Cross-account role arn:aws:iam::500000000002:role/Deploy"),
        "{}",
        run.stderr()
    );
    let text = std::fs::read_to_string(&config).unwrap();
    assert_eq!(
        text,
        "# mine\n[profile team]\nrole_arn = arn:aws:iam::500000000002:role/Deploy\noutput = json\nsource_profile = team\nregion = eu-west-2\n\n[profile other]\nregion = x\n"
    );
    let aws = aws_as(&s, "team");
    assert!(
        caller_arn(&aws).starts_with("arn:aws:sts::500000000002:assumed-role/Deploy/"),
        "no wrapper needed"
    );
}

#[test]
fn several_targets_a_preset_name_picks_one_and_without_a_terminal_the_menu_fails() {
    Seeder::for_account("400000000003").role_with_policy(
        "Ops",
        &allow(&[
            "arn:aws:iam::500000000003:role/Deploy",
            "arn:aws:iam::600000000003:role/Audit",
            "arn:aws:iam::*:role/Wild*",
        ]),
    );
    let mut s = sandbox_for("400000000003", "Ops");
    let run = s.run("awscli", &["sts", "get-caller-identity"]);
    run.fails_with(
        "no terminal to ask: Cross-account role (500000000003/Deploy, 600000000003/Audit",
    );
    assert!(
        run.stderr().contains("set OKTA_AWS_TARGET_ROLE"),
        "{}",
        run.stderr()
    );

    s.set("OKTA_AWS_TARGET_ROLE", Some("Audit"));
    let run = s.run("awscli", &["sts", "get-caller-identity"]);
    assert_eq!(
        caller_arn(&run),
        "arn:aws:sts::600000000003:assumed-role/Audit/alice@example.com"
    );
    assert_eq!(
        s.okta.count("POST", "/api/v1/authn"),
        1,
        "the SAML session was reused"
    );
}

#[test]
fn an_account_role_preset_needs_no_iam() {
    let mut s = sandbox_for("400000000004", "Ops");
    s.set("OKTA_AWS_TARGET_ROLE", Some("500000000004/Deploy"))
        .set("AWS_ENDPOINT_URL_IAM", Some("http://127.0.0.1:9"));
    let run = s.run("awscli", &["sts", "get-caller-identity"]);
    assert_eq!(
        caller_arn(&run),
        "arn:aws:sts::500000000004:assumed-role/Deploy/alice@example.com"
    );
    assert!(!run.stderr().contains("warning"), "{}", run.stderr());
}

#[test]
fn introspection_failures_only_warn_and_force_redoes_it() {
    // The role does not exist in IAM yet: a warning, and the SAML role is used.
    let s = sandbox_for("400000000005", "Ops");
    let run = s.run("okta-aws", &["login"]);
    run.success();
    assert!(
        run.stderr().contains("warning") && run.stderr().contains("OKTA_AWS_TARGET_ROLE"),
        "{}",
        run.stderr()
    );
    let aws = aws_as(&s, "400000000005/Ops");
    assert!(caller_arn(&aws).contains(":400000000005:assumed-role/Ops/"));
    // Introspection is remembered: a second login does not ask IAM again.
    Seeder::for_account("400000000005")
        .role_with_policy("Ops", &allow(&["arn:aws:iam::500000000005:role/Deploy"]));
    let run = s.run("okta-aws", &["login"]);
    assert!(
        !run.success().stderr().contains("Cross-account"),
        "{}",
        run.stderr()
    );
    // `login --force` redoes it, and finds the target now.
    let run = s.run("okta-aws", &["login", "--force"]);
    assert!(
        run.success()
            .stderr()
            .contains("Cross-account role arn:aws:iam::500000000005:role/Deploy"),
        "{}",
        run.stderr()
    );
    let aws = aws_as(&s, "400000000005/Ops");
    assert!(caller_arn(&aws).contains(":500000000005:assumed-role/Deploy/"));
}

#[test]
fn credential_process_hands_out_the_target_role() {
    Seeder::for_account("400000000006")
        .role_with_policy("Ops", &allow(&["arn:aws:iam::500000000006:role/Deploy"]));
    let s = sandbox_for("400000000006", "Ops");
    let out = s.run("okta-aws", &["credential-process"]);
    let json: serde_json::Value = serde_json::from_str(&out.success().stdout()).unwrap();
    let key = |k: &str| json[k].as_str().unwrap().to_string();
    let mut s = s;
    s.set("AWS_ACCESS_KEY_ID", Some(&key("AccessKeyId")))
        .set("AWS_SECRET_ACCESS_KEY", Some(&key("SecretAccessKey")))
        .set("AWS_SESSION_TOKEN", Some(&key("SessionToken")));
    let aws = s.run("aws", &["sts", "get-caller-identity"]);
    assert_eq!(
        caller_arn(&aws),
        "arn:aws:sts::500000000006:assumed-role/Deploy/alice@example.com"
    );
    let status = s.run("okta-aws", &["status"]);
    assert!(
        status
            .success()
            .stdout()
            .contains("Ops -> 500000000006/Deploy"),
        "{}",
        status.stdout()
    );
}

/// Logout takes out the `[profile team]` entry login wrote, and only what login wrote: with
/// `source_profile = team` left behind and `[team]` gone, every plain `aws --profile team`
/// would fail with botocore's "Infinite loop in credential configuration".
#[test]
fn logout_takes_out_the_config_entry_so_the_aws_cli_still_works() {
    Seeder::for_account("400000000009")
        .role_with_policy("Ops", &allow(&["arn:aws:iam::500000000009:role/Deploy"]));
    let mut s = sandbox_for("400000000009", "Ops");
    s.write_config("[team]\n");
    s.set("OKTA_AWS_REGION", Some("eu-west-2"));
    let config = s.home().join(".aws/config");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    let before = "# mine\n[profile team]\noutput = json\n\n[profile other]\nregion = x\n";
    std::fs::write(&config, before).unwrap();
    s.run("okta-aws", &["login", "--profile", "team"]).success();
    assert!(
        std::fs::read_to_string(&config)
            .unwrap()
            .contains("source_profile = team")
    );

    let run = s.run("okta-aws", &["logout", "--profile", "team"]);
    run.success();
    assert!(run.stderr().contains("~/.aws/config"), "{}", run.stderr());
    assert_eq!(std::fs::read_to_string(&config).unwrap(), before);
    let aws = aws_as(&s, "team");
    assert!(
        !aws.stderr().contains("Infinite loop"),
        "the aws CLI is not broken: {}",
        aws.stderr()
    );
    assert!(
        aws.stderr().contains("Unable to locate credentials"),
        "no credentials, said plainly: {}",
        aws.stderr()
    );
}

/// With no terminal: once IAM has offered the role several targets, the next login fails
/// before any push is sent; a choice made once answers later scripted logins.
#[test]
fn without_a_terminal_the_target_question_fails_before_mfa_and_a_choice_made_answers() {
    Seeder::for_account("400000000010").role_with_policy(
        "Ops",
        &allow(&[
            "arn:aws:iam::500000000010:role/Deploy",
            "arn:aws:iam::600000000010:role/Audit",
        ]),
    );
    let arn = "arn:aws:iam::400000000010:role/Ops";
    let push = Factor::push(0, None, PushOutcome::Approve);
    let mut s = Sandbox::new(scenario(
        user_with(vec![push]),
        vec![SamlRole::new(arn, &provider_for(arn))],
    ));
    let pushes = || s.okta.count("POST", "/api/v1/authn/factors/");
    // The first login cannot know: it fails at the menu, after MFA.
    let run = s.run("okta-aws", &["login"]);
    run.fails_with("no terminal to ask: Cross-account role");
    let after_first = pushes();
    assert!(after_first > 0);
    // With the Okta session gone, the next one fails before the push.
    s.end_okta_session();
    let run = s.run("okta-aws", &["login"]);
    run.fails_with("no terminal to ask which cross-account role 400000000010/Ops should assume (it may assume 500000000010/Deploy, 600000000010/Audit)");
    assert!(
        run.stderr().contains("OKTA_AWS_TARGET_ROLE"),
        "{}",
        run.stderr()
    );
    assert_eq!(pushes(), after_first, "no push was sent");

    // A choice made once (here by the preset) answers a scripted `login --force` later.
    s.set("OKTA_AWS_TARGET_ROLE", Some("Audit"));
    s.run("okta-aws", &["login"]).success();
    s.set("OKTA_AWS_TARGET_ROLE", None);
    s.end_okta_session();
    let run = s.run("okta-aws", &["login", "--force"]);
    assert!(
        !run.success().stderr().contains("warning"),
        "{}",
        run.stderr()
    );
    // The ~/.aws/config entry it wrote still leads the real aws into the target.
    assert!(
        caller_arn(&aws_as(&s, "400000000010/Ops"))
            .starts_with("arn:aws:sts::600000000010:assumed-role/Audit/")
    );
}
