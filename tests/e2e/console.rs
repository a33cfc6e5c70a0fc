//! `console`: the session's credentials traded at the (fake) federation endpoint for a
//! sign-in token, the login URL printed or handed to the browser command; a cross-account
//! profile signs in as its target.

use crate::harness::*;

fn sandbox() -> Sandbox {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    let federation = s.okta.federation_url();
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"))
        .set("OKTA_AWS_FEDERATION_URL", Some(&federation));
    s
}

/// The `Session` JSON of the one getSigninToken request.
fn signin_session(s: &Sandbox) -> (serde_json::Value, Option<String>) {
    let requests = s.okta.federation_requests();
    let token_requests: Vec<_> = requests
        .iter()
        .filter(|r| r.param("Action") == Some("getSigninToken"))
        .collect();
    assert_eq!(token_requests.len(), 1, "{requests:?}");
    assert_eq!(token_requests[0].status, 200);
    let session = serde_json::from_str(token_requests[0].param("Session").unwrap()).unwrap();
    let duration = token_requests[0]
        .param("SessionDuration")
        .map(str::to_string);
    (session, duration)
}

/// The access key id `env --shell json` hands out (the effective role's).
fn env_key_id(s: &Sandbox) -> String {
    let run = s.run("okta-aws", &["env", "--shell", "json"]);
    let json: serde_json::Value = serde_json::from_str(&run.success().stdout()).unwrap();
    json["AWS_ACCESS_KEY_ID"].as_str().unwrap().to_string()
}

#[test]
fn print_gives_the_login_url_with_a_signin_token_for_the_sessions_credentials() {
    let s = sandbox();
    let run = s.run("okta-aws", &["console", "--print", "--destination", "s3"]);
    run.success();
    let printed = run.stdout();
    let url = url::Url::parse(printed.trim()).unwrap();
    assert!(url.as_str().starts_with(&s.okta.federation_url()), "{url}");
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(param("Action").as_deref(), Some("login"));
    assert_eq!(param("Issuer").as_deref(), Some("okta-aws"));
    assert_eq!(
        param("Destination").as_deref(),
        Some("https://console.aws.amazon.com/s3/home?region=us-east-1")
    );
    assert!(param("SigninToken").is_some_and(|t| !t.is_empty()));

    let (session, duration) = signin_session(&s);
    assert_eq!(session["sessionId"], env_key_id(&s));
    let duration: u32 = duration
        .expect("a SAML session asks for a duration")
        .parse()
        .unwrap();
    assert!((3000..=3600).contains(&duration), "{duration}");
    assert!(
        !run.stderr()
            .contains(param("SigninToken").unwrap().as_str())
    );
}

#[test]
fn the_browser_command_gets_the_url_and_the_sign_in_works() {
    let mut s = sandbox();
    // A "browser" that follows the link with curl-less Python and records what it saw.
    let seen = s.dir.path().join("seen.txt");
    let browser = s.dir.path().join("browser");
    write_script(
        &browser,
        format!(
            "#!/bin/sh\npython3 -c 'import sys, urllib.request; \
             print(urllib.request.urlopen(sys.argv[1], timeout=10).status)' \"$1\" > '{}'\n",
            seen.display()
        ),
    );
    s.set("OKTA_BROWSER_COMMAND", Some(browser.to_str().unwrap()));
    let run = s.run("okta-aws", &["console"]);
    run.success();
    assert!(run.stdout().is_empty(), "nothing on stdout without --print");
    // The opener is detached: wait for it to finish its one request.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::fs::read_to_string(&seen).unwrap_or_default().trim() != "200" {
        assert!(
            std::time::Instant::now() < deadline,
            "the browser never signed in"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let logins = s
        .okta
        .federation_requests()
        .into_iter()
        .filter(|r| r.param("Action") == Some("login"))
        .collect::<Vec<_>>();
    assert_eq!(logins.len(), 1);
    assert_eq!(logins[0].status, 200);
    assert_eq!(
        logins[0].param("Destination"),
        Some("https://console.aws.amazon.com/console/home?region=us-east-1")
    );
}

#[test]
fn without_a_browser_it_says_to_use_print_before_any_login() {
    let mut s = sandbox();
    s.set("OKTA_OPEN_BROWSER", Some("false"));
    s.run("okta-aws", &["console"]).fails_with("no browser");
    assert!(s.okta.requests().is_empty(), "no login");
}

#[test]
fn a_bad_destination_is_a_user_error() {
    let s = sandbox();
    s.run(
        "okta-aws",
        &["console", "--print", "-d", "https://evil.example.com/"],
    )
    .fails_with("not a console destination");
}

#[test]
fn a_cross_account_profile_opens_the_target_role_without_a_duration() {
    let mut s = sandbox();
    s.set("OKTA_AWS_TARGET_ROLE", Some("500000000014/Deploy"))
        .set("AWS_ENDPOINT_URL_IAM", Some("http://127.0.0.1:9"));
    s.run("okta-aws", &["console", "--print"]).success();
    let (session, duration) = signin_session(&s);
    assert_eq!(session["sessionId"], env_key_id(&s), "the target's keys");
    assert_eq!(
        duration, None,
        "AWS refuses SessionDuration for role chains"
    );
}
