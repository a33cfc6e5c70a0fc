//! Trust in files (SPEC "Trust"): names and values that the INI format cannot hold are
//! refused, `configure`'s answers read back as typed, files that others can write are not
//! trusted, and nothing a crash leaves behind holds a secret for long.

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
