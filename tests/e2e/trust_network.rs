//! The network half of the trust rules: redirects stay within the org's origin, cookies
//! stay bound to it, every call has a deadline, bodies have a size limit, server text never
//! reaches the terminal as escapes, and corporate CA bundles and proxies work.

use fake_okta::{Hostile, Redirect, RedirectTo};

use crate::harness::*;

const CODE: &str = "123456";

fn hostile_sandbox(hostile: Hostile) -> Sandbox {
    let user = user_with(vec![Factor::totp("GOOGLE", CODE)]);
    let mut s = Sandbox::new(Scenario {
        hostile,
        ..scenario(user, two_roles())
    });
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"))
        .set("OKTA_MFA_CODE", Some(CODE));
    s
}

/// Nothing that is a secret of the login reached the recorder (the other origin).
#[track_caller]
fn recorder_got_no_secret(s: &Sandbox) {
    for request in s.okta.recorded() {
        for secret in [
            PASSWORD,
            CODE,
            "sid=",
            "DT=",
            "stateToken",
            "onetimetoken",
            "token=",
        ] {
            assert!(
                !request.contains(secret),
                "{secret:?} reached the other origin: {request:?}"
            );
        }
    }
}

#[test]
fn redirects_to_another_origin_are_not_followed() {
    let cases = [
        (307, RedirectTo::RecorderByPort),
        (308, RedirectTo::RecorderByHost),
        (302, RedirectTo::RecorderByPort),
    ];
    for (status, to) in cases {
        let redirect = Some(Redirect::new(status, to));
        for hostile in [
            Hostile {
                authn_redirect: redirect.clone(),
                ..Hostile::default()
            },
            Hostile {
                verify_redirect: redirect.clone(),
                ..Hostile::default()
            },
            Hostile {
                app_link_redirect: redirect.clone(),
                ..Hostile::default()
            },
        ] {
            let s = hostile_sandbox(hostile.clone());
            let run = s.run("okta-aws", &["login"]);
            run.fails_with("redirected to another origin");
            assert!(
                s.okta.recorded().is_empty(),
                "{hostile:?}: the other origin was called: {:?}",
                s.okta.recorded()
            );
            recorder_got_no_secret(&s);
            assert!(!s.credentials_file().exists());
        }
    }
}

#[test]
fn a_redirect_loop_within_the_org_ends_after_a_few_hops() {
    let s = hostile_sandbox(Hostile {
        app_link_redirect: Some(Redirect::new(302, RedirectTo::Loop)),
        ..Hostile::default()
    });
    s.run("okta-aws", &["login"])
        .fails_with("redirected more than");
    let hops = s.okta.count("GET", "/home/amazon_aws/");
    assert!((2..=10).contains(&hops), "{hops} requests to the app link");
}

#[test]
fn no_referer_is_ever_sent() {
    // The app link's redirects within the org carry the one-time token in their query:
    // reqwest would name the previous URL in `Referer`.
    let s = hostile_sandbox(Hostile {
        app_link_redirect: Some(Redirect::new(302, RedirectTo::Loop)),
        ..Hostile::default()
    });
    s.run("okta-aws", &["login"]);
    let requests = s.okta.requests();
    assert!(requests.len() > 3, "{requests:?}");
    for request in requests {
        assert_eq!(request.referer, None, "{request:?}");
    }
}

#[test]
fn the_cached_okta_session_never_leaves_the_orgs_origin() {
    let mut s = hostile_sandbox(Hostile::default());
    s.run("okta-aws", &["login"]).success();
    // The cached AWS session no longer serves: the next login reuses the Okta session's
    // cookies from the cache, and the app link now points elsewhere.
    s.set("OKTA_AWS_MIN_TTL", Some("4000"));
    for to in [RedirectTo::RecorderByPort, RedirectTo::RecorderByHost] {
        s.okta.update(|scenario| {
            scenario.hostile.app_link_redirect = Some(Redirect::new(302, to));
        });
        s.run("okta-aws", &["exec", "--", "true"])
            .fails_with("redirected to another origin");
        assert!(s.okta.recorded().is_empty(), "{:?}", s.okta.recorded());
    }
    let app_link = s.okta.requests();
    let reused = app_link.last().unwrap();
    assert!(
        reused.had_session_cookie,
        "the cached sid went to the org: {reused:?}"
    );
}

