//! The org's mutable state: transactions, session tokens, sessions, the log.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use crate::recorder::RecordedRequest;
use crate::scenario::{Factor, Scenario, User};
use crate::util::{iso_ago, random_id};

/// An authentication transaction (stateToken) lives this long after its last use.
pub const TRANSACTION_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// A sessionToken is one-time and valid this long.
pub const SESSION_TOKEN_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// Okta's default maximum session lifetime.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(2 * 60 * 60);

/// One request as the tests see it (bodies are never logged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
    /// The request carried a `sid` cookie shaped like the ones this fake issues.
    pub had_session_cookie: bool,
    /// The `Referer` header, when one was sent.
    pub referer: Option<String>,
}

/// Everything the handlers share, behind one lock that is never held across an await.
pub(crate) struct Shared {
    pub base_url: String,
    /// The port of the recorder, the other origin hostile redirects point at.
    pub recorder_port: u16,
    /// What the recorder received.
    pub recorded: Mutex<Vec<RecordedRequest>>,
    inner: Mutex<Inner>,
}

impl Shared {
    pub fn new(base_url: String, recorder_port: u16, scenario: Scenario) -> Self {
        Shared {
            base_url,
            recorder_port,
            recorded: Mutex::new(Vec::new()),
            inner: Mutex::new(Inner::new(scenario)),
        }
    }

    /// Locks the state; a handler that panicked must not break every later test.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn app_url(&self) -> String {
        let app_id = self.lock().scenario.app_id.clone();
        format!("{}/home/amazon_aws/{app_id}/272", self.base_url)
    }
}

/// A user plus the stable ids Okta would have given them and their factors.
pub(crate) struct Account {
    pub user: User,
    pub id: String,
    pub factor_ids: Vec<String>,
    pub password_changed: String,
}

impl Account {
    fn new(user: User) -> Self {
        let factor_ids = user.factors.iter().map(factor_id).collect();
        Account {
            user,
            id: random_id("00u", 17),
            factor_ids,
            password_changed: iso_ago(Duration::from_secs(80 * 24 * 3600)),
        }
    }

    /// The index of the user's factor with this id.
    pub fn factor_index(&self, factor_id: &str) -> Option<usize> {
        self.factor_ids.iter().position(|id| id == factor_id)
    }
}

/// A factor id with the prefix Okta uses for its type and provider.
fn factor_id(factor: &Factor) -> String {
    let prefix = match (factor.factor_type.as_str(), factor.provider.as_str()) {
        ("push", _) => "opf",
        ("token:software:totp", "GOOGLE") => "uft",
        ("token:software:totp", _) => "ost",
        ("sms", _) => "sms",
        ("call", _) => "clf",
        ("email", _) => "emf",
        ("question", _) => "ufs",
        ("token:hardware", _) => "ykf",
        ("token", _) => "rsa",
        ("u2f", _) => "fuf",
        ("webauthn", _) => "fwf",
        _ => "fac",
    };
    random_id(prefix, 17)
}

/// Where an unfinished transaction stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    MfaRequired,
    /// A factor has been challenged; `result` is the last `factorResult`.
    MfaChallenge {
        factor: usize,
        result: &'static str,
    },
    PasswordWarn,
    PasswordExpired,
    MfaEnroll,
    /// Step-up for a user without factors: credentials must be posted again.
    Unauthenticated,
    Unknown(String),
}

#[derive(Debug, Clone)]
pub(crate) struct Transaction {
    pub account: usize,
    pub step: Step,
    /// A factor was verified in this transaction (shows up in the session's `amr`).
    pub mfa_done: bool,
    /// WAITING answers given so far by each push factor (by factor index).
    pub push_waits: HashMap<usize, u32>,
    /// The app's own MFA for a session (an SP-initiated step-up), if this is one.
    pub step_up: Option<StepUp>,
    expires: Instant,
}

/// What a step-up transaction unlocks once it succeeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StepUp {
    /// The session that met the app's policy page.
    pub sid: String,
    /// The app link path to go back to.
    pub app_path: String,
}

impl Transaction {
    pub fn new(account: usize, step: Step) -> Self {
        Transaction {
            account,
            step,
            mfa_done: false,
            push_waits: HashMap::new(),
            step_up: None,
            expires: Instant::now() + TRANSACTION_LIFETIME,
        }
    }
}

