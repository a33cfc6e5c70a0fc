//! A stateful fake of Okta's Classic Authentication API and the AWS app's embed
//! link, for okta-aws's integration tests (in-process) and demo (the binary).
//!
//! It follows Okta's public API documentation (Classic Authentication API, app embed links,
//! and an Identity Engine org's device authorization and web SSO token exchange): transaction JSON with `_links`/`_embedded`, Okta's error
//! objects, rate-limit headers, one-time sessionTokens, and the SAML launch
//! page with Okta's OWASP attribute encoding.

mod authn;
mod aws_signin;
mod oauth;
mod objects;
mod pages;
mod scenario;
mod server;
mod state;
mod util;
mod web;

pub use scenario::{
    AfterPassword, AppPage, DeviceFlow, DeviceOutcome, Factor, PushBehaviour, PushOutcome,
    SamlRole, Scenario, SigninPage, User,
};
pub use server::FakeOkta;
pub use state::LoggedRequest;
