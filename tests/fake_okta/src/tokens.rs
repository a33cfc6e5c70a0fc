//! OAuth token strings shaped like an Identity Engine org's: access and ID tokens are JWTs
//! (base64url header, claims and signature, with the claim names of the recorded answers in
//! tests/fixtures/recorded/oie), so a client that reads `exp` or `sid` from them can. Nobody
//! checks the signature.

use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::state::Account;
use crate::util::{epoch_seconds, random_id};

/// How long access and ID tokens say they live (the recorded `expires_in`).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// Who the tokens are for.
pub struct TokenSubject<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub account: &'a Account,
    pub scopes: &'a [String],
}

/// An access token of the org authorization server.
pub fn access_token(subject: &TokenSubject) -> String {
    let (iat, exp) = issued_and_expiry();
    jwt(&json!({
        "ver": 1,
        "jti": random_id("AT.", 43),
        "iss": subject.issuer,
        "aud": subject.issuer,
        "sub": subject.account.user.login,
        "iat": iat,
        "exp": exp,
        "cid": subject.client_id,
        "uid": subject.account.id,
        "scp": subject.scopes,
        "auth_time": iat,
    }))
}

/// An ID token for the native app.
pub fn id_token(subject: &TokenSubject) -> String {
    let (iat, exp) = issued_and_expiry();
    jwt(&json!({
        "sub": subject.account.id,
        "ver": 1,
        "iss": subject.issuer,
        "aud": subject.client_id,
        "iat": iat,
        "exp": exp,
        "jti": random_id("ID.", 43),
        "amr": ["pwd", "mfa"],
        "idp": "00o1fakeoktaidp",
        "sid": random_id("idx", 22),
        "auth_time": iat,
        "at_hash": random_id("", 22),
    }))
}

/// Refresh tokens are opaque.
pub fn refresh_token() -> String {
    random_id("", 43)
}

fn issued_and_expiry() -> (u64, u64) {
    let now = SystemTime::now();
    (epoch_seconds(now), epoch_seconds(now + TOKEN_LIFETIME))
}

fn jwt(claims: &Value) -> String {
    let header = json!({ "kid": "fakeoktakey", "alg": "RS256" });
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        random_id("", 86)
    )
}