/// Run `command` detached; a run that outlives `guard` is killed and fails the test (a
/// guard against a hang, not a timing assertion: the deadlines under test are seconds).
fn run_guarded(mut command: std::process::Command, guard: std::time::Duration) -> Run {
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: setsid is async-signal-safe; no terminal, as in CI.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let mut child = command.spawn().unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > guard {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "still running after {guard:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Run(child.wait_with_output().unwrap())
}

const HANG_GUARD: std::time::Duration = std::time::Duration::from_secs(120);

#[test]
fn a_stuck_sts_ends_the_login_and_frees_the_profile() {
    let blackhole = fake_okta::Blackhole::start();
    let mut s = hostile_sandbox(Hostile::default());
    s.set("AWS_ENDPOINT_URL_STS", Some(&blackhole.url()))
        .set("OKTA_AWS_HTTP_TIMEOUT", Some("2"));
    let run = run_guarded(s.command("okta-aws", &["login"]), HANG_GUARD);
    run.fails_with("AWS STS did not answer within 2 s");
    assert_eq!(
        run.stderr().lines().count(),
        2,
        "cause and hint: {}",
        run.stderr()
    );
    assert!(blackhole.connections() >= 1, "STS was called");
    assert!(!s.credentials_file().exists());
    // The profile's lock went with the process: the next login runs at once.
    s.set("AWS_ENDPOINT_URL_STS", None);
    run_guarded(s.command("okta-aws", &["login"]), HANG_GUARD).success();
}

#[test]
fn a_stuck_okta_ends_the_login() {
    let mut s = hostile_sandbox(Hostile {
        blackhole_paths: vec!["/api/v1/authn".to_string()],
        ..Hostile::default()
    });
    s.set("OKTA_AWS_HTTP_TIMEOUT", Some("1"));
    run_guarded(s.command("okta-aws", &["login"]), HANG_GUARD)
        .fails_with("did not answer within 1 s");
}

#[test]
fn a_stuck_iam_is_a_warning() {
    let blackhole = fake_okta::Blackhole::start();
    let arn = "arn:aws:iam::400000000077:role/Ops";
    let mut s = Sandbox::new(scenario(
        user_with(vec![]),
        vec![SamlRole::new(arn, &provider_for(arn))],
    ));
    s.set("AWS_ENDPOINT_URL_IAM", Some(&blackhole.url()))
        .set("OKTA_AWS_HTTP_TIMEOUT", Some("2"));
    let run = run_guarded(s.command("okta-aws", &["login"]), HANG_GUARD);
    run.success();
    assert!(
        run.stderr().contains("warning") && run.stderr().contains("no answer within 2 s"),
        "{}",
        run.stderr()
    );
    assert!(blackhole.connections() >= 1, "IAM was called");
}

#[test]
fn a_bad_deadline_is_named() {
    let mut s = hostile_sandbox(Hostile::default());
    s.set("OKTA_AWS_HTTP_TIMEOUT", Some("0"));
    s.run("okta-aws", &["login"])
        .fails_with("OKTA_AWS_HTTP_TIMEOUT");
    assert!(s.okta.requests().is_empty());
}

/// The cached session's file, wherever the cache keeps it.
fn session_file(s: &Sandbox) -> std::path::PathBuf {
    let mut dirs = vec![s.home().join(".okta/cache")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.file_name().is_some_and(|n| n == "top.session.json") {
                return path;
            }
        }
    }
    panic!("no cached session");
}

#[test]
fn an_absurd_cached_expiry_is_a_miss_not_a_panic() {
    let s = hostile_sandbox(Hostile::default());
    s.run("okta-aws", &["login"]).success();
    let file = session_file(&s);
    for absurd in ["253402300799", "253402300800", "18446744073709551615"] {
        let mut json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        json["credentials"]["expires_at"] = serde_json::from_str(absurd).unwrap();
        std::fs::write(&file, json.to_string()).unwrap();
        for args in [&["status"][..], &["roles"], &["env"]] {
            let run = s.run("okta-aws", args);
            assert!(
                !run.stderr().contains("panicked"),
                "{args:?}: {}",
                run.stderr()
            );
            assert_ne!(run.code(), 101, "{args:?}");
        }
        // `env` took it for a miss and logged in again: the file holds AWS's expiry now.
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let expires_at = json["credentials"]["expires_at"].as_u64().unwrap();
        assert!(expires_at < 4_000_000_000, "{absurd}: still {expires_at}");
    }
}

