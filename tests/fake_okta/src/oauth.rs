//! An Identity Engine org's OAuth side, as okta-aws-cli uses it: the org's engine
//! (`/.well-known/okta-organization`), device authorization (RFC 8628), the token endpoint
//! (device code, refresh token, and the exchange of access + ID token for a web SSO token),
//! and revocation (RFC 7009). Errors are OAuth's `{"error", "error_description"}`; the shapes
//! follow the recorded answers in tests/fixtures/recorded/oie.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::objects::{json_response, not_found};
use crate::scenario::{Approval, DeviceFlow, DeviceOutcome, OfflineAccess, Pipeline, WebSso};
use crate::state::{AccessGrant, DeviceCode, Inner, RefreshGrant, Shared};
use crate::tokens::{TOKEN_LIFETIME, TokenSubject, access_token, id_token, refresh_token};
use crate::util::random_id;

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const REFRESH_GRANT: &str = "refresh_token";
const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const WEB_SSO_TOKEN: &str = "urn:okta:oauth:token-type:web_sso_token";
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
const ID_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id_token";
const OFFLINE_ACCESS: &str = "offline_access";

type FormFields = HashMap<String, String>;

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(
        status,
        json!({"error": error, "error_description": description}),
    )
}

fn bad_request(error: &str, description: &str) -> Response {
    oauth_error(StatusCode::BAD_REQUEST, error, description)
}

fn invalid_client() -> Response {
    oauth_error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "Invalid value for 'client_id' parameter.",
    )
}

fn field<'a>(form: &'a FormFields, name: &str) -> &'a str {
    form.get(name).map(String::as_str).unwrap_or_default()
}

/// `GET /.well-known/okta-organization`: the org's id and engine, shaped as recorded.
pub async fn org_metadata(State(app): State<Arc<Shared>>) -> Response {
    let inner = app.lock();
    let pipeline = match inner.scenario.pipeline {
        Pipeline::Auto if inner.scenario.device_flow.is_some() => "idx",
        Pipeline::Auto | Pipeline::Classic => "v1",
        Pipeline::IdentityEngine => "idx",
        Pipeline::NotFound => return not_found("okta-organization (Path)"),
    };
    json_response(
        StatusCode::OK,
        json!({
            "id": "00o1fakeoktaorg0001",
            "cell": "op1",
            "_links": { "organization": { "href": app.base_url } },
            "pipeline": pipeline,
            "settings": {
                "analyticsCollectionEnabled": false,
                "bugReportingEnabled": true,
                "omEnabled": false,
                "pssoEnabled": false,
            },
        }),
    )
}

/// The org's device-flow app, when `form` names its client id.
fn known_client(inner: &Inner, form: &FormFields) -> Option<DeviceFlow> {
    let flow = inner.scenario.device_flow.clone()?;
    (field(form, "client_id") == flow.client_id).then_some(flow)
}

/// `POST /oauth2/v1/device/authorize` (form: client_id, scope).
pub async fn device_authorize(
    State(app): State<Arc<Shared>>,
    Form(form): Form<FormFields>,
) -> Response {
    let mut inner = app.lock();
    let Some(flow) = known_client(&inner, &form) else {
        return invalid_client();
    };
    let asked: Vec<String> = field(&form, "scope")
        .split(' ')
        .filter(|scope| !scope.is_empty())
        .map(str::to_string)
        .collect();
    let has = |scope: &str| asked.iter().any(|s| s == scope);
    if !has("openid") || !has("okta.apps.sso") {
        return bad_request(
            "invalid_scope",
            "The authorization server resource does not have any configured default scopes, 'scope' must be provided.",
        );
    }
    if !flow.apps_sso_scope {
        return bad_request(
            "invalid_scope",
            "One or more scopes are not configured for the authorization server resource.",
        );
    }
    let scopes: Vec<String> = match flow.offline_access {
        OfflineAccess::Refused if has(OFFLINE_ACCESS) => {
            return bad_request(
                "invalid_scope",
                "One or more scopes are not configured for the authorization server resource.",
            );
        }
        OfflineAccess::Granted { .. } => asked,
        _ => asked.into_iter().filter(|s| s != OFFLINE_ACCESS).collect(),
    };
    let device_code = random_id("dc", 36);
    inner.device_codes.insert(
        device_code.clone(),
        DeviceCode {
            polls: 0,
            user_code: flow.user_code.clone(),
            scopes,
            browser: None,
        },
    );
    let verification_uri = format!("{}/activate", app.base_url);
    json_response(
        StatusCode::OK,
        json!({
            "device_code": device_code,
            "user_code": flow.user_code,
            "verification_uri": verification_uri,
            "verification_uri_complete": format!("{verification_uri}?user_code={}", flow.user_code),
            "expires_in": flow.expires_in,
            "interval": flow.interval,
        }),
    )
}

