//! Okta Identity Engine orgs: the browser sign-in (device authorization, web SSO token,
//! `/login/token/sso`) instead of the Classic authentication API.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use crate::harness::*;

const CLIENT_ID: &str = "0oa9deviceclient";

/// An Identity Engine sandbox: no user name or password anywhere, the OIDC client set.
fn sandbox(flow: DeviceFlow) -> Sandbox {
    let mut scenario = scenario(user_with(vec![]), two_roles());
    scenario.device_flow = Some(flow);
    let mut s = Sandbox::new(scenario);
    s.set("OKTA_USERNAME", None)
        .set("OKTA_PASSWORD_CMD", None)
        .set("OKTA_OIDC_CLIENT_ID", Some(CLIENT_ID))
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
    s
}

#[test]
fn a_browser_sign_in_logs_in_and_its_okta_session_is_reused() {
    let s = sandbox(DeviceFlow {
        pending_polls: 0,
        ..DeviceFlow::approved(CLIENT_ID)
    });
    let run = s.run("okta-aws", &["login"]);
    let err = run.success().stderr();
    let link = format!("{}/activate?user_code=WDJB-MJHT", s.okta.base_url());
    assert!(err.contains(&link), "the link to open is shown: {err}");
    assert!(err.contains("WDJB-MJHT"), "{err}");
    let written = std::fs::read_to_string(s.credentials_file()).unwrap();
    assert!(written.contains("[111111111111/Developer]"), "{written}");
    assert_eq!(
        s.okta.count("POST", "/api/v1/authn"),
        0,
        "no Classic authentication"
    );
    assert_eq!(s.okta.count("POST", "/login/token/sso"), 1);
    assert_eq!(
        s.okta.sso_tokens_in_url(),
        0,
        "the web SSO token never in a URL"
    );

    // New AWS credentials: the Okta session from /login/token/sso serves, no browser.
    s.run("okta-aws", &["login", "--force"]).success();
    assert_eq!(s.okta.count("POST", "/oauth2/v1/device/authorize"), 1);
    assert_eq!(s.okta.count("POST", "/login/token/sso"), 1);
}

#[test]
fn a_denied_or_unknown_client_sign_in_fails_clearly_and_writes_nothing() {
    let s = sandbox(DeviceFlow {
        pending_polls: 0,
        outcome: DeviceOutcome::Deny,
        ..DeviceFlow::approved(CLIENT_ID)
    });
    s.run("okta-aws", &["login"])
        .fails_with("the sign-in was denied in the browser");
    assert!(!s.credentials_file().exists());

    let mut s = s;
    s.set("OKTA_OIDC_CLIENT_ID", Some("0oawrong"));
    s.run("okta-aws", &["login"])
        .fails_with("Okta does not accept the OIDC client OKTA_OIDC_CLIENT_ID=0oawrong");
    assert!(!s.credentials_file().exists());
}

/// A test "browser": a script that notes each link it is given in `opened.txt` and, when
/// `approve`, fetches it (the fake's `/activate` hook approves the code, as a user would).
fn browser_script(s: &Sandbox, approve: bool) -> String {
    let script = s.dir.path().join("browser.sh");
    let opened = opened_file(s);
    let fetch = if approve {
        "exec curl -s -o /dev/null \"$1\""
    } else {
        "exit 0"
    };
    write_script(
        &script,
        format!(
            "#!/bin/sh\necho \"$1\" >> '{}'\n{fetch}\n",
            opened.display()
        ),
    );
    format!("sh {}", script.display())
}

fn opened_file(s: &Sandbox) -> PathBuf {
    s.dir.path().join("opened.txt")
}

