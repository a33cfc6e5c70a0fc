//! `okta-aws configure`: questions on the terminal, only the profile's keys written, and a
//! profile written that way logs in.

use rexpect::session::PtySession;

use crate::harness::*;
use crate::pty::{exit_code, spawn};

const BEFORE: &str =
    "# my Okta settings\nOKTA_USERNAME=alice@example.com\n\n[other]\nokta_org = other.okta.com\n";

/// A sandbox whose Okta settings come from the config file only.
fn sandbox() -> Sandbox {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    for key in ["OKTA_ORG", "OKTA_AWS_APP_URL", "OKTA_USERNAME"] {
        s.set(key, None);
    }
    s.write_config(BEFORE);
    s
}

fn answer(p: &mut PtySession, prompt: &str, typed: &str) {
    p.exp_string(prompt).unwrap();
    p.send_line(typed).unwrap();
}

#[test]
fn configure_writes_a_profile_that_logs_in_and_edits_it_in_place() {
    let s = sandbox();
    let org = s.okta.base_url();
    let app = s.okta.app_url();

    let mut p = spawn(&s, "okta-aws", &["configure", "--profile", "dev"]);
    answer(&mut p, "Okta org (acme.okta.com):", "http://acme.okta.com");
    p.exp_string("not safe for a password").unwrap();
    answer(&mut p, "Okta org (acme.okta.com):", &org);
    answer(&mut p, "AWS app embed link", &app);
    answer(&mut p, "OIDC client id", "");
    answer(&mut p, "Okta user name", LOGIN);
    answer(&mut p, "MFA factor", "");
    answer(&mut p, "Role:", "Developer");
    answer(&mut p, "AWS region", "");
    p.exp_string("Wrote dev").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);

    let written = std::fs::read_to_string(s.config_file()).unwrap();
    assert_eq!(
        written,
        format!(
            "{BEFORE}\n[dev]\nOKTA_ORG = {org}\nOKTA_AWS_APP_URL = {app}\nOKTA_USERNAME = {LOGIN}\nOKTA_AWS_ROLE_TO_ASSUME = Developer\n"
        )
    );
    assert_eq!(
        s.run("okta-aws", &["profiles"]).success().stdout(),
        "other\ndev\n"
    );
    s.run("okta-aws", &["login", "--profile", "dev"]).success();
    assert!(s.credentials_file().exists());

    // Again: Enter keeps each value shown, `-` removes the role; nothing else moves.
    let mut p = spawn(&s, "okta-aws", &["configure", "--profile", "dev"]);
    answer(&mut p, &format!("[{org}]:"), "");
    answer(&mut p, &format!("[{app}]:"), "");
    answer(&mut p, "OIDC client id", "");
    answer(&mut p, &format!("[{LOGIN}]:"), "");
    answer(&mut p, "MFA factor", "OKTA.push");
    answer(&mut p, "[Developer]:", "-");
    answer(&mut p, "AWS region", "eu-west-1");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    assert_eq!(
        std::fs::read_to_string(s.config_file()).unwrap(),
        format!(
            "{BEFORE}\n[dev]\nOKTA_ORG = {org}\nOKTA_AWS_APP_URL = {app}\nOKTA_USERNAME = {LOGIN}\nOKTA_MFA_CHOICE = OKTA.push\nOKTA_AWS_REGION = eu-west-1\n"
        )
    );
}

#[test]
fn the_unnamed_profile_goes_to_the_top_section() {
    let s = sandbox();
    let mut p = spawn(&s, "okta-aws", &["configure"]);
    answer(&mut p, "Okta org", "acme.okta.com");
    answer(
        &mut p,
        "AWS app embed link",
        "https://acme.okta.com/home/amazon_aws/0oa1/272",
    );
    answer(&mut p, "OIDC client id", "0oa9client");
    answer(&mut p, "[alice@example.com]:", "");
    for prompt in ["MFA factor", "Role:", "AWS region"] {
        answer(&mut p, prompt, "");
    }
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    assert_eq!(
        std::fs::read_to_string(s.config_file()).unwrap(),
        BEFORE.replace(
            "OKTA_USERNAME=alice@example.com\n",
            "OKTA_USERNAME=alice@example.com\nOKTA_ORG = acme.okta.com\nOKTA_AWS_APP_URL = https://acme.okta.com/home/amazon_aws/0oa1/272\nOKTA_OIDC_CLIENT_ID = 0oa9client\n"
        )
    );
}

#[test]
fn without_a_terminal_or_when_cut_short_nothing_is_written() {
    let s = sandbox();
    s.run("okta-aws", &["configure", "--profile", "dev"])
        .fails_with("configure asks its questions on a terminal");
    assert_eq!(std::fs::read_to_string(s.config_file()).unwrap(), BEFORE);

    // Ctrl-D at a question: exit 130, the answers so far are dropped.
    let mut p = spawn(&s, "okta-aws", &["configure", "--profile", "dev"]);
    answer(&mut p, "Okta org", "acme.okta.com");
    p.exp_string("AWS app embed link").unwrap();
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 130);
    assert_eq!(std::fs::read_to_string(s.config_file()).unwrap(), BEFORE);
}

#[test]
fn three_unacceptable_answers_give_up_and_write_nothing() {
    let s = sandbox();
    let mut p = spawn(&s, "okta-aws", &["configure", "--profile", "dev"]);
    for _ in 0..3 {
        answer(&mut p, "Okta org (acme.okta.com):", "http://acme.okta.com");
    }
    p.exp_string("no acceptable OKTA_ORG after 3 tries")
        .unwrap();
    p.exp_string("hint: run `okta-aws configure` again; nothing was written")
        .unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 1);
    assert_eq!(std::fs::read_to_string(s.config_file()).unwrap(), BEFORE);
}
