//! `exec --server`: the command gets the credentials endpoint's two variables and no keys,
//! the real `aws` inside it works against moto, the credentials are renewed through the Okta
//! session as they near expiry, the exit status and signals pass through, and the endpoint
//! is gone afterwards.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::harness::*;

/// A Python helper the command runs: `fetch TOKEN` prints the endpoint's answer to a GET
/// with that token (`status key expiration`), `env` the credential variables it sees.
const PROBE: &str = r#"
import json, os, sys, urllib.request, urllib.error
what = sys.argv[1]
if what == "env":
    names = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
             "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]
    print("present:", [n for n in names if n in os.environ])
    print("uri:", os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
else:
    token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"] if sys.argv[2] == "right" else sys.argv[2]
    request = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
    if token:
        request.add_header("Authorization", token)
    try:
        body = json.load(urllib.request.urlopen(request, timeout=20))
        print("fetch:", 200, body["AccessKeyId"], body["Expiration"])
    except urllib.error.HTTPError as e:
        print("fetch:", e.code)
"#;

fn sandbox_with_probe() -> (Sandbox, String) {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"));
    let probe = s.dir.path().join("probe.py");
    std::fs::write(&probe, PROBE).unwrap();
    (s, probe.display().to_string())
}

fn lines_starting<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.lines()
        .filter_map(|l| l.strip_prefix(prefix))
        .map(str::trim)
        .collect()
}

#[test]
fn the_aws_cli_inside_gets_credentials_from_the_endpoint_and_no_keys() {
    let (mut s, probe) = sandbox_with_probe();
    // What the command must not see, and a profile that would fail the aws CLI.
    s.set("AWS_ACCESS_KEY_ID", Some("AKIASTATIC"))
        .set("AWS_SECRET_ACCESS_KEY", Some("static"))
        .set("AWS_PROFILE", Some("not-there"))
        .set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", Some("/v2/x"));
    let script = format!(
        "python3 {probe} env; python3 {probe} fetch wrong-token; python3 {probe} fetch ''; \
         aws sts get-caller-identity --query Arn --output text; exit 7"
    );
    let run = s.run("okta-aws", &["exec", "--server", "--", "sh", "-c", &script]);
    assert_eq!(run.code(), 7, "the command's status\n{}", run.stderr());
    let out = run.stdout();
    assert_eq!(lines_starting(&out, "present:"), ["[]"], "{out}");
    assert_eq!(lines_starting(&out, "fetch:"), ["403", "403"], "{out}");
    assert!(
        out.contains("assumed-role/Admin/"),
        "{out}\n{}",
        run.stderr()
    );

    // The endpoint is gone with the command.
    let uri = lines_starting(&out, "uri:")[0].to_string();
    assert!(uri.starts_with("http://127.0.0.1:"), "{uri}");
    let port = uri["http://127.0.0.1:".len()..].split('/').next().unwrap();
    assert!(std::net::TcpStream::connect(format!("127.0.0.1:{port}")).is_err());
    // Nothing written.
    assert!(!s.credentials_file().exists());
}

#[test]
fn credentials_are_renewed_through_the_okta_session_as_they_near_expiry() {
    // 16-second sessions: renewed when 8 seconds are left.
    let moto = start_private_moto_with(&[("MOTO_LAUNCHER_SAML_LIFETIME_S", "16")]);
    let (mut s, probe) = sandbox_with_probe();
    s.set("AWS_ENDPOINT_URL", Some(&moto.url));
    let script = format!(
        "python3 {probe} fetch right; python3 {probe} fetch right; sleep 9; \
         python3 {probe} fetch right; aws sts get-caller-identity --query Arn --output text"
    );
    let run = s.run("okta-aws", &["exec", "--server", "--", "sh", "-c", &script]);
    run.success();
    let out = run.stdout();
    let fetches = lines_starting(&out, "fetch:");
    assert_eq!(fetches.len(), 3, "{out}");
    let key = |line: &str| line.split(' ').nth(1).unwrap().to_string();
    assert_eq!(key(fetches[0]), key(fetches[1]), "served from the session");
    assert_ne!(key(fetches[1]), key(fetches[2]), "renewed: {out}");
    assert!(out.contains("assumed-role/Admin/"), "{out}");
    let requests = s.okta.requests();
    let password_logins = requests
        .iter()
        .filter(|r| r.path == "/api/v1/authn")
        .count();
    let app_pages = requests
        .iter()
        .filter(|r| r.path.starts_with("/home/amazon_aws/"))
        .count();
    assert_eq!(password_logins, 1, "renewed through the Okta session");
    assert_eq!(app_pages, 2, "{requests:?}");
}

/// The keys of the `fetch:` lines, in order.
fn fetched_keys(out: &str) -> Vec<String> {
    lines_starting(out, "fetch:")
        .iter()
        .map(|line| line.split(' ').nth(1).unwrap().to_string())
        .collect()
}

/// The caller identities the real `aws` printed (`--query Arn`).
fn caller_arns(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| l.starts_with("arn:aws:sts::"))
        .collect()
}

