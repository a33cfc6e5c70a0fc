//! The AWS federation endpoint the fake also plays, for `okta-aws console`.

mod common;

use common::{Answer, get};
use fake_okta::{FakeOkta, Scenario};
use serde_json::json;

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn federation(okta: &FakeOkta, params: &[(&str, &str)]) -> Answer {
    let query: Vec<String> = params
        .iter()
        .map(|(key, value)| format!("{key}={}", encode(value)))
        .collect();
    get(
        &format!("{}?{}", okta.federation_url(), query.join("&")),
        None,
    )
}

fn session() -> String {
    json!({
        "sessionId": "ASIAFAKEACCESSKEY01",
        "sessionKey": "fake/secret/key",
        "sessionToken": "FwoGZXIvYXdzEFAKE",
    })
    .to_string()
}

#[test]
fn a_sign_in_token_then_the_login_url() {
    let okta = FakeOkta::start(Scenario::default());
    assert_eq!(
        okta.federation_url(),
        format!("{}/federation", okta.base_url())
    );
    let token = federation(
        &okta,
        &[
            ("Action", "getSigninToken"),
            ("SessionDuration", "43200"),
            ("Session", &session()),
        ],
    );
    assert_eq!(token.status, 200, "{}", token.body);
    assert_eq!(token.header("Content-Type"), Some("application/json"));
    let signin_token = token.json()["SigninToken"].as_str().unwrap().to_string();

    let destination = "https://console.aws.amazon.com/s3/home?region=eu-west-1";
    let login = federation(
        &okta,
        &[
            ("Action", "login"),
            ("Issuer", "okta-aws"),
            ("Destination", destination),
            ("SigninToken", &signin_token),
        ],
    );
    assert_eq!(login.status, 200);
    assert!(
        login
            .body
            .contains("https://console.aws.amazon.com/s3/home?region=eu-west-1"),
        "{}",
        login.body
    );

    let seen = okta.federation_requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].param("Session"), Some(session().as_str()));
    assert_eq!(seen[0].param("SessionDuration"), Some("43200"));
    assert_eq!(
        (
            seen[1].param("Destination"),
            seen[1].param("Issuer"),
            seen[1].status
        ),
        (Some(destination), Some("okta-aws"), 200)
    );
}

#[test]
fn bad_credentials_durations_and_tokens_are_refused_with_400() {
    let okta = FakeOkta::start(Scenario::default());
    let refused = |params: &[(&str, &str)]| {
        let answer = federation(&okta, params);
        assert_eq!(answer.status, 400, "{params:?}: {}", answer.body);
        answer.body
    };
    let body = refused(&[("Action", "getSigninToken")]);
    assert!(body.contains("Invalid credentials parameter"), "{body}");
    refused(&[("Action", "getSigninToken"), ("Session", "not json")]);
    let no_token = json!({"sessionId": "ASIA1", "sessionKey": "k"}).to_string();
    refused(&[("Action", "getSigninToken"), ("Session", &no_token)]);
    for duration in ["899", "43201", "an hour"] {
        refused(&[
            ("Action", "getSigninToken"),
            ("Session", &session()),
            ("SessionDuration", duration),
        ]);
    }
    refused(&[
        ("Action", "login"),
        ("SigninToken", "made-up"),
        ("Destination", "https://console.aws.amazon.com/"),
    ]);
    refused(&[("Action", "nothing")]);

    let token = federation(
        &okta,
        &[("Action", "getSigninToken"), ("Session", &session())],
    )
    .json()["SigninToken"]
        .as_str()
        .unwrap()
        .to_string();
    refused(&[("Action", "login"), ("SigninToken", &token)]);
    refused(&[
        ("Action", "login"),
        ("SigninToken", &token),
        ("Destination", "http://console.aws.amazon.com/"),
    ]);

    okta.update(|s| s.federation_refuses_credentials = true);
    refused(&[("Action", "getSigninToken"), ("Session", &session())]);
    assert!(
        okta.federation_requests()
            .iter()
            .all(|r| r.status == 400 || r.param("Action") == Some("getSigninToken"))
    );
}
