//! The `fake-okta` binary: its two lines, and stopping when stdin closes.

mod common;

use std::io::{BufRead, BufReader, Lines};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fake-okta"))
}

/// Start the binary with `args` and stdin a pipe (closing it stops the fake); returns the
/// child and the lines it prints.
fn start(args: &[&str]) -> (Child, Lines<BufReader<ChildStdout>>) {
    let mut child = binary()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn fake-okta");
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    (child, lines)
}

#[test]
fn prints_urls_and_exits_when_stdin_closes() {
    let (mut child, mut lines) = start(&["--factor", "totp:123456", "--delay-ms", "1"]);
    let org = lines.next().unwrap().unwrap();
    let app = lines.next().unwrap().unwrap();
    let base = org.strip_prefix("OKTA_ORG=http://127.0.0.1:").expect(&org);
    assert!(base.parse::<u16>().is_ok(), "{org}");
    assert_eq!(
        app,
        format!("OKTA_AWS_APP_URL=http://127.0.0.1:{base}/home/amazon_aws/0oa1fakeawsapp/272")
    );

    drop(child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "did not exit on EOF");
        sleep(Duration::from_millis(20));
    }
    assert!(child.wait().unwrap().success());
}

#[test]
fn keeps_running_with_stdin_from_dev_null() {
    let mut child = binary()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn fake-okta");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(lines.next().unwrap().unwrap().starts_with("OKTA_ORG="));
    sleep(Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none(), "exited on /dev/null");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn rejects_unknown_arguments() {
    let status = binary()
        .arg("--bogus")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2));
}

#[test]
fn identity_engine_flag_opens_the_device_flow_for_that_client() {
    let (mut child, mut lines) = start(&["--identity-engine", "0oa1cli"]);
    let org = lines.next().unwrap().unwrap();
    let base = org.strip_prefix("OKTA_ORG=").expect(&org).to_string();
    let authorize = |client: &str| {
        common::post_form(
            &format!("{base}/oauth2/v1/device/authorize"),
            &[("client_id", client), ("scope", "openid okta.apps.sso")],
        )
        .status
    };
    assert_eq!(authorize("0oa1cli"), 200);
    assert_eq!(authorize("0oa1other"), 401);
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
}

#[test]
fn browser_approval_and_refresh_tokens_from_flags() {
    let (mut child, mut lines) = start(&[
        "--identity-engine",
        "0oa1cli",
        "--approve-in-browser",
        "--refresh-tokens",
        "rotate",
    ]);
    let org = lines.next().unwrap().unwrap();
    let base = org.strip_prefix("OKTA_ORG=").expect(&org).to_string();
    lines.next().unwrap().unwrap();
    assert_eq!(
        lines.next().unwrap().unwrap(),
        format!("OKTA_AWS_FEDERATION_URL={base}/federation")
    );
    let authorized = common::post_form(
        &format!("{base}/oauth2/v1/device/authorize"),
        &[
            ("client_id", "0oa1cli"),
            ("scope", "openid okta.apps.sso offline_access"),
        ],
    )
    .json();
    let poll = || {
        common::post_form(
            &format!("{base}/oauth2/v1/token"),
            &[
                ("client_id", "0oa1cli"),
                ("device_code", authorized["device_code"].as_str().unwrap()),
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ],
        )
        .json()
    };
    assert_eq!(poll()["error"], "authorization_pending");
    assert_eq!(poll()["error"], "authorization_pending");
    let link = authorized["verification_uri_complete"].as_str().unwrap();
    assert_eq!(common::get(link, None).status, 200);
    assert!(poll()["refresh_token"].is_string());
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
}

#[test]
fn browser_flags_need_the_identity_engine() {
    for args in [
        &["--approve-in-browser"][..],
        &["--refresh-tokens", "rotate"],
        &["--identity-engine", "0oa1", "--refresh-tokens", "sometimes"],
        &["--pipeline", "v2"],
    ] {
        let status = binary()
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn factor_flags_add_up_to_a_menu() {
    let (mut child, mut lines) = start(&[
        "--factor",
        "push",
        "--factor",
        "totp:123456",
        "--factor",
        "sms:654321",
        "--factor",
        "question:blue",
    ]);
    let org = lines.next().unwrap().unwrap();
    let base = org.strip_prefix("OKTA_ORG=").unwrap().to_string();
    let answer = common::post(
        &format!("{base}/api/v1/authn"),
        &serde_json::json!({"username": "demo@example.com", "password": "demo-password"}),
    );
    let json = answer.json();
    assert_eq!(json["status"], "MFA_REQUIRED", "{json}");
    let types: Vec<&str> = json["_embedded"]["factors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["factorType"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["push", "token:software:totp", "sms", "question"]);
    drop(child.stdin.take());
    child.wait().unwrap();
}
