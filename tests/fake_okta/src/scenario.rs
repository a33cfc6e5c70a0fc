//! What the fake Okta org knows: its users, their factors, and the AWS app.

use std::time::Duration;

/// The whole configuration of one fake org.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub users: Vec<User>,
    /// Role attribute values in the SAML assertion.
    pub roles: Vec<SamlRole>,
    /// SessionDuration attribute; omitted from the assertion when `None`.
    pub session_duration: Option<u32>,
    pub app_id: String,
    /// What the app link answers once the caller has a valid token or session.
    pub app_page: AppPage,
    /// Latency injected before every answer.
    pub delay: Duration,
    /// The form action of the SAML page (AWS's ACS URL); `{self}` is this server's base URL.
    pub acs_url: String,
    /// Print one line per request (method, path, status — never tokens) to stderr, so a
    /// benchmark can count round trips of the binary.
    pub log_to_stderr: bool,
    /// The shape of the AWS sign-in page this server also plays at `POST /aws/saml` (point
    /// `acs_url` at `{self}/aws/saml`, `{self}` being replaced by the server's base URL).
    pub signin_page: SigninPage,
    /// Account id → alias, shown by the sign-in page (accounts not listed have none).
    pub account_names: Vec<(String, String)>,
    /// An Okta Identity Engine org: the OIDC app for the device flow (`None`: the OAuth
    /// endpoints answer `invalid_client` to every client id).
    pub device_flow: Option<DeviceFlow>,
    /// What `/.well-known/okta-organization` says the org runs.
    pub pipeline: Pipeline,
    /// `GET /login/token/sso?token=…` (the web SSO token in the URL, where logs keep it) is
    /// refused with 400; the token is accepted only in a POST body. Off: both work, and a test
    /// can still see (`FakeOkta::sso_tokens_in_url`) whether the URL form was used.
    pub refuse_sso_token_in_url: bool,
    /// The AWS federation endpoint (`/federation`) refuses every session's credentials with
    /// AWS's 400, as for expired or role-chained credentials.
    pub federation_refuses_credentials: bool,
    /// Hostile behaviours, for the client's trust rules (all off by default).
    pub hostile: Hostile,
}

/// The engine an org runs, as `GET /.well-known/okta-organization` tells it (`pipeline`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pipeline {
    /// Identity Engine when the scenario has a device flow, else Classic.
    #[default]
    Auto,
    /// `"pipeline": "v1"`.
    Classic,
    /// `"pipeline": "idx"`.
    IdentityEngine,
    /// The endpoint answers 404, as an old org or a proxy in front of Okta might.
    NotFound,
}

/// The native OIDC app of an Identity Engine org and how its device sign-in goes (RFC 8628).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceFlow {
    pub client_id: String,
    /// Which user (index into `users`) signs in in the browser.
    pub user: usize,
    /// How many token polls answer `authorization_pending` before the outcome.
    pub pending_polls: u32,
    /// Answer the first poll with `slow_down`.
    pub slow_down_first: bool,
    pub outcome: DeviceOutcome,
    /// When the outcome comes: after `pending_polls` polls, or once the sign-in link is opened.
    pub approval: Approval,
    /// What the app grants when a client asks for `offline_access`.
    pub offline_access: OfflineAccess,
    /// Whether the app was granted the `okta.apps.sso` scope; without it Okta answers the
    /// device authorization `invalid_scope`, as for any scope the app may not ask for.
    pub apps_sso_scope: bool,
    /// What the token exchange for the AWS app's web SSO token answers.
    pub web_sso: WebSso,
    /// The device authorization's `expires_in` and `interval`, in seconds (hostile values
    /// such as `u64::MAX` welcome).
    pub expires_in: u64,
    pub interval: u64,
    /// The code the user confirms in the browser (also in `verification_uri_complete`).
    pub user_code: String,
}

impl DeviceFlow {
    /// Approved in the browser after one pending poll.
    pub fn approved(client_id: &str) -> Self {
        DeviceFlow {
            client_id: client_id.to_string(),
            user: 0,
            pending_polls: 1,
            slow_down_first: false,
            outcome: DeviceOutcome::Approve,
            approval: Approval::AfterPolls,
            offline_access: OfflineAccess::NotGranted,
            apps_sso_scope: true,
            web_sso: WebSso::Issue,
            expires_in: 600,
            interval: 1,
            user_code: "WDJB-MJHT".to_string(),
        }
    }

