//! MFA factors: choosing one, and verifying it — Okta Verify push (with number challenge),
//! codes (TOTP, YubiKey OTP, RSA/Symantec tokens), codes sent by SMS, call or email, and the
//! security question.

use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::{Value, json};
use url::Url;

use super::client::ApiError;
use super::engine::BrowserNeeded;
use super::transaction::{self, AuthnApi, Factor, Transaction};
use crate::error::{Interrupted, UserError, fail};
use crate::prompt::{Prompter, Waited};
use crate::settings::MfaPresets;
use crate::settings::keys::{OKTA_MFA_CHOICE, OKTA_MFA_CODE};

const PUSH_POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Okta itself times a push out after about five minutes; we never wait longer.
const PUSH_GIVE_UP_AFTER: Duration = Duration::from_secs(300);
/// Wrong codes typed at the prompt before we give up.
const CODE_TRIES: u32 = 3;

/// How a factor is verified from a command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Push,
    /// The user reads a code off a device or app.
    Code,
    /// Okta sends the code (SMS, voice call, email) when asked.
    SentCode,
    Question,
}

fn method(factor: &Factor) -> Option<Method> {
    match factor.factor_type.as_str() {
        "push" => Some(Method::Push),
        "token:software:totp" | "token:hardware" | "token" | "token:hotp" => Some(Method::Code),
        "sms" | "call" | "email" => Some(Method::SentCode),
        "question" => Some(Method::Question),
        _ => None, // web (Duo), u2f, webauthn, claims_provider need a browser
    }
}

/// Where the factors only a browser verifies (WebAuthn/FIDO2, FastPass, Duo) are reachable.
const BROWSER_FACTORS: &str = "factors that need a browser (WebAuthn/FIDO2, Okta FastPass, Duo) \
     work through the Identity Engine browser sign-in (OKTA_OIDC_CLIENT_ID)";

/// A name a person recognises.
fn describe(factor: &Factor) -> String {
    let kind = match (factor.provider.as_str(), factor.factor_type.as_str()) {
        ("OKTA", "push") => "Okta Verify push".to_string(),
        ("OKTA", "token:software:totp") => "Okta Verify code".to_string(),
        ("GOOGLE", "token:software:totp") => "Google Authenticator code".to_string(),
        (_, "token:hardware") => "YubiKey OTP".to_string(),
        ("RSA", "token") => "RSA SecurID code".to_string(),
        ("SYMANTEC", "token") => "Symantec VIP code".to_string(),
        (_, "sms") => "code by SMS".to_string(),
        (_, "call") => "code by voice call".to_string(),
        (_, "email") => "code by email".to_string(),
        (_, "question") => "security question".to_string(),
        (provider, kind) => format!("{provider} {kind}"),
    };
    let detail = ["phoneNumber", "email", "name"]
        .iter()
        .find_map(|k| factor.profile.get(*k).and_then(Value::as_str))
        .map(crate::server_text::clean);
    match detail {
        Some(d) => format!("{kind} ({d}) [{}]", factor.choice_name()),
        None => format!("{kind} [{}]", factor.choice_name()),
    }
}

/// Pick the factor: `OKTA_MFA_CHOICE`, else the only usable one, else a menu.
fn select_factor(
    factors: &[Factor],
    choice: Option<&str>,
    prompter: &dyn Prompter,
) -> Result<Factor> {
    if let Some(choice) = choice {
        return preset_factor(factors, choice);
    }
    let usable: Vec<&Factor> = factors.iter().filter(|f| method(f).is_some()).collect();
    match usable.as_slice() {
        [] => fail(
            format!(
                "none of your Okta factors can be used from a command line: {}",
                enrolled(factors)
            ),
            format!("{BROWSER_FACTORS}, or enroll Okta Verify, an authenticator app or SMS"),
        )
        .context(BrowserNeeded),
        [only] => {
            note_browser_factors(factors, prompter);
            Ok((*only).clone())
        }
        several => {
            note_browser_factors(factors, prompter);
            let labels: Vec<String> = several.iter().map(|f| describe(f)).collect();
            let index = prompter.choose("MFA factor", &labels, 0, OKTA_MFA_CHOICE)?;
            Ok(several[index].clone())
        }
    }
}

