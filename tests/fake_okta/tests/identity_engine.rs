//! The Identity Engine features of the fake beyond a first sign-in: the sign-in link as the
//! approval, refresh tokens (rotating or not), revocation, the end of the Okta session, and
//! the web SSO token in a POST body.

mod common;

use common::{Answer, agent, answer, assertion_from_page, get, post_form};
use fake_okta::{
    Approval, DeviceFlow, DeviceOutcome, FakeOkta, OfflineAccess, SamlRole, Scenario, User,
};
use serde_json::Value;

const CLIENT: &str = "0oaclient";
const SCOPES: &str = "openid okta.apps.sso offline_access";

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

fn token_url(okta: &FakeOkta) -> String {
    format!("{}/oauth2/v1/token", okta.base_url())
}

fn authorize(okta: &FakeOkta, scope: &str) -> Answer {
    post_form(
        &format!("{}/oauth2/v1/device/authorize", okta.base_url()),
        &[("client_id", CLIENT), ("scope", scope)],
    )
}

fn poll(okta: &FakeOkta, device_code: &str) -> Answer {
    post_form(
        &token_url(okta),
        &[
            ("client_id", CLIENT),
            ("device_code", device_code),
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ],
    )
}

fn refresh(okta: &FakeOkta, refresh_token: &str) -> Answer {
    post_form(
        &token_url(okta),
        &[
            ("client_id", CLIENT),
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("scope", SCOPES),
        ],
    )
}

fn exchange(okta: &FakeOkta, tokens: &Value) -> Answer {
    post_form(
        &token_url(okta),
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
            ("subject_token", tokens["id_token"].as_str().unwrap()),
            (
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:id_token",
            ),
            (
                "requested_token_type",
                "urn:okta:oauth:token-type:web_sso_token",
            ),
            ("audience", "urn:okta:apps:0oa1fakeawsapp"),
        ],
    )
}