    /// Approved when a "browser" opens `verification_uri_complete` (a test's
    /// `OKTA_BROWSER_COMMAND` that fetches the link), with refresh tokens that rotate.
    pub fn approved_in_browser(client_id: &str) -> Self {
        DeviceFlow {
            approval: Approval::InBrowser,
            offline_access: OfflineAccess::Granted { rotate: true },
            ..DeviceFlow::approved(client_id)
        }
    }
}

/// When the user's answer in the browser reaches the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    /// After `pending_polls` polls answered `authorization_pending`, with no browser at all.
    AfterPolls,
    /// Polls answer `authorization_pending` until `GET`/`POST /activate?user_code=…` (the
    /// `verification_uri_complete`) is visited; the visit gives the outcome (`Approve` or
    /// `Deny`). An `Expire` outcome ignores the visit and expires after `pending_polls` polls.
    InBrowser,
}

/// What the native app grants for the `offline_access` scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfflineAccess {
    /// The refresh token grant is off: the scope is dropped from the answer, no refresh token.
    NotGranted,
    /// Asking for `offline_access` fails the device authorization with `invalid_scope`.
    Refused,
    /// A `refresh_token` comes with the tokens; `rotate`: each refresh answers a new one and
    /// the old one stops working, else the same one is answered again.
    Granted { rotate: bool },
}

/// The answer of the token exchange for a web SSO token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebSso {
    Issue,
    /// `invalid_grant`, "The application's assurance requirements are not met by the
    /// 'subject_token'." — what a real org answers when the AWS app's "Allowed Web SSO Client"
    /// or its authentication policy does not match the native app's.
    AssuranceNotMet,
}

/// How the user answers the device sign-in in the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceOutcome {
    Approve,
    Deny,
    /// The user never comes: the device code expires.
    Expire,
}

/// The shapes of AWS's SAML sign-in page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SigninPage {
    /// The older HTML role picker.
    #[default]
    RolePicker,
    /// The current Next.js page: its data in `<meta name="data">` (base64 JSON with
    /// `roles_accounts`), `__NEXT_DATA__` empty.
    NextData,
    /// HTTP 500 and junk.
    Broken,
    /// What AWS answers when the assertion grants one role: a 302 into the console (here
    /// `/console/home` on this server, so a client that follows it stays on loopback).
    SingleRole,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            users: Vec::new(),
            roles: Vec::new(),
            session_duration: None,
            app_id: "0oa1fakeawsapp".to_string(),
            app_page: AppPage::Saml,
            delay: Duration::ZERO,
            // This server's own stand-in for AWS's sign-in page: a client that follows the
            // form (as okta-aws does for account names) stays on loopback.
            acs_url: "{self}/aws/saml".to_string(),
            log_to_stderr: false,
            signin_page: SigninPage::default(),
            account_names: Vec::new(),
            device_flow: None,
            pipeline: Pipeline::Auto,
            refuse_sso_token_in_url: false,
            federation_refuses_credentials: false,
            hostile: Hostile::default(),
        }
    }
}

/// Hostile answers for the client's trust rules. Each is off (`None`, empty) by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hostile {
    /// `POST /api/v1/authn` answers this redirect (the password must not follow it).
    pub authn_redirect: Option<Redirect>,
    /// `POST /api/v1/authn/factors/{id}/verify` answers this redirect (nor the passCode).
    pub verify_redirect: Option<Redirect>,
    /// `GET` of the AWS app link answers this redirect.
    pub app_link_redirect: Option<Redirect>,
    /// The attributes of the `sid` and `DT` cookies instead of `Path=/; HttpOnly`, e.g.
    /// `"Path=/; Secure; HttpOnly"` or `"Path=/api; Domain=example.com"`.
    pub cookie_attributes: Option<String>,
    /// One endpoint answers a body of this many bytes, streamed (never held in memory).
    pub huge_body: Option<HugeBody>,
    /// The `X-Rate-Limit-Reset` of 429 answers, verbatim (e.g. `"253402300800"`, year 10000).
    pub rate_limit_reset: Option<String>,
    /// Replaces every error's text: Okta's `errorSummary` and `errorCauses`, OAuth's
    /// `error_description` (e.g. with `"\x1b]0;owned\x07"` or newlines).
    pub error_text: Option<String>,
    /// Requests whose path starts with one of these are read and never answered (logged with
    /// status 0), for deadline tests; `"/"` blackholes everything.
    pub blackhole_paths: Vec<String>,
}