const DEPLOY: &str = "arn:aws:sts::500000000020:assumed-role/Deploy/alice@example.com";

#[test]
fn a_cross_account_target_is_served_and_renewed_with_its_saml_session() {
    // 16-second sessions for both the SAML role and the hop: renewed when 8 s are left.
    let moto = start_private_moto_with(&[
        ("MOTO_LAUNCHER_SAML_LIFETIME_S", "16"),
        ("MOTO_LAUNCHER_ROLE_LIFETIME_S", "16"),
    ]);
    let (mut s, probe) = sandbox_with_probe();
    s.set("AWS_ENDPOINT_URL", Some(&moto.url))
        .set("OKTA_AWS_TARGET_ROLE", Some("500000000020/Deploy"));
    let script = format!(
        "aws sts get-caller-identity --query Arn --output text; \
         python3 {probe} fetch right; python3 {probe} fetch right; sleep 9; \
         python3 {probe} fetch right; aws sts get-caller-identity --query Arn --output text"
    );
    let run = s.run("okta-aws", &["exec", "--server", "--", "sh", "-c", &script]);
    run.success();
    let out = run.stdout();
    assert_eq!(
        caller_arns(&out),
        [DEPLOY, DEPLOY],
        "{out}\n{}",
        run.stderr()
    );
    let keys = fetched_keys(&out);
    assert_eq!(keys.len(), 3, "{out}");
    assert_eq!(keys[0], keys[1], "served from the session");
    assert_ne!(keys[1], keys[2], "the target renewed: {out}");
    assert_eq!(
        s.okta.count("POST", "/api/v1/authn"),
        1,
        "through the Okta session"
    );
    assert_eq!(s.okta.count("GET", "/home/amazon_aws/"), 2, "one renewal");
}

#[test]
fn a_saml_session_shorter_than_its_target_is_not_renewed_at_every_ask() {
    // The SAML role's session lasts 16 s, the hop's an hour: the credentials served have
    // an hour, but the session needs its SAML role fresh, so the renewal follows the SAML
    // session's end, not the served credentials'.
    let moto = start_private_moto_with(&[("MOTO_LAUNCHER_SAML_LIFETIME_S", "16")]);
    let (mut s, probe) = sandbox_with_probe();
    s.set("AWS_ENDPOINT_URL", Some(&moto.url))
        .set("OKTA_AWS_TARGET_ROLE", Some("500000000020/Deploy"));
    let script = format!(
        "python3 {probe} fetch right; python3 {probe} fetch right; \
         aws sts get-caller-identity --query Arn --output text"
    );
    let run = s.run("okta-aws", &["exec", "--server", "--", "sh", "-c", &script]);
    run.success();
    let out = run.stdout();
    assert_eq!(caller_arns(&out), [DEPLOY], "{out}\n{}", run.stderr());
    let keys = fetched_keys(&out);
    assert_eq!(keys.len(), 2, "{out}");
    assert_eq!(keys[0], keys[1], "served from the session");
    assert_eq!(
        s.okta.count("GET", "/home/amazon_aws/"),
        1,
        "no login per ask: {:?}",
        s.okta.requests()
    );
}

#[test]
fn a_signal_sent_to_okta_aws_reaches_the_command_and_its_status_comes_back() {
    let (s, _) = sandbox_with_probe();
    let mut command = s.command(
        "okta-aws",
        &[
            "exec",
            "--server",
            "--",
            "sh",
            "-c",
            "trap 'echo got TERM; exit 42' TERM; echo ready; while :; do sleep 0.05; done",
        ],
    );
    command.stdin(Stdio::null()).stdout(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready");
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let status = child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert_eq!(rest.trim(), "got TERM");
    assert_eq!(status.code(), Some(42));
}

#[test]
fn a_command_killed_by_a_signal_ends_okta_aws_by_the_same_signal() {
    use std::os::unix::process::ExitStatusExt;
    let (s, _) = sandbox_with_probe();
    let mut command = s.command(
        "okta-aws",
        &["exec", "--server", "--", "sh", "-c", "kill -USR1 $$"],
    );
    command.stdin(Stdio::null());
    let status = command.status().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGUSR1), "{status:?}");
}

#[test]
fn a_command_that_cannot_start_is_a_user_error() {
    let (s, _) = sandbox_with_probe();
    s.run(
        "okta-aws",
        &["exec", "--server", "--", "no-such-command-here"],
    )
    .fails_with("command not found");
}

#[test]
fn ctrl_c_on_the_terminal_reaches_the_command_once_and_okta_aws_waits_for_it() {
    let (s, _) = sandbox_with_probe();
    let mut p = crate::pty::spawn(
        &s,
        "okta-aws",
        &[
            "exec",
            "--server",
            "--",
            "sh",
            "-c",
            "trap 'echo got INT; exit 5' INT; echo ready; while :; do sleep 0.05; done",
        ],
    );
    p.exp_string("ready").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("got INT").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(
        crate::pty::exit_code(&p),
        5,
        "the command's status, not 130"
    );
}