fn error_of(answer: &Answer) -> String {
    answer.json()["error"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn str_at(answer: &Answer, field: &str) -> String {
    answer.json()[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {}", answer.body))
        .to_string()
}

/// Tokens from a sign-in that needs no browser.
fn signed_in(okta: &FakeOkta) -> Value {
    let code = str_at(&authorize(okta, SCOPES), "device_code");
    let tokens = poll(okta, &code);
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    tokens.json()
}

#[test]
fn the_sign_in_waits_for_the_browser_to_open_the_link() {
    let okta = okta(DeviceFlow::approved_in_browser(CLIENT));
    let authorized = authorize(&okta, SCOPES);
    let code = str_at(&authorized, "device_code");
    let link = str_at(&authorized, "verification_uri_complete");
    assert_eq!(
        link,
        format!("{}/activate?user_code=WDJB-MJHT", okta.base_url())
    );
    for _ in 0..3 {
        assert_eq!(error_of(&poll(&okta, &code)), "authorization_pending");
    }

    // A wrong code changes nothing; the link itself (as a browser command opens it) approves.
    let wrong = get(
        &format!("{}/activate?user_code=XXXX-XXXX", okta.base_url()),
        None,
    );
    assert_eq!(wrong.status, 400);
    assert_eq!(error_of(&poll(&okta, &code)), "authorization_pending");
    let page = get(&link, None);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Device activated"), "{}", page.body);
    let tokens = poll(&okta, &code);
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    assert_eq!(okta.count("GET", "/activate"), 2);

    // The code as typed on another device: lower case, no dash, in the page's form.
    let code = str_at(&authorize(&okta, SCOPES), "device_code");
    let typed = post_form(
        &format!("{}/activate", okta.base_url()),
        &[("user_code", "wdjbmjht")],
    );
    assert_eq!(typed.status, 200);
    assert_eq!(poll(&okta, &code).status, 200);
}

#[test]
fn a_denial_in_the_browser_and_an_expiry_without_one() {
    let denied = okta(DeviceFlow {
        outcome: DeviceOutcome::Deny,
        ..DeviceFlow::approved_in_browser(CLIENT)
    });
    let authorized = authorize(&denied, SCOPES);
    let code = str_at(&authorized, "device_code");
    assert_eq!(error_of(&poll(&denied, &code)), "authorization_pending");
    get(&str_at(&authorized, "verification_uri_complete"), None);
    assert_eq!(error_of(&poll(&denied, &code)), "access_denied");

    let expired = okta(DeviceFlow {
        outcome: DeviceOutcome::Expire,
        pending_polls: 1,
        ..DeviceFlow::approved_in_browser(CLIENT)
    });
    let authorized = authorize(&expired, SCOPES);
    let code = str_at(&authorized, "device_code");
    get(&str_at(&authorized, "verification_uri_complete"), None);
    assert_eq!(error_of(&poll(&expired, &code)), "authorization_pending");
    assert_eq!(error_of(&poll(&expired, &code)), "expired_token");
}

#[test]
fn offline_access_is_granted_dropped_or_refused_per_scenario() {
    let granted = okta(DeviceFlow {
        pending_polls: 0,
        offline_access: OfflineAccess::Granted { rotate: true },
        ..DeviceFlow::approved(CLIENT)
    });
    let tokens = signed_in(&granted);
    assert_eq!(tokens["scope"], SCOPES);
    assert!(tokens["refresh_token"].is_string());
    let without = poll(
        &granted,
        &str_at(&authorize(&granted, "openid okta.apps.sso"), "device_code"),
    );
    assert_eq!(
        without.json()["refresh_token"],
        Value::Null,
        "not asked for"
    );

    let dropped = okta(DeviceFlow {
        pending_polls: 0,
        ..DeviceFlow::approved(CLIENT)
    });
    let tokens = signed_in(&dropped);
    assert_eq!(tokens["scope"], "openid okta.apps.sso");
    assert_eq!(tokens["refresh_token"], Value::Null);

    let refused = okta(DeviceFlow {
        offline_access: OfflineAccess::Refused,
        ..DeviceFlow::approved(CLIENT)
    });
    assert_eq!(error_of(&authorize(&refused, SCOPES)), "invalid_scope");
    assert_eq!(authorize(&refused, "openid okta.apps.sso").status, 200);
}

#[test]
fn refresh_tokens_rotate_and_old_ones_stop_working() {
    let okta = okta(DeviceFlow {
        pending_polls: 0,
        offline_access: OfflineAccess::Granted { rotate: true },
        ..DeviceFlow::approved(CLIENT)
    });
    let first = signed_in(&okta);
    let old = first["refresh_token"].as_str().unwrap();
    let renewed = refresh(&okta, old);
    assert_eq!(renewed.status, 200, "{}", renewed.body);
    let new = str_at(&renewed, "refresh_token");
    assert_ne!(new, old);
    assert_ne!(
        str_at(&renewed, "access_token"),
        first["access_token"].as_str().unwrap()
    );
    assert!(renewed.json()["id_token"].is_string());
    assert_eq!(
        (refresh(&okta, old).status, error_of(&refresh(&okta, old))),
        (400, "invalid_grant".to_string())
    );
    assert_eq!(refresh(&okta, &new).status, 200);
    assert_eq!(error_of(&refresh(&okta, "made-up")), "invalid_grant");
}

#[test]
fn kept_refresh_tokens_come_back_until_revoked_or_expired() {
    let okta = okta(DeviceFlow {
        pending_polls: 0,
        offline_access: OfflineAccess::Granted { rotate: false },
        ..DeviceFlow::approved(CLIENT)
    });
    let refresh_token = signed_in(&okta)["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let renewed = refresh(&okta, &refresh_token);
    assert_eq!(str_at(&renewed, "refresh_token"), refresh_token);
    assert_eq!(okta.live_refresh_tokens(), 1);

    let revoke_url = format!("{}/oauth2/v1/revoke", okta.base_url());
    let wrong_client = post_form(
        &revoke_url,
        &[("client_id", "0oaother"), ("token", &refresh_token)],
    );
    assert_eq!(wrong_client.status, 401);
    assert_eq!(okta.live_refresh_tokens(), 1);
    let revoked = post_form(
        &revoke_url,
        &[
            ("client_id", CLIENT),
            ("token", &refresh_token),
            ("token_type_hint", "refresh_token"),
        ],
    );
    assert_eq!((revoked.status, revoked.body.as_str()), (200, ""));
    assert_eq!(okta.live_refresh_tokens(), 0);
    assert_eq!(error_of(&refresh(&okta, &refresh_token)), "invalid_grant");
    // Revoking an unknown token is a success too (nothing leaks).
    assert_eq!(
        post_form(&revoke_url, &[("client_id", CLIENT), ("token", "gone")]).status,
        200
    );
    assert_eq!(okta.count("POST", "/oauth2/v1/revoke"), 3);

    let another = signed_in(&okta)["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    okta.expire_refresh_tokens();
    assert_eq!(error_of(&refresh(&okta, &another)), "invalid_grant");
}

/// POST /login/token/sso with the token in the body.
fn token_sso_post(okta: &FakeOkta, token: &str) -> Answer {
    let response = agent()
        .post(&format!("{}/login/token/sso", okta.base_url()))
        .header("Accept", "text/html")
        .send_form([("token", token)])
        .expect("POST");
    answer(response)
}

#[test]
fn after_the_okta_session_ends_only_refreshed_tokens_get_a_web_sso_token() {
    let okta = okta(DeviceFlow {
        pending_polls: 0,
        offline_access: OfflineAccess::Granted { rotate: true },
        ..DeviceFlow::approved(CLIENT)
    });
    let tokens = signed_in(&okta);
    let sso = exchange(&okta, &tokens);
    assert_eq!(sso.status, 200, "{}", sso.body);
    let page = token_sso_post(&okta, &str_at(&sso, "access_token"));
    assert_eq!(page.status, 200);
    let sid = page.cookie("sid").expect("a session starts");
    assert!(page.cookie("DT").is_some());
    assert!(assertion_from_page(&page.body).contains("ann@example.com"));
    assert_eq!(
        get(&okta.app_url(), Some(&format!("sid={sid}"))).status,
        200
    );

    okta.end_all_sessions();
    assert_eq!(
        get(&okta.app_url(), Some(&format!("sid={sid}"))).status,
        302
    );
    let stale = exchange(&okta, &tokens);
    assert_eq!(error_of(&stale), "invalid_grant");
    assert!(
        stale
            .body
            .contains("session associated with it was terminated")
    );

    let renewed = refresh(&okta, tokens["refresh_token"].as_str().unwrap()).json();
    let sso = exchange(&okta, &renewed);
    assert_eq!(sso.status, 200, "{}", sso.body);
    assert_eq!(
        token_sso_post(&okta, &str_at(&sso, "access_token")).status,
        200
    );
    assert_eq!(okta.sso_tokens_in_url(), 0);
}

#[test]
fn the_web_sso_token_in_the_url_is_counted_or_refused() {
    let okta = okta(DeviceFlow {
        pending_polls: 0,
        ..DeviceFlow::approved(CLIENT)
    });
    let token = str_at(&exchange(&okta, &signed_in(&okta)), "access_token");
    let url = format!("{}/login/token/sso?token={token}", okta.base_url());
    okta.update(|s| s.refuse_sso_token_in_url = true);
    assert_eq!(get(&url, None).status, 400);
    assert_eq!(okta.sso_tokens_in_url(), 1);
    okta.update(|s| s.refuse_sso_token_in_url = false);
    assert_eq!(
        get(&url, None).status,
        200,
        "the refusal left the token usable"
    );
    assert_eq!(okta.sso_tokens_in_url(), 2);
    assert_eq!(token_sso_post(&okta, &token).status, 403, "one-time");
}

#[test]
fn hostile_device_flow_numbers_are_answered_verbatim() {
    let okta = okta(DeviceFlow {
        expires_in: u64::MAX,
        interval: u64::MAX / 2,
        approval: Approval::AfterPolls,
        ..DeviceFlow::approved(CLIENT)
    });
    let authorized = authorize(&okta, SCOPES);
    assert!(
        authorized
            .body
            .contains(&format!("\"expires_in\":{}", u64::MAX))
    );
    assert_eq!(authorized.json()["interval"].as_u64(), Some(u64::MAX / 2));
}
