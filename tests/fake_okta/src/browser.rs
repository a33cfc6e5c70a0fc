//! What the user's browser meets in an Identity Engine sign-in: the sign-in link
//! (`/activate?user_code=…`, where a visit is the user's answer when the scenario waits for the
//! browser), and `/login/token/sso`, which trades a web SSO token for an Okta session and the
//! AWS app's SAML page.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use crate::objects::html_response;
use crate::pages::error_page;
use crate::scenario::{Approval, DeviceOutcome};
use crate::state::{Inner, Shared};
use crate::util::xml_escape;
use crate::web::{app_page, session_cookies, with_cookies};

type Fields = HashMap<String, String>;

/// `GET /activate[?user_code=…]`: the `verification_uri(_complete)`.
pub async fn activate_link(
    State(app): State<Arc<Shared>>,
    Query(query): Query<Fields>,
) -> Response {
    activate(&mut app.lock(), query.get("user_code"))
}

/// `POST /activate` (form: user_code), as the page's form submits it.
pub async fn activate_form(State(app): State<Arc<Shared>>, Form(form): Form<Fields>) -> Response {
    activate(&mut app.lock(), form.get("user_code"))
}

/// User codes are compared as people type them: any case, with or without the dash.
fn same_code(typed: &str, issued: &str) -> bool {
    let plain = |code: &str| -> String {
        code.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect()
    };
    plain(typed) == plain(issued)
}

/// A visit with a user code: the user signs in and answers, for every open authorization
/// with that code, when the scenario waits for the browser.
fn activate(inner: &mut Inner, user_code: Option<&String>) -> Response {
    let Some(typed) = user_code.filter(|code| !code.is_empty()) else {
        return html_response(
            StatusCode::OK,
            activation_page("Activate your device", None),
        );
    };
    let Some(flow) = inner.scenario.device_flow.clone() else {
        return html_response(StatusCode::NOT_FOUND, error_page());
    };
    let mut open = inner
        .device_codes
        .values_mut()
        .filter(|code| same_code(typed, &code.user_code))
        .peekable();
    if open.peek().is_none() {
        return html_response(
            StatusCode::BAD_REQUEST,
            activation_page("Invalid code", Some(typed)),
        );
    }
    let approve = flow.outcome == DeviceOutcome::Approve;
    if flow.approval == Approval::InBrowser && flow.outcome != DeviceOutcome::Expire {
        for code in open {
            code.browser = Some(approve);
        }
    }
    let title = if approve {
        "Device activated"
    } else {
        "Device not activated"
    };
    html_response(StatusCode::OK, activation_page(title, Some(typed)))
}

fn activation_page(title: &str, code: Option<&str>) -> String {
    let code = code.map(xml_escape).unwrap_or_default();
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8" /><title>Acme - {title}</title></head>
<body>
    <h1>{title}</h1>
    <form method="POST" action="/activate">
        <input type="text" name="user_code" value="{code}" />
        <input type="submit" value="Next" />
    </form>
</body>
</html>
"#
    )
}

/// `POST /login/token/sso` (form: token), as okta-aws-cli sends it since 2.6: an Okta session
/// and the app's SAML page.
pub async fn token_sso_form(
    State(app): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(form): Form<Fields>,
) -> Response {
    token_sso(&app, &headers, form.get("token"))
}

/// `GET /login/token/sso?token=…`: the token in the URL, where server and proxy logs keep it;
/// refused with 400 when the scenario says so.
pub async fn token_sso_query(
    State(app): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<Fields>,
) -> Response {
    if app.lock().scenario.refuse_sso_token_in_url {
        return html_response(StatusCode::BAD_REQUEST, error_page());
    }
    token_sso(&app, &headers, query.get("token"))
}

fn token_sso(app: &Shared, headers: &HeaderMap, token: Option<&String>) -> Response {
    let mut inner = app.lock();
    let redeemed = token.and_then(|token| inner.web_sso_tokens.remove(token));
    let Some(account) = redeemed else {
        return html_response(StatusCode::FORBIDDEN, error_page());
    };
    let sid = inner.start_session(account, true);
    let path = format!("/home/amazon_aws/{}/272", inner.scenario.app_id);
    let page = app_page(&app.base_url, &mut inner, account, &sid, &path);
    let cookies = session_cookies(&inner, headers, &sid);
    with_cookies(page, &cookies)
}
