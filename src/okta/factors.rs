//! MFA factors: choosing one, and verifying it — Okta Verify push (with number challenge),
//! codes (TOTP, YubiKey OTP, RSA/Symantec tokens), codes sent by SMS, call or email, and the
//! security question.

use std::time::Duration;

use anyhow::Result;
use serde_json::{Value, json};
use url::Url;

use super::{Factor, OktaClient, OktaError, Transaction, authn};
use crate::error::{Interrupted, UserError, fail};
use crate::settings::MfaPresets;
use crate::settings::keys::{OKTA_MFA_CHOICE, OKTA_MFA_CODE};
use crate::terminal;

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
        .find_map(|k| factor.profile.get(*k).and_then(Value::as_str));
    match detail {
        Some(d) => format!("{kind} ({d}) [{}]", factor.choice_name()),
        None => format!("{kind} [{}]", factor.choice_name()),
    }
}

/// Pick the factor: `OKTA_MFA_CHOICE`, else the only usable one, else a menu.
fn select(factors: &[Factor], choice: Option<&str>) -> Result<Factor> {
    let enrolled = || {
        factors
            .iter()
            .map(Factor::choice_name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(choice) = choice {
        let wanted = choice.trim().to_ascii_lowercase();
        let found: Vec<&Factor> = factors
            .iter()
            .filter(|f| {
                f.choice_name().to_ascii_lowercase() == wanted
                    || f.factor_type.to_ascii_lowercase() == wanted
            })
            .collect();
        return match found.as_slice() {
            [] => fail(
                format!(
                    "{OKTA_MFA_CHOICE}={choice} is not among your enrolled factors: {}",
                    enrolled()
                ),
                format!("set {OKTA_MFA_CHOICE} to one of them"),
            ),
            [one, ..] if method(one).is_none() => fail(
                format!("factor {choice} needs a browser and cannot be used here"),
                format!("set {OKTA_MFA_CHOICE} to one of: {}", enrolled()),
            ),
            [one, ..] => Ok((*one).clone()),
        };
    }
    let usable: Vec<&Factor> = factors.iter().filter(|f| method(f).is_some()).collect();
    match usable.as_slice() {
        [] => fail(
            format!(
                "none of your Okta factors can be used from a command line: {}",
                enrolled()
            ),
            "enroll Okta Verify, an authenticator app or SMS on Okta's web page",
        ),
        [only] => Ok((*only).clone()),
        several => {
            let labels: Vec<String> = several.iter().map(|f| describe(f)).collect();
            let index = terminal::choose("MFA factor", &labels, 0, OKTA_MFA_CHOICE)?;
            Ok(several[index].clone())
        }
    }
}

/// Verify one factor of an `MFA_REQUIRED` transaction; returns the next transaction.
pub async fn verify(
    client: &OktaClient,
    mfa: &MfaPresets,
    transaction: &Transaction,
) -> Result<Transaction> {
    let factor = select(&transaction.factors(), mfa.choice.as_deref())?;
    let Some(state_token) = transaction.state_token.clone() else {
        return fail(
            "Okta asked for MFA without a state token",
            "run the command again",
        );
    };
    let Some(verify_link) = super::link(&factor.links, "verify") else {
        return fail(
            format!("Okta offers no way to verify {}", factor.choice_name()),
            "choose another factor with OKTA_MFA_CHOICE",
        );
    };
    let mut verify_url = client.checked_link(&verify_link.href)?;
    // With the device token (DT cookie) kept in the cache, Okta may then skip MFA on this
    // device, as its policy allows.
    if transaction.embedded.pointer("/policy/allowRememberDevice") == Some(&Value::Bool(true)) {
        verify_url
            .query_pairs_mut()
            .append_pair("rememberDevice", "true");
    }
    terminal::debug(&format!("MFA factor: {}", factor.choice_name()));
    let step = Step {
        client,
        mfa,
        state_token: &state_token,
        factor: &factor,
    };
    match method(&factor).expect("select returns usable factors") {
        Method::Push => step.push(verify_url).await,
        Method::Code => {
            step.code(
                verify_url,
                "passCode",
                &format!("{} code", describe_short(&factor)),
            )
            .await
        }
        Method::Question => {
            let question = factor
                .profile
                .get("questionText")
                .and_then(Value::as_str)
                .unwrap_or("Security question")
                .to_string();
            step.code(verify_url, "answer", &question).await
        }
        Method::SentCode => step.sent_code(verify_url).await,
    }
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
    client: &'a OktaClient,
    mfa: &'a MfaPresets,
    state_token: &'a str,
    factor: &'a Factor,
}

impl Step<'_> {
    async fn post(&self, url: &Url, extra: Option<(&str, &str)>) -> Result<Transaction, OktaError> {
        let mut body = json!({"stateToken": self.state_token});
        if let Some((field, value)) = extra {
            body[field] = Value::String(value.to_string());
        }
        self.client.post(url.clone(), &body).await
    }

    /// Codes read off a device, or answers: `OKTA_MFA_CODE` once, else asked (3 tries).
    async fn code(&self, url: Url, field: &str, prompt: &str) -> Result<Transaction> {
        let preset = self.mfa.code.clone();
        let mut tries = 0;
        loop {
            tries += 1;
            let code = match &preset {
                Some(code) => code.clone(),
                None => self.ask_code(prompt)?,
            };
            match self.post(&url, Some((field, &code))).await {
                Err(OktaError::Api(e))
                    if e.is("E0000068") && preset.is_none() && tries < CODE_TRIES =>
                {
                    terminal::say("Okta: that code was not accepted; try again.");
                }
                other => return Ok(other?),
            }
        }
    }

    fn ask_code(&self, prompt: &str) -> Result<String> {
        if self.factor.factor_type == "question" {
            terminal::ask_hidden(prompt, OKTA_MFA_CODE)
        } else {
            terminal::ask(prompt, OKTA_MFA_CODE)
        }
    }

    /// SMS, call, email: ask Okta to send the code, then verify it ("resend" sends again).
    async fn sent_code(&self, url: Url) -> Result<Transaction> {
        let challenge = self.post(&url, None).await?;
        if challenge.status != "MFA_CHALLENGE" {
            return Ok(challenge);
        }
        terminal::say(&format!("Okta sent a {}.", describe_short(self.factor)));
        let next_url = match challenge.link("next") {
            Some(next) => self.client.checked_link(&next.href)?,
            None => url,
        };
        let preset = self.mfa.code.clone();
        let mut tries = 0;
        loop {
            let code = match &preset {
                Some(code) => code.clone(),
                None => terminal::ask("Code (or 'resend')", OKTA_MFA_CODE)?,
            };
            if code.eq_ignore_ascii_case("resend") {
                self.resend(&challenge).await?;
                continue;
            }
            tries += 1;
            match self.post(&next_url, Some(("passCode", &code))).await {
                Err(OktaError::Api(e))
                    if e.is("E0000068") && preset.is_none() && tries < CODE_TRIES =>
                {
                    terminal::say(
                        "Okta: that code was not accepted; try again (or type 'resend').",
                    );
                }
                other => return Ok(other?),
            }
        }
    }

    async fn resend(&self, challenge: &Transaction) -> Result<()> {
        let Some(resend) = challenge.link("resend") else {
            terminal::say("Okta offers no resend for this factor; wait for the code.");
            return Ok(());
        };
        let url = self.client.checked_link(&resend.href)?;
        self.post(&url, None).await?;
        terminal::say("Okta sent a new code.");
        Ok(())
    }

    /// Okta Verify push: send it, then poll `_links.next` until approved, rejected or timed out.
    async fn push(&self, url: Url) -> Result<Transaction> {
        let _cooperative = terminal::CooperativeInterrupt::enter();
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
                announce_push(&transaction);
            }
            if started.elapsed() > PUSH_GIVE_UP_AFTER {
                authn::cancel(self.client, &transaction).await;
                return fail(
                    "the Okta Verify push was not answered in time",
                    "run again and approve the push on your phone",
                );
            }
            tokio::select! {
                _ = tokio::time::sleep(PUSH_POLL_INTERVAL) => {}
                _ = terminal::wait_for_interrupt() => {
                    authn::cancel(self.client, &transaction).await;
                    return Err(Interrupted.into());
                }
            }
            let poll_url = match transaction.link("next") {
                Some(next) => self.client.checked_link(&next.href)?,
                None => url.clone(),
            };
            transaction = self.post(&poll_url, None).await?;
        }
    }
}

fn announce_push(transaction: &Transaction) {
    let number = transaction
        .challenge_factor()
        .and_then(|f| f.pointer("/_embedded/challenge/correctAnswer"))
        .and_then(Value::as_u64);
    match number {
        Some(n) => terminal::say(&format!(
            "Okta Verify push sent: tap {n} on your phone. Waiting… (Ctrl-C cancels)"
        )),
        None => terminal::say(
            "Okta Verify push sent: approve it on your phone. Waiting… (Ctrl-C cancels)",
        ),
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

    fn factor(provider: &str, kind: &str) -> Factor {
        serde_json::from_value(
            json!({"id": "f", "factorType": kind, "provider": provider, "_links": {}}),
        )
        .unwrap()
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
        assert_eq!(select(&factors, None).unwrap().factor_type, "sms");
        let err = select(&[factor("DUO", "web")], None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("command line"), "{err}");
        assert!(select(&factors, Some("FIDO.webauthn")).is_err());
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
}
