//! Sessions that last: the AWS session cache, Okta session reuse, one login for many
//! processes, status and logout, and crash safety of the credentials file.

use std::process::Stdio;
use std::time::Duration;

use crate::harness::*;

/// A sandbox with one role (no menu) and the session in env mode unless a test writes.
fn sandbox() -> Sandbox {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
    s
}

fn closed_port_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}

fn access_key(s: &Sandbox) -> String {
    let run = s.run(
        "okta-aws",
        &["exec", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"],
    );
    run.success().stdout().trim().to_string()
}

#[test]
fn a_cached_session_needs_no_network_at_all() {
    let mut s = sandbox();
    let first = access_key(&s);
    let calls = s.okta.requests().len();
    // With Okta and STS unreachable, the cached session still serves every command.
    s.set("AWS_ENDPOINT_URL", Some(&closed_port_url()));
    assert_eq!(access_key(&s), first);
    let env = s.run("okta-aws", &["env", "--shell", "bash"]);
    assert!(env.success().stdout().contains(&first));
    s.run("okta-aws", &["login"]).success();
    assert_eq!(
        s.okta.requests().len(),
        calls,
        "no Okta call on the cached path"
    );
}

#[test]
fn the_cached_path_starts_no_network_runtime() {
    let s = sandbox();
    let cold = s.run("okta-aws", &["-v", "exec", "--", "true"]);
    assert!(
        cold.success()
            .stderr()
            .contains("starting the network runtime"),
        "{}",
        cold.stderr()
    );
    for args in [
        &["-v", "exec", "--", "true"][..],
        &["-v", "env"],
        &["-v", "credential-process"],
    ] {
        let cached = s.run("okta-aws", args);
        let err = cached.success().stderr();
        assert!(err.contains("using the cached session"), "{args:?}: {err}");
        assert!(!err.contains("network runtime"), "{args:?}: {err}");
    }
}

#[test]
fn cache_files_are_private_and_a_corrupt_one_is_a_miss() {
    use std::os::unix::fs::PermissionsExt;
    let s = sandbox();
    access_key(&s);
    let cache = s.home().join(".okta/cache");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&cache), 0o700);
    let session = cache.join("top.session.json");
    for entry in std::fs::read_dir(&cache).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
        assert!(!std::fs::read_to_string(&path).unwrap().contains(PASSWORD));
    }
    std::fs::write(&session, "{ torn").unwrap();
    let run = s.run("okta-aws", &["-v", "exec", "--", "true"]);
    run.success();
    assert!(run.stderr().contains("corrupt"), "{}", run.stderr());
    assert!(
        serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&session).unwrap())
            .is_ok()
    );
}

#[test]
fn after_aws_expiry_the_okta_session_gives_a_new_assertion_in_one_round_trip() {
    let mut s = sandbox();
    let first = access_key(&s);
    assert_eq!(s.okta.count("POST", "/api/v1/authn"), 1);
    // A margin longer than the session: the cached credentials no longer serve.
    s.set("OKTA_AWS_MIN_TTL", Some("4000"));
    let before = s.okta.requests().len();
    let run = s.run(
        "okta-aws",
        &["-v", "exec", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"],
    );
    run.success();
    assert_ne!(run.stdout().trim(), first, "new AWS credentials");
    assert!(
        run.stderr().contains("no password needed"),
        "{}",
        run.stderr()
    );
    // Okta's requests only: `/aws/saml` is the fake's stand-in for AWS's sign-in page, read
    // for account names beside the STS call (this scenario's page names none, so each login
    // asks again).
    let during: Vec<_> = s.okta.requests()[before..]
        .iter()
        .filter(|r| r.path != "/aws/saml")
        .cloned()
        .collect();
    assert_eq!(during.len(), 1, "only the app link: {during:?}");
    assert!(during[0].path.starts_with("/home/amazon_aws/") && during[0].had_session_cookie);
    assert_eq!(
        s.okta.count("POST", "/api/v1/authn"),
        1,
        "no password, no MFA"
    );

    // Once Okta forgets the session, a full login happens.
    s.okta.end_all_sessions();
    let run = s.run("okta-aws", &["exec", "--", "true"]);
    run.success();
    assert!(
        run.stderr().contains("Okta session has ended"),
        "{}",
        run.stderr()
    );
    assert_eq!(s.okta.count("POST", "/api/v1/authn"), 2);
}

#[test]
fn login_force_always_gets_new_credentials() {
    let s = sandbox();
    let first = access_key(&s);
    s.run("okta-aws", &["login", "--force"]).success();
    let second = access_key(&s);
    assert_ne!(first, second);
    assert_eq!(
        s.okta.count("POST", "/api/v1/authn"),
        1,
        "the Okta session was reused"
    );
    let text = std::fs::read_to_string(s.credentials_file()).unwrap();
    assert!(text.contains(&second));
}

#[test]
fn a_different_role_is_a_miss_but_reuses_the_okta_session() {
    let mut s = sandbox();
    let dev = access_key(&s);
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("222222222222/Admin"));
    let admin = access_key(&s);
    assert_ne!(dev, admin);
    assert_eq!(s.okta.count("POST", "/api/v1/authn"), 1);
}

