//! The hostile modes: redirects to another origin or in a loop, cookie attributes, huge
//! bodies, far-away rate-limit resets, escape sequences in server text, and endpoints that
//! never answer.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{Answer, agent, answer, assertion_from_page, get, post, post_form};
use fake_okta::{
    Blackhole, DeviceFlow, Factor, FakeOkta, Hostile, HugeAt, HugeBody, PushOutcome, Redirect,
    RedirectTo, SamlRole, Scenario, User,
};
use serde_json::json;

const LOGIN: &str = "ann@example.com";
const PASSWORD: &str = "hunter2-secret";
const ESCAPES: &str = "\u{1b}]0;owned\u{7}\u{1b}[31mred\nsecond line";

fn okta(user: User, hostile: Hostile) -> FakeOkta {
    FakeOkta::start(Scenario {
        users: vec![user],
        roles: vec![SamlRole::new(
            "arn:aws:iam::111111111111:role/Developer",
            "arn:aws:iam::111111111111:saml-provider/Okta",
        )],
        hostile,
        ..Scenario::default()
    })
}

fn password_login(okta: &FakeOkta) -> Answer {
    post(
        &format!("{}/api/v1/authn", okta.base_url()),
        &json!({"username": LOGIN, "password": PASSWORD}),
    )
}

#[test]
fn authn_redirects_to_another_port_that_records_what_follows() {
    let okta = okta(
        User::new(LOGIN, PASSWORD),
        Hostile {
            authn_redirect: Some(Redirect::new(307, RedirectTo::RecorderByPort)),
            ..Hostile::default()
        },
    );
    let redirected = password_login(&okta);
    assert_eq!(redirected.status, 307);
    let location = redirected.header("Location").unwrap();
    assert_eq!(location, format!("{}/api/v1/authn", okta.recorder_url()));
    assert_ne!(okta.recorder_url(), okta.base_url());
    assert!(okta.recorded().is_empty(), "nothing followed yet");
    assert_eq!(okta.requests()[0].status, 307);

    // What a client that follows the redirect would send arrives at the recorder.
    let followed = post(location, &json!({"username": LOGIN, "password": PASSWORD}));
    assert_eq!((followed.status, followed.body.as_str()), (200, "{}"));
    let recorded = okta.recorded();
    assert_eq!(recorded.len(), 1);
    assert_eq!(
        (recorded[0].method.as_str(), recorded[0].path.as_str()),
        ("POST", "/api/v1/authn")
    );
    assert!(recorded[0].contains(PASSWORD));
    assert!(!recorded[0].contains("nothing like this"));
}

#[test]
fn verify_redirects_by_host_name_and_the_app_link_loops() {
    let okta = okta(
        User::new(LOGIN, PASSWORD).with_factor(Factor::totp("OKTA", "123456")),
        Hostile {
            verify_redirect: Some(Redirect::new(308, RedirectTo::RecorderByHost)),
            app_link_redirect: Some(Redirect::new(302, RedirectTo::Loop)),
            ..Hostile::default()
        },
    );
    let mfa = password_login(&okta).json();
    assert_eq!(mfa["status"], "MFA_REQUIRED", "authn itself answers");
    let verify = mfa["_embedded"]["factors"][0]["_links"]["verify"]["href"]
        .as_str()
        .unwrap();
    let redirected = post(
        &format!("{verify}?rememberDevice=false"),
        &json!({"stateToken": mfa["stateToken"], "passCode": "123456"}),
    );
    assert_eq!(redirected.status, 308);
    let port = okta.recorder_url().rsplit(':').next().unwrap().to_string();
    let path = verify.strip_prefix(&okta.base_url()).unwrap();
    assert_eq!(
        redirected.header("Location"),
        Some(format!("http://localhost:{port}{path}?rememberDevice=false").as_str())
    );

    let first = get(&format!("{}?onetimetoken=x", okta.app_url()), None);
    let hop1 = first.header("Location").unwrap().to_string();
    assert_eq!(hop1, format!("{}?onetimetoken=x&hop=1", okta.app_url()));
    let hop2 = get(&hop1, None).header("Location").unwrap().to_string();
    assert_eq!(hop2, format!("{}?onetimetoken=x&hop=2", okta.app_url()));
}

