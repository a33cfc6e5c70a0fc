//! A stateful fake of Okta's Classic Authentication API and the AWS app's embed
//! link, for okta-aws's integration tests (in-process) and demo (the binary).
//!
//! It follows Okta's public API documentation (Classic Authentication API, app embed links,
//! and an Identity Engine org's device authorization and web SSO token exchange): transaction JSON with `_links`/`_embedded`, Okta's error
//! objects, rate-limit headers, one-time sessionTokens, and the SAML launch
//! page with Okta's OWASP attribute encoding. Where answers of real orgs were recorded
//! (tests/fixtures/recorded, with their sources), it answers in their shapes, and
//! `tests/recorded_shapes.rs` checks that it does.
//!
//! # What a [`Scenario`] sets, beyond users, factors and roles
//!
//! - **The org's engine** ([`Scenario::pipeline`]): `GET /.well-known/okta-organization` →
//!   200 `{"id","cell","_links":{"organization":{"href"}},"pipeline":"idx"|"v1","settings":{…}}`
//!   (`Auto`: `idx` when there is a device flow), or 404 (`NotFound`).
//! - **The Identity Engine sign-in** ([`Scenario::device_flow`], a [`DeviceFlow`]):
//!   - `POST /oauth2/v1/device/authorize` (form `client_id`, `scope` with `openid` and
//!     `okta.apps.sso`) → `{device_code, user_code, verification_uri,
//!     verification_uri_complete, expires_in, interval}` (the last two from the scenario, any
//!     `u64`). Unknown client: 401 `invalid_client`; scopes missing, or `offline_access` when
//!     [`OfflineAccess::Refused`]: 400 `invalid_scope`.
//!   - `POST /oauth2/v1/token`, `grant_type=urn:ietf:params:oauth:grant-type:device_code`
//!     (`client_id`, `device_code`) → 400 `slow_down` (first poll, if asked),
//!     `authorization_pending`, then `access_denied` / `expired_token` / 200
//!     `{token_type, expires_in, access_token, scope, id_token[, refresh_token]}` (JWT-shaped
//!     tokens; `refresh_token` when `offline_access` was asked and is
//!     [`OfflineAccess::Granted`]). [`Approval::AfterPolls`]: the outcome after
//!     `pending_polls` polls; [`Approval::InBrowser`]: pending until the sign-in link is
//!     opened — `GET /activate?user_code=…` (the `verification_uri_complete`, so a test's
//!     `OKTA_BROWSER_COMMAND` that fetches it is the user) or `POST /activate` (form
//!     `user_code`; any case, dash optional) answers a small page and gives the outcome.
//!   - `grant_type=refresh_token` (`client_id`, `refresh_token`) → the same token answer;
//!     the refresh token rotates (`Granted { rotate: true }`: the old one stops working) or
//!     comes back unchanged; unknown, revoked, rotated or expired → 400 `invalid_grant` "The
//!     refresh token is invalid or expired.".
//!   - `grant_type=urn:ietf:params:oauth:grant-type:token-exchange` (actor = access token,
//!     subject = ID token, `requested_token_type=urn:okta:oauth:token-type:web_sso_token`,
//!     `audience=urn:okta:apps:<app_id>`) → `{token_type:"N_A", expires_in, access_token,
//!     issued_token_type}`; 400 `invalid_grant` with the real texts when the tokens' Okta
//!     session has ended ([`FakeOkta::end_all_sessions`]: refresh to get usable ones) or the
//!     scenario says [`WebSso::AssuranceNotMet`].
//!   - `POST /oauth2/v1/revoke` (form `client_id`, `token`, `token_type_hint`) → 200, empty,
//!     for unknown tokens too; unknown client 401 `invalid_client`.
//!   - `POST /login/token/sso` (form `token=<web SSO token>`) → the app's page (SAML, or the
//!     step-up page) and `sid` + `DT` cookies; bad token 403. `GET …?token=` works too
//!     unless [`Scenario::refuse_sso_token_in_url`] (400); either way it is counted
//!     ([`FakeOkta::sso_tokens_in_url`]).
//! - **Classic step-up** ([`AppPage::StepUp`]): the app link answers the "Extra
//!   Verification" page (`var stateToken = '…';`); `POST /api/v1/authn {"stateToken"}` →
//!   MFA_REQUIRED (`type: SESSION_STEP_UP`, `_embedded.target`) → factor verify → SUCCESS
//!   with no sessionToken and `_links.next` (`name: original`, GET)
//!   `/login/step-up/redirect?stateToken=…`; fetched with the same `sid` cookie, it steps
//!   that session up and answers 302 to the app link, which then answers the SAML page.
//! - **The session from the app link**: `GET <app link>?onetimetoken=<sessionToken>` sets
//!   `sid` and `DT` (keeping the `DT` sent) and answers the page at once;
//!   `GET /api/v1/sessions/me` answers the session with `expiresAt`.
//! - **AWS federation** (`/federation`, [`FakeOkta::federation_url`]): `GET
//!   ?Action=getSigninToken&Session=<JSON {sessionId, sessionKey, sessionToken}>
//!   [&SessionDuration=900..43200]` → `{"SigninToken"}`; `GET ?Action=login&Issuer=…
//!   &Destination=https://…&SigninToken=…` → 200 page naming the destination (no redirect:
//!   a test browser stays on loopback). Bad credentials, durations, tokens or destinations,
//!   and everything when [`Scenario::federation_refuses_credentials`]: 400 "Invalid
//!   credentials parameter"-style pages. Recorded: [`FakeOkta::federation_requests`].
//! - **Hostile answers** ([`Scenario::hostile`], a [`Hostile`]): redirects of authn, factor
//!   verify or the app link to the recorder (another port, or `localhost`, which records
//!   everything it receives: [`FakeOkta::recorded`]) or in a loop; cookie attributes; huge
//!   streamed bodies ([`HugeBody`]); a verbatim `X-Rate-Limit-Reset` on 429s
//!   ([`FakeOkta::rate_limit_next`]); replaced error texts; factor display texts
//!   ([`Factor::with_display`]); paths that are never answered. Role ARNs and account names
//!   are the scenario's, newlines and escapes included. [`Blackhole`] is a listener that
//!   never answers, for STS/IAM deadlines.
//!
//! Every request is logged ([`FakeOkta::requests`], [`FakeOkta::count`] by method and path
//! prefix), which is each endpoint's counter.

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
