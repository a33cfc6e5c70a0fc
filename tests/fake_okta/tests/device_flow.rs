//! The Identity Engine side of the fake: device authorization, the token endpoint's two
//! grants, and `/login/token/sso`, over real HTTP.

mod common;

use common::{assertion_from_page, get, post_form};
use fake_okta::{DeviceFlow, DeviceOutcome, FakeOkta, SamlRole, Scenario, User};

const CLIENT: &str = "0oaclient";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

fn okta(flow: DeviceFlow) -> FakeOkta {
    FakeOkta::start(Scenario {
        users: vec![User::new("ann@example.com", "pw")],
        roles: vec![SamlRole::new(
            "arn:aws:iam::111111111111:role/Developer",
            "arn:aws:iam::111111111111:saml-provider/Okta",
        )],
        device_flow: Some(flow),
        ..Scenario::default()
    })
}

fn authorize(okta: &FakeOkta) -> String {
    let answer = post_form(
        &format!("{}/oauth2/v1/device/authorize", okta.base_url()),
        &[("client_id", CLIENT), ("scope", "openid okta.apps.sso")],
    );
    assert_eq!(answer.status, 200, "{}", answer.body);
    let json = answer.json();
    assert_eq!(json["interval"], 1);
    assert!(
        json["verification_uri_complete"]
            .as_str()
            .unwrap()
            .contains("user_code=")
    );
    json["device_code"].as_str().unwrap().to_string()
}

fn poll(okta: &FakeOkta, device_code: &str) -> common::Answer {
    post_form(
        &format!("{}/oauth2/v1/token", okta.base_url()),
        &[
            ("client_id", CLIENT),
            ("device_code", device_code),
            ("grant_type", DEVICE_GRANT),
        ],
    )
}

fn error_of(answer: &common::Answer) -> String {
    answer.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn slow_down_then_pending_then_tokens_then_a_web_sso_session() {
    let okta = okta(DeviceFlow {
        slow_down_first: true,
        pending_polls: 1,
        ..DeviceFlow::approved(CLIENT)
    });
    let code = authorize(&okta);
    assert_eq!(error_of(&poll(&okta, &code)), "slow_down");
    assert_eq!(error_of(&poll(&okta, &code)), "authorization_pending");
    let tokens = poll(&okta, &code);
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    let tokens = tokens.json();
    // The device code is used up.
    assert_eq!(error_of(&poll(&okta, &code)), "invalid_grant");

    let exchange = |audience: &str, subject: &str| {
        post_form(
            &format!("{}/oauth2/v1/token", okta.base_url()),
            &[
                ("client_id", CLIENT),
                (
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:token-exchange",
                ),
                ("actor_token", tokens["access_token"].as_str().unwrap()),
                (
                    "actor_token_type",
                    "urn:ietf:params:oauth:token-type:access_token",
                ),
                ("subject_token", subject),
                (
                    "subject_token_type",
                    "urn:ietf:params:oauth:token-type:id_token",
                ),
                (
                    "requested_token_type",
                    "urn:okta:oauth:token-type:web_sso_token",
                ),
                ("audience", audience),
            ],
        )
    };
    let id_token = tokens["id_token"].as_str().unwrap();
    assert_eq!(
        error_of(&exchange("urn:okta:apps:0oaother", id_token)),
        "invalid_target"
    );
    assert_eq!(
        error_of(&exchange("urn:okta:apps:0oa1fakeawsapp", "forged")),
        "invalid_grant"
    );
    let sso = exchange("urn:okta:apps:0oa1fakeawsapp", id_token);
    assert_eq!(sso.status, 200, "{}", sso.body);
    let sso_token = sso.json()["access_token"].as_str().unwrap().to_string();

    let url = format!("{}/login/token/sso?token={sso_token}", okta.base_url());
    let page = get(&url, None);
    assert_eq!(page.status, 200);
    assert!(page.cookie("sid").is_some(), "a session starts");
    assert!(assertion_from_page(&page.body).contains("ann@example.com"));
    assert_eq!(get(&url, None).status, 403, "the token is one-time");
}

#[test]
fn unknown_clients_denials_and_expiry_are_oauth_errors() {
    let denied = okta(DeviceFlow {
        pending_polls: 0,
        outcome: DeviceOutcome::Deny,
        ..DeviceFlow::approved(CLIENT)
    });
    let wrong = post_form(
        &format!("{}/oauth2/v1/device/authorize", denied.base_url()),
        &[("client_id", "0oawrong"), ("scope", "openid okta.apps.sso")],
    );
    assert_eq!(
        (wrong.status, error_of(&wrong)),
        (401, "invalid_client".to_string())
    );
    let no_scope = post_form(
        &format!("{}/oauth2/v1/device/authorize", denied.base_url()),
        &[("client_id", CLIENT), ("scope", "openid")],
    );
    assert_eq!(error_of(&no_scope), "invalid_scope");
    let code = authorize(&denied);
    assert_eq!(error_of(&poll(&denied, &code)), "access_denied");

    let expired = okta(DeviceFlow {
        pending_polls: 0,
        outcome: DeviceOutcome::Expire,
        ..DeviceFlow::approved(CLIENT)
    });
    let code = authorize(&expired);
    assert_eq!(error_of(&poll(&expired, &code)), "expired_token");
}