/// Run to the end, with the peak memory (bytes) the process itself used.
// The child is reaped by wait4, which std does not know of.
#[allow(clippy::zombie_processes)]
fn run_measured(mut command: std::process::Command) -> (Run, u64) {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        out.read_to_end(&mut v).unwrap();
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        err.read_to_end(&mut v).unwrap();
        v
    });
    let mut status = 0;
    // SAFETY: plain FFI; the rusage is written by the kernel. wait4 reaps this child only
    // and reports its own peak RSS (not that of the test's other children).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    assert_eq!(unsafe { libc::wait4(pid, &mut status, 0, &mut usage) }, pid);
    let output = std::process::Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    (Run(output), usage.ru_maxrss as u64 * 1024)
}

const HUGE: u64 = 1 << 30;
const MEMORY_CEILING: u64 = 200 << 20;

#[test]
fn huge_okta_answers_are_refused_unread() {
    use fake_okta::{HugeAt, HugeBody};
    for at in [HugeAt::Authn, HugeAt::AppLink, HugeAt::SamlResponse] {
        for content_length in [true, false] {
            let s = hostile_sandbox(Hostile {
                huge_body: Some(HugeBody {
                    at,
                    bytes: HUGE,
                    content_length,
                }),
                ..Hostile::default()
            });
            let (run, peak) = run_measured(s.command("okta-aws", &["login"]));
            run.fails_with("larger than 8 MiB");
            assert!(peak < MEMORY_CEILING, "{at:?}: {peak} bytes held");
        }
    }
}

#[test]
fn huge_sts_answers_are_refused_unread() {
    use fake_okta::{HugeAt, HugeBody};
    let huge_sts = FakeOkta::start(Scenario {
        hostile: Hostile {
            huge_body: Some(HugeBody {
                at: HugeAt::Everything,
                bytes: HUGE,
                content_length: false,
            }),
            ..Hostile::default()
        },
        ..Scenario::default()
    });
    let mut s = hostile_sandbox(Hostile::default());
    s.set("AWS_ENDPOINT_URL_STS", Some(&huge_sts.base_url()));
    let (run, peak) = run_measured(s.command("okta-aws", &["login"]));
    run.fails_with("larger than 8 MiB");
    assert!(peak < MEMORY_CEILING, "{peak} bytes held");
}

const ESCAPES: &str = "\x1b]0;owned\x07\x1b[31m\u{9b}2J\nhint: [default]";

#[track_caller]
fn no_escapes(what: &str, text: &str) {
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{what}: control characters reach the terminal: {text:?}"
    );
}

#[test]
fn okta_error_texts_reach_the_terminal_without_escapes() {
    let s = Sandbox::new(Scenario {
        hostile: Hostile {
            error_text: Some(ESCAPES.to_string()),
            ..Hostile::default()
        },
        ..scenario(User::new(LOGIN, "not the password"), two_roles())
    });
    let run = s.run("okta-aws", &["login"]);
    run.fails_with("Okta refused");
    no_escapes("errorSummary", &run.stderr());
    assert!(run.stderr().contains("]0;owned"), "{}", run.stderr());
    assert_eq!(run.stderr().lines().count(), 2, "{}", run.stderr());
}