/// A redirect answered instead of the real answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// 301, 302, 303, 307 or 308.
    pub status: u16,
    pub to: RedirectTo,
}

/// Where a hostile redirect points; the path and query are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectTo {
    /// The recorder (`FakeOkta::recorder_url`): `http://127.0.0.1:<another port>` — another
    /// origin by port only, as an https→http downgrade looks on loopback.
    RecorderByPort,
    /// The recorder by another host name: `http://localhost:<its port>`.
    RecorderByHost,
    /// The same URL again with `hop=N` added: a redirect loop within the org's origin.
    Loop,
}

impl Redirect {
    pub fn new(status: u16, to: RedirectTo) -> Self {
        Redirect { status, to }
    }
}

/// A body too big for any client to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HugeBody {
    pub at: HugeAt,
    pub bytes: u64,
    /// Announce the size in `Content-Length` (else the body is chunked, its end unknown).
    pub content_length: bool,
}

/// Which answer is huge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HugeAt {
    /// `POST /api/v1/authn` (JSON: a SUCCESS whose `sessionToken` never ends).
    Authn,
    /// `POST /oauth2/v1/token` (JSON: a token answer whose `access_token` never ends).
    Token,
    /// The AWS app link: an endless HTML page.
    AppLink,
    /// The SAML page of the app link and of `/login/token/sso`, whose `SAMLResponse` value
    /// never ends.
    SamlResponse,
    /// Every request (XML-ish filler): a fake STS or IAM endpoint whose answers never end.
    Everything,
}

/// One value of the `https://aws.amazon.com/SAML/Attributes/Role` attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamlRole {
    pub role_arn: String,
    pub provider_arn: String,
    /// Write `provider_arn,role_arn` instead of `role_arn,provider_arn`
    /// (AWS accepts both orders, so clients must too).
    pub provider_first: bool,
}

impl SamlRole {
    pub fn new(role_arn: &str, provider_arn: &str) -> Self {
        SamlRole {
            role_arn: role_arn.to_string(),
            provider_arn: provider_arn.to_string(),
            provider_first: false,
        }
    }

    /// The attribute value as it appears in the assertion.
    pub(crate) fn attribute_value(&self) -> String {
        if self.provider_first {
            format!("{},{}", self.provider_arn, self.role_arn)
        } else {
            format!("{},{}", self.role_arn, self.provider_arn)
        }
    }
}

/// The answer of the AWS app link for a caller with a valid token or session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppPage {
    /// The auto-submitting SAML form, as Okta renders it.
    Saml,
    /// Okta pretends the session is not enough and shows its sign-in page.
    SignInRedirect,
    /// The app's sign-on policy wants its own MFA: until the session has stepped up, the
    /// "Extra Verification" page with a `stateToken` that `/api/v1/authn` continues
    /// (MFA_REQUIRED → verify → SUCCESS of type SESSION_STEP_UP, whose `next` link
    /// `/login/step-up/redirect` marks the session and leads back to the app); then the SAML
    /// page, for that session.
    StepUp,
    /// An HTML error page with status 500.
    ServerError,
}

/// What `POST /api/v1/authn` answers after a correct password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterPassword {
    Success,
    PasswordWarn,
    PasswordExpired,
    LockedOut,
    MfaEnroll,
    /// A status this fake (and probably the client) knows nothing about.
    Unknown(String),
}

#[derive(Debug, Clone)]
pub struct User {
    pub login: String,
    pub password: String,
    pub after_password: AfterPassword,
    /// Enrolled factors, offered in this order.
    pub factors: Vec<Factor>,
}

