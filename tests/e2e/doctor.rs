//! `doctor`: each line ok/warn/fail against the fake Okta; exit 1 when anything fails;
//! `--json`; never a login.

use std::os::unix::fs::PermissionsExt;

use crate::harness::*;

fn doctor_json(s: &Sandbox) -> (i32, serde_json::Value) {
    let run = s.run("okta-aws", &["doctor", "--json"]);
    let json = serde_json::from_str(&run.stdout())
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout(), run.stderr()));
    (run.code(), json)
}

/// The (status, detail) of every check named `check`.
fn lines(json: &serde_json::Value, check: &str) -> Vec<(String, String)> {
    json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["check"] == check)
        .map(|c| {
            (
                c["status"].as_str().unwrap().to_string(),
                c["detail"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(json: &serde_json::Value, check: &str, status: &str, needle: &str) -> bool {
    lines(json, check)
        .iter()
        .any(|(s, d)| s == status && d.contains(needle))
}

#[test]
fn a_healthy_setup_without_a_session_is_all_ok_and_nothing_logs_in() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.set("AWS_IAM_SECRET", Some("very-secret-value"));
    let (code, json) = doctor_json(&s);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["ok"], true);
    assert!(
        has(&json, "setting", "ok", "OKTA_ORG = http://127.0.0.1:"),
        "{json:#}"
    );
    assert!(has(&json, "setting", "ok", "(in the environment)"));
    assert!(has(&json, "setting", "ok", "AWS_IAM_SECRET = ********"));
    assert!(!json.to_string().contains("very-secret-value"));
    assert!(has(&json, "org", "ok", "Okta Classic"), "{json:#}");
    assert!(has(&json, "clock", "ok", "s "), "{json:#}");
    assert!(
        has(&json, "app link", "ok", "no Okta session is kept"),
        "{json:#}"
    );
    assert!(has(&json, "aws cli", "ok", "aws-cli/"), "{json:#}");
    assert!(has(&json, "cache", "ok", "no AWS session cached"));
    assert!(has(&json, "config", "warn", "no config file"));
    let authn = s
        .okta
        .requests()
        .iter()
        .filter(|r| r.path.contains("authn"))
        .count();
    assert_eq!(authn, 0, "doctor never logs in");
}

#[test]
fn after_a_login_the_app_link_answers_a_saml_page_and_the_cache_is_described() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"));
    s.run("okta-aws", &["login"]).success();
    let (code, json) = doctor_json(&s);
    assert_eq!(code, 0, "{json:#}");
    assert!(has(&json, "app link", "ok", "SAML page"), "{json:#}");
    assert!(has(&json, "cache", "ok", "role/Admin: "), "{json:#}");
    assert!(has(&json, "cache", "ok", "Okta session kept"), "{json:#}");

    s.okta.end_all_sessions();
    let (_, json) = doctor_json(&s);
    assert!(has(&json, "app link", "warn", "has ended"), "{json:#}");
}

#[test]
fn loose_cache_modes_and_an_unreachable_org_fail_with_hints() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"));
    s.run("okta-aws", &["login"]).success();
    let cache = s.home().join(".okta/cache");
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o777)).unwrap();
    s.set("OKTA_ORG", Some("http://127.0.0.1:9"));
    let (code, json) = doctor_json(&s);
    assert_eq!(code, 1);
    assert_eq!(json["ok"], false);
    assert!(
        has(&json, "files", "fail", "others may read or write"),
        "{json:#}"
    );
    assert!(has(&json, "org", "fail", "does not answer"), "{json:#}");
    let failures: Vec<_> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .collect();
    assert!(failures.iter().all(|c| c["hint"].is_string()), "{json:#}");

    // The text form says the same, one check a line.
    let run = s.run("okta-aws", &["doctor"]);
    assert_eq!(run.code(), 1);
    assert!(
        run.stdout().lines().any(|l| l.starts_with("FAIL  files")),
        "{}",
        run.stdout()
    );
    assert!(run.stdout().contains("hint: chmod 700"), "{}", run.stdout());
}

#[test]
fn a_bad_setting_fails_and_names_it() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_AWS_APP_URL", Some("not a url"));
    let (code, json) = doctor_json(&s);
    assert_eq!(code, 1);
    assert!(
        has(&json, "setting", "fail", "OKTA_AWS_APP_URL"),
        "{json:#}"
    );
    assert!(has(&json, "app link", "fail", "not checked"), "{json:#}");
}