#[test]
fn account_names_and_role_names_reach_the_terminal_without_escapes() {
    use fake_okta::SigninPage;
    // ESC is not allowed in XML (moto refuses the assertion); a C1 CSI is.
    let evil_role = "arn:aws:iam::333333333333:role/Evil\u{9b}2J";
    let mut roles = two_roles();
    roles.push(SamlRole::new(evil_role, &provider_for(evil_role)));
    let mut sc = scenario(user_with(vec![]), roles);
    sc.signin_page = SigninPage::NextData;
    sc.account_names = vec![("222222222222".to_string(), format!("acme{ESCAPES}"))];
    let s = Sandbox::new(sc);
    // A glob by alias: the names are fetched.
    let run = s.run("okta-aws", &["login", "--role", "acme*/Admin"]);
    run.success();
    no_escapes("login", &run.stderr());
    // (A glob's login caches no session for `roles` yet: issue 10, item 4.)
    let run = s.run("okta-aws", &["exec", "--role", "Admin", "--", "true"]);
    run.success();
    no_escapes("exec", &run.stderr());
    for args in [&["status"][..], &["roles"], &["roles", "--json"]] {
        let run = s.run("okta-aws", args);
        run.success();
        no_escapes("stdout", &run.stdout());
        no_escapes("stderr", &run.stderr());
        assert!(!run.stdout().contains("Evil"), "{}", run.stdout());
    }
    let roles = s.run("okta-aws", &["roles", "--json"]).stdout();
    assert!(
        roles.contains("acme]0;owned"),
        "the alias, cleaned: {roles}"
    );
}

#[test]
fn aws_ca_bundle_is_trusted_for_okta_and_aws_alike() {
    use crate::tls_front::TestCa;
    let ca = TestCa::new();
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    let okta = ca.front(&s.okta.base_url());
    let sts = ca.front(moto_url());
    let app_path = s.okta.app_url().replace(&s.okta.base_url(), "");
    s.set("OKTA_ORG", Some(&okta))
        .set("OKTA_AWS_APP_URL", Some(&format!("{okta}{app_path}")))
        .set("AWS_ENDPOINT_URL", Some(&sts))
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));

    // Without the bundle, the test CA is trusted by nothing.
    s.run("okta-aws", &["login"]).fails_with("Okta");
    assert_eq!(s.okta.requests().len(), 0, "no request got through TLS");

    let bundle = s.dir.path().join("corporate-ca.pem");
    // A bundle of several certificates, ours among them, as corporate bundles are.
    let other = TestCa::new();
    std::fs::write(&bundle, format!("{}{}", other.ca_pem, ca.ca_pem)).unwrap();
    s.set("AWS_CA_BUNDLE", Some(&bundle.display().to_string()));
    s.run("okta-aws", &["login", "--force"]).success();
    let text = std::fs::read_to_string(s.credentials_file()).unwrap();
    assert!(text.contains("aws_session_token"), "{text}");

    // AWS alone, without the bundle: STS over TLS is refused.
    let (plain_org, plain_app) = (s.okta.base_url(), s.okta.app_url());
    s.set("AWS_CA_BUNDLE", None)
        .set("OKTA_ORG", Some(&plain_org))
        .set("OKTA_AWS_APP_URL", Some(&plain_app));
    s.run("okta-aws", &["login", "--force"])
        .fails_with("cannot reach AWS STS");
}

#[test]
fn a_bad_ca_bundle_is_named() {
    let mut s = hostile_sandbox(Hostile::default());
    let bundle = s.dir.path().join("not-a-bundle.pem");
    std::fs::write(&bundle, "no certificate here\n").unwrap();
    s.set("AWS_CA_BUNDLE", Some(&bundle.display().to_string()));
    s.run("okta-aws", &["login"])
        .fails_with("holds no PEM certificate");
    s.set("AWS_CA_BUNDLE", Some("/nonexistent/ca.pem"));
    s.run("okta-aws", &["login"])
        .fails_with("cannot read AWS_CA_BUNDLE");
}

#[test]
fn proxies_from_the_environment_are_used_and_no_proxy_is_honoured() {
    let mut s = hostile_sandbox(Hostile::default());
    // The recorder plays the proxy: it receives Okta's requests, and answers nonsense.
    let proxy = s.okta.recorder_url();
    s.set("HTTP_PROXY", Some(&proxy))
        .set("HTTPS_PROXY", Some(&proxy));
    let run = s.run("okta-aws", &["login"]);
    assert_eq!(run.code(), 1, "{}", run.stderr());
    assert!(
        !s.okta.recorded().is_empty(),
        "the proxy was not used: {}",
        run.stderr()
    );
    assert!(s.okta.requests().is_empty(), "Okta was called directly");
    // NO_PROXY: loopback goes direct, and the login works.
    s.set("NO_PROXY", Some("127.0.0.1,localhost"));
    s.run("okta-aws", &["login"]).success();
}