/// Say which enrolled factors are left out because only a browser verifies them, and where
/// they work instead: not hidden silently.
fn note_browser_factors(factors: &[Factor], prompter: &dyn Prompter) {
    let left_out: Vec<String> = factors
        .iter()
        .filter(|f| method(f).is_none())
        .map(Factor::choice_name)
        .collect();
    if !left_out.is_empty() {
        prompter.say(&format!(
            "Not offered here: {} ({BROWSER_FACTORS}).",
            left_out.join(", ")
        ));
    }
}

/// The factor `OKTA_MFA_CHOICE` names (`PROVIDER.factorType` or a factor type, any case).
fn preset_factor(factors: &[Factor], choice: &str) -> Result<Factor> {
    let wanted = choice.trim().to_ascii_lowercase();
    let found: Vec<&Factor> = factors
        .iter()
        .filter(|f| {
            f.choice_name().to_ascii_lowercase() == wanted
                || f.factor_type.to_ascii_lowercase() == wanted
        })
        .collect();
    match found.as_slice() {
        [] => fail(
            format!(
                "{OKTA_MFA_CHOICE}={choice} is not among your enrolled factors: {}",
                enrolled(factors)
            ),
            format!("set {OKTA_MFA_CHOICE} to one of them"),
        ),
        [one, ..] if method(one).is_none() => fail(
            format!("factor {choice} needs a browser and cannot be used here"),
            format!(
                "{BROWSER_FACTORS}; or set {OKTA_MFA_CHOICE} to one of: {}",
                enrolled(factors)
            ),
        )
        .context(BrowserNeeded),
        [one, ..] => Ok((*one).clone()),
    }
}

fn enrolled(factors: &[Factor]) -> String {
    factors
        .iter()
        .map(Factor::choice_name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Verify one factor of an `MFA_REQUIRED` transaction; returns the next transaction.
pub async fn verify(
    api: &AuthnApi<'_>,
    mfa: &MfaPresets,
    transaction: &Transaction,
) -> Result<Transaction> {
    let factor = select_factor(&transaction.factors(), mfa.choice.as_deref(), api.prompter)?;
    let Some(state_token) = transaction.state_token.clone() else {
        return fail(
            "Okta asked for MFA without a state token",
            "run the command again",
        );
    };
    let verify_url = verify_url(api, &factor, transaction)?;
    crate::prompt::log::debug(&format!("MFA factor: {}", factor.choice_name()));
    code_answerable(api.prompter, mfa, &factor)?;
    let step = Step {
        api,
        mfa,
        state_token: &state_token,
        factor: &factor,
    };
    match method(&factor).expect("select_factor returns usable factors") {
        Method::Push => step.push(verify_url).await,
        Method::Code => {
            let prompt = format!("{} code", describe_short(&factor));
            step.code(&verify_url, "passCode", &prompt).await
        }
        Method::Question => {
            let question = factor
                .profile
                .get("questionText")
                .and_then(Value::as_str)
                .map_or_else(
                    || "Security question".to_string(),
                    crate::server_text::clean,
                );
            step.code(&verify_url, "answer", &question).await
        }
        Method::SentCode => step.sent_code(verify_url).await,
    }
}

/// With no terminal and no `OKTA_MFA_CODE`, a factor that needs a typed answer fails here,
/// before it fires (an SMS sent, a call placed) rather than at the question after.
fn code_answerable(prompter: &dyn Prompter, mfa: &MfaPresets, factor: &Factor) -> Result<()> {
    let needs_typing = !matches!(method(factor), Some(Method::Push));
    if needs_typing && mfa.code.is_none() && !prompter.is_interactive() {
        return fail(
            format!("no terminal to ask for the {}", describe(factor)),
            format!(
                "set {OKTA_MFA_CODE} (in the environment), or choose a push factor with OKTA_MFA_CHOICE"
            ),
        );
    }
    Ok(())
}

/// The factor's `verify` link, asking Okta to remember the device when its policy allows:
/// with the device token (DT cookie) kept in the cache, Okta may then skip MFA here.
fn verify_url(api: &AuthnApi<'_>, factor: &Factor, transaction: &Transaction) -> Result<Url> {
    let Some(verify_link) = transaction::link(&factor.links, "verify") else {
        return fail(
            format!("Okta offers no way to verify {}", factor.choice_name()),
            "choose another factor with OKTA_MFA_CHOICE",
        );
    };
    let mut url = api.client.checked_link(&verify_link.href)?;
    if transaction.embedded.pointer("/policy/allowRememberDevice") == Some(&Value::Bool(true)) {
        url.query_pairs_mut().append_pair("rememberDevice", "true");
    }
    Ok(url)
}

fn describe_short(factor: &Factor) -> String {
    describe(factor)
        .split(" [")
        .next()
        .unwrap_or_default()
        .trim_end_matches(" code")
        .to_string()
}

/// One factor verification in progress.
struct Step<'a> {
    api: &'a AuthnApi<'a>,
    mfa: &'a MfaPresets,
    state_token: &'a str,
    factor: &'a Factor,
}

/// How codes are asked for one factor.
struct CodeEntry<'a> {
    prompt: &'a str,
    /// Said when Okta refused a typed code and it may be typed again.
    retry_note: &'a str,
    /// For sent codes: the challenge whose `resend` link typing `resend` follows.
    resend: Option<&'a Transaction>,
}

