//! The Classic Authentication API: `/api/v1/authn` and its factor verification.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::objects::{
    authentication_failed, enrollable_factor_json, factor_json, invalid_passcode, invalid_token,
    json_response, malformed_body, named_post_link, not_allowed_in_state, not_found, post_link,
    user_json, verify_url,
};
use crate::scenario::{AfterPassword, Factor, PushOutcome, User};
use crate::state::{
    Inner, SESSION_TOKEN_LIFETIME, Shared, Step, TRANSACTION_LIFETIME, Transaction,
};
use crate::util::iso_in;

/// Why a request is refused; becomes Okta's error answer (kept small, unlike a `Response`).
pub(crate) enum Refusal {
    Malformed,
    InvalidToken,
    NotAllowedInState,
    FactorNotFound(String),
    InvalidPasscode,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Malformed => malformed_body(),
            Refusal::InvalidToken => invalid_token(),
            Refusal::NotAllowedInState => not_allowed_in_state(),
            Refusal::FactorNotFound(id) => not_found(&format!("{id} (UserFactor)")),
            Refusal::InvalidPasscode => invalid_passcode(),
        }
    }
}

pub(crate) type Answer = Result<Response, Refusal>;

/// Every field any authn endpoint reads; unknown fields (`options`, …) are ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthnBody {
    username: Option<String>,
    password: Option<String>,
    state_token: Option<String>,
    pass_code: Option<String>,
    answer: Option<String>,
}

impl AuthnBody {
    fn parse(bytes: &[u8]) -> Result<Self, Refusal> {
        serde_json::from_slice(bytes).map_err(|_| Refusal::Malformed)
    }

    /// okta-awscli sends codes as `answer`, and some clients send the security
    /// answer as `passCode`: accept either for every factor.
    fn code(&self) -> Option<&str> {
        self.pass_code.as_deref().or(self.answer.as_deref())
    }
}

/// `POST /api/v1/authn`: primary authentication, or resuming a transaction by stateToken.
pub async fn authn(State(app): State<Arc<Shared>>, bytes: Bytes) -> Answer {
    let body = AuthnBody::parse(&bytes)?;
    let mut inner = app.lock();
    match (&body.username, &body.password, &body.state_token) {
        (Some(login), Some(password), _) => Ok(primary(&app.base_url, &mut inner, login, password)),
        (None, None, Some(token)) => resume(&app.base_url, &mut inner, token),
        _ => Ok(authentication_failed()),
    }
}

fn primary(base: &str, inner: &mut Inner, login: &str, password: &str) -> Response {
    let Some(account) = inner.find_account(login) else {
        return authentication_failed();
    };
    let user = &inner.accounts[account].user;
    if user.password != password {
        return authentication_failed();
    }
    if user.after_password == AfterPassword::LockedOut {
        return locked_out(base);
    }
    let next = first_step(user);
    advance(
        base,
        inner,
        Transaction::new(account, Step::MfaRequired),
        next,
    )
}

/// Answers the transaction's current state without changing it.
fn resume(base: &str, inner: &mut Inner, token: &str) -> Answer {
    let txn = inner.take_transaction(token).ok_or(Refusal::InvalidToken)?;
    let answer = transaction_answer(base, inner, token, &txn);
    inner.put_transaction(token, txn);
    Ok(answer)
}

/// What follows a correct password; `None` means SUCCESS.
fn first_step(user: &User) -> Option<Step> {
    match &user.after_password {
        AfterPassword::MfaEnroll => Some(Step::MfaEnroll),
        AfterPassword::Unknown(status) => Some(Step::Unknown(status.clone())),
        _ if !user.factors.is_empty() => Some(Step::MfaRequired),
        _ => step_after_mfa(user),
    }
}

/// Okta checks the password's age only once the factors are done.
fn step_after_mfa(user: &User) -> Option<Step> {
    match user.after_password {
        AfterPassword::PasswordWarn => Some(Step::PasswordWarn),
        AfterPassword::PasswordExpired => Some(Step::PasswordExpired),
        _ => None,
    }
}

/// Moves a transaction to `next` (storing it under a stateToken, new or given)
/// or, for `None`, ends it with a sessionToken.
fn advance(base: &str, inner: &mut Inner, mut txn: Transaction, next: Option<Step>) -> Response {
    match next {
        Some(step) => {
            txn.step = step;
            let token = inner.open_transaction(txn.clone());
            transaction_answer(base, inner, &token, &txn)
        }
        None => success(inner, &txn),
    }
}

