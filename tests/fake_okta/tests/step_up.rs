//! The Classic AWS app that asks for its own MFA (step-up), and the app link that starts the
//! Okta session by itself (the three-round-trip login).

mod common;

use common::{Answer, assertion_from_page, get, post, title};
use fake_okta::{AppPage, Factor, FakeOkta, Scenario, User};
use serde_json::{Value, json};

const LOGIN: &str = "ann@example.com";

fn okta(user: User, app_page: AppPage) -> FakeOkta {
    FakeOkta::start(Scenario {
        users: vec![user],
        app_page,
        ..Scenario::default()
    })
}

fn authn(okta: &FakeOkta, body: &Value) -> Value {
    post(&format!("{}/api/v1/authn", okta.base_url()), body).json()
}

/// A sessionToken after password and TOTP.
fn session_token(okta: &FakeOkta) -> String {
    let mfa = authn(okta, &json!({"username": LOGIN, "password": "pw"}));
    let done = verify(&mfa, "123456");
    done["sessionToken"]
        .as_str()
        .expect("sessionToken")
        .to_string()
}

fn verify(transaction: &Value, code: &str) -> Value {
    let href = transaction["_embedded"]["factors"][0]["_links"]["verify"]["href"]
        .as_str()
        .unwrap_or_else(|| panic!("no factor in {transaction}"));
    post(
        href,
        &json!({"stateToken": transaction["stateToken"], "passCode": code}),
    )
    .json()
}

fn state_token(page: &Answer) -> String {
    let marker = "var stateToken = '";
    let start = page.body.find(marker).expect("stateToken") + marker.len();
    page.body[start..start + page.body[start..].find('\'').unwrap()].to_string()
}

#[test]
fn the_app_link_with_a_one_time_token_starts_the_session_itself() {
    let okta = okta(
        User::new(LOGIN, "pw").with_factor(Factor::totp("OKTA", "123456")),
        AppPage::Saml,
    );
    let token = session_token(&okta);
    let page = get(
        &format!("{}?onetimetoken={token}", okta.app_url()),
        Some("DT=mydevice"),
    );
    assert_eq!(page.status, 200);
    assert!(assertion_from_page(&page.body).contains(LOGIN));
    let sid = page.cookie("sid").expect("sid");
    assert_eq!(
        page.cookie("DT").as_deref(),
        Some("mydevice"),
        "the device token is kept"
    );
    let cookie_line = page
        .set_cookies()
        .into_iter()
        .find(|line| line.starts_with("sid="))
        .unwrap()
        .to_string();
    assert!(cookie_line.contains("Path=/") && !cookie_line.contains("Secure"));

    // The session's expiry, from the cookie alone; a cookie-only fetch starts no new session.
    let me = get(
        &format!("{}/api/v1/sessions/me", okta.base_url()),
        Some(&format!("sid={sid}")),
    )
    .json();
    assert!(me["expiresAt"].as_str().unwrap().ends_with('Z'));
    let again = get(&okta.app_url(), Some(&format!("sid={sid}")));
    assert_eq!((again.status, again.set_cookies().len()), (200, 0));
    let without_device = get(
        &format!("{}?onetimetoken={}", okta.app_url(), session_token(&okta)),
        None,
    );
    assert!(without_device.cookie("DT").unwrap().starts_with("DI"));
}

