//! The fake's JSON answers against answers recorded from the real Okta
//! (`tests/fixtures/recorded/`): the same keys at the same places with the same types, so
//! the fake cannot drift from reality unnoticed. For each state the fake is driven into, and
//! the recordings of that state:
//! - every path all the recordings carry, the fake carries;
//! - a path both carry has the same type in both (`null` fits any);
//! - every path the fake carries is in some recording with the same status (the user
//!   object: of any status): no invented fields.
//!
//! Values are not compared, only shapes: e.g. the fake's sent-code challenge says
//! `"factorResult": "CHALLENGE"` as Okta's API guide shows, where the older SDK recordings
//! have no `factorResult`.

mod common;
mod recorded;

use std::collections::BTreeSet;

use common::{Answer, post};
use fake_okta::{AfterPassword, Factor, FakeOkta, PushOutcome, Scenario, User};
use recorded::{Kind, Shape, shape};
use serde_json::{Value, json};

/// Paths that echo the request (`relayState`): absent when the client sent none, as ours
/// never does.
const ECHOED: &[&str] = &["/relayState"];

const LOGIN: &str = "alice@example.com";
const PASSWORD: &str = "correct horse";

fn start(user: User) -> FakeOkta {
    FakeOkta::start(Scenario {
        users: vec![user],
        ..Scenario::default()
    })
}

fn authn(okta: &FakeOkta, body: Value) -> Answer {
    post(&format!("{}/api/v1/authn", okta.base_url()), &body)
}

fn password(okta: &FakeOkta, password: &str) -> Answer {
    authn(okta, json!({"username": LOGIN, "password": password}))
}

/// Verify factor number `index` of an MFA_REQUIRED answer, with `extra` fields.
fn verify(mfa: &Value, index: usize, extra: Value) -> Answer {
    let factor = &mfa["_embedded"]["factors"][index];
    let href = factor["_links"]["verify"]["href"]
        .as_str()
        .expect("verify link");
    let mut body = json!({"stateToken": mfa["stateToken"]});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    post(href, &body)
}

