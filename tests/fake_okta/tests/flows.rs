//! End-to-end flows against the fake, over real HTTP.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::{assertion_from_page, decode_char_refs, delete, get, post, raw_input_value, title};
use fake_okta::{AfterPassword, AppPage, Factor, FakeOkta, PushOutcome, SamlRole, Scenario, User};
use serde_json::{Value, json};

const DEV_ROLE: &str = "arn:aws:iam::111111111111:role/Developer";
const DEV_PROVIDER: &str = "arn:aws:iam::111111111111:saml-provider/Okta";
const ADMIN_ROLE: &str = "arn:aws:iam::222222222222:role/Admin";
const ADMIN_PROVIDER: &str = "arn:aws:iam::222222222222:saml-provider/Okta";

fn scenario(user: User) -> Scenario {
    let mut admin = SamlRole::new(ADMIN_ROLE, ADMIN_PROVIDER);
    admin.provider_first = true;
    Scenario {
        users: vec![user],
        roles: vec![SamlRole::new(DEV_ROLE, DEV_PROVIDER), admin],
        session_duration: Some(3600),
        // AWS's own sign-in page, to check how Okta escapes it (nothing posts to it here).
        acs_url: "https://signin.aws.amazon.com/saml".to_string(),
        ..Scenario::default()
    }
}

fn password_login(okta: &FakeOkta, login: &str, password: &str) -> common::Answer {
    post(
        &format!("{}/api/v1/authn", okta.base_url()),
        &json!({
            "username": login,
            "password": password,
            "options": { "multiOptionalFactorEnroll": false, "warnBeforePasswordExpired": false }
        }),
    )
}

/// A sessionToken for a user without factors.
fn session_token(okta: &FakeOkta) -> String {
    let answer = password_login(okta, "bob@example.com", "pw").json();
    assert_eq!(answer["status"], "SUCCESS");
    answer["sessionToken"]
        .as_str()
        .expect("sessionToken")
        .to_string()
}

fn str_of<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("no string at {pointer} in {value}"))
}

#[test]
fn fake_is_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<FakeOkta>();
}

