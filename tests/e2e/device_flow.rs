//! Okta Identity Engine orgs: the browser sign-in (device authorization, web SSO token,
//! `/login/token/sso`) instead of the Classic authentication API.

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
    assert_eq!(s.okta.count("GET", "/login/token/sso"), 1);

    // New AWS credentials: the Okta session from /login/token/sso serves, no browser.
    s.run("okta-aws", &["login", "--force"]).success();
    assert_eq!(s.okta.count("POST", "/oauth2/v1/device/authorize"), 1);
    assert_eq!(s.okta.count("GET", "/login/token/sso"), 1);
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
