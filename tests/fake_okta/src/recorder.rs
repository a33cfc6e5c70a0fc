//! A second listener on another loopback port: the "other origin" that hostile redirects
//! point at. It answers every request with 200 `{}` and records everything it received, so a
//! test can assert that a password, a passCode or a cookie never arrived there.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use serde_json::json;

use crate::objects::json_response;
use crate::state::Shared;

/// One request the recorder received, in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    /// Every header, names lower-case, in order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// Whether `needle` appears anywhere in what was received (path, query, headers, body).
    pub fn contains(&self, needle: &str) -> bool {
        let in_headers = self
            .headers
            .iter()
            .any(|(name, value)| name.contains(needle) || value.contains(needle));
        self.path.contains(needle)
            || self.query.contains(needle)
            || in_headers
            || String::from_utf8_lossy(&self.body).contains(needle)
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(record).with_state(shared)
}

async fn record(
    State(app): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = RecordedRequest {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().unwrap_or_default().to_string(),
        headers: headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_string(), value)
            })
            .collect(),
        body: body.to_vec(),
    };
    app.recorded
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(request);
    json_response(StatusCode::OK, json!({}))
}