fn ok_json(answer: Answer) -> Value {
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

fn user_with(factors: Vec<Factor>) -> User {
    factors
        .into_iter()
        .fold(User::new(LOGIN, PASSWORD), User::with_factor)
}

/// The MFA_REQUIRED answer of a user whose only factor is `factor`.
fn mfa_required(factor: Factor) -> (FakeOkta, Value) {
    let okta = start(user_with(vec![factor]));
    let mfa = ok_json(password(&okta, PASSWORD));
    assert_eq!(mfa["status"], "MFA_REQUIRED");
    (okta, mfa)
}

/// Every recorded transaction, with its status.
fn all_transactions() -> Vec<(String, Shape)> {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/recorded/okta-authn");
    std::fs::read_dir(dir)
        .expect("recordings")
        .map(|entry| {
            let name = entry.expect("entry").file_name();
            let json = recorded::json("okta-authn", &name.to_string_lossy());
            let status = json["status"].as_str().unwrap_or_default().to_string();
            (status, shape(&json))
        })
        .collect()
}

/// Whether some recording carries `path`: one with the same status, or any for a path of
/// the user object (the same object in every state).
fn recorded_somewhere(path: &str, status: &str, same_kind: &[Shape]) -> bool {
    if same_kind.iter().any(|r| r.contains_key(path)) {
        return true;
    }
    if status.starts_with('E') {
        return false;
    }
    let user_object = path.starts_with("/_embedded/user/");
    all_transactions()
        .iter()
        .any(|(s, r)| (s == status || user_object) && r.contains_key(path))
}

/// Whether a recording has a value (not `null`, not only empty objects or arrays) at or
/// below `path`: `"verification": null` or `"_embedded": {}` means as much as no key.
fn has_value_at(recording: &Shape, path: &str) -> bool {
    recording.iter().any(|(p, kind)| {
        let below = p == path
            || p.strip_prefix(path)
                .is_some_and(|rest| rest.starts_with('/') || rest.starts_with("[]"));
        below && !matches!(kind, Kind::Null | Kind::Object | Kind::Array)
    })
}

/// Differences between the fake's answer and the recordings of the same state; empty when
/// the fake conforms.
fn differences(fake: &Value, recordings: &[Shape], status: &str) -> Vec<String> {
    let fake = shape(fake);
    let mut problems = Vec::new();
    let required: BTreeSet<&String> = recordings
        .iter()
        .map(|r| r.keys().collect::<BTreeSet<_>>())
        .reduce(|a, b| a.intersection(&b).copied().collect())
        .unwrap_or_default();
    for path in required {
        let carries_a_value = recordings.iter().any(|r| has_value_at(r, path));
        if !fake.contains_key(path) && carries_a_value && !ECHOED.contains(&path.as_str()) {
            problems.push(format!("missing {path} (every recording has it)"));
        }
    }
    for (path, kind) in &fake {
        for recording in recordings {
            if let Some(real) = recording.get(path)
                && !kind.fits(*real)
            {
                problems.push(format!("{path}: the fake sends {kind:?}, Okta {real:?}"));
            }
        }
    }
    for path in fake.keys() {
        if !recorded_somewhere(path, status, recordings) {
            problems.push(format!("{path}: in no recording of {status}"));
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

fn assert_conforms(what: &str, fake: &Value, files: &[&str]) {
    let recordings: Vec<Shape> = files
        .iter()
        .map(|f| shape(&recorded::json("okta-authn", f)))
        .collect();
    let status = fake["status"].as_str().expect("status");
    let problems = differences(fake, &recordings, status);
    assert!(
        problems.is_empty(),
        "{what}: the fake's answer differs from {files:?}:\n  {}\nfake: {fake:#}",
        problems.join("\n  ")
    );
}

fn assert_error_conforms(what: &str, answer: Answer, file: &str) {
    let status: u16 = file[..3].parse().expect("status in the file name");
    assert_eq!(answer.status, status, "{what}: {}", answer.body);
    let real = recorded::json("okta-errors", file);
    let fake = answer.json();
    assert_eq!(fake["errorCode"], real["errorCode"], "{what}");
    assert_eq!(fake["errorSummary"], real["errorSummary"], "{what}");
    let code = real["errorCode"].as_str().unwrap();
    let problems = differences(&fake, &[shape(&real)], code);
    assert!(
        problems.is_empty(),
        "{what}: differs from {file}:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn success_has_the_recorded_shape() {
    let okta = start(User::new(LOGIN, PASSWORD));
    let answer = ok_json(password(&okta, PASSWORD));
    assert_conforms(
        "SUCCESS",
        &answer,
        &["success.json", "success-password-changed.json"],
    );
}

#[test]
fn mfa_required_has_the_recorded_shape() {
    let okta = start(user_with(vec![
        Factor::push(0, None, PushOutcome::Approve),
        Factor::totp("OKTA", "123456"),
        Factor::totp("GOOGLE", "123456"),
        Factor::sms("123456"),
        Factor::call("123456"),
        Factor::email("123456"),
        Factor::question("What is the food you least liked as a child?", "kale"),
        Factor::hardware("cccccc"),
        Factor::token("RSA", "12345678"),
    ]));
    let answer = ok_json(password(&okta, PASSWORD));
    assert_conforms(
        "MFA_REQUIRED",
        &answer,
        &[
            "mfa-required-five-factors.json",
            "mfa-required-all-factor-kinds.json",
        ],
    );
}

#[test]
fn a_waiting_push_has_the_recorded_shape_with_and_without_a_number() {
    let (_okta, mfa) = mfa_required(Factor::push(1, Some(30), PushOutcome::Approve));
    let waiting = ok_json(verify(&mfa, 0, json!({})));
    assert_eq!(waiting["factorResult"], "WAITING");
    assert_conforms(
        "push WAITING with a number",
        &waiting,
        &["mfa-challenge-push-number-challenge.json"],
    );

    let (_okta, mfa) = mfa_required(Factor::push(1, None, PushOutcome::Approve));
    let waiting = ok_json(verify(&mfa, 0, json!({})));
    assert_conforms(
        "push WAITING",
        &waiting,
        &[
            "mfa-challenge-push-waiting.json",
            "mfa-challenge-push-waiting-step-up.json",
        ],
    );
}

#[test]
fn a_rejected_or_timed_out_push_has_the_recorded_shape() {
    let (_okta, mfa) = mfa_required(Factor::push(0, None, PushOutcome::Reject));
    let rejected = ok_json(verify(&mfa, 0, json!({})));
    assert_eq!(rejected["factorResult"], "REJECTED");
    assert_conforms(
        "push REJECTED",
        &rejected,
        &[
            "mfa-challenge-push-rejected.json",
            "mfa-challenge-push-rejected-factors-object.json",
        ],
    );

    let (_okta, mfa) = mfa_required(Factor::push(0, None, PushOutcome::Timeout));
    let timeout = ok_json(verify(&mfa, 0, json!({})));
    assert_eq!(timeout["factorResult"], "TIMEOUT");
    assert_conforms(
        "push TIMEOUT",
        &timeout,
        &["mfa-challenge-push-timeout.json"],
    );
}

#[test]
fn a_sent_code_challenge_has_the_recorded_shape() {
    let (_okta, mfa) = mfa_required(Factor::sms("123456"));
    let challenge = ok_json(verify(&mfa, 0, json!({})));
    assert_eq!(challenge["status"], "MFA_CHALLENGE");
    assert_conforms(
        "SMS challenge",
        &challenge,
        &[
            "mfa-challenge-sms.json",
            "mfa-challenge-sms-no-verification.json",
        ],
    );
}

#[test]
fn password_and_account_states_have_the_recorded_shapes() {
    for (after, file) in [
        (AfterPassword::PasswordWarn, "password-warn.json"),
        (
            AfterPassword::PasswordExpired,
            "password-expired-with-policy.json",
        ),
        (AfterPassword::LockedOut, "locked-out.json"),
    ] {
        let okta = start(User::new(LOGIN, PASSWORD).after_password(after.clone()));
        let answer = ok_json(password(&okta, PASSWORD));
        assert_conforms(&format!("{after:?}"), &answer, &[file]);
    }
    let okta = start(User::new(LOGIN, PASSWORD).after_password(AfterPassword::MfaEnroll));
    let answer = ok_json(password(&okta, PASSWORD));
    assert_conforms(
        "MFA_ENROLL",
        &answer,
        &["mfa-enroll.json", "mfa-enroll-status-enrollment.json"],
    );
}

#[test]
fn errors_have_the_recorded_codes_summaries_and_shapes() {
    let (okta, mfa) = mfa_required(Factor::totp("OKTA", "123456"));
    assert_error_conforms(
        "wrong password",
        password(&okta, "wrong"),
        "401-E0000004-authentication-failed.json",
    );
    assert_error_conforms(
        "unknown stateToken",
        authn(&okta, json!({"stateToken": "00-no-such-token"})),
        "401-E0000011-invalid-token.json",
    );
    assert_error_conforms(
        "wrong code",
        verify(&mfa, 0, json!({"passCode": "000000"})),
        "403-E0000068-invalid-passcode.json",
    );
    assert_error_conforms(
        "skip outside PASSWORD_WARN",
        post(
            &format!("{}/api/v1/authn/skip", okta.base_url()),
            &json!({"stateToken": mfa["stateToken"]}),
        ),
        "403-E0000079-not-allowed-in-state.json",
    );
    okta.rate_limit_next(1);
    assert_error_conforms(
        "rate limited",
        password(&okta, PASSWORD),
        "429-E0000047-rate-limit.json",
    );
}

#[test]
fn the_app_launch_page_has_the_recorded_form_markup() {
    let recording = recorded::text("okta-pages", "app-launch-aws-saml-form.html");
    let okta = FakeOkta::start(Scenario {
        users: vec![User::new(LOGIN, PASSWORD)],
        acs_url: "https://signin.aws.amazon.com/saml".to_string(),
        ..Scenario::default()
    });
    let token = ok_json(password(&okta, PASSWORD))["sessionToken"]
        .as_str()
        .expect("sessionToken")
        .to_string();
    let page = common::get(&format!("{}?onetimetoken={token}", okta.app_url()), None).body;
    for needle in [
        r#"<form id="appForm" action="https&#x3a;&#x2f;&#x2f;signin.aws.amazon.com&#x2f;saml" method="POST">"#,
        r#"<input name="SAMLResponse" type="hidden" value=""#,
        r#"<input name="RelayState" type="hidden" value=""/>"#,
    ] {
        assert!(recording.contains(needle), "recording lacks {needle}");
        assert!(page.contains(needle), "fake lacks {needle}");
    }
    // Okta's encoder leaves no `+`, `=` or `/` raw in the value.
    let value = common::raw_input_value(&page, "SAMLResponse");
    assert!(!value.contains(['+', '=', '/']), "{value}");
    assert!(value.contains("&#x"), "{value}");
}
