//! An Identity Engine org's OAuth side, as okta-aws-cli uses it: device authorization
//! (RFC 8628), the token endpoint (device code grant, and the exchange of access + ID token
//! for a web SSO token), and `/login/token/sso`, which trades that token for a session and
//! the AWS app's SAML page. Errors are OAuth's `{"error", "error_description"}`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::objects::json_response;
use crate::scenario::{DeviceFlow, DeviceOutcome};
use crate::state::Shared;
use crate::util::random_id;
use crate::web::{app_page, sid_cookie, with_cookies};

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const WEB_SSO_TOKEN: &str = "urn:okta:oauth:token-type:web_sso_token";
const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
const ID_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id_token";

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    json_response(
        status,
        json!({"error": error, "error_description": description}),
    )
}

fn invalid_client() -> Response {
    oauth_error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "Invalid value for 'client_id' parameter.",
    )
}

/// The org's device-flow app, when `form` names its client id.
fn known_client(shared: &Shared, form: &HashMap<String, String>) -> Option<DeviceFlow> {
    let flow = shared.lock().scenario.device_flow.clone()?;
    (form.get("client_id") == Some(&flow.client_id)).then_some(flow)
}

/// `POST /oauth2/v1/device/authorize` (form: client_id, scope).
pub async fn device_authorize(
    State(app): State<Arc<Shared>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if known_client(&app, &form).is_none() {
        return invalid_client();
    }
    let scopes: Vec<&str> = form
        .get("scope")
        .map(|s| s.split(' ').collect())
        .unwrap_or_default();
    if !scopes.contains(&"openid") || !scopes.contains(&"okta.apps.sso") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "The authorization server resource does not have any configured default scopes, 'scope' must be provided.",
        );
    }
    let device_code = random_id("dc", 36);
    let user_code = "WDJB-MJHT";
    app.lock().device_codes.insert(device_code.clone(), 0);
    let verification_uri = format!("{}/activate", app.base_url);
    json_response(
        StatusCode::OK,
        json!({
            "device_code": device_code,
            "user_code": user_code,
            "verification_uri": verification_uri,
            "verification_uri_complete": format!("{verification_uri}?user_code={user_code}"),
            "expires_in": 600,
            "interval": 1,
        }),
    )
}

/// `POST /oauth2/v1/token`: the device code grant and the web SSO token exchange.
pub async fn token(
    State(app): State<Arc<Shared>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Some(flow) = known_client(&app, &form) else {
        return invalid_client();
    };
    match form.get("grant_type").map(String::as_str) {
        Some(DEVICE_GRANT) => device_token(&app, &flow, &form),
        Some(TOKEN_EXCHANGE) => web_sso_exchange(&app, &form),
        _ => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The grant_type is not supported.",
        ),
    }
}

fn device_token(app: &Shared, flow: &DeviceFlow, form: &HashMap<String, String>) -> Response {
    let mut inner = app.lock();
    let code = form.get("device_code").cloned().unwrap_or_default();
    let Some(polls) = inner.device_codes.get_mut(&code) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The device code is invalid or has expired.",
        );
    };
    *polls += 1;
    let polls = *polls;
    if flow.slow_down_first && polls == 1 {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "slow_down",
            "The client is polling too fast.",
        );
    }
    let pending = polls - u32::from(flow.slow_down_first) <= flow.pending_polls;
    if pending {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "authorization_pending",
            "The device authorization is pending. Please try again later.",
        );
    }
    inner.device_codes.remove(&code);
    match flow.outcome {
        DeviceOutcome::Deny => oauth_error(
            StatusCode::BAD_REQUEST,
            "access_denied",
            "The resource owner or authorization server denied the request.",
        ),
        DeviceOutcome::Expire => oauth_error(
            StatusCode::BAD_REQUEST,
            "expired_token",
            "The device code has expired.",
        ),
        DeviceOutcome::Approve => {
            let access_token = random_id("eyJraWQiOiJhY2Nlc3Mi", 60);
            let id_token = random_id("eyJraWQiOiJpZCI", 60);
            inner
                .oauth_tokens
                .insert(access_token.clone(), (flow.user, id_token.clone()));
            json_response(
                StatusCode::OK,
                json!({
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "access_token": access_token,
                    "id_token": id_token,
                    "scope": "openid okta.apps.sso",
                }),
            )
        }
    }
}

fn web_sso_exchange(app: &Shared, form: &HashMap<String, String>) -> Response {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let mut inner = app.lock();
    let audience = format!("urn:okta:apps:{}", inner.scenario.app_id);
    if field("requested_token_type") != WEB_SSO_TOKEN
        || field("actor_token_type") != ACCESS_TOKEN_TYPE
        || field("subject_token_type") != ID_TOKEN_TYPE
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The token types of the exchange are not supported.",
        );
    }
    if field("audience") != audience {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_target",
            "The audience is not an app this client may sign in to.",
        );
    }
    let account = match inner.oauth_tokens.get(field("actor_token")) {
        Some((account, id_token)) if id_token == field("subject_token") => *account,
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "The actor or subject token is invalid.",
            );
        }
    };
    let sso_token = random_id("wsso", 40);
    inner.web_sso_tokens.insert(sso_token.clone(), account);
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

/// `GET /login/token/sso?token=<web SSO token>`: a session, and the app's SAML page.
pub async fn token_sso(
    State(app): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut inner = app.lock();
    let redeemed = query
        .get("token")
        .and_then(|token| inner.web_sso_tokens.remove(token));
    let Some(account) = redeemed else {
        return crate::objects::html_response(StatusCode::FORBIDDEN, crate::pages::error_page());
    };
    let sid = inner.start_session(account, true);
    let path = format!("/home/amazon_aws/{}/272", inner.scenario.app_id);
    let page = app_page(&app.base_url, &mut inner, account, &path);
    with_cookies(page, &[sid_cookie(&sid)])
}
