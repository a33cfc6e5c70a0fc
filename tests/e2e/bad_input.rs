//! Every bad input of the login path: exit 1, one clear cause with a hint, no panic, nothing
//! written.

use crate::harness::*;

fn sandbox(user: User) -> Sandbox {
    let mut s = Sandbox::new(scenario(user, two_roles()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
    s
}

/// Run `login` and check the failure left no file behind.
#[track_caller]
fn login_fails(s: &Sandbox, needle: &str) -> Run {
    let run = s.run("okta-aws", &["login"]);
    run.fails_with(needle);
    assert!(!s.credentials_file().exists(), "nothing may be written");
    run
}

#[test]
fn missing_and_invalid_settings_are_named() {
    let mut s = sandbox(user_with(vec![]));
    s.set("OKTA_ORG", None);
    let run = login_fails(&s, "OKTA_ORG is not set");
    assert!(
        run.stderr().contains(".okta/config.properties"),
        "names the file: {}",
        run.stderr()
    );

    s.set("OKTA_ORG", Some("http://acme.okta.com"));
    login_fails(&s, "not safe");
    s.set("OKTA_ORG", Some(&s.okta.base_url()));
    s.set("OKTA_AWS_APP_URL", Some("not a url"));
    login_fails(&s, "OKTA_AWS_APP_URL=not a url");
    s.set("OKTA_AWS_APP_URL", Some(&s.okta.app_url()));
    s.set("OKTA_STS_DURATION", Some("forever"));
    login_fails(&s, "OKTA_STS_DURATION=forever");
    assert_eq!(
        s.okta.requests().len(),
        0,
        "settings are checked before Okta is called"
    );
}

#[test]
fn an_unknown_profile_lists_the_known_ones() {
    let s = sandbox(user_with(vec![]));
    s.write_config("[work]\nOKTA_USERNAME=bob\n[play]\n");
    let run = s.run("okta-aws", &["login", "--profile", "nosuch"]);
    run.fails_with("profile 'nosuch' is not in");
    assert!(run.stderr().contains("work, play"), "{}", run.stderr());
}

#[test]
fn a_wrong_password_without_a_terminal_fails_once() {
    let s = sandbox(User::new(LOGIN, "something else"));
    login_fails(&s, "Authentication failed");
    assert_eq!(
        s.okta.count("POST", "/api/v1/authn"),
        1,
        "no retry without a terminal"
    );
}

#[test]
fn account_states_that_stop_the_login() {
    let cases = [
        (AfterPassword::LockedOut, "locked out"),
        (AfterPassword::PasswordExpired, "password has expired"),
        (AfterPassword::MfaEnroll, "enroll an MFA factor"),
        (AfterPassword::Unknown("RECOVERY".into()), "RECOVERY"),
    ];
    for (state, needle) in cases {
        let s = sandbox(User::new(LOGIN, PASSWORD).after_password(state));
        login_fails(&s, needle);
    }
}

#[test]
fn factor_problems() {
    let s = {
        let mut s = sandbox(user_with(vec![
            Factor::push(0, None, PushOutcome::Approve),
            Factor::sms("1"),
        ]));
        s.set("OKTA_MFA_CHOICE", Some("GOOGLE.token:software:totp"));
        s
    };
    let run = login_fails(&s, "not among your enrolled factors");
    assert!(
        run.stderr().contains("OKTA.push, OKTA.sms"),
        "{}",
        run.stderr()
    );

    let s = sandbox(user_with(vec![Factor::push(1, None, PushOutcome::Reject)]));
    login_fails(&s, "push was rejected");
    let s = sandbox(user_with(vec![Factor::push(0, None, PushOutcome::Timeout)]));
    login_fails(&s, "push timed out");

    let mut s = sandbox(user_with(vec![Factor::totp("OKTA", "123456")]));
    s.set("OKTA_MFA_CODE", Some("000000"));
    login_fails(&s, "Invalid Passcode/Answer");
    s.set("OKTA_MFA_CODE", None);
    login_fails(&s, "no terminal to ask");
}

#[test]
fn questions_without_a_terminal_name_the_setting() {
    let mut s = sandbox(user_with(vec![]));
    s.set("OKTA_USERNAME", None);
    let run = login_fails(&s, "no terminal");
    assert!(run.stderr().contains("OKTA_USERNAME"), "{}", run.stderr());

    s.set("OKTA_USERNAME", Some(LOGIN))
        .set("OKTA_PASSWORD_CMD", None);
    let run = login_fails(&s, "no terminal");
    assert!(
        run.stderr().contains("OKTA_PASSWORD_CMD"),
        "{}",
        run.stderr()
    );

    s.set("OKTA_PASSWORD_CMD", Some("false"));
    login_fails(&s, "OKTA_PASSWORD_CMD failed");
    s.set("OKTA_PASSWORD_CMD", Some("/no/such/program"));
    login_fails(&s, "cannot run '/no/such/program'");

    s.set(
        "OKTA_PASSWORD_CMD",
        Some(&format!("printf %s '{PASSWORD}'")),
    );
    s.set("OKTA_AWS_ROLE_TO_ASSUME", None);
    let run = login_fails(&s, "no terminal to ask");
    assert!(
        run.stderr().contains("111111111111") && run.stderr().contains("OKTA_AWS_ROLE_TO_ASSUME"),
        "{}",
        run.stderr()
    );

    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Nope"));
    let run = login_fails(&s, "role 'Nope' is not among your roles");
    assert!(
        run.stderr().contains("222222222222/Admin"),
        "{}",
        run.stderr()
    );
}

#[test]
fn a_persistent_rate_limit_says_when_to_retry() {
    let s = sandbox(user_with(vec![]));
    s.okta.rate_limit_next(100);
    let run = login_fails(&s, "E0000047");
    assert!(run.stderr().contains("resets at"), "{}", run.stderr());
}

#[test]
fn app_link_pages_without_an_assertion_are_told_apart() {
    let s = sandbox(user_with(vec![]));
    s.okta.set_app_page(AppPage::SignInRedirect);
    login_fails(&s, "sign-in page");
    // A step-up is continued (tests/e2e/step_up.rs); one Okta ends unfinished is told.
    s.okta.set_app_page(AppPage::StepUp);
    let run = login_fails(&s, "extra verification");
    assert!(
        run.stderr().contains("stopped at: UNAUTHENTICATED"),
        "{}",
        run.stderr()
    );
    s.okta.set_app_page(AppPage::ServerError);
    login_fails(&s, "HTTP 500");
}

#[test]
fn unreachable_okta_and_sts() {
    let mut s = sandbox(user_with(vec![]));
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    s.set(
        "AWS_ENDPOINT_URL",
        Some(&format!("http://127.0.0.1:{closed}")),
    );
    login_fails(&s, "cannot reach AWS STS");
    s.set("OKTA_ORG", Some(&format!("http://127.0.0.1:{closed}")));
    login_fails(&s, "connection to Okta");
}

/// A broken setting stops only the commands that use it: with an unsafe OKTA_ORG and a
/// malformed OKTA_STS_DURATION the commands that read only the config file and the cache
/// still work, and a login still fails before anyone is asked anything.
#[test]
fn a_broken_setting_stops_only_the_commands_that_use_it() {
    let mut s = sandbox(user_with(vec![]));
    s.set("OKTA_ORG", Some("http://acme.okta.com"))
        .set("OKTA_STS_DURATION", Some("forever"));
    s.write_config("[work]\nOKTA_USERNAME=bob\n");
    let profiles = s.run("okta-aws", &["profiles"]);
    assert_eq!(profiles.success().stdout(), "work\n");
    for args in [
        &["status"][..],
        &["init", "bash"],
        &["completions", "zsh"],
        &["logout"],
    ] {
        s.run("okta-aws", args).success();
    }
    login_fails(&s, "not safe");
    assert_eq!(s.okta.requests().len(), 0);
}

/// Without a terminal, a question nobody can answer fails the login before any factor fires:
/// no push sent to be approved in vain, no SMS sent.
#[test]
fn no_terminal_fails_before_any_factor_fires() {
    let mut s = sandbox(user_with(vec![Factor::push(0, None, PushOutcome::Approve)]));
    s.run("okta-aws", &["exec", "--", "true"]).success();
    let pushes = s.okta.count("POST", "/api/v1/authn/factors/");
    assert!(pushes > 0);
    // The Okta session is gone; the last login granted two roles, and none is preset.
    s.end_okta_session();
    s.set("OKTA_AWS_ROLE_TO_ASSUME", None);
    let run = s.run("okta-aws", &["login", "--force"]);
    run.fails_with("no terminal to ask which role");
    assert!(
        run.stderr().contains("OKTA_AWS_ROLE_TO_ASSUME"),
        "{}",
        run.stderr()
    );
    assert_eq!(
        s.okta.count("POST", "/api/v1/authn/factors/"),
        pushes,
        "no push was sent"
    );

    let mut s = sandbox(user_with(vec![Factor::sms("654321")]));
    s.set("OKTA_MFA_CODE", None);
    let run = login_fails(&s, "no terminal to ask for the code by SMS");
    assert!(run.stderr().contains("OKTA_MFA_CODE"), "{}", run.stderr());
    assert_eq!(
        s.okta.count("POST", "/api/v1/authn/factors/"),
        0,
        "no SMS was sent"
    );
}
