//! A stateful fake of Okta's Classic Authentication API and the AWS app's embed
//! link, for okta-aws's integration tests (in-process) and demo (the binary).
//!
//! It follows Okta's public API documentation (Classic Authentication API, app embed links,
//! and an Identity Engine org's device authorization and web SSO token exchange): transaction JSON with `_links`/`_embedded`, Okta's error
//! objects, rate-limit headers, one-time sessionTokens, and the SAML launch
//! page with Okta's OWASP attribute encoding.

mod authn;
mod aws_signin;
mod blackhole;
mod browser;
mod federation;
mod hostile;
mod oauth;
mod objects;
mod pages;
mod recorder;
mod scenario;
mod server;
mod state;
mod tokens;
mod util;
mod web;

pub use blackhole::Blackhole;
pub use recorder::RecordedRequest;
pub use scenario::{
    AfterPassword, AppPage, Approval, DeviceFlow, DeviceOutcome, Factor, Hostile, HugeAt, HugeBody,
    OfflineAccess, Pipeline, PushBehaviour, PushOutcome, Redirect, RedirectTo, SamlRole, Scenario,
    SigninPage, User, WebSso,
};
pub use server::FakeOkta;
pub use state::{FederationRequest, LoggedRequest};
