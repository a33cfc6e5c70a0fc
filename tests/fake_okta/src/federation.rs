//! A stand-in for AWS's federation endpoint (`https://signin.aws.amazon.com/federation`), for
//! `okta-aws console` through `OKTA_AWS_FEDERATION_URL`. As AWS documents it ("Enable custom
//! identity broker access to the AWS console"):
//! - `GET ?Action=getSigninToken&Session=<JSON {sessionId, sessionKey, sessionToken}>
//!   [&SessionDuration=900..43200]` answers `{"SigninToken": "…"}`; a sign-in token works for
//!   15 minutes;
//! - `GET ?Action=login&Issuer=…&Destination=<console URL>&SigninToken=…` signs the browser in
//!   and sends it to the Destination. Here it answers a page naming the destination instead,
//!   so that a test "browser" that follows it stays on loopback.
//!
//! Bad or missing credentials get AWS's 400 "Invalid credentials parameter". Every request is
//! recorded (`FakeOkta::federation_requests`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::objects::{html_response, json_response};
use crate::state::{FederationRequest, Inner, Shared};
use crate::util::{random_id, xml_escape};

/// How long a sign-in token can be used.
const SIGNIN_TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// The console session lengths AWS accepts for `SessionDuration`.
const SESSION_DURATIONS: std::ops::RangeInclusive<u32> = 900..=43_200;

type Params = Vec<(String, String)>;

/// `GET /federation`.
pub async fn federation(State(app): State<Arc<Shared>>, Query(params): Query<Params>) -> Response {
    let mut inner = app.lock();
    let param = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let response = match param("Action") {
        Some("getSigninToken") => {
            signin_token(&mut inner, param("Session"), param("SessionDuration"))
        }
        Some("login") => login(&mut inner, param("SigninToken"), param("Destination")),
        _ => refusal("Invalid Action parameter"),
    };
    inner.federation_log.push(FederationRequest {
        params,
        status: response.status().as_u16(),
    });
    response
}

fn signin_token(inner: &mut Inner, session: Option<&str>, duration: Option<&str>) -> Response {
    let credentials_ok = session.is_some_and(well_formed_session);
    if !credentials_ok || inner.scenario.federation_refuses_credentials {
        return refusal("Invalid credentials parameter");
    }
    let duration_ok = duration.is_none_or(|seconds| {
        seconds
            .parse::<u32>()
            .is_ok_and(|s| SESSION_DURATIONS.contains(&s))
    });
    if !duration_ok {
        return refusal("Invalid SessionDuration parameter");
    }
    let token = random_id("", 400);
    inner
        .signin_tokens
        .insert(token.clone(), Instant::now() + SIGNIN_TOKEN_LIFETIME);
    json_response(StatusCode::OK, json!({ "SigninToken": token }))
}

/// The Session parameter: JSON with the three parts of temporary credentials.
fn well_formed_session(session: &str) -> bool {
    let Ok(value) = serde_json::from_str::<Value>(session) else {
        return false;
    };
    ["sessionId", "sessionKey", "sessionToken"]
        .iter()
        .all(|key| value[key].as_str().is_some_and(|part| !part.is_empty()))
}

fn login(inner: &mut Inner, token: Option<&str>, destination: Option<&str>) -> Response {
    let now = Instant::now();
    let live = token
        .and_then(|token| inner.signin_tokens.get(token))
        .is_some_and(|expires| *expires > now);
    if !live {
        return refusal("Invalid SigninToken parameter");
    }
    let Some(destination) = destination.filter(|url| url.starts_with("https://")) else {
        return refusal("Invalid Destination parameter");
    };
    let destination = xml_escape(destination);
    html_response(
        StatusCode::OK,
        format!(
            "<!DOCTYPE html>\n<html><head><title>AWS Management Console</title></head>\n\
             <body><p>Signed in. Destination: <a id=\"destination\" href=\"{destination}\">{destination}</a></p></body></html>\n"
        ),
    )
}

/// AWS's answer to a bad request: 400 and a servlet status page.
fn refusal(message: &str) -> Response {
    html_response(
        StatusCode::BAD_REQUEST,
        format!(
            "<html><head><title>HTTP Status 400 - {message}</title></head><body>\
             <h1>HTTP Status 400 - {message}</h1><p><b>type</b> Status report</p>\
             <p><b>message</b> <u>{message}</u></p><p><b>description</b> <u>The request sent \
             by the client was syntactically incorrect.</u></p></body></html>"
        ),
    )
}