pub(crate) struct Session {
    pub account: usize,
    pub created_at: SystemTime,
    pub expires_at: SystemTime,
    pub mfa: bool,
    /// The app's own MFA has been done in this session (see `AppPage::StepUp`).
    pub stepped_up: bool,
    expires: Instant,
}

/// A fixed one-minute window for the `X-Rate-Limit-*` headers.
pub(crate) struct RateWindow {
    pub limit: u32,
    pub start_epoch: u64,
    pub used: u32,
}

pub(crate) struct Inner {
    pub scenario: Scenario,
    pub accounts: Vec<Account>,
    transactions: HashMap<String, Transaction>,
    session_tokens: HashMap<String, (usize, bool, Instant)>,
    sessions: HashMap<String, Session>,
    pub log: Vec<LoggedRequest>,
    /// Open device authorizations by device_code.
    pub device_codes: HashMap<String, DeviceCode>,
    /// Issued access tokens.
    pub oauth_tokens: HashMap<String, AccessGrant>,
    /// Live refresh tokens.
    pub refresh_tokens: HashMap<String, RefreshGrant>,
    /// Bumped when every Okta session ends: tokens from an older one fail the web SSO exchange.
    pub session_epoch: u64,
    /// One-time web SSO tokens → account.
    pub web_sso_tokens: HashMap<String, usize>,
    /// Succeeded step-ups by stateToken, until their `next` link is followed.
    pub step_up_done: HashMap<String, StepUp>,
    /// Sign-in tokens of the AWS federation endpoint, and when each stops working.
    pub signin_tokens: HashMap<String, Instant>,
    /// What the AWS federation endpoint received, in order.
    pub federation_log: Vec<FederationRequest>,
    /// How many of the next `/api/v1/authn*` requests answer 429.
    pub rate_limited: u32,
    pub window: RateWindow,
}

impl Inner {
    fn new(scenario: Scenario) -> Self {
        let accounts = scenario.users.iter().cloned().map(Account::new).collect();
        Inner {
            scenario,
            accounts,
            transactions: HashMap::new(),
            session_tokens: HashMap::new(),
            sessions: HashMap::new(),
            log: Vec::new(),
            device_codes: HashMap::new(),
            oauth_tokens: HashMap::new(),
            refresh_tokens: HashMap::new(),
            session_epoch: 0,
            web_sso_tokens: HashMap::new(),
            step_up_done: HashMap::new(),
            signin_tokens: HashMap::new(),
            federation_log: Vec::new(),
            rate_limited: 0,
            window: RateWindow {
                limit: 600,
                start_epoch: 0,
                used: 0,
            },
        }
    }

    /// Okta logins are case-insensitive.
    pub fn find_account(&self, login: &str) -> Option<usize> {
        self.accounts
            .iter()
            .position(|a| a.user.login.eq_ignore_ascii_case(login))
    }

    /// Stores a transaction under a fresh stateToken.
    pub fn open_transaction(&mut self, txn: Transaction) -> String {
        let token = random_id("00", 40);
        self.transactions.insert(token.clone(), txn);
        token
    }

    /// Takes a live transaction out of the store; put it back with
    /// [`Inner::put_transaction`] unless it has ended.
    pub fn take_transaction(&mut self, token: &str) -> Option<Transaction> {
        let txn = self.transactions.remove(token)?;
        (txn.expires > Instant::now()).then_some(txn)
    }

    /// Puts a transaction back; every use slides its expiry.
    pub fn put_transaction(&mut self, token: &str, mut txn: Transaction) {
        txn.expires = Instant::now() + TRANSACTION_LIFETIME;
        self.transactions.insert(token.to_string(), txn);
    }

    pub fn issue_session_token(&mut self, account: usize, mfa: bool) -> String {
        let token = random_id("20111", 40);
        let expires = Instant::now() + SESSION_TOKEN_LIFETIME;
        self.session_tokens
            .insert(token.clone(), (account, mfa, expires));
        token
    }

