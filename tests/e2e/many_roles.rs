//! Many accounts and roles: `login --all-roles` and globs, partitions, durations that fit,
//! and the role menu's memory.

use crate::harness::*;

fn role(account: &str, name: &str) -> SamlRole {
    let arn = format!("arn:aws:iam::{account}:role/{name}");
    SamlRole::new(&arn, &provider_for(&arn))
}

/// 20 roles over 8 accounts.
fn twenty_roles() -> Vec<SamlRole> {
    let names = ["Admin", "Developer", "ReadOnly"];
    (0..20)
        .map(|i| {
            role(
                &format!("81000000000{}", i % 8),
                &format!("{}{}", names[i % 3], i / 3),
            )
        })
        .collect()
}

fn sections(s: &Sandbox) -> Vec<String> {
    let text = std::fs::read_to_string(s.credentials_file()).unwrap_or_default();
    text.lines()
        .filter(|l| l.starts_with('['))
        .map(|l| l.trim_matches(['[', ']']).to_string())
        .collect()
}

#[test]
fn all_roles_are_assumed_at_once_and_each_gets_its_section() {
    // STS answers after 300 ms each: one at a time, 20 roles would spread their expiry
    // times over 6 s; assumed concurrently, they share (almost) one second.
    let moto = start_private_moto_with(&[("MOTO_LAUNCHER_SAML_DELAY_MS", "300")]);
    let mut s = Sandbox::new(scenario(user_with(vec![]), twenty_roles()));
    s.set("AWS_ENDPOINT_URL", Some(&moto.url));
    let run = s.run("okta-aws", &["login", "--all-roles"]);
    run.success();
    assert!(
        run.stderr().contains("20 role(s) written"),
        "{}",
        run.stderr()
    );
    let written = sections(&s);
    assert_eq!(written.len(), 20, "{written:?}");
    assert!(written.contains(&"810000000003/Admin1".to_string()));
    let text = std::fs::read_to_string(s.credentials_file()).unwrap();
    let expiries: Vec<std::time::SystemTime> = text
        .lines()
        .filter_map(|l| l.strip_prefix("x_security_token_expires = "))
        .map(|v| humantime::parse_rfc3339(v).unwrap())
        .collect();
    let (first, last) = (
        expiries.iter().min().unwrap(),
        expiries.iter().max().unwrap(),
    );
    let spread = last.duration_since(*first).unwrap().as_secs();
    assert!(
        spread <= 2,
        "STS calls overlapped: expiries spread over {spread} s"
    );
    assert_eq!(
        s.okta.count("GET", "/home/amazon_aws/"),
        1,
        "one assertion for all"
    );

    // `roles` lists the assertion's roles after an all-roles login too.
    let roles = s.run("okta-aws", &["roles"]).success().stdout();
    assert_eq!(roles.lines().count(), 20, "{roles}");

    // Logout removes every section it wrote.
    s.run("okta-aws", &["logout"]).success();
    assert!(sections(&s).is_empty(), "{:?}", sections(&s));
}

#[test]
fn a_role_glob_picks_matching_roles_and_a_miss_lists_them() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), twenty_roles()));
    s.run("okta-aws", &["login", "--role", "81000000000[0-1]/x"])
        .fails_with("not among your roles");
    s.run("okta-aws", &["login", "--role", "8100000000?1/Admin*"])
        .success();
    assert_eq!(
        sections(&s),
        ["810000000001/Admin3"],
        "only the matching role"
    );
    let roles = s.run("okta-aws", &["roles", "--json"]).success().stdout();
    let json: serde_json::Value = serde_json::from_str(&roles).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 20, "every role granted");
    s.run("okta-aws", &["login", "--role", "*/Nothing*"])
        .fails_with("no role matches");
    s.set("OKTA_ENV_MODE", Some("true"));
    s.run("okta-aws", &["login", "--all-roles"])
        .fails_with("OKTA_ENV_MODE");
}

#[test]
fn govcloud_and_china_roles_use_their_partition() {
    let gov = "arn:aws-us-gov:iam::820000000001:role/GovDev";
    let cn = "arn:aws-cn:iam::820000000002:role/CnDev";
    let roles = vec![
        SamlRole::new(gov, "arn:aws-us-gov:iam::820000000001:saml-provider/Okta"),
        SamlRole::new(cn, "arn:aws-cn:iam::820000000002:saml-provider/Okta"),
    ];
    let mut s = Sandbox::new(scenario(user_with(vec![]), roles));
    s.set("OKTA_ENV_MODE", Some("true"));
    for (preset, region, arn) in [
        (
            "GovDev",
            "us-gov-west-1",
            "arn:aws-us-gov:sts::820000000001:assumed-role/GovDev/",
        ),
        (
            "CnDev",
            "cn-north-1",
            "arn:aws-cn:sts::820000000002:assumed-role/CnDev/",
        ),
    ] {
        s.set("OKTA_AWS_ROLE_TO_ASSUME", Some(preset));
        let run = s.run("awscli", &["sts", "get-caller-identity"]);
        assert!(run.success().stdout().contains(arn), "{}", run.stdout());
        let env = s.run("okta-aws", &["exec", "--", "sh", "-c", "echo $AWS_REGION"]);
        assert_eq!(env.success().stdout().trim(), region);
    }
    // A setting overrides the partition's default region.
    s.set("OKTA_AWS_REGION", Some("us-gov-east-1"))
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some("GovDev"));
    let env = s.run("okta-aws", &["exec", "--", "sh", "-c", "echo $AWS_REGION"]);
    assert_eq!(env.success().stdout().trim(), "us-gov-east-1");
}

#[test]
fn a_duration_above_the_roles_maximum_is_retried_with_an_hour() {
    // The role exists in moto's IAM with MaxSessionDuration 3600.
    let account = "830000000001";
    Seeder::for_account(account).aws(&[
        "iam",
        "create-role",
        "--role-name",
        "Short",
        "--max-session-duration",
        "3600",
        "--assume-role-policy-document",
        r#"{"Version":"2012-10-17","Statement":[]}"#,
    ]);
    let mut s = Sandbox::new(scenario(user_with(vec![]), vec![role(account, "Short")]));
    s.set("OKTA_STS_DURATION", Some("7200"))
        .set("OKTA_ENV_MODE", Some("true"));
    let run = s.run(
        "okta-aws",
        &["exec", "--", "sh", "-c", "echo $AWS_CREDENTIAL_EXPIRATION"],
    );
    run.success();
    assert!(
        run.stderr().contains("asking for 3600 s instead"),
        "{}",
        run.stderr()
    );
    let at = humantime::parse_rfc3339(run.stdout().trim()).unwrap();
    let left = at
        .duration_since(std::time::SystemTime::now())
        .unwrap()
        .as_secs();
    assert!((3300..=3600).contains(&left), "{left}");
}