#[test]
fn thirty_two_processes_share_one_login() {
    let mut s = sandbox();
    s.okta.set_delay(Duration::from_millis(50));
    s.set("OKTA_ENV_MODE", Some("true"));
    let children: Vec<_> = (0..32)
        .map(|_| {
            s.command(
                "okta-aws",
                &["exec", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"],
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let outputs: Vec<_> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let mut keys = std::collections::BTreeSet::new();
    let mut waited = 0;
    for out in &outputs {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        keys.insert(String::from_utf8_lossy(&out.stdout).trim().to_string());
        waited += usize::from(
            String::from_utf8_lossy(&out.stderr).contains("Waiting for another okta-aws"),
        );
    }
    assert_eq!(
        s.okta.count("POST", "/api/v1/authn"),
        1,
        "exactly one Okta login"
    );
    assert_eq!(s.okta.count("GET", "/home/amazon_aws/"), 1, "one assertion");
    assert_eq!(
        keys.len(),
        1,
        "one STS call: every process got the same keys"
    );
    assert!(waited >= 1, "the others said they waited");
}

#[test]
fn status_reads_the_cache_and_logout_removes_only_what_we_wrote() {
    let s = sandbox();
    let theirs = "# keep me\n[default]\naws_access_key_id = AKIAMINE\n\n[other]\nregion = x\n";
    std::fs::create_dir_all(s.home().join(".aws")).unwrap();
    std::fs::write(s.credentials_file(), theirs).unwrap();
    s.run("okta-aws", &["login"]).success();
    assert!(
        std::fs::read_to_string(s.credentials_file())
            .unwrap()
            .contains("[111111111111/Developer]")
    );

    let status = s.run("okta-aws", &["status"]);
    let table = status.success().stdout();
    assert!(table.starts_with("PROFILE"), "{table}");
    let row = table.lines().nth(1).unwrap();
    for cell in ["(default)", "Developer", "111111111111", "min", "alive"] {
        assert!(row.contains(cell), "{cell} missing in {row}");
    }
    let calls = s.okta.requests().len();
    assert_eq!(s.okta.requests().len(), calls, "status made no call");

    s.run("okta-aws", &["logout"]).success();
    assert_eq!(
        std::fs::read_to_string(s.credentials_file()).unwrap(),
        theirs,
        "only our section went"
    );
    assert_eq!(s.okta.count("DELETE", "/api/v1/sessions/me"), 1);
    assert!(s.run("okta-aws", &["status"]).success().stdout().is_empty());
    access_key(&s);
    assert_eq!(
        s.okta.count("POST", "/api/v1/authn"),
        2,
        "after logout a full login"
    );
}

#[test]
fn logout_all_forgets_every_profile() {
    let s = sandbox();
    s.write_config("[work]\n[play]\nOKTA_AWS_ROLE_TO_ASSUME=Admin\n");
    s.run("okta-aws", &["login", "--profile", "work"]).success();
    s.run("okta-aws", &["login", "--profile", "play"]).success();
    let table = s.run("okta-aws", &["status"]).success().stdout();
    assert_eq!(table.lines().count(), 3, "{table}");
    s.run("okta-aws", &["logout", "--all"]).success();
    assert!(s.run("okta-aws", &["status"]).success().stdout().is_empty());
    let left = std::fs::read_to_string(s.credentials_file()).unwrap();
    assert!(left.trim().is_empty(), "{left}");
}

#[test]
fn logout_of_one_profile_says_that_the_shared_okta_session_ends_too() {
    let s = sandbox();
    s.write_config("[work]\n[play]\nOKTA_AWS_ROLE_TO_ASSUME=Admin\n");
    s.run("okta-aws", &["login", "--profile", "work"]).success();
    s.run("okta-aws", &["login", "--profile", "play"]).success();
    assert_eq!(s.okta.count("POST", "/api/v1/authn"), 1, "one Okta session");
    let run = s.run("okta-aws", &["logout", "--profile", "work"]);
    run.success();
    assert!(
        run.stderr().contains("shared with profile(s) play"),
        "{}",
        run.stderr()
    );
    assert_eq!(s.okta.count("DELETE", "/api/v1/sessions/me"), 1);
    // play keeps its AWS session; its next login after that signs in again.
    let table = s.run("okta-aws", &["status"]).success().stdout();
    assert!(table.contains("play"), "{table}");
    let again = s.run("okta-aws", &["logout", "--profile", "play"]);
    assert!(
        !again.success().stderr().contains("shared"),
        "{}",
        again.stderr()
    );
}

/// SIGKILL at random points of repeated writes: the file is always whole, old or new.
#[test]
fn killing_the_tool_never_leaves_a_partial_credentials_file() {
    let s = sandbox();
    let prelude = "# comments stay\n[default]\naws_access_key_id = AKIAMINE\n\n";
    std::fs::create_dir_all(s.home().join(".aws")).unwrap();
    std::fs::write(s.credentials_file(), prelude).unwrap();
    s.run("okta-aws", &["login"]).success();
    // Kill points spread over a little more than one whole `login --force`, measured here:
    // on a loaded machine a login takes longer, and a fixed window would never see one end.
    let started = std::time::Instant::now();
    s.run("okta-aws", &["login", "--force"]).success();
    // Load can rise after that measure: while no kill has landed after a write, the window
    // doubles every ten kills, so the test checks whole writes instead of failing on load.
    let mut window_ms = (started.elapsed().as_millis() as u64 * 5 / 4).max(20);
    let mut previous = std::fs::read_to_string(s.credentials_file()).unwrap();
    let mut changed = 0;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut kills = 0;
    while kills < 40 || changed == 0 {
        assert!(
            kills < 100,
            "no login ended within {window_ms} ms in 100 tries"
        );
        kills += 1;
        if changed == 0 && kills % 10 == 0 {
            window_ms *= 2;
        }
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = s
            .command("okta-aws", &["login", "--force"])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(seed % window_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = std::fs::read_to_string(s.credentials_file()).unwrap();
        if now != previous {
            changed += 1;
            assert!(now.starts_with(prelude), "{now}");
            let ours = &now[prelude.len()..];
            assert!(ours.starts_with("[111111111111/Developer]\n"), "{ours}");
            for key in [
                "aws_access_key_id",
                "aws_secret_access_key",
                "aws_session_token",
                "x_security_token_expires",
            ] {
                assert_eq!(ours.matches(key).count(), 1, "{key} in {ours}");
            }
            assert_eq!(
                now.lines().count(),
                previous.lines().count(),
                "same shape:\n{now}"
            );
            previous = now;
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(s.home().join(".aws"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "credentials" && n != ".credentials.lock")
        .collect();
    assert!(
        leftovers.len() <= 1,
        "at most one stray temporary file from a kill mid-write: {leftovers:?}"
    );
}