/// The links the test browser was given.
fn opened(s: &Sandbox) -> Vec<String> {
    std::fs::read_to_string(opened_file(s))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

/// An Identity Engine sandbox whose sign-in a browser command approves.
fn browser_sandbox(flow: DeviceFlow) -> Sandbox {
    let mut s = sandbox(flow);
    let command = browser_script(&s, true);
    s.set("OKTA_BROWSER_COMMAND", Some(&command));
    s.okta
        .update(|scenario| scenario.refuse_sso_token_in_url = true);
    s
}

fn cache_files(s: &Sandbox, suffix: &str) -> Vec<PathBuf> {
    let dir = s.home().join(".okta/cache");
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect()
}

#[test]
fn the_browser_command_opens_the_link_and_signs_in_with_no_human() {
    let s = browser_sandbox(DeviceFlow::approved_in_browser(CLIENT_ID));
    let run = s.run("okta-aws", &["login"]);
    let err = run.success().stderr();
    let link = format!("{}/activate?user_code=WDJB-MJHT", s.okta.base_url());
    assert_eq!(opened(&s), vec![link.clone()], "the browser got the link");
    assert!(
        err.contains(&link) && err.contains("WDJB-MJHT"),
        "shown too: {err}"
    );
    assert!(
        !err.contains("scan it"),
        "no QR code without a terminal: {err}"
    );
    assert_eq!(s.okta.count("POST", "/api/v1/authn"), 0);
    // The real aws, through awscli, with the session's credentials (moto's STS).
    let run = s.run("awscli", &["sts", "get-caller-identity"]);
    assert!(
        run.success().stdout().contains("assumed-role/Developer"),
        "{}",
        run.stdout()
    );
}

#[test]
fn open_browser_false_only_shows_the_link() {
    let mut s = sandbox(DeviceFlow {
        pending_polls: 0,
        ..DeviceFlow::approved(CLIENT_ID)
    });
    let command = browser_script(&s, false);
    s.set("OKTA_BROWSER_COMMAND", Some(&command))
        .set("OKTA_OPEN_BROWSER", Some("false"));
    let err = s.run("okta-aws", &["login"]).success().stderr();
    assert!(err.contains("/activate?user_code=WDJB-MJHT"), "{err}");
    assert!(opened(&s).is_empty(), "no browser opened");

    s.set("OKTA_OPEN_BROWSER", Some("maybe"));
    s.okta.end_all_sessions();
    s.run("okta-aws", &["login", "--force"])
        .fails_with("OKTA_OPEN_BROWSER");
}

#[test]
fn the_engine_is_read_once_a_day_and_a_classic_org_signs_in_the_classic_way() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.okta.update(|scenario| {
        scenario.device_flow = Some(DeviceFlow::approved(CLIENT_ID));
        scenario.pipeline = Pipeline::Classic;
    });
    s.set("OKTA_OIDC_CLIENT_ID", Some(CLIENT_ID))
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
    s.run("okta-aws", &["login"]).success();
    assert_eq!(s.okta.count("POST", "/api/v1/authn"), 1, "Classic");
    assert_eq!(s.okta.count("POST", "/oauth2/v1/device/authorize"), 0);
    assert_eq!(s.okta.count("GET", "/.well-known/okta-organization"), 1);

    // The Okta session ends: a new sign-in, the engine from the cache.
    s.okta.end_all_sessions();
    s.run("okta-aws", &["login", "--force"]).success();
    assert_eq!(s.okta.count("POST", "/api/v1/authn"), 2);
    assert_eq!(s.okta.count("GET", "/.well-known/okta-organization"), 1);

    // The org moved to Identity Engine; a day later the engine is read again.
    s.okta
        .update(|scenario| scenario.pipeline = Pipeline::IdentityEngine);
    let web_session = &cache_files(&s, ".okta.json")[0];
    let mut kept: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(web_session).unwrap()).unwrap();
    kept["engine"]["checked_at"] = serde_json::json!(1_000);
    std::fs::write(web_session, kept.to_string()).unwrap();
    s.okta.end_all_sessions();
    s.run("okta-aws", &["login", "--force"]).success();
    assert_eq!(s.okta.count("GET", "/.well-known/okta-organization"), 2);
    assert_eq!(
        s.okta.count("POST", "/oauth2/v1/device/authorize"),
        1,
        "now the browser"
    );
}