/// Like [`advance`], for a transaction that already has a stateToken.
fn advance_existing(
    base: &str,
    inner: &mut Inner,
    token: &str,
    mut txn: Transaction,
    next: Option<Step>,
) -> Response {
    match next {
        Some(step) => {
            txn.step = step;
            let answer = transaction_answer(base, inner, token, &txn);
            inner.put_transaction(token, txn);
            answer
        }
        None if txn.step_up.is_some() => step_up_success(base, inner, token, &txn),
        None => success(inner, &txn),
    }
}

/// The end of an app's step-up, shaped as recorded (tests/fixtures/recorded/classic): no
/// sessionToken; the `next` link ("original") steps the browser's session up and leads back
/// to the app.
fn step_up_success(base: &str, inner: &mut Inner, token: &str, txn: &Transaction) -> Response {
    if let Some(step_up) = txn.step_up.clone() {
        inner.step_up_done.insert(token.to_string(), step_up);
    }
    let body = json!({
        "stateToken": token,
        "type": "SESSION_STEP_UP",
        "expiresAt": iso_in(TRANSACTION_LIFETIME),
        "status": "SUCCESS",
        "_embedded": {
            "user": user_json(&inner.accounts[txn.account]),
            "target": step_up_target(base),
        },
        "_links": {
            "next": {
                "name": "original",
                "href": format!("{base}/login/step-up/redirect?stateToken={token}"),
                "hints": { "allow": ["GET"] },
            }
        },
    });
    json_response(StatusCode::OK, body)
}

/// `_embedded.target` of a step-up transaction: the app that asked for it.
fn step_up_target(base: &str) -> Value {
    json!({
        "type": "APP",
        "name": "amazon_aws",
        "label": "AWS",
        "_links": {
            "logo": {
                "name": "medium",
                "href": format!("{base}/assets/img/logos/amazon-aws.png"),
                "type": "image/png",
            }
        },
    })
}

fn success(inner: &mut Inner, txn: &Transaction) -> Response {
    let session_token = inner.issue_session_token(txn.account, txn.mfa_done);
    let body = json!({
        "expiresAt": iso_in(SESSION_TOKEN_LIFETIME),
        "status": "SUCCESS",
        "sessionToken": session_token,
        "_embedded": { "user": user_json(&inner.accounts[txn.account]) },
    });
    json_response(StatusCode::OK, body)
}

/// LOCKED_OUT carries no stateToken: there is nothing to resume.
fn locked_out(base: &str) -> Response {
    let body = json!({
        "status": "LOCKED_OUT",
        "expiresAt": iso_in(TRANSACTION_LIFETIME),
        "_links": {
            "next": named_post_link("unlock", format!("{base}/api/v1/authn/recovery/unlock")),
            "cancel": post_link(format!("{base}/api/v1/authn/cancel")),
        }
    });
    json_response(StatusCode::OK, body)
}

fn transaction_answer(base: &str, inner: &Inner, token: &str, txn: &Transaction) -> Response {
    json_response(StatusCode::OK, transaction_json(base, inner, token, txn))
}

/// The transaction object for an unfinished transaction.
fn transaction_json(base: &str, inner: &Inner, token: &str, txn: &Transaction) -> Value {
    let account = &inner.accounts[txn.account];
    let mut body = json!({
        "stateToken": token,
        "expiresAt": iso_in(TRANSACTION_LIFETIME),
        "status": status_name(&txn.step),
        "_embedded": { "user": user_json(account) },
        "_links": { "cancel": post_link(format!("{base}/api/v1/authn/cancel")) },
    });
    if txn.step_up.is_some() {
        body["type"] = Value::from("SESSION_STEP_UP");
        body["_embedded"]["target"] = step_up_target(base);
    }
    let login = &account.user.login;
    match &txn.step {
        Step::MfaRequired => {
            let factors: Vec<Value> = account
                .user
                .factors
                .iter()
                .zip(&account.factor_ids)
                .map(|(factor, id)| factor_json(base, login, factor, id))
                .collect();
            body["_embedded"]["factors"] = Value::from(factors);
            body["_embedded"]["policy"] = mfa_policy();
        }
        Step::MfaChallenge { factor, result } => {
            let id = &account.factor_ids[*factor];
            let factor = &account.user.factors[*factor];
            add_challenge(&mut body, base, login, factor, id, result);
        }
        Step::PasswordWarn => {
            body["_embedded"]["policy"] = json!({
                "expiration": { "passwordExpireDays": 5 },
                "complexity": password_complexity(),
            });
            body["_links"]["next"] = change_password_link(base);
            body["_links"]["skip"] = named_post_link("skip", format!("{base}/api/v1/authn/skip"));
        }
        Step::PasswordExpired => {
            body["_embedded"]["policy"] = json!({ "complexity": password_complexity() });
            body["_links"]["next"] = change_password_link(base);
        }
        Step::MfaEnroll => {
            body["_embedded"]["factors"] = Value::from(enrollable_factors(base, &account.user));
        }
        Step::Unauthenticated => {
            body["_links"]["next"] =
                named_post_link("authenticate", format!("{base}/api/v1/authn"));
        }
        Step::Unknown(_) => {}
    }
    body
}

