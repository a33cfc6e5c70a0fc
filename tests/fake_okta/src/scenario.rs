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
        }
    }
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
        }
    }
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
    /// The app's sign-on policy wants extra verification ("Extra Verification" page).
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
        }
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
}