    /// Redeems a one-time sessionToken: (account, mfa) if it was valid.
    pub fn redeem_session_token(&mut self, token: &str) -> Option<(usize, bool)> {
        let (account, mfa, expires) = self.session_tokens.remove(token)?;
        (expires > Instant::now()).then_some((account, mfa))
    }

    /// Starts an Okta session and returns its id (the `sid` cookie).
    pub fn start_session(&mut self, account: usize, mfa: bool) -> String {
        let sid = random_id("102", 22);
        let now = SystemTime::now();
        let session = Session {
            account,
            created_at: now,
            expires_at: now + SESSION_LIFETIME,
            mfa,
            stepped_up: false,
            expires: Instant::now() + SESSION_LIFETIME,
        };
        self.sessions.insert(sid.clone(), session);
        sid
    }

    pub fn live_session(&self, sid: &str) -> Option<&Session> {
        self.sessions
            .get(sid)
            .filter(|session| session.expires > Instant::now())
    }

    /// Ends a session; false when there was no live one.
    pub fn end_session(&mut self, sid: &str) -> bool {
        let was_live = self.live_session(sid).is_some();
        self.sessions.remove(sid);
        was_live
    }

    /// Okta forgets every session; tokens issued within them can no longer be exchanged for
    /// a web SSO token (refresh tokens still work: that is what they are for).
    pub fn end_all_sessions(&mut self) {
        self.sessions.clear();
        self.session_epoch += 1;
    }

    /// Marks a session as having done the app's own MFA; false when it is not live.
    pub fn step_up_session(&mut self, sid: &str) -> bool {
        match self.sessions.get_mut(sid) {
            Some(session) if session.expires > Instant::now() => {
                session.stepped_up = true;
                true
            }
            _ => false,
        }
    }
}

/// An open device authorization.
#[derive(Debug, Clone)]
pub(crate) struct DeviceCode {
    pub polls: u32,
    pub user_code: String,
    /// The scopes the tokens will carry.
    pub scopes: Vec<String>,
    /// What the user did in the browser, once the sign-in link was opened.
    pub browser: Option<bool>,
}

/// An issued access token and its ID token.
#[derive(Debug, Clone)]
pub(crate) struct AccessGrant {
    pub account: usize,
    pub id_token: String,
    /// `Inner::session_epoch` when issued.
    pub epoch: u64,
}

/// A live refresh token.
#[derive(Debug, Clone)]
pub(crate) struct RefreshGrant {
    pub account: usize,
    pub scopes: Vec<String>,
}

/// One request to the AWS federation endpoint, as the tests see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FederationRequest {
    /// Every query parameter, decoded, in order (`Action`, `Session`, `SessionDuration`,
    /// `Issuer`, `Destination`, `SigninToken`…).
    pub params: Vec<(String, String)>,
    pub status: u16,
}

impl FederationRequest {
    /// The first value of parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Whether a cookie value looks like a sid this fake issues ("102" + 22 alphanumerics).
pub(crate) fn looks_like_sid(value: &str) -> bool {
    value.len() == 25
        && value.starts_with("102")
        && value.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The values of the `X-Rate-Limit-*` headers of one answer.
pub(crate) struct RateHeaders {
    pub limit: u32,
    pub remaining: u32,
    pub reset_epoch: u64,
}

impl Inner {
    /// Consumes one forced 429 (see `FakeOkta::rate_limit_next`), if any is left.
    pub fn take_rate_limit(&mut self) -> bool {
        if self.rate_limited == 0 {
            return false;
        }
        self.rate_limited -= 1;
        true
    }

    /// Counts the request in the current one-minute window. A throttled answer
    /// says "nothing left, retry in 2 s", like Okta's 429s.
    pub fn rate_headers(&mut self, throttled: bool) -> RateHeaders {
        let now = crate::util::epoch_seconds(SystemTime::now());
        let window = &mut self.window;
        if now >= window.start_epoch + 60 {
            window.start_epoch = now - now % 60;
            window.used = 0;
        }
        window.used = window.used.saturating_add(1);
        if throttled {
            return RateHeaders {
                limit: window.limit,
                remaining: 0,
                reset_epoch: now + 2,
            };
        }
        RateHeaders {
            limit: window.limit,
            remaining: window.limit.saturating_sub(window.used),
            reset_epoch: window.start_epoch + 60,
        }
    }
}