impl Step<'_> {
    async fn post(&self, url: &Url, extra: Option<(&str, &str)>) -> Result<Transaction> {
        let mut body = json!({"stateToken": self.state_token});
        if let Some((field, value)) = extra {
            body[field] = Value::String(value.to_string());
        }
        self.api.post(url.clone(), &body).await
    }

    /// Codes read off a device, or answers.
    async fn code(&self, url: &Url, field: &str, prompt: &str) -> Result<Transaction> {
        let entry = CodeEntry {
            prompt,
            retry_note: "Okta: that code was not accepted; try again.",
            resend: None,
        };
        self.enter_code(url, field, &entry).await
    }

    /// SMS, call, email: ask Okta to send the code, then verify it ("resend" sends again).
    async fn sent_code(&self, url: Url) -> Result<Transaction> {
        let challenge = self.post(&url, None).await?;
        if challenge.status != "MFA_CHALLENGE" {
            return Ok(challenge);
        }
        self.api
            .prompter
            .say(&format!("Okta sent a {}.", describe_short(self.factor)));
        let next_url = match challenge.link("next") {
            Some(next) => self.api.client.checked_link(&next.href)?,
            None => url,
        };
        let entry = CodeEntry {
            prompt: "Code (or 'resend')",
            retry_note: "Okta: that code was not accepted; try again (or type 'resend').",
            resend: Some(&challenge),
        };
        self.enter_code(&next_url, "passCode", &entry).await
    }

    /// The code loop: `OKTA_MFA_CODE` is sent once; a typed code may be typed again when
    /// Okta says it was wrong (`CODE_TRIES` in all). Typing `resend`, where the factor
    /// sends codes, asks Okta for a new one and is no try.
    async fn enter_code(
        &self,
        url: &Url,
        field: &str,
        entry: &CodeEntry<'_>,
    ) -> Result<Transaction> {
        let preset = self.mfa.code.clone();
        let mut tries = 0;
        loop {
            let code = match &preset {
                Some(code) => code.clone(),
                None => self.ask_code(entry.prompt)?,
            };
            if let Some(challenge) = entry.resend
                && preset.is_none()
                && code.eq_ignore_ascii_case("resend")
            {
                self.resend(challenge).await?;
                continue;
            }
            tries += 1;
            match self.post(url, Some((field, &code))).await {
                Err(e)
                    if ApiError::has_code(&e, "E0000068")
                        && preset.is_none()
                        && tries < CODE_TRIES =>
                {
                    self.api.prompter.say(entry.retry_note);
                }
                other => return other,
            }
        }
    }

    /// Answers to a security question are not shown as they are typed.
    fn ask_code(&self, prompt: &str) -> Result<String> {
        if self.factor.factor_type == "question" {
            self.api.prompter.ask_hidden(prompt, OKTA_MFA_CODE)
        } else {
            self.api.prompter.ask(prompt, OKTA_MFA_CODE)
        }
    }

    async fn resend(&self, challenge: &Transaction) -> Result<()> {
        let Some(resend) = challenge.link("resend") else {
            self.api
                .prompter
                .say("Okta offers no resend for this factor; wait for the code.");
            return Ok(());
        };
        let url = self.api.client.checked_link(&resend.href)?;
        self.post(&url, None).await?;
        self.api.prompter.say("Okta sent a new code.");
        Ok(())
    }

    /// Okta Verify push: send it, then poll `_links.next` until approved, rejected or timed out.
    async fn push(&self, url: Url) -> Result<Transaction> {
        let mut waiting = self.api.prompter.start_waiting();
        let started = tokio::time::Instant::now();
        let mut transaction = self.post(&url, None).await?;
        let mut announced = false;
        loop {
            if transaction.status != "MFA_CHALLENGE" {
                return Ok(transaction);
            }
            let result = transaction.factor_result.clone().unwrap_or_default();
            if result != "WAITING" {
                return push_failure(&result);
            }
            if !announced {
                announced = true;
                announce_push(self.api.prompter, &transaction);
            }
            if started.elapsed() > PUSH_GIVE_UP_AFTER {
                self.api.cancel(&transaction).await;
                return fail(
                    "the Okta Verify push was not answered in time",
                    "run again and approve the push on your phone",
                );
            }
            if waiting.pause(PUSH_POLL_INTERVAL).await == Waited::Cancelled {
                self.api.cancel(&transaction).await;
                return Err(Interrupted.into());
            }
            let poll_url = match transaction.link("next") {
                Some(next) => self.api.client.checked_link(&next.href)?,
                None => url.clone(),
            };
            transaction = self.post(&poll_url, None).await?;
        }
    }
}

