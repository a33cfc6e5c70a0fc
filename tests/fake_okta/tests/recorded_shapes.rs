//! The fake's answers against the answers recorded from real orgs (tests/fixtures/recorded,
//! see SOURCES.md there): same status codes, content types, field names and value types.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::{Answer, get, post, post_form, title};
use fake_okta::{
    AppPage, DeviceFlow, Factor, FakeOkta, Pipeline, SamlRole, Scenario, User, WebSso,
};
use serde_json::{Value, json};

const CLIENT: &str = "0oa4x34ogyC1i1krJ1d7";

fn fixture(path: &str) -> String {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/recorded")
        .join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// One recorded exchange of a go-vcr cassette.
struct Recorded {
    method: String,
    url: String,
    code: u16,
    content_type: String,
    body: String,
}

fn cassette(name: &str) -> Vec<Recorded> {
    let yaml: Value = serde_yaml_ng::from_str(&fixture(&format!("oie/{name}"))).expect("YAML");
    yaml["interactions"]
        .as_array()
        .expect("interactions")
        .iter()
        .map(|i| Recorded {
            method: i["request"]["method"].as_str().unwrap().to_string(),
            url: i["request"]["url"].as_str().unwrap().to_string(),
            code: i["response"]["code"].as_u64().unwrap() as u16,
            content_type: i["response"]["headers"]["Content-Type"][0]
                .as_str()
                .unwrap()
                .to_string(),
            body: i["response"]["body"].as_str().unwrap().to_string(),
        })
        .collect()
}

/// The recorded exchange with this method and URL path.
fn exchange<'a>(recorded: &'a [Recorded], method: &str, path: &str, code: u16) -> &'a Recorded {
    recorded
        .iter()
        .find(|r| r.method == method && r.url.ends_with(path) && r.code == code)
        .unwrap_or_else(|| panic!("no recorded {method} {path} {code}"))
}

/// Every field of a JSON value as `path: type`, arrays' items under `[]`.
fn shape(value: &Value) -> BTreeSet<String> {
    let mut fields = BTreeSet::new();
    collect_shape(value, "", &mut fields);
    fields
}

fn collect_shape(value: &Value, path: &str, fields: &mut BTreeSet<String>) {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(items) => {
            for item in items {
                collect_shape(item, &format!("{path}[]"), fields);
            }
            "array"
        }
        Value::Object(map) => {
            for (key, item) in map {
                collect_shape(item, &format!("{path}/{key}"), fields);
            }
            "object"
        }
    };
    fields.insert(format!("{path}: {kind}"));
}

/// The fake answers like the recording: status, content type and exactly its fields.
fn assert_same_shape(fake: &Answer, recorded: &Recorded) {
    assert_eq!(fake.status, recorded.code, "{}", fake.body);
    assert_eq!(
        fake.header("Content-Type"),
        Some(recorded.content_type.as_str())
    );
    let expected: Value = serde_json::from_str(&recorded.body).unwrap();
    assert_eq!(shape(&fake.json()), shape(&expected), "{}", fake.body);
}

/// The claim names of a JWT, and of its header.
fn jwt_fields(token: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "not a JWT: {token}");
    let decode = |part: &str| -> BTreeSet<String> {
        let json: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap();
        json.as_object().unwrap().keys().cloned().collect()
    };
    (decode(parts[0]), decode(parts[1]))
}

fn identity_engine(flow: DeviceFlow) -> FakeOkta {
    FakeOkta::start(Scenario {
        users: vec![User::new("ann@example.com", "pw").with_factor(Factor::totp("OKTA", "123456"))],
        roles: vec![SamlRole::new(
            "arn:aws:iam::111111111111:role/Developer",
            "arn:aws:iam::111111111111:saml-provider/Okta",
        )],
        device_flow: Some(flow),
        ..Scenario::default()
    })
}

fn authorize(okta: &FakeOkta) -> Answer {
    post_form(
        &format!("{}/oauth2/v1/device/authorize", okta.base_url()),
        &[
            ("client_id", CLIENT),
            ("scope", "openid okta.apps.sso okta.apps.read"),
        ],
    )
}

fn poll(okta: &FakeOkta, device_code: &str) -> Answer {
    post_form(
        &format!("{}/oauth2/v1/token", okta.base_url()),
        &[
            ("client_id", CLIENT),
            ("device_code", device_code),
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ],
    )
}

#[test]
fn the_org_engine_answers_as_recorded_for_both_engines() {
    let recorded = cassette("TestWebSSOAuthIsClassicOrg.yaml");
    let recorded = exchange(&recorded, "GET", "/.well-known/okta-organization", 200);
    let oie = identity_engine(DeviceFlow::approved(CLIENT));
    let answer = get(
        &format!("{}/.well-known/okta-organization", oie.base_url()),
        None,
    );
    assert_same_shape(&answer, recorded);
    assert_eq!(answer.json()["pipeline"], "idx");

    let classic = FakeOkta::start(Scenario::default());
    let answer = get(
        &format!("{}/.well-known/okta-organization", classic.base_url()),
        None,
    );
    assert_same_shape(&answer, recorded);
    assert_eq!(answer.json()["pipeline"], "v1");
    assert_eq!(
        answer.json()["_links"]["organization"]["href"],
        classic.base_url()
    );

    classic.update(|s| s.pipeline = Pipeline::IdentityEngine);
    let url = format!("{}/.well-known/okta-organization", classic.base_url());
    assert_eq!(get(&url, None).json()["pipeline"], "idx");
    classic.update(|s| s.pipeline = Pipeline::NotFound);
    assert_eq!(get(&url, None).status, 404);
}