/// `POST /oauth2/v1/token`: the device code, refresh token and token exchange grants.
pub async fn token(State(app): State<Arc<Shared>>, Form(form): Form<FormFields>) -> Response {
    let mut inner = app.lock();
    let Some(flow) = known_client(&inner, &form) else {
        return invalid_client();
    };
    match field(&form, "grant_type") {
        DEVICE_GRANT => device_token(&app.base_url, &mut inner, &flow, &form),
        REFRESH_GRANT => refresh(&app.base_url, &mut inner, &flow, &form),
        TOKEN_EXCHANGE => web_sso_exchange(&mut inner, &flow, &form),
        _ => bad_request("unsupported_grant_type", "The grant_type is not supported."),
    }
}

/// What one poll of a device code answers, before any token is issued.
enum Poll {
    SlowDown,
    Pending,
    Outcome(DeviceOutcome),
}

fn poll(flow: &DeviceFlow, code: &DeviceCode) -> Poll {
    if flow.slow_down_first && code.polls == 1 {
        return Poll::SlowDown;
    }
    let pending_so_far = code.polls - u32::from(flow.slow_down_first);
    let within_pending = pending_so_far <= flow.pending_polls;
    match (flow.approval, flow.outcome, code.browser) {
        (Approval::AfterPolls, outcome, _)
        | (Approval::InBrowser, outcome @ DeviceOutcome::Expire, _) => {
            if within_pending {
                Poll::Pending
            } else {
                Poll::Outcome(outcome)
            }
        }
        (Approval::InBrowser, _, None) => Poll::Pending,
        (Approval::InBrowser, _, Some(true)) => Poll::Outcome(DeviceOutcome::Approve),
        (Approval::InBrowser, _, Some(false)) => Poll::Outcome(DeviceOutcome::Deny),
    }
}

fn device_token(base: &str, inner: &mut Inner, flow: &DeviceFlow, form: &FormFields) -> Response {
    let device_code = field(form, "device_code");
    let Some(code) = inner.device_codes.get_mut(device_code) else {
        return bad_request(
            "invalid_grant",
            "The device code is invalid or has expired.",
        );
    };
    code.polls += 1;
    let answer = poll(flow, code);
    let scopes = code.scopes.clone();
    match answer {
        Poll::SlowDown => bad_request("slow_down", "The client is polling too fast."),
        Poll::Pending => bad_request(
            "authorization_pending",
            "The device authorization is pending. Please try again later.",
        ),
        Poll::Outcome(outcome) => {
            inner.device_codes.remove(device_code);
            match outcome {
                DeviceOutcome::Deny => bad_request(
                    "access_denied",
                    "The resource owner or authorization server denied the request.",
                ),
                DeviceOutcome::Expire => {
                    bad_request("expired_token", "The device code has expired.")
                }
                DeviceOutcome::Approve => issue_tokens(base, inner, flow, flow.user, scopes, None),
            }
        }
    }
}

