//! Okta's Classic authentication API: recorded transactions and error bodies through the
//! decoding `OktaClient` applies to every answer.

use okta_aws::okta::ApiError;
use okta_aws::okta::transaction::{Transaction, decode_answer};
use serde_json::Value;

use crate::recordings;

struct Expected {
    file: &'static str,
    status: &'static str,
    state_token: bool,
    session_token: Option<&'static str>,
    factor_result: Option<&'static str>,
    /// `PROVIDER.factorType` of `_embedded.factors`, in order.
    factors: &'static [&'static str],
    /// The id of the factor of a challenge, from `_embedded.factor` or `.factors`.
    challenge_factor: Option<&'static str>,
    correct_answer: Option<u64>,
    next: Option<&'static str>,
}

const NONE: Expected = Expected {
    file: "",
    status: "",
    state_token: true,
    session_token: None,
    factor_result: None,
    factors: &[],
    challenge_factor: None,
    correct_answer: None,
    next: None,
};

const EXPECTED: &[Expected] = &[
    Expected {
        file: "locked-out.json",
        status: "LOCKED_OUT",
        state_token: false,
        next: Some("unlock"),
        ..NONE
    },
    Expected {
        file: "mfa-challenge-push-number-challenge.json",
        status: "MFA_CHALLENGE",
        factor_result: Some("WAITING"),
        challenge_factor: Some("opfhw7v2OnxKpftO40g3"),
        correct_answer: Some(30),
        next: Some("poll"),
        ..NONE
    },
    Expected {
        file: "mfa-challenge-push-rejected-factors-object.json",
        status: "MFA_CHALLENGE",
        factor_result: Some("REJECTED"),
        challenge_factor: Some("opfh52xcuft3J4uZc0g3"),
        next: Some("verify"),
        ..NONE
    },
    Expected {
        file: "mfa-challenge-push-rejected.json",
        status: "MFA_CHALLENGE",
        factor_result: Some("REJECTED"),
        challenge_factor: Some("opfhw7v2OnxKpftO40g3"),
        next: Some("verify"),
        ..NONE
    },
    Expected {
        file: "mfa-challenge-push-timeout.json",
        status: "MFA_CHALLENGE",
        factor_result: Some("TIMEOUT"),
        challenge_factor: Some("opfsx1KrcmkmCu71b0g3"),
        next: Some("verify"),
        ..NONE
    },
    Expected {
        file: "mfa-challenge-push-waiting-step-up.json",
        status: "MFA_CHALLENGE",
        factor_result: Some("WAITING"),
        challenge_factor: Some("opf9ei43pbAgb2qgc0h7"),
        next: Some("poll"),
        ..NONE
    },
    Expected {
        file: "mfa-challenge-push-waiting.json",
        status: "MFA_CHALLENGE",
        factor_result: Some("WAITING"),
        challenge_factor: Some("opf492vmb3s1blLTs0h7"),
        next: Some("poll"),
        ..NONE
    },
    Expected {
        file: "mfa-challenge-sms-no-verification.json",
        status: "MFA_CHALLENGE",
        challenge_factor: Some("sms193zUBEROPBNZKPPE"),
        next: Some("verify"),
        ..NONE
    },
    Expected {
        file: "mfa-challenge-sms.json",
        status: "MFA_CHALLENGE",
        challenge_factor: Some("smsigwDlH85L9FyQK0g3"),
        next: Some("verify"),
        ..NONE
    },
    // Factors offered for enrolment have no id: they are not factors one can verify.
    Expected {
        file: "mfa-enroll-status-enrollment.json",
        status: "MFA_ENROLL",
        state_token: false,
        ..NONE
    },
    Expected {
        file: "mfa-enroll.json",
        status: "MFA_ENROLL",
        ..NONE
    },
    Expected {
        file: "mfa-required-all-factor-kinds.json",
        status: "MFA_REQUIRED",
        factors: &[
            "OKTA.question",
            "GOOGLE.token:software:totp",
            "OKTA.token:software:totp",
            "OKTA.sms",
            "OKTA.call",
            "OKTA.email",
            "OKTA.push",
            "RSA.token",
            "SYMANTEC.token",
            "YUBICO.token:hardware",
            "DUO.web",
            "FIDO.webauthn",
            "FIDO.u2f",
        ],
        ..NONE
    },
    Expected {
        file: "mfa-required-five-factors.json",
        status: "MFA_REQUIRED",
        factors: &[
            "OKTA.question",
            "GOOGLE.token:software:totp",
            "OKTA.token:software:totp",
            "OKTA.push",
            "OKTA.sms",
        ],
        ..NONE
    },
    Expected {
        file: "password-expired.json",
        status: "PASSWORD_EXPIRED",
        next: Some("changePassword"),
        ..NONE
    },
    Expected {
        file: "password-expired-with-policy.json",
        status: "PASSWORD_EXPIRED",
        next: Some("changePassword"),
        ..NONE
    },
    Expected {
        file: "password-warn.json",
        status: "PASSWORD_WARN",
        next: Some("changePassword"),
        ..NONE
    },
    Expected {
        file: "success-password-changed.json",
        status: "SUCCESS",
        state_token: false,
        session_token: Some("a-session-token1"),
        ..NONE
    },
    Expected {
        file: "success.json",
        status: "SUCCESS",
        state_token: false,
        session_token: Some("00p8RhRDCh_8NxIin-wtF5M6ofFtRhfKWGBAbd2WmE"),
        ..NONE
    },
];

fn decoded(file: &str) -> Transaction {
    let text = recordings::one("okta-authn", file);
    decode_answer(200, None, &text).unwrap_or_else(|e| panic!("{file}: {e:?}"))
}