#[test]
fn cookies_carry_the_scenario_attributes() {
    let okta = okta(
        User::new(LOGIN, PASSWORD),
        Hostile {
            cookie_attributes: Some("Path=/api; Domain=example.com; Secure; HttpOnly".into()),
            ..Hostile::default()
        },
    );
    let token = password_login(&okta).json()["sessionToken"]
        .as_str()
        .unwrap()
        .to_string();
    let page = get(&format!("{}?onetimetoken={token}", okta.app_url()), None);
    let cookies = page.set_cookies();
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    for line in cookies {
        assert!(
            line.contains("; Path=/api; Domain=example.com; Secure; HttpOnly"),
            "{line}"
        );
    }
}

/// Reads a whole body without keeping it: (bytes, first bytes, last bytes).
fn read_streamed(response: ureq::http::Response<ureq::Body>) -> (u64, String, String) {
    let mut reader = response.into_body().into_reader();
    let mut buffer = vec![0u8; 1 << 16];
    let (mut total, mut head, mut tail) = (0u64, Vec::new(), Vec::new());
    loop {
        let n = reader.read(&mut buffer).expect("read");
        if n == 0 {
            break;
        }
        if head.len() < 300 {
            head.extend_from_slice(&buffer[..n.min(300)]);
        }
        tail.extend_from_slice(&buffer[..n]);
        let keep = tail.len().saturating_sub(100);
        tail.drain(..keep);
        total += n as u64;
    }
    (
        total,
        String::from_utf8_lossy(&head).into_owned(),
        String::from_utf8_lossy(&tail).into_owned(),
    )
}