impl User {
    pub fn new(login: &str, password: &str) -> Self {
        User {
            login: login.to_string(),
            password: password.to_string(),
            after_password: AfterPassword::Success,
            factors: Vec::new(),
        }
    }

    pub fn with_factor(mut self, factor: Factor) -> Self {
        self.factors.push(factor);
        self
    }

    pub fn after_password(mut self, after: AfterPassword) -> Self {
        self.after_password = after;
        self
    }
}

/// An enrolled factor.
#[derive(Debug, Clone)]
pub struct Factor {
    /// Okta's `factorType`, e.g. `push`, `token:software:totp`, `sms`.
    pub factor_type: String,
    /// Okta's `provider`, e.g. `OKTA`, `GOOGLE`, `YUBICO`.
    pub provider: String,
    /// The code (or the answer to the security question) that verifies.
    pub secret: String,
    /// How a push factor behaves; ignored for other types.
    pub push: PushBehaviour,
    /// The question text of a `question` factor; `None` for other types.
    pub question: Option<String>,
    /// Replaces the text the factor is shown with: a push device's `name`, the masked
    /// `phoneNumber` or `email`, or a `name` for other types (hostile text welcome).
    pub display: Option<String>,
}

/// The script a push factor follows once a push has been sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushBehaviour {
    /// How many polls answer `WAITING` before the outcome.
    pub waiting_polls: u32,
    /// The number the user must pick on the phone (number challenge), if any.
    pub correct_answer: Option<u32>,
    pub outcome: PushOutcome,
}

impl Default for PushBehaviour {
    fn default() -> Self {
        PushBehaviour {
            waiting_polls: 0,
            correct_answer: None,
            outcome: PushOutcome::Approve,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    Approve,
    Reject,
    Timeout,
}

impl Factor {
    fn coded(factor_type: &str, provider: &str, secret: &str) -> Self {
        Factor {
            factor_type: factor_type.to_string(),
            provider: provider.to_string(),
            secret: secret.to_string(),
            push: PushBehaviour::default(),
            question: None,
            display: None,
        }
    }

    /// The same factor shown with `text` (see [`Factor::display`]).
    pub fn with_display(mut self, text: &str) -> Self {
        self.display = Some(text.to_string());
        self
    }

    /// Okta Verify push.
    pub fn push(waiting_polls: u32, correct_answer: Option<u32>, outcome: PushOutcome) -> Self {
        Factor {
            push: PushBehaviour {
                waiting_polls,
                correct_answer,
                outcome,
            },
            ..Factor::coded("push", "OKTA", "")
        }
    }

    /// `token:software:totp` from `OKTA` (Okta Verify) or `GOOGLE` (Authenticator).
    pub fn totp(provider: &str, code: &str) -> Self {
        Factor::coded("token:software:totp", provider, code)
    }

    pub fn sms(code: &str) -> Self {
        Factor::coded("sms", "OKTA", code)
    }

    pub fn call(code: &str) -> Self {
        Factor::coded("call", "OKTA", code)
    }

    pub fn email(code: &str) -> Self {
        Factor::coded("email", "OKTA", code)
    }

    /// A security question; `secret` holds the answer.
    pub fn question(question: &str, answer: &str) -> Self {
        Factor {
            question: Some(question.to_string()),
            ..Factor::coded("question", "OKTA", answer)
        }
    }

    /// YubiKey OTP.
    pub fn hardware(code: &str) -> Self {
        Factor::coded("token:hardware", "YUBICO", code)
    }

    /// RSA SecurID or Symantec VIP (`token`).
    pub fn token(provider: &str, code: &str) -> Self {
        Factor::coded("token", provider, code)
    }

    /// A factor only a browser can verify: `webauthn`/`FIDO`, Duo (`web`/`DUO`), FastPass
    /// (`signed_nonce`/`OKTA`). No code verifies it here.
    pub fn browser_only(factor_type: &str, provider: &str) -> Self {
        // A secret no client sends (an empty passCode must not verify it).
        Factor::coded(factor_type, provider, "\u{0}browser only")
    }
}
