//! The hostile answers of [`crate::Hostile`], applied around the normal handlers: redirects
//! to another origin or in a loop, bodies too big to hold (streamed, never allocated), and
//! error texts carrying terminal escapes.

use std::convert::Infallible;

use axum::body::{Body, Bytes, to_bytes};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use serde_json::Value;

use crate::scenario::{Hostile, HugeAt, HugeBody, Redirect, RedirectTo};

/// The part of a request the hostile modes look at.
pub(crate) struct Target<'a> {
    pub method: &'a Method,
    pub path: &'a str,
    pub query: &'a str,
}

impl Target<'_> {
    fn is(&self, method: &Method, path: &str) -> bool {
        self.method == method && self.path == path
    }

    fn is_authn(&self) -> bool {
        self.is(&Method::POST, "/api/v1/authn")
    }

    fn is_verify(&self) -> bool {
        self.method == Method::POST
            && self.path.starts_with("/api/v1/authn/factors/")
            && self.path.ends_with("/verify")
    }

    fn is_app_link(&self) -> bool {
        self.method == Method::GET && self.path.starts_with("/home/amazon_aws/")
    }

    fn is_token_sso(&self) -> bool {
        self.path == "/login/token/sso"
    }
}

/// Whether the request is to be read and never answered.
pub(crate) fn blackholed(hostile: &Hostile, path: &str) -> bool {
    hostile
        .blackhole_paths
        .iter()
        .any(|prefix| path.starts_with(prefix.as_str()))
}

/// Where the two origins of the fake live.
pub(crate) struct Origins<'a> {
    pub base: &'a str,
    pub recorder_port: u16,
}

/// The hostile answer for this request, if the scenario has one.
pub(crate) fn answer(hostile: &Hostile, origins: &Origins, target: &Target) -> Option<Response> {
    let redirect = [
        (target.is_authn(), &hostile.authn_redirect),
        (target.is_verify(), &hostile.verify_redirect),
        (target.is_app_link(), &hostile.app_link_redirect),
    ]
    .into_iter()
    .find_map(|(applies, redirect)| redirect.as_ref().filter(|_| applies));
    if let Some(redirect) = redirect {
        return Some(redirect_answer(redirect, origins, target));
    }
    let huge = hostile.huge_body.filter(|huge| match huge.at {
        HugeAt::Authn => target.is_authn(),
        HugeAt::Token => target.is(&Method::POST, "/oauth2/v1/token"),
        HugeAt::AppLink => target.is_app_link(),
        HugeAt::SamlResponse => target.is_app_link() || target.is_token_sso(),
        HugeAt::Everything => true,
    })?;
    Some(huge_answer(huge))
}

fn redirect_answer(redirect: &Redirect, origins: &Origins, target: &Target) -> Response {
    let query = if target.query.is_empty() {
        String::new()
    } else {
        format!("?{}", target.query)
    };
    let location = match redirect.to {
        RedirectTo::RecorderByPort => format!(
            "http://127.0.0.1:{}{}{query}",
            origins.recorder_port, target.path
        ),
        RedirectTo::RecorderByHost => format!(
            "http://localhost:{}{}{query}",
            origins.recorder_port, target.path
        ),
        RedirectTo::Loop => format!("{}{}?{}", origins.base, target.path, next_hop(target.query)),
    };
    let status = StatusCode::from_u16(redirect.status).unwrap_or(StatusCode::FOUND);
    (status, [(header::LOCATION, location)]).into_response()
}

/// The query with `hop` counted up (the other parameters kept).
fn next_hop(query: &str) -> String {
    let mut hop = 0u64;
    let mut kept: Vec<&str> = Vec::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        match pair.strip_prefix("hop=") {
            Some(n) => hop = n.parse().unwrap_or(0),
            None => kept.push(pair),
        }
    }
    let hop = format!("hop={}", hop.saturating_add(1));
    kept.push(&hop);
    kept.join("&")
}

/// Filler is sent in chunks of this size, all sharing one buffer.
const CHUNK: usize = 64 * 1024;

/// A body of `huge.bytes` bytes (at least its frame), generated while it is sent.
fn huge_answer(huge: HugeBody) -> Response {
    let (content_type, prefix, fill, suffix): (&str, &str, u8, &str) = match huge.at {
        HugeAt::Authn => (
            "application/json",
            r#"{"status":"SUCCESS","expiresAt":"2030-01-01T00:00:00.000Z","sessionToken":""#,
            b'x',
            r#""}"#,
        ),
        HugeAt::Token => (
            "application/json",
            r#"{"token_type":"Bearer","expires_in":3600,"access_token":""#,
            b'x',
            r#""}"#,
        ),
        HugeAt::AppLink => (
            "text/html;charset=utf-8",
            "<!DOCTYPE html><html><head><title>Acme - Signing in...</title></head><body><!--",
            b'x',
            "--></body></html>",
        ),
        HugeAt::SamlResponse => (
            "text/html;charset=utf-8",
            r#"<!DOCTYPE html><html><head><title>Acme - Signing in...</title></head><body><form id="appForm" action="https&#x3a;&#x2f;&#x2f;signin.aws.amazon.com&#x2f;saml" method="POST"><input name="SAMLResponse" type="hidden" value=""#,
            b'A',
            r#""/><input name="RelayState" type="hidden" value=""/></form></body></html>"#,
        ),
        HugeAt::Everything => (
            "text/xml",
            "<AssumeRoleWithSAMLResponse><!--",
            b'x',
            "--></AssumeRoleWithSAMLResponse>",
        ),
    };
    let frame = (prefix.len() + suffix.len()) as u64;
    let filler = huge.bytes.saturating_sub(frame);
    let chunk = Bytes::from(vec![fill; CHUNK]);
    let full_chunks = filler / CHUNK as u64;
    let rest = (filler % CHUNK as u64) as usize;
    let pieces = std::iter::once(Bytes::from_static(prefix.as_bytes()))
        .chain(std::iter::repeat_n(chunk.clone(), full_chunks as usize))
        .chain(std::iter::once(chunk.slice(..rest)))
        .chain(std::iter::once(Bytes::from_static(suffix.as_bytes())))
        .map(Ok::<Bytes, Infallible>);
    let mut response = Response::new(Body::from_stream(stream::iter(pieces)));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if huge.content_length {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(frame + filler));
    }
    response
}

/// Replaces the text of an error answer (Okta's or OAuth's JSON) with `text`.
pub(crate) async fn with_error_text(response: Response, text: &str) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if response.status().as_u16() < 400 || !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Error objects are small; anything that does not parse is passed on unchanged.
    let Ok(bytes) = to_bytes(body, 1 << 20).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(mut json) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if json.get("errorSummary").is_some() {
        json["errorSummary"] = Value::from(text);
        json["errorCauses"] = serde_json::json!([{ "errorSummary": text }]);
    }
    if json.get("error_description").is_some() {
        json["error_description"] = Value::from(text);
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(json.to_string()))
}
