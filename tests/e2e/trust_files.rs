//! Trust in files (SPEC "Trust"): names and values that the INI format cannot hold are
//! refused, `configure`'s answers read back as typed, files that others can write are not
//! trusted, and nothing a crash leaves behind holds a secret for long.

use rexpect::session::PtySession;

use crate::harness::*;
use crate::pty::{exit_code, spawn};

const BEFORE: &str =
    "# mine\nOKTA_USERNAME=alice@example.com\n\n[other]\nokta_org = other.okta.com\n";

/// A sandbox whose Okta settings come from the config file only.
fn sandbox() -> Sandbox {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    for key in ["OKTA_ORG", "OKTA_AWS_APP_URL", "OKTA_USERNAME"] {
        s.set(key, None);
    }
    s.write_config(BEFORE);
    s
}

// ---------- names we write (issue 11 item 7) ----------

#[test]
fn a_profile_name_that_would_write_a_second_section_is_refused() {
    let s = sandbox();
    for name in ["x]\n[work", "x]", "x\r", " x"] {
        let run = s.run("okta-aws", &["configure", "--profile", name]);
        run.fails_with("cannot be a section of");
        assert_eq!(run.stderr().lines().count(), 2, "{}", run.stderr());
        assert_eq!(std::fs::read_to_string(s.config_file()).unwrap(), BEFORE);
    }
    // refused before any question is asked, on a terminal too
    let mut p = spawn(&s, "okta-aws", &["configure", "--profile", "x]\n[work"]);
    p.exp_string("cannot be a section of").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 1);
    assert_eq!(std::fs::read_to_string(s.config_file()).unwrap(), BEFORE);
}

// ---------- configure's answers (issue 10 item 8) ----------

fn answer(p: &mut PtySession, prompt: &str, typed: &str) {
    p.exp_string(prompt).unwrap();
    p.send_line(typed).unwrap();
}

/// The refusal shown after an answer, up to the question asked again.
fn refusal(p: &mut PtySession, asked_again: &str) -> String {
    let seen = p.exp_string(asked_again).unwrap();
    assert!(!seen.contains("command line"), "{seen}");
    seen
}

#[test]
fn a_profile_inherits_the_top_section_and_answers_read_back_as_typed() {
    let s = sandbox();
    let (org, app) = (s.okta.base_url(), s.okta.app_url());
    let top = format!("OKTA_ORG={org}\nOKTA_AWS_APP_URL={app}\n");
    s.write_config(&top);

    let mut p = spawn(&s, "okta-aws", &["configure", "--profile", "dev"]);
    // org and app link: the top section's, kept by Enter
    answer(&mut p, &format!("[{org}, from the top section]:"), "");
    p.exp_string(&format!("[{app}, from the top section]:"))
        .unwrap();
    p.send_line("acme.okta.com/home").unwrap();
    let seen = refusal(&mut p, "AWS app embed link");
    assert!(seen.contains("in your answer"), "{seen}");
    p.send_line("").unwrap();
    answer(&mut p, "OIDC client id", "");
    // a trailing backslash would join the next line in the file: refused, asked again
    answer(&mut p, "Okta user name", &format!("{LOGIN}\\"));
    let seen = refusal(&mut p, "Okta user name");
    assert!(seen.contains("backslash"), "{seen}");
    p.send_line(LOGIN).unwrap();
    // the factor is checked for form
    answer(&mut p, "MFA factor", "OKTA push");
    let seen = refusal(&mut p, "MFA factor");
    assert!(seen.contains("PROVIDER.type"), "{seen}");
    p.send_line("OKTA.push").unwrap();
    answer(&mut p, "Role:", "Developer");
    answer(&mut p, "AWS region", "");
    p.exp_string("Wrote dev").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    assert_eq!(
        std::fs::read_to_string(s.config_file()).unwrap(),
        format!(
            "{top}\n[dev]\nOKTA_USERNAME = {LOGIN}\nOKTA_MFA_CHOICE = OKTA.push\nOKTA_AWS_ROLE_TO_ASSUME = Developer\n"
        )
    );
    s.run("okta-aws", &["login", "--profile", "dev"]).success();

    // `]`, `[`, `=`, `;` and `#` in a value are stored as typed, starting no section (the
    // config reader reading it back identical: the ini_edit property tests)
    let mut p = spawn(&s, "okta-aws", &["configure", "--profile", "odd"]);
    answer(&mut p, "Okta org", "");
    answer(&mut p, "AWS app embed link", "");
    answer(&mut p, "OIDC client id", "");
    answer(&mut p, "Okta user name", "x]=[y] ;z #w");
    answer(&mut p, "MFA factor", "");
    answer(&mut p, "Role:", "");
    answer(&mut p, "AWS region", "");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    let written = std::fs::read_to_string(s.config_file()).unwrap();
    assert!(
        written.ends_with("\n[odd]\nOKTA_USERNAME = x]=[y] ;z #w\n"),
        "{written}"
    );
    assert_eq!(
        s.run("okta-aws", &["profiles"]).success().stdout(),
        "dev\nodd\n"
    );
}
