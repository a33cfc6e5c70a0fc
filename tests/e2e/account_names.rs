//! Account names from AWS's SAML sign-in page (played by the fake at `/aws/saml`): both
//! page shapes and a broken one, the day-long cache, and where the names show.

use fake_okta::SigninPage;

use crate::harness::*;

fn sandbox(page: SigninPage) -> Sandbox {
    let mut sc = scenario(user_with(vec![]), two_roles());
    sc.signin_page = page;
    sc.account_names = vec![("222222222222".to_string(), "acme-prod".to_string())];
    Sandbox::new(sc)
}

#[test]
fn both_page_shapes_give_names_for_globs_status_and_roles() {
    for page in [SigninPage::RolePicker, SigninPage::NextData] {
        let s = sandbox(page);
        // A glob by alias: the section is still named by account id.
        s.run("okta-aws", &["login", "--role", "acme-*/Admin"])
            .success();
        let text = std::fs::read_to_string(s.credentials_file()).unwrap();
        assert!(text.contains("[222222222222/Admin]"), "{page:?}: {text}");
        assert_eq!(s.okta.count("POST", "/aws/saml"), 1, "{page:?}");

        s.run("okta-aws", &["exec", "--role", "Admin", "--", "true"])
            .success();
        let status = s.run("okta-aws", &["status"]);
        assert!(
            status
                .success()
                .stdout()
                .contains("acme-prod (222222222222)"),
            "{page:?}: {}",
            status.stdout()
        );
        let roles = s.run("okta-aws", &["roles", "--json"]);
        let json: serde_json::Value = serde_json::from_str(&roles.success().stdout()).unwrap();
        let admin = json
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["role_name"] == "Admin")
            .unwrap();
        assert_eq!(admin["account_name"], "acme-prod");
        let dev = json
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["role_name"] == "Developer")
            .unwrap();
        assert!(
            dev.get("account_name").is_none(),
            "no alias, no name: {dev}"
        );
    }
}

#[test]
fn a_broken_page_leaves_ids_and_the_login_goes_on() {
    let s = sandbox(SigninPage::Broken);
    let run = s.run("okta-aws", &["-v", "login", "--role", "*/Admin"]);
    run.success();
    assert!(
        run.stderr().contains("account names unavailable"),
        "{}",
        run.stderr()
    );
    assert!(
        !run.stderr().contains("warning"),
        "best effort, no warning: {}",
        run.stderr()
    );
    s.run("okta-aws", &["login", "--role", "acme-*/Admin"])
        .fails_with("no role matches");
}

#[test]
fn names_are_cached_for_a_day() {
    let s = sandbox(SigninPage::RolePicker);
    s.run("okta-aws", &["login", "--all-roles"]).success();
    s.run("okta-aws", &["login", "--all-roles"]).success();
    assert_eq!(
        s.okta.count("POST", "/aws/saml"),
        1,
        "the second login used the cache"
    );
    let cached = s.home().join(".okta/cache/account-names.json");
    assert!(
        std::fs::read_to_string(cached)
            .unwrap()
            .contains("acme-prod")
    );
}

#[test]
fn a_login_without_a_menu_reads_names_beside_sts_for_status_and_roles() {
    let s = sandbox(SigninPage::NextData);
    // A preset role: no menu, no glob, yet the names are read (beside the STS call).
    s.run("okta-aws", &["login", "--role", "Admin"]).success();
    assert_eq!(s.okta.count("POST", "/aws/saml"), 1);
    let status = s.run("okta-aws", &["status"]);
    assert!(
        status
            .success()
            .stdout()
            .contains("acme-prod (222222222222)"),
        "{}",
        status.stdout()
    );
    let roles = s.run("okta-aws", &["roles", "--json"]).success().stdout();
    assert!(roles.contains("\"account_name\": \"acme-prod\""), "{roles}");
    // Every account was answered for today (111111111111 has no alias): not asked again.
    s.run("okta-aws", &["login", "--force", "--role", "Developer"])
        .success();
    assert_eq!(s.okta.count("POST", "/aws/saml"), 1);
}

#[test]
fn a_page_that_names_no_account_is_asked_again_next_time() {
    // AWS's answer for a single role: a redirect into the console, no names.
    let s = sandbox(SigninPage::SingleRole);
    s.run("okta-aws", &["login", "--role", "Admin"]).success();
    s.run("okta-aws", &["login", "--force", "--role", "Admin"])
        .success();
    assert_eq!(
        s.okta.count("POST", "/aws/saml"),
        2,
        "no names is no fresh answer"
    );
    assert!(!s.home().join(".okta/cache/account-names.json").exists());
}