#[test]
fn totp_wrong_then_right_then_saml_page() {
    let user =
        User::new("alice@example.com", "correct horse").with_factor(Factor::totp("OKTA", "123456"));
    let okta = FakeOkta::start(scenario(user));

    let denied = password_login(&okta, "alice@example.com", "wrong");
    assert_eq!(denied.status, 401);
    assert_eq!(denied.json()["errorCode"], "E0000004");
    assert_eq!(denied.json()["errorCauses"], json!([]));

    let mfa = password_login(&okta, "alice@example.com", "correct horse").json();
    assert_eq!(mfa["status"], "MFA_REQUIRED");
    let factor = &mfa["_embedded"]["factors"][0];
    assert_eq!(factor["factorType"], "token:software:totp");
    assert!(str_of(factor, "/id").starts_with("ost"));
    let verify = str_of(factor, "/_links/verify/href");
    assert!(verify.starts_with(&okta.base_url()), "{verify}");
    assert!(str_of(&mfa, "/_links/cancel/href").ends_with("/api/v1/authn/cancel"));
    let state_token = str_of(&mfa, "/stateToken");

    let wrong = post(
        verify,
        &json!({ "stateToken": state_token, "passCode": "000000" }),
    );
    assert_eq!(wrong.status, 403);
    assert_eq!(wrong.json()["errorCode"], "E0000068");
    assert_eq!(
        wrong.json()["errorCauses"][0]["errorSummary"],
        "Your passcode doesn't match our records. Please try again."
    );

    // okta-awscli sends the code as "answer".
    let done = post(
        verify,
        &json!({ "stateToken": state_token, "answer": "123456" }),
    )
    .json();
    assert_eq!(done["status"], "SUCCESS");
    let token = str_of(&done, "/sessionToken");

    let page = get(&format!("{}?onetimetoken={token}", okta.app_url()), None);
    assert_eq!(page.status, 200);
    assert!(page.cookie("sid").is_some());
    assert!(!page.set_cookies()[0].contains("Secure"));
    assert_eq!(title(&page.body), "Acme - Signing in...");
    assert!(page.body.contains(r#"<form id="appForm" action="https&#x3a;&#x2f;&#x2f;signin.aws.amazon.com&#x2f;saml" method="POST">"#));
    let raw = raw_input_value(&page.body, "SAMLResponse");
    assert!(raw.contains("&#x2b;") || raw.contains("&#x3d;") || raw.contains("&#x2f;"));
    assert!(!raw.contains(['+', '=', '/']));
    assert_eq!(raw_input_value(&page.body, "RelayState"), "");

    let xml = assertion_from_page(&page.body);
    assert!(xml.contains(r#"Destination="https://signin.aws.amazon.com/saml""#));
    assert!(xml.contains(&format!(
        r#"xsi:type="xs:string">{DEV_ROLE},{DEV_PROVIDER}<"#
    )));
    assert!(xml.contains(&format!(">{ADMIN_PROVIDER},{ADMIN_ROLE}<")));
    assert!(xml.contains(r#"Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName""#));
    assert!(xml.contains(">alice@example.com</saml2:NameID>"));
    assert!(xml.contains(">3600</saml2:AttributeValue>"));

    // sessionTokens are one-time.
    let again = get(&format!("{}?onetimetoken={token}", okta.app_url()), None);
    assert_eq!(again.status, 302);
}

#[test]
fn push_waits_twice_with_number_challenge_then_approves() {
    let user = User::new("carol@example.com", "pw").with_factor(Factor::push(
        2,
        Some(42),
        PushOutcome::Approve,
    ));
    let okta = FakeOkta::start(scenario(user));
    let mfa = password_login(&okta, "carol@example.com", "pw").json();
    let factor = &mfa["_embedded"]["factors"][0];
    assert!(str_of(factor, "/id").starts_with("opf"));
    assert_eq!(factor["profile"]["platform"], "IOS");
    let state_token = str_of(&mfa, "/stateToken");
    let mut url = str_of(factor, "/_links/verify/href").to_string();

    for _ in 0..2 {
        let waiting = post(&url, &json!({ "stateToken": state_token })).json();
        assert_eq!(waiting["status"], "MFA_CHALLENGE");
        assert_eq!(waiting["factorResult"], "WAITING");
        assert_eq!(waiting["_links"]["next"]["name"], "poll");
        assert_eq!(
            waiting["_embedded"]["factor"]["_embedded"]["challenge"]["correctAnswer"],
            42
        );
        url = str_of(&waiting, "/_links/next/href").to_string();
    }
    let done = post(&url, &json!({ "stateToken": state_token })).json();
    assert_eq!(done["status"], "SUCCESS");
    assert!(done["sessionToken"].is_string());
    assert_eq!(okta.count("POST", "/api/v1/authn/factors/"), 3);

    // The transaction is over.
    let late = post(&url, &json!({ "stateToken": state_token }));
    assert_eq!(late.status, 401);
    assert_eq!(late.json()["errorCode"], "E0000011");
}

#[test]
fn rejected_push_offers_verify_and_resend() {
    let user =
        User::new("dan@example.com", "pw").with_factor(Factor::push(0, None, PushOutcome::Reject));
    let okta = FakeOkta::start(scenario(user));
    let mfa = password_login(&okta, "dan@example.com", "pw").json();
    let url = str_of(&mfa, "/_embedded/factors/0/_links/verify/href");
    let rejected = post(url, &json!({ "stateToken": mfa["stateToken"] })).json();
    assert_eq!(rejected["factorResult"], "REJECTED");
    assert_eq!(rejected["_links"]["next"]["name"], "verify");
    assert!(str_of(&rejected, "/_links/resend/0/href").ends_with("/verify/resend"));
}

#[test]
fn sms_challenge_resend_and_errors() {
    let user = User::new("erin@example.com", "pw")
        .with_factor(Factor::sms("424242"))
        .with_factor(Factor::question(
            "What is the food you least liked as a child?",
            "broccoli",
        ));
    let okta = FakeOkta::start(scenario(user));
    let mfa = password_login(&okta, "erin@example.com", "pw").json();
    let state_token = mfa["stateToken"].clone();
    assert_eq!(
        mfa["_embedded"]["factors"][1]["profile"]["questionText"],
        "What is the food you least liked as a child?"
    );
    let sms = str_of(&mfa, "/_embedded/factors/0/_links/verify/href");

    let challenge = post(sms, &json!({ "stateToken": state_token })).json();
    assert_eq!(challenge["status"], "MFA_CHALLENGE");
    assert_eq!(challenge["factorResult"], "CHALLENGE");
    assert_eq!(challenge["_links"]["next"]["name"], "verify");
    assert_eq!(challenge["_links"]["resend"][0]["name"], "sms");
    let resend = str_of(&challenge, "/_links/resend/0/href");
    assert_eq!(
        post(resend, &json!({ "stateToken": state_token })).json()["factorResult"],
        "CHALLENGE"
    );
    assert_eq!(okta.count("POST", "/api/v1/authn/factors/"), 2);

    let foreign = format!(
        "{}/api/v1/authn/factors/sms0000000000000000/verify",
        okta.base_url()
    );
    assert_eq!(
        post(&foreign, &json!({ "stateToken": state_token })).status,
        404
    );
    let unknown = post(
        sms,
        &json!({ "stateToken": "00nope", "passCode": "424242" }),
    );
    assert_eq!(unknown.json()["errorCode"], "E0000011");

    let done = post(
        sms,
        &json!({ "stateToken": state_token, "passCode": "424242" }),
    )
    .json();
    assert_eq!(done["status"], "SUCCESS");
}

#[test]
fn password_warn_comes_after_mfa_and_can_be_skipped() {
    let user = User::new("fay@example.com", "pw")
        .after_password(AfterPassword::PasswordWarn)
        .with_factor(Factor::hardware("cccccc"));
    let okta = FakeOkta::start(scenario(user));
    let mfa = password_login(&okta, "fay@example.com", "pw").json();
    assert!(str_of(&mfa, "/_embedded/factors/0/id").starts_with("ykf"));
    let url = str_of(&mfa, "/_embedded/factors/0/_links/verify/href");
    let warn = post(
        url,
        &json!({ "stateToken": mfa["stateToken"], "passCode": "cccccc" }),
    )
    .json();
    assert_eq!(warn["status"], "PASSWORD_WARN");
    assert_eq!(warn["_links"]["next"]["name"], "changePassword");
    let resumed = post(
        &format!("{}/api/v1/authn", okta.base_url()),
        &json!({ "stateToken": warn["stateToken"] }),
    );
    assert_eq!(resumed.json()["status"], "PASSWORD_WARN");
    // Verifying is not allowed in PASSWORD_WARN.
    let not_now = post(
        url,
        &json!({ "stateToken": warn["stateToken"], "passCode": "cccccc" }),
    );
    assert_eq!(not_now.status, 403);
    assert_eq!(not_now.json()["errorCode"], "E0000079");
    let skip = str_of(&warn, "/_links/skip/href");
    assert_eq!(
        post(skip, &json!({ "stateToken": warn["stateToken"] })).json()["status"],
        "SUCCESS"
    );
}

#[test]
fn other_statuses_and_cancel() {
    let okta = FakeOkta::start(Scenario {
        users: vec![
            User::new("locked@example.com", "pw").after_password(AfterPassword::LockedOut),
            User::new("enroll@example.com", "pw").after_password(AfterPassword::MfaEnroll),
            User::new("odd@example.com", "pw")
                .after_password(AfterPassword::Unknown("NEW_STATUS".into())),
        ],
        ..Scenario::default()
    });
    let locked = password_login(&okta, "locked@example.com", "pw").json();
    assert_eq!(locked["status"], "LOCKED_OUT");
    assert_eq!(locked["_links"]["next"]["name"], "unlock");
    let enroll = password_login(&okta, "enroll@example.com", "pw").json();
    assert_eq!(enroll["status"], "MFA_ENROLL");
    assert_eq!(enroll["_embedded"]["factors"][0]["status"], "NOT_SETUP");
    assert!(enroll["_embedded"]["factors"][0]["_links"]["enroll"]["href"].is_string());
    let odd = password_login(&okta, "odd@example.com", "pw").json();
    assert_eq!(odd["status"], "NEW_STATUS");

    let cancel = str_of(&odd, "/_links/cancel/href");
    let cancelled = post(cancel, &json!({ "stateToken": odd["stateToken"] }));
    assert_eq!((cancelled.status, cancelled.json()), (200, json!({})));
    let gone = post(
        &format!("{}/api/v1/authn", okta.base_url()),
        &json!({ "stateToken": odd["stateToken"] }),
    );
    assert_eq!(gone.json()["errorCode"], "E0000011");
}

#[test]
fn rate_limit_answers_429_with_headers() {
    let okta = FakeOkta::start(scenario(User::new("bob@example.com", "pw")));
    okta.rate_limit_next(1);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let limited = password_login(&okta, "bob@example.com", "pw");
    assert_eq!(limited.status, 429);
    assert_eq!(limited.json()["errorCode"], "E0000047");
    assert_eq!(
        limited.json()["errorSummary"],
        "API call exceeded rate limit due to too many requests."
    );
    assert_eq!(limited.header("X-Rate-Limit-Remaining"), Some("0"));
    assert!(limited.header("X-Rate-Limit-Limit").is_some());
    let reset: u64 = limited
        .header("X-Rate-Limit-Reset")
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (now + 1..=now + 3).contains(&reset),
        "reset {reset} now {now}"
    );

    let fine = password_login(&okta, "bob@example.com", "pw");
    assert_eq!(fine.status, 200);
    assert_ne!(fine.header("X-Rate-Limit-Remaining"), Some("0"));
    let statuses: Vec<u16> = okta.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 200]);
}

#[test]
fn sid_cookie_is_reused_until_sessions_end() {
    let okta = FakeOkta::start(scenario(User::new("bob@example.com", "pw")));
    let first = get(
        &format!("{}?onetimetoken={}", okta.app_url(), session_token(&okta)),
        None,
    );
    let sid = first.cookie("sid").expect("sid cookie");
    let cookie = format!("sid={sid}");

    let again = get(&okta.app_url(), Some(&cookie));
    assert_eq!(again.status, 200);
    assert!(assertion_from_page(&again.body).contains("bob@example.com"));
    let last = okta.requests().pop().unwrap();
    assert!(last.had_session_cookie);
    assert_eq!((last.query.as_str(), last.status), ("", 200));

    let me = get(
        &format!("{}/api/v1/sessions/me", okta.base_url()),
        Some(&cookie),
    )
    .json();
    assert_eq!(
        (me["id"].as_str(), me["status"].as_str()),
        (Some(sid.as_str()), Some("ACTIVE"))
    );
    let links = get(
        &format!("{}/api/v1/users/me/appLinks", okta.base_url()),
        Some(&cookie),
    )
    .json();
    assert_eq!(links[0]["linkUrl"], okta.app_url());

    okta.end_all_sessions();
    assert_eq!(get(&okta.app_url(), Some(&cookie)).status, 302);
    assert_eq!(
        get(
            &format!("{}/api/v1/sessions/me", okta.base_url()),
            Some(&cookie)
        )
        .status,
        404
    );
}

#[test]
fn sessions_api_and_cookie_redirect() {
    let okta = FakeOkta::start(scenario(User::new("bob@example.com", "pw")));
    let created = post(
        &format!("{}/api/v1/sessions", okta.base_url()),
        &json!({ "sessionToken": session_token(&okta) }),
    );
    let sid = created.json()["id"].as_str().unwrap().to_string();
    assert_eq!(created.cookie("sid").as_deref(), Some(sid.as_str()));
    let me = format!("{}/api/v1/sessions/me", okta.base_url());
    assert_eq!(delete(&me, &format!("sid={sid}")).status, 204);
    assert_eq!(delete(&me, &format!("sid={sid}")).status, 404);

    let redirect = format!(
        "{}/login/sessionCookieRedirect?token={}&redirectUrl={}",
        okta.base_url(),
        session_token(&okta),
        okta.app_url()
    );
    let answer = get(&redirect, Some("DT=keepme"));
    assert_eq!(answer.status, 302);
    assert_eq!(answer.header("Location"), Some(okta.app_url().as_str()));
    assert_eq!(answer.cookie("DT").as_deref(), Some("keepme"));
    let sid = answer.cookie("sid").unwrap();
    assert_eq!(
        get(&okta.app_url(), Some(&format!("sid={sid}"))).status,
        200
    );
}

#[test]
fn bad_token_redirects_to_sign_in() {
    let okta = FakeOkta::start(scenario(User::new("bob@example.com", "pw")));
    let answer = get(&format!("{}?onetimetoken=bogus", okta.app_url()), None);
    assert_eq!(answer.status, 302);
    let location = answer.header("Location").unwrap();
    assert_eq!(
        location,
        format!(
            "{}/login/login.htm?fromURI=%2Fhome%2Famazon_aws%2F0oa1fakeawsapp%2F272",
            okta.base_url()
        )
    );
    let sign_in = get(location, None);
    assert_eq!(title(&sign_in.body), "Acme - Sign In");
    assert!(
        sign_in.body.contains(r#"name="username""#) && sign_in.body.contains(r#"type="password""#)
    );
    assert_eq!(
        get(&format!("{}/api/v1/nothing", okta.base_url()), None).json()["errorCode"],
        "E0000007"
    );
}

#[test]
fn other_app_pages() {
    let okta = FakeOkta::start(scenario(
        User::new("bob@example.com", "pw").with_factor(Factor::token("RSA", "987654")),
    ));
    let mfa = password_login(&okta, "bob@example.com", "pw").json();
    assert!(str_of(&mfa, "/_embedded/factors/0/id").starts_with("rsa"));
    let url = str_of(&mfa, "/_embedded/factors/0/_links/verify/href");
    let token = post(
        url,
        &json!({ "stateToken": mfa["stateToken"], "passCode": "987654" }),
    )
    .json()["sessionToken"]
        .clone();
    let first = get(
        &format!(
            "{}?onetimetoken={}",
            okta.app_url(),
            token.as_str().unwrap()
        ),
        None,
    );
    let cookie = format!("sid={}", first.cookie("sid").unwrap());

    okta.set_app_page(AppPage::StepUp);
    let step_up = get(&okta.app_url(), Some(&cookie));
    assert_eq!(
        (step_up.status, title(&step_up.body)),
        (200, "Acme - Extra Verification")
    );
    let start = step_up.body.find("var stateToken = '").unwrap() + "var stateToken = '".len();
    let state_token = &step_up.body[start..start + step_up.body[start..].find('\'').unwrap()];
    let resumed = post(
        &format!("{}/api/v1/authn", okta.base_url()),
        &json!({ "stateToken": state_token }),
    )
    .json();
    assert_eq!(resumed["status"], "MFA_REQUIRED");

    okta.set_app_page(AppPage::ServerError);
    let broken = get(&okta.app_url(), Some(&cookie));
    assert_eq!((broken.status, title(&broken.body)), (500, "Acme - Error"));

    okta.set_app_page(AppPage::SignInRedirect);
    assert_eq!(get(&okta.app_url(), Some(&cookie)).status, 302);
}

#[test]
fn decoder_matches_the_encoding() {
    assert_eq!(
        decode_char_refs("https&#x3a;&#x2f;&#x2f;a.b&#x2f;saml"),
        "https://a.b/saml"
    );
}