#[test]
fn every_recorded_transaction_decodes_to_what_the_login_reads() {
    let files: Vec<&str> = EXPECTED.iter().map(|e| e.file).collect();
    recordings::assert_covered("okta-authn", &files);
    for e in EXPECTED {
        let t = decoded(e.file);
        let file = e.file;
        assert_eq!(t.status, e.status, "{file}");
        assert_eq!(t.state_token.is_some(), e.state_token, "{file}");
        assert_eq!(t.session_token.as_deref(), e.session_token, "{file}");
        assert_eq!(t.factor_result.as_deref(), e.factor_result, "{file}");
        let factors: Vec<String> = t.factors().iter().map(|f| f.choice_name()).collect();
        assert_eq!(factors, e.factors, "{file}");
        let challenge = t.challenge_factor();
        assert_eq!(
            challenge.and_then(|f| f["id"].as_str()),
            e.challenge_factor,
            "{file}"
        );
        assert_eq!(
            challenge
                .and_then(|f| f.pointer("/_embedded/challenge/correctAnswer"))
                .and_then(Value::as_u64),
            e.correct_answer,
            "{file}"
        );
        assert_eq!(
            t.link("next").and_then(|l| l.name),
            e.next.map(str::to_string),
            "{file}"
        );
    }
}

#[test]
fn recorded_links_point_back_at_the_org() {
    for (file, _) in recordings::all("okta-authn") {
        let t = decoded(&file);
        for name in ["next", "cancel", "prev", "skip", "resend"] {
            if let Some(link) = t.link(name) {
                assert!(
                    link.href
                        .starts_with("https://example.okta.com/api/v1/authn"),
                    "{file} {name}: {}",
                    link.href
                );
            }
        }
        for factor in t.factors() {
            let verify = factor.links["verify"]["href"].as_str().unwrap_or_default();
            assert!(verify.ends_with("/verify"), "{file}: {verify}");
        }
    }
    let sent = decoded("mfa-challenge-sms.json");
    assert!(
        sent.link("resend")
            .unwrap()
            .href
            .ends_with("/verify/resend")
    );
    let warn = decoded("password-warn.json");
    assert!(warn.link("skip").unwrap().href.ends_with("/authn/skip"));
}

/// `401-E0000004-authentication-failed.json` → (401, "E0000004").
fn status_and_code(file: &str) -> (u16, &str) {
    let mut parts = file.split('-');
    let status = parts.next().and_then(|s| s.parse().ok()).expect(file);
    (status, parts.next().expect(file))
}

#[test]
fn every_recorded_error_body_gives_okta_s_code_summary_and_causes() {
    recordings::assert_covered(
        "okta-errors",
        &[
            "401-E0000004-authentication-failed.json",
            "401-E0000011-invalid-token.json",
            "403-E0000068-invalid-passcode.json",
            "403-E0000079-not-allowed-in-state.json",
            "403-E0000087-wrong-recovery-answer.json",
            "429-E0000047-rate-limit.json",
        ],
    );
    for (file, text) in recordings::all("okta-errors") {
        let (status, code) = status_and_code(&file);
        let body: Value = serde_json::from_str(&text).expect(&file);
        let error = decode_answer(status, None, &text).expect_err(&file);
        let Some(api) = ApiError::of(&error) else {
            panic!("{file}: not an API error");
        };
        assert_eq!((api.status, api.code.as_str()), (status, code), "{file}");
        assert_eq!(
            api.summary,
            body["errorSummary"].as_str().unwrap(),
            "{file}"
        );
        let causes: Vec<&str> = body["errorCauses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["errorSummary"].as_str().unwrap())
            .collect();
        assert_eq!(api.causes, causes, "{file}");
        let shown = api.to_user_error();
        assert!(
            shown.cause.contains(code) && shown.cause.contains(&api.summary),
            "{file}: {}",
            shown.cause
        );
        assert!(shown.hint.is_some(), "{file}");
    }
}

#[test]
fn recorded_errors_get_the_hints_written_for_them() {
    let hint = |file: &str, reset_at: Option<u64>| {
        let (status, _) = status_and_code(file);
        let text = recordings::one("okta-errors", file);
        let error = decode_answer(status, reset_at, &text).expect_err(file);
        let api = ApiError::of(&error).unwrap_or_else(|| panic!("{file}: {error:?}"));
        api.to_user_error().hint.unwrap()
    };
    assert!(hint("401-E0000004-authentication-failed.json", None).contains("OKTA_USERNAME"));
    assert!(hint("401-E0000011-invalid-token.json", None).contains("expired"));
    assert!(hint("403-E0000068-invalid-passcode.json", None).contains("code"));
    assert!(hint("429-E0000047-rate-limit.json", Some(1_700_000_000)).contains("2023-11-14"));
    // A reset time no calendar can show (a hostile header) is not shown, and no panic.
    for absurd in [253_402_300_800, u64::MAX] {
        let shown = hint("429-E0000047-rate-limit.json", Some(absurd));
        assert!(shown.contains("wait a minute"), "{shown}");
    }
    // A code we have no words for still names the status and the code.
    let unknown = hint("403-E0000087-wrong-recovery-answer.json", None);
    assert!(
        unknown.contains("HTTP 403") && unknown.contains("E0000087"),
        "{unknown}"
    );
}

#[test]
fn a_recorded_error_body_under_a_success_status_is_no_transaction() {
    // Okta's error bodies are JSON objects too: with status 200 they decode to a
    // transaction without status, which the login reports as an unhandled state.
    let text = recordings::one("okta-errors", "401-E0000004-authentication-failed.json");
    let t = decode_answer(200, None, &text).expect("decodes");
    assert!(t.status.is_empty() && t.session_token.is_none());
}