#[test]
fn huge_bodies_are_streamed_with_or_without_their_length() {
    const SIZE: u64 = 32 << 20;
    let okta = okta(
        User::new(LOGIN, PASSWORD),
        Hostile {
            huge_body: Some(HugeBody {
                at: HugeAt::Authn,
                bytes: SIZE,
                content_length: true,
            }),
            ..Hostile::default()
        },
    );
    let response = agent()
        .post(&format!("{}/api/v1/authn", okta.base_url()))
        .header("Content-Type", "application/json")
        .send(json!({"username": LOGIN, "password": PASSWORD}).to_string())
        .unwrap();
    assert_eq!(
        response.headers()["content-length"].to_str().unwrap(),
        SIZE.to_string()
    );
    let (total, head, tail) = read_streamed(response);
    assert_eq!(total, SIZE);
    assert!(
        head.starts_with(r#"{"status":"SUCCESS""#) && head.contains(r#""sessionToken":"xxx"#),
        "{head}"
    );
    assert!(tail.ends_with(r#"xxx"}"#), "{tail}");

    // 3 GiB announced: the length is there at once, nothing of it is made in advance.
    okta.update(|s| {
        s.hostile.huge_body = Some(HugeBody {
            at: HugeAt::SamlResponse,
            bytes: 3 << 30,
            content_length: true,
        })
    });
    let response = agent().get(&okta.app_url()).call().unwrap();
    assert_eq!(
        response.headers()["content-length"].to_str().unwrap(),
        (3u64 << 30).to_string()
    );
    let mut start = vec![0u8; 4096];
    response
        .into_body()
        .into_reader()
        .read_exact(&mut start)
        .unwrap();
    assert!(
        String::from_utf8_lossy(&start)
            .contains(r#"name="SAMLResponse" type="hidden" value="AAAA"#)
    );

    okta.update(|s| {
        s.hostile.huge_body = Some(HugeBody {
            at: HugeAt::AppLink,
            bytes: 1 << 20,
            content_length: false,
        })
    });
    let response = agent().get(&okta.app_url()).call().unwrap();
    assert!(response.headers().get("content-length").is_none());
    let (total, _, tail) = read_streamed(response);
    assert_eq!(total, 1 << 20);
    assert!(tail.ends_with("--></body></html>"));
}

#[test]
fn rate_limit_resets_far_away_are_sent_verbatim() {
    let okta = okta(
        User::new(LOGIN, PASSWORD),
        Hostile {
            rate_limit_reset: Some("253402300800".into()),
            ..Hostile::default()
        },
    );
    okta.rate_limit_next(1);
    let limited = password_login(&okta);
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("X-Rate-Limit-Reset"), Some("253402300800"));
    let fine = password_login(&okta);
    assert_eq!(fine.status, 200);
    assert_ne!(fine.header("X-Rate-Limit-Reset"), Some("253402300800"));
}

#[test]
fn server_text_carries_escape_sequences_and_newlines() {
    let okta = FakeOkta::start(Scenario {
        users: vec![
            User::new(LOGIN, PASSWORD)
                .with_factor(Factor::push(0, None, PushOutcome::Approve).with_display(ESCAPES))
                .with_factor(Factor::sms("111111").with_display(ESCAPES)),
        ],
        roles: vec![SamlRole::new(
            "arn:aws:iam::111111111111:role/x\n[default]",
            "arn:aws:iam::111111111111:saml-provider/Okta",
        )],
        device_flow: Some(DeviceFlow::approved("0oaclient")),
        hostile: Hostile {
            error_text: Some(ESCAPES.into()),
            ..Hostile::default()
        },
        ..Scenario::default()
    });
    let denied = post(
        &format!("{}/api/v1/authn", okta.base_url()),
        &json!({"username": LOGIN, "password": "wrong"}),
    );
    assert_eq!(denied.status, 401);
    assert_eq!(denied.json()["errorSummary"], ESCAPES);
    assert_eq!(denied.json()["errorCauses"][0]["errorSummary"], ESCAPES);
    assert_eq!(denied.json()["errorCode"], "E0000004", "the rest is kept");
    let oauth = post_form(
        &format!("{}/oauth2/v1/device/authorize", okta.base_url()),
        &[("client_id", "0oawrong"), ("scope", "openid okta.apps.sso")],
    );
    assert_eq!(
        (oauth.status, oauth.json()["error_description"].as_str()),
        (401, Some(ESCAPES))
    );

    let mfa = password_login(&okta).json();
    let factors = &mfa["_embedded"]["factors"];
    assert_eq!(factors[0]["profile"]["name"], ESCAPES);
    assert_eq!(factors[1]["profile"]["phoneNumber"], ESCAPES);
    let push = factors[0]["_links"]["verify"]["href"].as_str().unwrap();
    let token = post(push, &json!({"stateToken": mfa["stateToken"]})).json()["sessionToken"]
        .as_str()
        .unwrap()
        .to_string();
    let page = get(&format!("{}?onetimetoken={token}", okta.app_url()), None);
    assert!(assertion_from_page(&page.body).contains("role/x\n[default],arn:aws:iam"));
}

#[test]
fn blackholed_paths_never_answer_and_the_rest_does() {
    let okta = okta(
        User::new(LOGIN, PASSWORD),
        Hostile {
            blackhole_paths: vec!["/api/v1/authn".into()],
            ..Hostile::default()
        },
    );
    let impatient: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_millis(300)))
        .build()
        .into();
    let stuck = impatient
        .post(&format!("{}/api/v1/authn", okta.base_url()))
        .send(json!({"username": LOGIN, "password": PASSWORD}).to_string());
    assert!(stuck.is_err(), "answered: {stuck:?}");
    let logged = okta.requests();
    assert_eq!(
        (logged[0].path.as_str(), logged[0].status),
        ("/api/v1/authn", 0)
    );
    let answered = answer(impatient.get(&okta.base_url()).call().unwrap());
    assert_eq!(answered.status, 404);
}

#[test]
fn a_blackhole_listener_holds_connections_without_a_word() {
    let blackhole = Blackhole::start();
    let address = blackhole.url().strip_prefix("http://").unwrap().to_string();
    let mut stream = TcpStream::connect(&address).unwrap();
    stream
        .write_all(b"POST / HTTP/1.1\r\nHost: sts\r\nContent-Length: 4\r\n\r\nbody")
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut byte = [0u8; 1];
    let waited = stream.read(&mut byte).unwrap_err();
    assert!(matches!(
        waited.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    ));
    assert_eq!(blackhole.connections(), 1);
    drop(blackhole);
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    // Closed by the drop: end of stream (or a reset), not a timeout.
    match stream.read(&mut byte) {
        Ok(n) => assert_eq!(n, 0),
        Err(err) => assert!(!matches!(
            err.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        )),
    }
}

#[test]
fn a_huge_token_answer_is_a_token_answer_that_never_ends() {
    let okta = FakeOkta::start(Scenario {
        device_flow: Some(DeviceFlow::approved("0oaclient")),
        hostile: Hostile {
            huge_body: Some(HugeBody {
                at: HugeAt::Token,
                bytes: 4 << 20,
                content_length: false,
            }),
            ..Hostile::default()
        },
        ..Scenario::default()
    });
    let response = agent()
        .post(&format!("{}/oauth2/v1/token", okta.base_url()))
        .send_form([("client_id", "0oaclient"), ("grant_type", "refresh_token")])
        .unwrap();
    let (total, head, tail) = read_streamed(response);
    assert_eq!(total, 4 << 20);
    assert!(head.starts_with(r#"{"token_type":"Bearer","expires_in":3600,"access_token":"xxx"#));
    assert!(tail.ends_with(r#"xxx"}"#));
}