#[test]
fn identity_engine_without_a_client_tries_classic_and_names_the_setup_when_refused() {
    let mut scenario = scenario(user_with(vec![]), two_roles());
    scenario.pipeline = Pipeline::IdentityEngine;
    let mut s = Sandbox::new(scenario);
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
    s.run("okta-aws", &["login"]).success();
    assert_eq!(
        s.okta.count("POST", "/api/v1/authn"),
        1,
        "Classic allowed: used"
    );

    // Only a factor a browser verifies: the device flow would solve it.
    let mut scenario = crate::harness::scenario(
        user_with(vec![Factor::browser_only("webauthn", "FIDO")]),
        two_roles(),
    );
    scenario.pipeline = Pipeline::IdentityEngine;
    let mut s = Sandbox::new(scenario);
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
    let run = s.run("okta-aws", &["login"]);
    run.fails_with("needs the browser sign-in, and OKTA_OIDC_CLIENT_ID is not set");
    let err = run.stderr();
    for needed in [
        "Device Authorization",
        "Token Exchange",
        "okta.apps.sso",
        "Allowed Web SSO Client",
        "authentication policies alike",
        "device state \"Any\"",
    ] {
        assert!(err.contains(needed), "{needed}: {err}");
    }
    assert!(!s.credentials_file().exists());
}

#[test]
fn a_refresh_token_signs_in_again_without_a_browser_and_logout_revokes_it() {
    let mut s = browser_sandbox(DeviceFlow::approved_in_browser(CLIENT_ID));
    s.run("okta-aws", &["login"]).success();
    assert_eq!(opened(&s).len(), 1);
    assert_eq!(s.okta.live_refresh_tokens(), 1);
    let web_session = &cache_files(&s, ".okta.json")[0];
    let mode = std::fs::metadata(web_session).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let kept = std::fs::read_to_string(web_session).unwrap();
    assert!(kept.contains("\"refresh\""), "kept: {kept}");

    // The Okta session ends: the refresh token signs in, no browser.
    s.okta.end_all_sessions();
    let run = s.run("okta-aws", &["login", "--force", "-v"]);
    let err = run.success().stderr();
    assert_eq!(opened(&s).len(), 1, "no browser: {err}");
    assert_eq!(s.okta.count("POST", "/oauth2/v1/device/authorize"), 1);
    assert!(err.contains("refresh token: no browser"), "{err}");
    let token: serde_json::Value = serde_json::from_str(&kept).unwrap();
    let token = token["refresh"]["token"].as_str().unwrap().to_string();
    assert!(!err.contains(&token), "the refresh token is never shown");

    // Refused (expired): one line, then the browser.
    s.okta.expire_refresh_tokens();
    s.okta.end_all_sessions();
    let err = s.run("okta-aws", &["login", "--force"]).success().stderr();
    assert_eq!(opened(&s).len(), 2, "the browser again: {err}");
    let told: Vec<&str> = err.lines().filter(|l| l.contains("expired")).collect();
    assert_eq!(told.len(), 1, "{err}");

    // Logout revokes the kept refresh token.
    s.set("OKTA_BROWSER_COMMAND", None);
    s.run("okta-aws", &["logout"]).success();
    assert_eq!(s.okta.count("POST", "/oauth2/v1/revoke"), 1);
    assert_eq!(s.okta.live_refresh_tokens(), 0);
    let kept = std::fs::read_to_string(web_session).unwrap_or_default();
    assert!(!kept.contains("\"refresh\":{"), "forgotten: {kept}");
}

#[test]
fn an_app_without_offline_access_still_signs_in() {
    let s = browser_sandbox(DeviceFlow {
        offline_access: OfflineAccess::Refused,
        ..DeviceFlow::approved_in_browser(CLIENT_ID)
    });
    s.run("okta-aws", &["login"]).success();
    assert_eq!(s.okta.count("POST", "/oauth2/v1/device/authorize"), 2);
    assert_eq!(s.okta.live_refresh_tokens(), 0);
}