fn status_name(step: &Step) -> &str {
    match step {
        Step::MfaRequired => "MFA_REQUIRED",
        Step::MfaChallenge { .. } => "MFA_CHALLENGE",
        Step::PasswordWarn => "PASSWORD_WARN",
        Step::PasswordExpired => "PASSWORD_EXPIRED",
        Step::MfaEnroll => "MFA_ENROLL",
        Step::Unauthenticated => "UNAUTHENTICATED",
        Step::Unknown(status) => status,
    }
}

/// Fills in an MFA_CHALLENGE: the factor, its result and where to go next.
fn add_challenge(
    body: &mut Value,
    base: &str,
    login: &str,
    factor: &Factor,
    id: &str,
    result: &str,
) {
    let verify = verify_url(base, id);
    let mut factor_value = factor_json(base, login, factor, id);
    let waiting = result == "WAITING";
    if let (true, Some(number)) = (waiting, factor.push.correct_answer) {
        factor_value["_embedded"] = json!({ "challenge": { "correctAnswer": number } });
    }
    body["factorResult"] = Value::from(result);
    body["_embedded"]["factor"] = factor_value;
    body["_embedded"]["policy"] = mfa_policy();
    // A waiting push is polled; anything else (a sent code, a rejected or timed-out
    // push) is verified, and can be resent.
    let next_name = if waiting { "poll" } else { "verify" };
    body["_links"]["next"] = named_post_link(next_name, verify.clone());
    body["_links"]["prev"] = named_post_link("prev", format!("{base}/api/v1/authn/previous"));
    if !waiting {
        body["_links"]["resend"] = json!([named_post_link(
            &factor.factor_type,
            format!("{verify}/resend")
        )]);
    }
}

fn mfa_policy() -> Value {
    json!({
        "allowRememberDevice": false,
        "rememberDeviceLifetimeInMinutes": 0,
        "rememberDeviceByDefault": false,
        "factorsPolicyInfo": {},
    })
}

fn password_complexity() -> Value {
    json!({ "minLength": 8, "minLowerCase": 1, "minUpperCase": 1, "minNumber": 1, "minSymbol": 0 })
}

fn change_password_link(base: &str) -> Value {
    named_post_link(
        "changePassword",
        format!("{base}/api/v1/authn/credentials/change_password"),
    )
}

/// MFA_ENROLL offers the user's configured factors, or Okta Verify by default.
fn enrollable_factors(base: &str, user: &User) -> Vec<Value> {
    if user.factors.is_empty() {
        return vec![
            enrollable_factor_json(base, "push", "OKTA"),
            enrollable_factor_json(base, "token:software:totp", "OKTA"),
        ];
    }
    user.factors
        .iter()
        .map(|f| enrollable_factor_json(base, &f.factor_type, &f.provider))
        .collect()
}

/// Takes the transaction named in the body, or answers the error Okta gives.
fn take_live(inner: &mut Inner, body: &AuthnBody) -> Result<(String, Transaction), Refusal> {
    let token = body.state_token.clone().ok_or(Refusal::InvalidToken)?;
    let txn = inner
        .take_transaction(&token)
        .ok_or(Refusal::InvalidToken)?;
    Ok((token, txn))
}

/// Checks that factors may be verified now and that `factor_id` is the user's.
fn verifiable_factor(
    inner: &mut Inner,
    token: &str,
    txn: Transaction,
    factor_id: &str,
) -> Result<(Transaction, usize), Refusal> {
    let in_mfa = matches!(txn.step, Step::MfaRequired | Step::MfaChallenge { .. });
    let index = inner.accounts[txn.account].factor_index(factor_id);
    match (in_mfa, index) {
        (true, Some(index)) => Ok((txn, index)),
        (false, _) => {
            inner.put_transaction(token, txn);
            Err(Refusal::NotAllowedInState)
        }
        (true, None) => {
            inner.put_transaction(token, txn);
            Err(Refusal::FactorNotFound(factor_id.to_string()))
        }
    }
}

