//! Okta's JSON objects (users, factors, sessions, errors) and response helpers.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::scenario::Factor;
use crate::state::{Account, Session};
use crate::util::{iso, random_id};

/// A JSON answer with Okta's content type.
pub fn json_response(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// An HTML answer.
pub fn html_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html;charset=utf-8")],
        body,
    )
        .into_response()
}

/// Okta's error object: `errorCode`, `errorSummary`, `errorLink`, `errorId`, `errorCauses`.
pub fn error(status: StatusCode, code: &str, summary: &str, causes: &[&str]) -> Response {
    let causes: Vec<Value> = causes
        .iter()
        .map(|cause| json!({ "errorSummary": cause }))
        .collect();
    let body = json!({
        "errorCode": code,
        "errorSummary": summary,
        "errorLink": code,
        "errorId": random_id("oae", 22),
        "errorCauses": causes,
    });
    json_response(status, body)
}

pub fn authentication_failed() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "E0000004",
        "Authentication failed",
        &[],
    )
}

pub fn invalid_token() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "E0000011",
        "Invalid token provided",
        &[],
    )
}

pub fn not_allowed_in_state() -> Response {
    error(
        StatusCode::FORBIDDEN,
        "E0000079",
        "This operation is not allowed in the current authentication state.",
        &[],
    )
}

pub fn invalid_passcode() -> Response {
    error(
        StatusCode::FORBIDDEN,
        "E0000068",
        "Invalid Passcode/Answer",
        &["Your passcode doesn't match our records. Please try again."],
    )
}

pub fn not_found(what: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "E0000007",
        &format!("Not found: Resource not found: {what}"),
        &[],
    )
}

pub fn malformed_body() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "E0000003",
        "The request body was not well-formed.",
        &[],
    )
}

pub fn rate_limited() -> Response {
    error(
        StatusCode::TOO_MANY_REQUESTS,
        "E0000047",
        "API call exceeded rate limit due to too many requests.",
        &[],
    )
}

/// A HAL link to a POST endpoint.
pub fn post_link(href: String) -> Value {
    json!({ "href": href, "hints": { "allow": ["POST"] } })
}

pub fn named_post_link(name: &str, href: String) -> Value {
    json!({ "name": name, "href": href, "hints": { "allow": ["POST"] } })
}

/// `_embedded.user` of a transaction.
pub fn user_json(account: &Account) -> Value {
    let login = &account.user.login;
    let local = login.split('@').next().unwrap_or(login);
    json!({
        "id": account.id,
        "passwordChanged": account.password_changed,
        "profile": {
            "login": login,
            "firstName": capitalise(local),
            "lastName": "User",
            "locale": "en_US",
            "timeZone": "America/Los_Angeles",
        }
    })
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub fn verify_url(base: &str, factor_id: &str) -> String {
    format!("{base}/api/v1/authn/factors/{factor_id}/verify")
}

/// An enrolled factor as listed in `_embedded.factors` / `_embedded.factor`.
pub fn factor_json(base: &str, login: &str, factor: &Factor, id: &str) -> Value {
    json!({
        "id": id,
        "factorType": factor.factor_type,
        "provider": factor.provider,
        "vendorName": factor.provider,
        "profile": factor_profile(login, factor),
        "_links": { "verify": post_link(verify_url(base, id)) },
    })
}

/// A factor offered for enrolment in `MFA_ENROLL` (no id yet).
pub fn enrollable_factor_json(base: &str, factor_type: &str, provider: &str) -> Value {
    json!({
        "factorType": factor_type,
        "provider": provider,
        "vendorName": provider,
        "status": "NOT_SETUP",
        "enrollment": "REQUIRED",
        "_links": { "enroll": post_link(format!("{base}/api/v1/authn/factors")) },
    })
}

/// The `profile` Okta shows for each factor type (phone numbers and emails masked), with the
/// scenario's display text, if any, where a client reads the factor's name.
fn factor_profile(login: &str, factor: &Factor) -> Value {
    let mut profile = standard_factor_profile(login, factor);
    if let Some(text) = &factor.display {
        let key = match factor.factor_type.as_str() {
            "sms" | "call" => "phoneNumber",
            "email" => "email",
            _ => "name",
        };
        profile[key] = Value::from(text.as_str());
    }
    profile
}

fn standard_factor_profile(login: &str, factor: &Factor) -> Value {
    match factor.factor_type.as_str() {
        "push" => json!({
            "credentialId": login,
            "deviceType": "SmartPhone_IPhone",
            "keys": [],
            "name": "Fake iPhone",
            "platform": "IOS",
            "version": "17.4",
        }),
        "sms" => json!({ "phoneNumber": "+1 XXX-XXX-4321" }),
        "call" => json!({ "phoneNumber": "+1 XXX-XXX-4321", "phoneExtension": "" }),
        "email" => json!({ "email": mask_email(login) }),
        "question" => {
            let text = factor.question.clone().unwrap_or_default();
            json!({ "question": question_key(&text), "questionText": text })
        }
        _ => json!({ "credentialId": login }),
    }
}

/// `alice@example.com` → `a...e@example.com`, as Okta masks addresses.
fn mask_email(login: &str) -> String {
    match login.split_once('@') {
        Some((local, domain)) if !local.is_empty() => {
            let first = local.chars().next().unwrap_or('x');
            let last = local.chars().last().unwrap_or('x');
            format!("{first}...{last}@{domain}")
        }
        _ => login.to_string(),
    }
}

/// Okta identifies security questions by a key such as `disliked_food`.
fn question_key(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(3)
        .map(str::to_ascii_lowercase)
        .collect();
    if words.is_empty() {
        "custom".to_string()
    } else {
        words.join("_")
    }
}

/// The session object of `/api/v1/sessions`.
pub fn session_json(base: &str, sid: &str, account: &Account, session: &Session) -> Value {
    let mut amr = vec!["pwd"];
    if session.mfa {
        amr.push("mfa");
    }
    json!({
        "id": sid,
        "userId": account.id,
        "login": account.user.login,
        "createdAt": iso(session.created_at),
        "expiresAt": iso(session.expires_at),
        "status": "ACTIVE",
        "lastPasswordVerification": iso(session.created_at),
        "lastFactorVerification": if session.mfa { Value::from(iso(session.created_at)) } else { Value::Null },
        "amr": amr,
        "idp": { "id": "00o1fakeoktaidp", "type": "OKTA" },
        "mfaActive": session.mfa,
        "_links": {
            "self": { "href": format!("{base}/api/v1/sessions/me"), "hints": { "allow": ["GET", "DELETE"] } },
            "refresh": post_link(format!("{base}/api/v1/sessions/me/lifecycle/refresh")),
            "user": {
                "name": account.user.login,
                "href": format!("{base}/api/v1/users/{}", account.id),
                "hints": { "allow": ["GET"] }
            }
        }
    })
}
