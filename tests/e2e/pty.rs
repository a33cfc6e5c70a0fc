//! The interactive parts in a real pseudo-terminal: hidden password prompt, factor and role
//! menus, code prompts, and Ctrl-C.

use rexpect::process::WaitStatus;
use rexpect::session::{PtySession, spawn_command};

use crate::harness::*;

const TIMEOUT_MS: u64 = 20_000;

pub fn spawn(s: &Sandbox, binary: &str, args: &[&str]) -> PtySession {
    spawn_command(s.command(binary, args), Some(TIMEOUT_MS)).unwrap()
}

/// Type keys (rexpect buffers `send` until a flush).
fn keys(p: &mut PtySession, keys: &str) {
    p.send(keys).unwrap();
    p.flush().unwrap();
}

pub fn exit_code(p: &PtySession) -> i32 {
    match p.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("not a normal exit: {other:?}"),
    }
}

#[test]
fn password_is_asked_hidden_and_a_typo_is_asked_again() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_PASSWORD_CMD", None)
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"));
    let mut p = spawn(&s, "okta-aws", &["login"]);
    p.exp_string("Okta password for alice@example.com:")
        .unwrap();
    p.send_line("wrong password").unwrap();
    p.exp_string("authentication failed; try again").unwrap();
    p.exp_string("Okta password for alice@example.com:")
        .unwrap();
    p.send_line(PASSWORD).unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(
        rest.contains("Credentials for arn:aws:iam::222222222222:role/Admin"),
        "{rest}"
    );
    assert!(
        !rest.contains(PASSWORD) && !rest.contains("wrong password"),
        "echo was off: {rest}"
    );
    assert_eq!(exit_code(&p), 0);
}

#[test]
fn user_name_factor_menu_code_prompt_and_role_menu() {
    let factors = vec![
        Factor::push(0, None, PushOutcome::Approve),
        Factor::totp("GOOGLE", "246810"),
    ];
    let mut s = Sandbox::new(scenario(user_with(factors), two_roles()));
    s.set("OKTA_USERNAME", None);
    let mut p = spawn(&s, "okta-aws", &["login"]);
    p.exp_string("Okta user name:").unwrap();
    p.send_line(LOGIN).unwrap();
    p.exp_string("MFA factor").unwrap();
    keys(&mut p, "Google\r"); // type to filter
    p.exp_string("Google Authenticator code:").unwrap();
    p.send_line("246810").unwrap();
    p.exp_string("Role to assume").unwrap();
    keys(&mut p, "\x1b[B\r"); // arrow down: the second role
    let rest = p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0, "{rest}");
    let text = std::fs::read_to_string(s.credentials_file()).unwrap();
    assert!(text.contains("[222222222222/Admin]"), "{text}");
}

#[test]
fn role_menu_filters_as_you_type() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_ENV_MODE", Some("true"));
    let mut p = spawn(
        &s,
        "okta-aws",
        &["exec", "--", "sh", "-c", "echo ROLE=$AWS_ACCESS_KEY_ID"],
    );
    p.exp_string("Role to assume").unwrap();
    keys(&mut p, "Devel\r");
    p.exp_string("ROLE=").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    assert_eq!(
        s.okta.count("GET", "/home/amazon_aws/"),
        1,
        "one SAML fetch"
    );
}

#[test]
fn ctrl_c_at_the_password_prompt_restores_echo_and_exits_130() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_PASSWORD_CMD", None);
    // rexpect starts the terminal with echo off: turn it on, so "restored" means something.
    let script = format!(
        "stty echo; '{}' login; echo \"exit=$?\"; stty -a",
        env!("CARGO_BIN_EXE_okta-aws")
    );
    let mut p = spawn(&s, "bash", &["-c", &script]);
    p.exp_string("Okta password for").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("exit=130").unwrap();
    let stty = p.exp_eof().unwrap();
    let flags: Vec<&str> = stty.split_whitespace().collect();
    assert!(
        flags.contains(&"echo") && !flags.contains(&"-echo"),
        "echo is back on: {stty}"
    );
    assert!(flags.contains(&"icanon"), "{stty}");
}

#[test]
fn ctrl_c_during_a_push_cancels_the_transaction() {
    let factor = Factor::push(1000, None, PushOutcome::Approve);
    let mut s = Sandbox::new(scenario(user_with(vec![factor]), two_roles()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"));
    let mut p = spawn(&s, "okta-aws", &["login"]);
    p.exp_string("Waiting").unwrap();
    p.send_control('c').unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 130);
    assert_eq!(s.okta.count("POST", "/api/v1/authn/cancel"), 1);
    assert!(!s.credentials_file().exists());
}

#[test]
fn the_role_menu_offers_the_last_choice_first() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_ENV_MODE", Some("true"));
    let pick = |s: &Sandbox, typed: &str| {
        let mut p = spawn(s, "okta-aws", &["login", "--force"]);
        p.exp_string("Role to assume").unwrap();
        keys(&mut p, typed);
        let rest = p.exp_eof().unwrap();
        assert_eq!(exit_code(&p), 0, "{rest}");
        rest
    };
    // First time: the menu starts on the first account; arrow down picks Admin.
    assert!(pick(&s, "\x1b[B\r").contains("role/Admin"));
    // Next time Enter alone takes the remembered Admin.
    assert!(pick(&s, "\r").contains("role/Admin"));
}

#[test]
fn the_role_menu_shows_account_names() {
    let mut sc = scenario(user_with(vec![]), two_roles());
    sc.account_names = vec![("222222222222".to_string(), "acme-prod".to_string())];
    let mut s = Sandbox::new(sc);
    s.set("OKTA_ENV_MODE", Some("true"));
    let mut p = spawn(&s, "okta-aws", &["login"]);
    p.exp_string("Role to assume").unwrap();
    // Named accounts come first: Enter takes acme-prod's Admin.
    p.exp_string("acme-prod (222222222222)").unwrap();
    keys(&mut p, "\r");
    let rest = p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0, "{rest}");
    assert!(rest.contains("role/Admin"), "{rest}");
}

#[test]
fn a_mistyped_user_name_is_corrected_and_remembered_for_next_time() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_USERNAME", None)
        .set("OKTA_PASSWORD_CMD", None)
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"));
    let mut p = spawn(&s, "okta-aws", &["login"]);
    p.exp_string("Okta user name:").unwrap();
    p.send_line("alcie@example.com").unwrap();
    p.exp_string("Okta password for alcie@example.com:")
        .unwrap();
    p.send_line(PASSWORD).unwrap();
    p.exp_string("check the user name too").unwrap();
    p.exp_string("Okta user name [alcie@example.com]:").unwrap();
    p.send_line(LOGIN).unwrap();
    p.exp_string("Okta password for alice@example.com:")
        .unwrap();
    p.send_line(PASSWORD).unwrap();
    let rest = p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0, "{rest}");

    // Next time (the Okta session ended): the name that worked is the default.
    s.okta.end_all_sessions();
    let mut p = spawn(&s, "okta-aws", &["login", "--force"]);
    p.exp_string("Okta user name [alice@example.com]:").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Okta password for alice@example.com:")
        .unwrap();
    p.send_line(PASSWORD).unwrap();
    let rest = p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0, "{rest}");
}
