//! Classic orgs whose AWS app wants its own MFA: the app link answers the "Extra
//! Verification" page, whose transaction is continued (factor verify), then the app link
//! answers the SAML form.

use crate::harness::*;

fn step_up_sandbox(factors: Vec<Factor>) -> Sandbox {
    let mut scenario = scenario(user_with(factors), two_roles());
    scenario.app_page = AppPage::StepUp;
    let mut s = Sandbox::new(scenario);
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
    s
}

#[test]
fn the_app_step_up_is_verified_and_the_login_completes() {
    let s = step_up_sandbox(vec![Factor::push(1, None, PushOutcome::Approve)]);
    let err = s.run("okta-aws", &["login"]).success().stderr();
    assert!(
        err.contains("The AWS app asks for extra verification."),
        "{err}"
    );
    assert_eq!(s.okta.count("GET", "/login/step-up/redirect"), 1);
    // Sign-in and step-up each verified the push.
    assert!(s.okta.count("POST", "/api/v1/authn/factors") >= 2);
    let run = s.run("awscli", &["sts", "get-caller-identity"]);
    assert!(
        run.success().stdout().contains("assumed-role/Developer"),
        "{}",
        run.stdout()
    );

    // The stepped-up Okta session serves the next login without another verification.
    s.run("okta-aws", &["login", "--force"]).success();
    assert_eq!(s.okta.count("GET", "/login/step-up/redirect"), 1);
}

#[test]
fn the_step_up_honours_the_mfa_choice_and_code() {
    let mut s = step_up_sandbox(vec![
        Factor::push(0, None, PushOutcome::Reject),
        Factor::totp("GOOGLE", "123456"),
    ]);
    s.set("OKTA_MFA_CHOICE", Some("GOOGLE.token:software:totp"))
        .set("OKTA_MFA_CODE", Some("123456"));
    s.run("okta-aws", &["login"]).success();
    assert_eq!(s.okta.count("GET", "/login/step-up/redirect"), 1);
    assert_eq!(
        s.okta.count("POST", "/api/v1/authn/factors"),
        2,
        "TOTP, twice"
    );

    // A wrong preset code: one line, nothing written.
    let mut s = step_up_sandbox(vec![Factor::totp("GOOGLE", "123456")]);
    s.set("OKTA_MFA_CODE", Some("654321"));
    s.run("okta-aws", &["login"]).fails_with("passcode");
    assert!(!s.credentials_file().exists());
}