#[test]
fn the_device_flow_answers_as_recorded() {
    let recorded = cassette("TestWebSSOAuthAccessToken.yaml");
    let okta = identity_engine(DeviceFlow::approved(CLIENT));

    let authorized = authorize(&okta);
    assert_same_shape(
        &authorized,
        exchange(&recorded, "POST", "/oauth2/v1/device/authorize", 200),
    );
    let device_code = authorized.json()["device_code"]
        .as_str()
        .unwrap()
        .to_string();
    assert_same_shape(
        &poll(&okta, &device_code),
        exchange(&recorded, "POST", "/oauth2/v1/token", 400),
    );
    let expected = exchange(&recorded, "POST", "/oauth2/v1/token", 200);
    let tokens = poll(&okta, &device_code);
    assert_same_shape(&tokens, expected);

    // The tokens are JWTs with the recorded header and claim names.
    let recorded_tokens: Value = serde_json::from_str(&expected.body).unwrap();
    for name in ["access_token", "id_token"] {
        assert_eq!(
            jwt_fields(tokens.json()[name].as_str().unwrap()),
            jwt_fields(recorded_tokens[name].as_str().unwrap()),
            "{name}"
        );
    }
    // The scopes asked for are the scopes granted, as recorded.
    assert_eq!(tokens.json()["scope"], recorded_tokens["scope"]);
}

#[test]
fn token_exchange_refusals_are_the_recorded_ones() {
    let recorded: Value = serde_json::from_str(&fixture("oie/token-errors.json")).unwrap();
    let okta = identity_engine(DeviceFlow {
        pending_polls: 0,
        ..DeviceFlow::approved(CLIENT)
    });
    let exchange = |okta: &FakeOkta| {
        let code = authorize(okta).json()["device_code"]
            .as_str()
            .unwrap()
            .to_string();
        let tokens = poll(okta, &code).json();
        move |okta: &FakeOkta| {
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
    };
    let same = |answer: Answer, name: &str| {
        assert_eq!(
            (answer.status, answer.json()),
            (400, recorded[name]["body"].clone()),
            "{name}"
        );
        assert_eq!(answer.header("Content-Type"), Some("application/json"));
    };

    let after_session = exchange(&okta);
    okta.end_all_sessions();
    same(after_session(&okta), "session_terminated");

    okta.update(|s| s.device_flow.as_mut().unwrap().web_sso = WebSso::AssuranceNotMet);
    same(exchange(&okta)(&okta), "assurance_not_met");
}

/// `var stateToken = '…';` of a step-up page.
fn state_token(page: &str) -> String {
    let marker = "var stateToken = '";
    let start = page.find(marker).expect("stateToken") + marker.len();
    page[start..start + page[start..].find('\'').unwrap()].to_string()
}

#[test]
fn the_step_up_page_and_its_success_answer_as_recorded() {
    let recorded_page = fixture("classic/step-up-page.html");
    let recorded_success: Value =
        serde_json::from_str(&fixture("classic/step-up-success.json")).unwrap();
    let okta = FakeOkta::start(Scenario {
        users: vec![User::new("ann@example.com", "pw").with_factor(Factor::totp("OKTA", "123456"))],
        app_page: AppPage::StepUp,
        ..Scenario::default()
    });
    let login = post(
        &format!("{}/api/v1/authn", okta.base_url()),
        &json!({"username": "ann@example.com", "password": "pw"}),
    )
    .json();
    let verify = login["_embedded"]["factors"][0]["_links"]["verify"]["href"]
        .as_str()
        .unwrap()
        .to_string();
    let token = post(
        &verify,
        &json!({"stateToken": login["stateToken"], "passCode": "123456"}),
    )
    .json()["sessionToken"]
        .as_str()
        .unwrap()
        .to_string();

    let page = get(&format!("{}?onetimetoken={token}", okta.app_url()), None);
    assert_eq!(page.header("Content-Type"), Some("text/html;charset=utf-8"));
    let suffix = " - Extra Verification";
    assert!(title(&recorded_page).ends_with(suffix));
    assert!(title(&page.body).ends_with(suffix), "{}", page.body);
    assert!(!state_token(&recorded_page).is_empty());
    let state = state_token(&page.body);

    let mfa = post(
        &format!("{}/api/v1/authn", okta.base_url()),
        &json!({ "stateToken": state }),
    )
    .json();
    assert_eq!(
        (mfa["status"].as_str(), mfa["type"].as_str()),
        (Some("MFA_REQUIRED"), Some("SESSION_STEP_UP"))
    );
    let verify_again = mfa["_embedded"]["factors"][0]["_links"]["verify"]["href"]
        .as_str()
        .unwrap();
    let success = post(
        verify_again,
        &json!({"stateToken": state, "passCode": "123456"}),
    );
    assert_eq!(success.status, 200);
    // Every recorded field is there, with the same type (the fake's user has more fields,
    // as the user of any other transaction).
    let missing: Vec<String> = shape(&recorded_success)
        .difference(&shape(&success.json()))
        .cloned()
        .collect();
    assert!(
        missing.is_empty(),
        "missing {missing:?} in {}",
        success.body
    );
    assert_eq!(success.json()["sessionToken"], Value::Null);
}
