//! Browser-side endpoints: the AWS app link, the sign-in page, sessions and cookies.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::objects::{
    authentication_failed, html_response, json_response, malformed_body, not_found, session_json,
};
use crate::pages::{AssertionInput, error_page, saml_page, sign_in_page, step_up_page};
use crate::scenario::AppPage;
use crate::state::{Inner, Shared, Step, StepUp, Transaction};
use crate::util::{percent_encode, random_id};

/// The value of cookie `name` in the request, if any.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_string())
}

/// The account of the live session named by the request's `sid` cookie.
fn session_account(inner: &Inner, headers: &HeaderMap) -> Option<(String, usize)> {
    let sid = cookie(headers, "sid")?;
    let account = inner.live_session(&sid)?.account;
    Some((sid, account))
}

/// The `Set-Cookie` values that start an Okta session: `sid`, and the `DT` device token
/// (the browser's own, when it sent one). Not `Secure` by default: we serve plain http on
/// 127.0.0.1 (`Hostile::cookie_attributes` changes that).
pub(crate) fn session_cookies(inner: &Inner, headers: &HeaderMap, sid: &str) -> Vec<String> {
    let attributes = inner
        .scenario
        .hostile
        .cookie_attributes
        .as_deref()
        .unwrap_or("Path=/; HttpOnly");
    let device = cookie(headers, "DT").unwrap_or_else(|| random_id("DI", 40));
    vec![
        format!("sid={sid}; {attributes}"),
        format!("DT={device}; {attributes}; Max-Age=31536000"),
    ]
}