/// The token answer, in the recorded field order, with a refresh token when `offline_access`
/// was granted (`refresh`: the one to answer again instead of a new one).
fn issue_tokens(
    base: &str,
    inner: &mut Inner,
    flow: &DeviceFlow,
    account: usize,
    scopes: Vec<String>,
    refresh: Option<String>,
) -> Response {
    let subject = TokenSubject {
        issuer: base,
        client_id: &flow.client_id,
        account: &inner.accounts[account],
        scopes: &scopes,
    };
    let access = access_token(&subject);
    let id = id_token(&subject);
    let epoch = inner.session_epoch;
    inner.oauth_tokens.insert(
        access.clone(),
        AccessGrant {
            account,
            id_token: id.clone(),
            epoch,
        },
    );
    let mut body = json!({
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME.as_secs(),
        "access_token": access,
        "scope": scopes.join(" "),
        "id_token": id,
    });
    if scopes.iter().any(|s| s == OFFLINE_ACCESS) {
        let refresh = refresh.unwrap_or_else(refresh_token);
        inner
            .refresh_tokens
            .insert(refresh.clone(), RefreshGrant { account, scopes });
        body["refresh_token"] = refresh.into();
    }
    json_response(StatusCode::OK, body)
}

/// The refresh token grant: new access and ID tokens; the refresh token rotates or stays.
fn refresh(base: &str, inner: &mut Inner, flow: &DeviceFlow, form: &FormFields) -> Response {
    let presented = field(form, "refresh_token");
    let Some(grant) = inner.refresh_tokens.remove(presented) else {
        return bad_request("invalid_grant", "The refresh token is invalid or expired.");
    };
    let again = match flow.offline_access {
        OfflineAccess::Granted { rotate: false } => Some(presented.to_string()),
        _ => None,
    };
    issue_tokens(base, inner, flow, grant.account, grant.scopes, again)
}

fn web_sso_exchange(inner: &mut Inner, flow: &DeviceFlow, form: &FormFields) -> Response {
    let audience = format!("urn:okta:apps:{}", inner.scenario.app_id);
    if field(form, "requested_token_type") != WEB_SSO_TOKEN
        || field(form, "actor_token_type") != ACCESS_TOKEN_TYPE
        || field(form, "subject_token_type") != ID_TOKEN_TYPE
    {
        return bad_request(
            "invalid_request",
            "The token types of the exchange are not supported.",
        );
    }
    if field(form, "audience") != audience {
        return bad_request(
            "invalid_target",
            "The audience is not an app this client may sign in to.",
        );
    }
    let grant = match inner.oauth_tokens.get(field(form, "actor_token")) {
        Some(grant) if grant.id_token == field(form, "subject_token") => grant.clone(),
        _ => {
            return bad_request("invalid_grant", "The actor or subject token is invalid.");
        }
    };
    if grant.epoch != inner.session_epoch {
        // The recorded text of a real org once the browser's Okta session has ended.
        return bad_request(
            "invalid_grant",
            "The 'subject_token' either expired or the session associated with it was terminated.",
        );
    }
    if flow.web_sso == WebSso::AssuranceNotMet {
        return bad_request(
            "invalid_grant",
            "The application's assurance requirements are not met by the 'subject_token'.",
        );
    }
    let sso_token = random_id("wsso", 40);
    inner
        .web_sso_tokens
        .insert(sso_token.clone(), grant.account);
    json_response(
        StatusCode::OK,
        json!({
            "token_type": "N_A",
            "expires_in": 300,
            "access_token": sso_token,
            "issued_token_type": WEB_SSO_TOKEN,
        }),
    )
}

/// `POST /oauth2/v1/revoke` (form: client_id, token, token_type_hint): 200 and no body, for
/// unknown tokens too, as Okta documents.
pub async fn revoke(State(app): State<Arc<Shared>>, Form(form): Form<FormFields>) -> Response {
    let mut inner = app.lock();
    if known_client(&inner, &form).is_none() {
        return invalid_client();
    }
    let token = field(&form, "token");
    if token.is_empty() {
        return bad_request("invalid_request", "The 'token' parameter is required.");
    }
    inner.refresh_tokens.remove(token);
    inner.oauth_tokens.remove(token);
    StatusCode::OK.into_response()
}