/// `POST /api/v1/authn/factors/{id}/verify`; the query (`rememberDevice`, `autoPush`) is ignored.
pub async fn verify(
    State(app): State<Arc<Shared>>,
    Path(factor_id): Path<String>,
    bytes: Bytes,
) -> Answer {
    factor_action(&app, &factor_id, &bytes, false)
}

/// `POST /api/v1/authn/factors/{id}/verify/resend`: sends the code or the push again.
pub async fn resend(
    State(app): State<Arc<Shared>>,
    Path(factor_id): Path<String>,
    bytes: Bytes,
) -> Answer {
    factor_action(&app, &factor_id, &bytes, true)
}

fn factor_action(app: &Shared, factor_id: &str, bytes: &[u8], resend: bool) -> Answer {
    let body = AuthnBody::parse(bytes)?;
    let mut inner = app.lock();
    let (token, txn) = take_live(&mut inner, &body)?;
    let (mut txn, index) = verifiable_factor(&mut inner, &token, txn, factor_id)?;
    let factor = inner.accounts[txn.account].user.factors[index].clone();
    let code = if resend { None } else { body.code() };
    let next = match (factor.factor_type.as_str(), code) {
        ("push", _) => {
            if resend {
                txn.push_waits.remove(&index);
            }
            match poll_push(&mut txn, index, &factor) {
                Some(step) => Some(step),
                None => step_after_mfa(&inner.accounts[txn.account].user),
            }
        }
        ("sms" | "call" | "email", None) => Some(Step::MfaChallenge {
            factor: index,
            result: "CHALLENGE",
        }),
        _ if resend => {
            inner.put_transaction(&token, txn);
            return Err(Refusal::NotAllowedInState);
        }
        (_, code) if code == Some(factor.secret.as_str()) => {
            txn.mfa_done = true;
            step_after_mfa(&inner.accounts[txn.account].user)
        }
        _ => {
            // A wrong code leaves the transaction usable, as on Okta.
            inner.put_transaction(&token, txn);
            return Err(Refusal::InvalidPasscode);
        }
    };
    Ok(advance_existing(
        &app.base_url,
        &mut inner,
        &token,
        txn,
        next,
    ))
}

/// One POST to a push factor: WAITING for the scripted number of polls, then the outcome.
/// `None` means approved.
fn poll_push(txn: &mut Transaction, index: usize, factor: &Factor) -> Option<Step> {
    let waits = txn.push_waits.entry(index).or_insert(0);
    if *waits < factor.push.waiting_polls {
        *waits += 1;
        return Some(Step::MfaChallenge {
            factor: index,
            result: "WAITING",
        });
    }
    // The push is answered; a new verify sends a new push.
    *waits = 0;
    let result = match factor.push.outcome {
        PushOutcome::Approve => {
            txn.mfa_done = true;
            return None;
        }
        PushOutcome::Reject => "REJECTED",
        PushOutcome::Timeout => "TIMEOUT",
    };
    Some(Step::MfaChallenge {
        factor: index,
        result,
    })
}

/// `POST /api/v1/authn/skip`: skips the password warning.
pub async fn skip(State(app): State<Arc<Shared>>, bytes: Bytes) -> Answer {
    let body = AuthnBody::parse(&bytes)?;
    let mut inner = app.lock();
    let (token, txn) = take_live(&mut inner, &body)?;
    if txn.step != Step::PasswordWarn {
        inner.put_transaction(&token, txn);
        return Err(Refusal::NotAllowedInState);
    }
    // Factors come before the password warning, so skipping it finishes.
    Ok(advance_existing(
        &app.base_url,
        &mut inner,
        &token,
        txn,
        None,
    ))
}

/// `POST /api/v1/authn/previous`: back from a challenge to the factor list.
pub async fn previous(State(app): State<Arc<Shared>>, bytes: Bytes) -> Answer {
    let body = AuthnBody::parse(&bytes)?;
    let mut inner = app.lock();
    let (token, txn) = take_live(&mut inner, &body)?;
    if !matches!(txn.step, Step::MfaChallenge { .. }) {
        inner.put_transaction(&token, txn);
        return Err(Refusal::NotAllowedInState);
    }
    let next = Some(Step::MfaRequired);
    Ok(advance_existing(
        &app.base_url,
        &mut inner,
        &token,
        txn,
        next,
    ))
}

/// `POST /api/v1/authn/cancel`: ends the transaction.
pub async fn cancel(State(app): State<Arc<Shared>>, bytes: Bytes) -> Answer {
    let body = AuthnBody::parse(&bytes)?;
    // Taken and not put back: the stateToken is now unknown.
    take_live(&mut app.lock(), &body)?;
    Ok(json_response(StatusCode::OK, json!({})))
}