pub(crate) fn with_cookies(mut response: Response, cookies: &[String]) -> Response {
    for value in cookies {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

pub(crate) fn redirect(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

pub(crate) fn sign_in_redirect(base: &str, from_uri: &str) -> Response {
    redirect(&format!(
        "{base}/login/login.htm?fromURI={}",
        percent_encode(from_uri)
    ))
}

/// `GET /home/amazon_aws/{app_id}/{n}`: the AWS app's embed link. A valid
/// `onetimetoken` starts a session (setting `sid` and `DT`, as Okta does, so no other
/// request is needed for one); otherwise a live `sid` cookie is needed.
pub async fn app_link(
    State(app): State<Arc<Shared>>,
    Path((app_id, number)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let path = format!("/home/amazon_aws/{app_id}/{number}");
    let mut inner = app.lock();
    if app_id != inner.scenario.app_id {
        return not_found(&format!("{app_id} (App)"));
    }
    let from_token = query
        .get("onetimetoken")
        .and_then(|token| inner.redeem_session_token(token));
    let (account, sid, started) = match from_token {
        Some((account, mfa)) => (account, inner.start_session(account, mfa), true),
        None => match session_account(&inner, &headers) {
            Some((sid, account)) => (account, sid, false),
            None => return sign_in_redirect(&app.base_url, &path),
        },
    };
    let page = app_page(&app.base_url, &mut inner, account, &sid, &path);
    let cookies = if started {
        session_cookies(&inner, &headers, &sid)
    } else {
        Vec::new()
    };
    with_cookies(page, &cookies)
}

/// The page the app answers for a signed-in user (session `sid`), per the scenario.
pub(crate) fn app_page(
    base: &str,
    inner: &mut Inner,
    account: usize,
    sid: &str,
    path: &str,
) -> Response {
    let stepped_up = inner.live_session(sid).is_some_and(|s| s.stepped_up);
    match inner.scenario.app_page {
        AppPage::Saml => saml_answer(base, inner, account),
        AppPage::StepUp if stepped_up => saml_answer(base, inner, account),
        AppPage::SignInRedirect => sign_in_redirect(base, path),
        AppPage::StepUp => {
            // A real transaction, so a client can continue it through /api/v1/authn.
            let has_factors = !inner.accounts[account].user.factors.is_empty();
            let step = if has_factors {
                Step::MfaRequired
            } else {
                Step::Unauthenticated
            };
            let mut txn = Transaction::new(account, step);
            txn.step_up = Some(StepUp {
                sid: sid.to_string(),
                app_path: path.to_string(),
            });
            let token = inner.open_transaction(txn);
            html_response(StatusCode::OK, step_up_page(&token))
        }
        AppPage::ServerError => html_response(StatusCode::INTERNAL_SERVER_ERROR, error_page()),
    }
}

fn saml_answer(base: &str, inner: &Inner, account: usize) -> Response {
    let scenario = &inner.scenario;
    let acs_url = scenario.acs_url.replace("{self}", base);
    let input = AssertionInput {
        login: &inner.accounts[account].user.login,
        acs_url: &acs_url,
        roles: &scenario.roles,
        session_duration: scenario.session_duration,
    };
    html_response(StatusCode::OK, saml_page(&input))
}

#[derive(Deserialize)]
pub(crate) struct StepUpQuery {
    #[serde(rename = "stateToken")]
    state_token: Option<String>,
}

/// `GET /login/step-up/redirect?stateToken=…`, the `next` link of a SESSION_STEP_UP success:
/// the browser session that met the app's policy (its `sid` cookie) is stepped up and sent
/// back to the app link. Anything else goes to the sign-in page.
pub(crate) async fn step_up_redirect(
    State(app): State<Arc<Shared>>,
    Query(query): Query<StepUpQuery>,
    headers: HeaderMap,
) -> Response {
    let mut inner = app.lock();
    let step_up = query
        .state_token
        .and_then(|token| inner.step_up_done.remove(&token));
    let Some(step_up) = step_up else {
        return sign_in_redirect(&app.base_url, "/app/UserHome");
    };
    let same_session = cookie(&headers, "sid").as_deref() == Some(step_up.sid.as_str());
    if !same_session || !inner.step_up_session(&step_up.sid) {
        return sign_in_redirect(&app.base_url, &step_up.app_path);
    }
    redirect(&format!("{}{}", app.base_url, step_up.app_path))
}

/// `GET /login/login.htm`.
pub async fn login_page() -> Response {
    html_response(StatusCode::OK, sign_in_page())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionBody {
    session_token: Option<String>,
}

/// `POST /api/v1/sessions {"sessionToken"}`: trades a sessionToken for a session (okta-awscli's route).
pub async fn create_session(State(app): State<Arc<Shared>>, bytes: Bytes) -> Response {
    let Ok(body) = serde_json::from_slice::<SessionBody>(&bytes) else {
        return malformed_body();
    };
    let mut inner = app.lock();
    let Some((account, mfa)) = body
        .session_token
        .and_then(|token| inner.redeem_session_token(&token))
    else {
        return authentication_failed();
    };
    let sid = inner.start_session(account, mfa);
    let session = inner.live_session(&sid).expect("session just started");
    let body = session_json(&app.base_url, &sid, &inner.accounts[account], session);
    // okta-awscli's route: only the sid cookie.
    let cookies = &session_cookies(&inner, &HeaderMap::new(), &sid)[..1];
    with_cookies(json_response(StatusCode::OK, body), cookies)
}

/// `GET /login/sessionCookieRedirect?token=&redirectUrl=` (gimme-aws-creds' route):
/// sets the `sid` and `DT` cookies and redirects.
pub async fn session_cookie_redirect(
    State(app): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let default_target = format!("{}/app/UserHome", app.base_url);
    let target = query.get("redirectUrl").unwrap_or(&default_target);
    let mut inner = app.lock();
    let Some((account, mfa)) = query
        .get("token")
        .and_then(|token| inner.redeem_session_token(token))
    else {
        return sign_in_redirect(&app.base_url, target);
    };
    let sid = inner.start_session(account, mfa);
    // The device token identifies the browser: the one it already has is kept.
    let cookies = session_cookies(&inner, &headers, &sid);
    with_cookies(redirect(target), &cookies)
}

/// `GET /api/v1/sessions/me`.
pub async fn session_me(State(app): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let inner = app.lock();
    let Some((sid, account)) = session_account(&inner, &headers) else {
        return not_found("me (Session)");
    };
    let session = inner.live_session(&sid).expect("session is live");
    let body = session_json(&app.base_url, &sid, &inner.accounts[account], session);
    json_response(StatusCode::OK, body)
}

/// `DELETE /api/v1/sessions/me`: signs out.
pub async fn end_session_me(State(app): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let mut inner = app.lock();
    match cookie(&headers, "sid") {
        Some(sid) if inner.end_session(&sid) => StatusCode::NO_CONTENT.into_response(),
        _ => not_found("me (Session)"),
    }
}

/// `GET /api/v1/users/me/appLinks`: the user's apps (just AWS here).
pub async fn app_links(State(app): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let inner = app.lock();
    if session_account(&inner, &headers).is_none() {
        return crate::objects::error(StatusCode::FORBIDDEN, "E0000005", "Invalid session", &[]);
    }
    let app_id = &inner.scenario.app_id;
    let body = json!([{
        "id": "00ub0fakeapplink01",
        "label": "AWS",
        "linkUrl": format!("{}/home/amazon_aws/{app_id}/272", app.base_url),
        "logoUrl": format!("{}/assets/img/logos/amazon-aws.png", app.base_url),
        "appName": "amazon_aws",
        "appInstanceId": app_id,
        "appAssignmentId": "0ua1fakeassignment",
        "credentialsSetup": false,
        "hidden": false,
        "sortOrder": 0,
    }]);
    json_response(StatusCode::OK, body)
}