#[test]
fn the_step_up_continues_to_mfa_then_back_to_the_app() {
    let okta = okta(
        User::new(LOGIN, "pw").with_factor(Factor::totp("OKTA", "123456")),
        AppPage::StepUp,
    );
    let first = get(
        &format!("{}?onetimetoken={}", okta.app_url(), session_token(&okta)),
        None,
    );
    assert_eq!(title(&first.body), "Acme - Extra Verification");
    let sid = first.cookie("sid").expect("the session started anyway");
    let cookie = format!("sid={sid}");
    let state = state_token(&first);

    let mfa = authn(&okta, &json!({ "stateToken": state }));
    assert_eq!(mfa["status"], "MFA_REQUIRED");
    assert_eq!(mfa["type"], "SESSION_STEP_UP");
    assert_eq!(mfa["_embedded"]["target"]["type"], "APP");
    assert_eq!(mfa["stateToken"], state.as_str());
    let wrong = post(
        mfa["_embedded"]["factors"][0]["_links"]["verify"]["href"]
            .as_str()
            .unwrap(),
        &json!({"stateToken": state, "passCode": "000000"}),
    );
    assert_eq!(wrong.status, 403);
    let done = verify(&mfa, "123456");
    assert_eq!(
        (done["status"].as_str(), done["type"].as_str()),
        (Some("SUCCESS"), Some("SESSION_STEP_UP"))
    );
    assert_eq!(done["sessionToken"], Value::Null);
    let next = &done["_links"]["next"];
    assert_eq!(
        (next["name"].as_str(), next["hints"]["allow"][0].as_str()),
        (Some("original"), Some("GET"))
    );
    let next = next["href"].as_str().unwrap();
    assert_eq!(
        next,
        format!(
            "{}/login/step-up/redirect?stateToken={state}",
            okta.base_url()
        )
    );

    // Still the step-up page until the browser session follows the link.
    assert_eq!(
        title(&get(&okta.app_url(), Some(&cookie)).body),
        "Acme - Extra Verification"
    );
    let without_cookie = get(next, None);
    assert_eq!(without_cookie.status, 302);
    assert!(
        without_cookie
            .header("Location")
            .unwrap()
            .contains("/login/login.htm")
    );
    // That used the link up; a new step-up does it right.
    let page = get(&okta.app_url(), Some(&cookie));
    let state = state_token(&page);
    let mfa = authn(&okta, &json!({ "stateToken": state }));
    let done = verify(&mfa, "123456");
    let back = get(
        done["_links"]["next"]["href"].as_str().unwrap(),
        Some(&cookie),
    );
    assert_eq!(back.status, 302);
    assert_eq!(back.header("Location"), Some(okta.app_url().as_str()));

    let saml = get(&okta.app_url(), Some(&cookie));
    assert_eq!(saml.status, 200);
    assert!(assertion_from_page(&saml.body).contains(LOGIN));
    // Another session has not stepped up.
    let other = get(
        &format!("{}?onetimetoken={}", okta.app_url(), session_token(&okta)),
        None,
    );
    assert_eq!(title(&other.body), "Acme - Extra Verification");
}

#[test]
fn a_push_step_up_and_one_for_a_user_without_factors() {
    let okta = okta(
        User::new(LOGIN, "pw").with_factor(Factor::push(1, None, fake_okta::PushOutcome::Approve)),
        AppPage::StepUp,
    );
    let token = authn(&okta, &json!({"username": LOGIN, "password": "pw"}));
    let verify_url = token["_embedded"]["factors"][0]["_links"]["verify"]["href"]
        .as_str()
        .unwrap()
        .to_string();
    let mut answer = post(&verify_url, &json!({"stateToken": token["stateToken"]})).json();
    while answer["factorResult"] == "WAITING" {
        answer = post(&verify_url, &json!({"stateToken": token["stateToken"]})).json();
    }
    let page = get(
        &format!(
            "{}?onetimetoken={}",
            okta.app_url(),
            answer["sessionToken"].as_str().unwrap()
        ),
        None,
    );
    let cookie = format!("sid={}", page.cookie("sid").unwrap());
    let state = state_token(&page);
    let mfa = authn(&okta, &json!({ "stateToken": state }));
    let push = mfa["_embedded"]["factors"][0]["_links"]["verify"]["href"]
        .as_str()
        .unwrap()
        .to_string();
    let waiting = post(&push, &json!({ "stateToken": state })).json();
    assert_eq!(waiting["factorResult"], "WAITING");
    assert_eq!(waiting["type"], "SESSION_STEP_UP");
    let done = post(&push, &json!({ "stateToken": state })).json();
    assert_eq!(done["type"], "SESSION_STEP_UP");
    get(
        done["_links"]["next"]["href"].as_str().unwrap(),
        Some(&cookie),
    );
    assert_eq!(get(&okta.app_url(), Some(&cookie)).status, 200);

    let bare = okta_without_factors();
    let page = get(
        &format!("{}?onetimetoken={}", bare.app_url(), {
            authn(&bare, &json!({"username": LOGIN, "password": "pw"}))["sessionToken"]
                .as_str()
                .unwrap()
                .to_string()
        }),
        None,
    );
    let resumed = authn(&bare, &json!({ "stateToken": state_token(&page) }));
    assert_eq!(resumed["status"], "UNAUTHENTICATED");
}

fn okta_without_factors() -> FakeOkta {
    okta(User::new(LOGIN, "pw"), AppPage::StepUp)
}