fn announce_push(prompter: &dyn Prompter, transaction: &Transaction) {
    let number = transaction
        .challenge_factor()
        .and_then(|f| f.pointer("/_embedded/challenge/correctAnswer"))
        .and_then(Value::as_u64);
    match number {
        Some(n) => prompter.say(&format!(
            "Okta Verify push sent: tap {n} on your phone. Waiting… (Ctrl-C cancels)"
        )),
        None => prompter
            .say("Okta Verify push sent: approve it on your phone. Waiting… (Ctrl-C cancels)"),
    }
}

fn push_failure(result: &str) -> Result<Transaction> {
    let err = match result {
        "REJECTED" => UserError::new("the Okta Verify push was rejected")
            .hint("run again and approve it, or choose another factor with OKTA_MFA_CHOICE"),
        "TIMEOUT" => UserError::new("the Okta Verify push timed out")
            .hint("run again and approve the push on your phone in time"),
        "" => UserError::new("Okta answered the push without a result").hint("run again"),
        other => UserError::new(format!("the Okta Verify push failed: {other}"))
            .hint("run again, or choose another factor with OKTA_MFA_CHOICE"),
    };
    Err(err.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::okta::OktaClient;
    use crate::okta::authn::authenticate;
    use crate::prompt::script::ScriptedPrompter;
    use crate::settings::OktaUser;
    use fake_okta::{FakeOkta, PushOutcome, Scenario, User};

    fn factor(provider: &str, kind: &str) -> Factor {
        serde_json::from_value(
            json!({"id": "f", "factorType": kind, "provider": provider, "_links": {}}),
        )
        .unwrap()
    }

    fn select(factors: &[Factor], choice: Option<&str>) -> Result<Factor> {
        select_factor(factors, choice, &ScriptedPrompter::new())
    }

    #[test]
    fn choice_matches_provider_and_type_case_insensitively() {
        let factors = vec![
            factor("OKTA", "push"),
            factor("GOOGLE", "token:software:totp"),
        ];
        assert_eq!(
            select(&factors, Some("google.TOKEN:software:totp"))
                .unwrap()
                .provider,
            "GOOGLE"
        );
        assert_eq!(select(&factors, Some("push")).unwrap().factor_type, "push");
        let err = select(&factors, Some("OKTA.sms")).unwrap_err().to_string();
        assert!(
            err.contains("OKTA.push, GOOGLE.token:software:totp"),
            "{err}"
        );
    }

    #[test]
    fn the_only_usable_factor_is_chosen_and_browser_factors_are_skipped() {
        let factors = vec![factor("FIDO", "webauthn"), factor("OKTA", "sms")];
        let prompter = ScriptedPrompter::new();
        let chosen = select_factor(&factors, None, &prompter).unwrap();
        assert_eq!(chosen.factor_type, "sms");
        let said = prompter.said().join("\n");
        assert!(
            said.contains("Not offered here: FIDO.webauthn") && said.contains("Identity Engine"),
            "{said}"
        );
        let told = |error: anyhow::Error| {
            assert!(crate::okta::engine::needs_browser(&error), "marked");
            let told = error.downcast::<UserError>().unwrap();
            format!("{} / {}", told.cause, told.hint.unwrap_or_default())
        };
        let err = told(select(&[factor("DUO", "web")], None).unwrap_err());
        assert!(err.contains("command line"), "{err}");
        assert!(err.contains("WebAuthn/FIDO2, Okta FastPass, Duo"), "{err}");
        let err = told(select(&factors, Some("FIDO.webauthn")).unwrap_err());
        assert!(
            err.contains("needs a browser") && err.contains("OKTA_OIDC_CLIENT_ID"),
            "{err}"
        );
    }

    #[test]
    fn several_usable_factors_make_a_menu_of_the_usable_ones() {
        let factors = vec![
            factor("OKTA", "push"),
            factor("FIDO", "webauthn"),
            factor("GOOGLE", "token:software:totp"),
        ];
        let prompter = ScriptedPrompter::new().pick(1);
        let chosen = select_factor(&factors, None, &prompter).unwrap();
        assert_eq!(chosen.provider, "GOOGLE");
        let menus = prompter.menus();
        assert_eq!(menus.len(), 1);
        assert_eq!(menus[0].prompt, "MFA factor");
        assert_eq!(
            menus[0].items,
            [
                "Okta Verify push [OKTA.push]",
                "Google Authenticator code [GOOGLE.token:software:totp]"
            ]
        );
        assert_eq!(menus[0].default, 0);
        // A preset or a single usable factor asks nothing.
        let prompter = ScriptedPrompter::new();
        select_factor(&factors, Some("OKTA.push"), &prompter).unwrap();
        select_factor(&factors[..2], None, &prompter).unwrap();
        assert!(prompter.menus().is_empty());
    }

    #[test]
    fn push_failures_say_what_happened() {
        assert!(
            push_failure("REJECTED")
                .unwrap_err()
                .to_string()
                .contains("rejected")
        );
        assert!(
            push_failure("TIMEOUT")
                .unwrap_err()
                .to_string()
                .contains("timed out")
        );
        assert!(
            push_failure("CANCELLED")
                .unwrap_err()
                .to_string()
                .contains("CANCELLED")
        );
    }

    const LOGIN: &str = "alice@example.com";
    const PASSWORD: &str = "correct horse";

    /// A fake Okta whose one user has `factor`.
    fn okta_with(factor: fake_okta::Factor) -> FakeOkta {
        FakeOkta::start(Scenario {
            users: vec![User::new(LOGIN, PASSWORD).with_factor(factor)],
            ..Scenario::default()
        })
    }

    /// The Classic sign-in against `okta`: the script's first answer is the password.
    async fn sign_in(
        okta: &FakeOkta,
        prompter: &ScriptedPrompter,
        preset_code: Option<&str>,
    ) -> Result<String> {
        let client = OktaClient::new(Url::parse(&okta.base_url()).unwrap()).unwrap();
        let user = OktaUser {
            name: Some(LOGIN.to_string()),
            password_command: None,
        };
        let mfa = MfaPresets {
            choice: None,
            code: preset_code.map(str::to_string),
        };
        authenticate(&client, prompter, &user, &mfa).await
    }

    fn posts_ending(okta: &FakeOkta, suffix: &str) -> usize {
        okta.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with(suffix))
            .count()
    }

    #[tokio::test]
    async fn a_wrong_code_may_be_typed_again() {
        let okta = okta_with(fake_okta::Factor::totp("GOOGLE", "246810"));
        let prompter = ScriptedPrompter::new()
            .answer(PASSWORD)
            .answer("111111")
            .answer("246810");
        assert!(sign_in(&okta, &prompter, None).await.is_ok());
        assert_eq!(posts_ending(&okta, "/verify"), 2);
        assert_eq!(
            prompter.questions()[1..],
            ["Google Authenticator code", "Google Authenticator code"]
        );
        let retries = prompter
            .said()
            .iter()
            .filter(|m| m.contains("not accepted"))
            .count();
        assert_eq!(retries, 1);
    }

    #[tokio::test]
    async fn three_wrong_codes_end_the_login() {
        let okta = okta_with(fake_okta::Factor::totp("OKTA", "246810"));
        let prompter = ScriptedPrompter::new()
            .answer(PASSWORD)
            .answer("1")
            .answer("2")
            .answer("3")
            .answer("246810");
        let err = sign_in(&okta, &prompter, None).await.unwrap_err();
        assert!(ApiError::has_code(&err, "E0000068"), "{err}");
        assert_eq!(posts_ending(&okta, "/verify"), CODE_TRIES as usize);
        assert_eq!(prompter.questions().len(), 1 + CODE_TRIES as usize);
    }

    #[tokio::test]
    async fn a_preset_code_is_sent_once_and_never_asked_again() {
        let okta = okta_with(fake_okta::Factor::totp("OKTA", "246810"));
        let prompter = ScriptedPrompter::new().answer(PASSWORD).answer("246810");
        let err = sign_in(&okta, &prompter, Some("000000")).await.unwrap_err();
        assert!(ApiError::has_code(&err, "E0000068"), "{err}");
        assert_eq!(posts_ending(&okta, "/verify"), 1);
        assert_eq!(prompter.questions(), [format!("Okta password for {LOGIN}")]);
    }

    #[tokio::test]
    async fn a_sent_code_can_be_sent_again() {
        let okta = okta_with(fake_okta::Factor::sms("135790"));
        let prompter = ScriptedPrompter::new()
            .answer(PASSWORD)
            .answer("resend")
            .answer("135790");
        assert!(sign_in(&okta, &prompter, None).await.is_ok());
        assert_eq!(posts_ending(&okta, "/resend"), 1);
        let said = prompter.said();
        assert!(said[0].starts_with("Okta sent a code by SMS ("), "{said:?}");
        assert_eq!(said[1], "Okta sent a new code.");
        assert_eq!(prompter.questions()[1..], ["Code (or 'resend')"; 2]);
    }

    #[tokio::test]
    async fn cancelling_a_push_cancels_the_transaction_at_okta() {
        let okta = okta_with(fake_okta::Factor::push(
            1000,
            Some(42),
            PushOutcome::Approve,
        ));
        let prompter = ScriptedPrompter::new().answer(PASSWORD).cancel_after(2);
        let err = sign_in(&okta, &prompter, None).await.unwrap_err();
        assert!(err.downcast_ref::<Interrupted>().is_some(), "{err}");
        assert_eq!(okta.count("POST", "/api/v1/authn/cancel"), 1);
        assert_eq!(prompter.pauses(), 3);
        assert!(
            prompter.said()[0].contains("tap 42"),
            "{:?}",
            prompter.said()
        );
    }
}