#[test]
fn each_failure_is_one_line_with_its_hint_and_writes_nothing() {
    let failing = |flow: DeviceFlow, needle: &str, hint: &str| {
        let s = browser_sandbox(flow);
        let run = s.run("okta-aws", &["login"]);
        run.fails_with(needle);
        assert!(run.stderr().contains(hint), "{hint}: {}", run.stderr());
        assert!(!s.credentials_file().exists());
    };
    let base = || DeviceFlow::approved_in_browser(CLIENT_ID);
    failing(
        DeviceFlow {
            outcome: DeviceOutcome::Deny,
            ..base()
        },
        "the sign-in was denied in the browser",
        "approve the sign-in",
    );
    failing(
        DeviceFlow {
            outcome: DeviceOutcome::Expire,
            pending_polls: 1,
            ..base()
        },
        "the browser sign-in code expired",
        "sooner",
    );
    failing(
        DeviceFlow {
            web_sso: WebSso::AssuranceNotMet,
            ..base()
        },
        "Okta refuses the AWS app's web SSO token",
        "\"Allowed Web SSO Client\" and to give the two apps the same authentication policy",
    );
    failing(
        DeviceFlow {
            apps_sso_scope: false,
            ..base()
        },
        "the OIDC app of OKTA_OIDC_CLIENT_ID may not ask for: openid okta.apps.sso",
        "okta.apps.sso scope",
    );
    failing(
        DeviceFlow {
            client_id: "0oaother".into(),
            ..base()
        },
        "Okta does not accept the OIDC client OKTA_OIDC_CLIENT_ID=0oa9deviceclient",
        "Device Authorization and Token Exchange grants",
    );
}

#[test]
fn slow_down_and_hostile_lifetimes_are_survived() {
    let s = browser_sandbox(DeviceFlow {
        slow_down_first: true,
        expires_in: u64::MAX,
        ..DeviceFlow::approved(CLIENT_ID)
    });
    let err = s.run("okta-aws", &["login", "-v"]).success().stderr();
    assert!(err.contains("poll less often: every 6s"), "{err}");
}

#[test]
fn on_a_terminal_the_link_comes_as_a_qr_code_and_ctrl_c_stops_waiting_at_once() {
    let mut s = sandbox(DeviceFlow::approved_in_browser(CLIENT_ID));
    s.set("OKTA_OPEN_BROWSER", Some("false"));
    let mut p = crate::pty::spawn(&s, "okta-aws", &["login"]);
    p.exp_string("check that it shows the code WDJB-MJHT")
        .unwrap();
    p.exp_string("Or scan it with a phone:").unwrap();
    // The quiet zone drawn light: full blocks (rexpect reads UTF-8's bytes as Latin-1).
    let full_block = "\u{e2}\u{96}\u{88}";
    p.exp_string(&full_block.repeat(16)).unwrap();
    let polls = |s: &Sandbox| s.okta.count("POST", "/oauth2/v1/token");
    while polls(&s) == 0 {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    p.send_control('c').unwrap();
    assert_eq!(crate::pty::exit_code(&p), 130);
    let after = polls(&s);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(polls(&s), after, "no poll after Ctrl-C");
    assert!(!s.credentials_file().exists());
}

#[test]
fn the_classic_sign_in_says_which_factors_need_the_browser_sign_in() {
    let mut s = Sandbox::new(scenario(
        user_with(vec![
            Factor::browser_only("webauthn", "FIDO"),
            Factor::totp("GOOGLE", "123456"),
        ]),
        two_roles(),
    ));
    s.set("OKTA_MFA_CODE", Some("123456"))
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
    let err = s.run("okta-aws", &["login"]).success().stderr();
    assert!(
        err.contains("Not offered here: FIDO.webauthn")
            && err.contains("Identity Engine browser sign-in (OKTA_OIDC_CLIENT_ID)"),
        "{err}"
    );
}
