//! Which engine an Okta org runs — Classic or Identity Engine — as its
//! `GET /.well-known/okta-organization` tells (`pipeline`: `v1` or `idx`), kept with the org's
//! web session for a day; and the error for an Identity Engine org whose Classic sign-in
//! failed for a reason only the browser sign-in (the device flow) overcomes.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::client::OktaClient;
use crate::error::UserError;
use crate::prompt::log;
use crate::settings::keys::OKTA_OIDC_CLIENT_ID;

/// How long an org's engine is believed: orgs move to Identity Engine once, rarely.
pub const KEEP_FOR_SECS: u64 = 24 * 60 * 60;

/// The engine of an org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Engine {
    /// `pipeline: v1`: the Classic authentication API.
    Classic,
    /// `pipeline: idx`: Identity Engine.
    IdentityEngine,
}

/// The engine as last read, and when (epoch seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EngineSeen {
    pub engine: Engine,
    pub checked_at: u64,
}

impl EngineSeen {
    /// Still to be believed at `now` (a time in the future is not: a clock set back).
    fn fresh(&self, now: u64) -> bool {
        self.checked_at <= now && now - self.checked_at < KEEP_FOR_SECS
    }
}

/// The org's engine: the `kept` one while fresh, else asked (and kept). `None` when the org
/// does not say (404, a proxy, a network failure): the caller goes by the settings, and asks
/// again next time.
pub async fn of_org(
    client: &OktaClient,
    kept: &mut Option<EngineSeen>,
    now: u64,
) -> Option<Engine> {
    if let Some(seen) = kept.filter(|seen| seen.fresh(now)) {
        return Some(seen.engine);
    }
    let engine = ask(client).await;
    log::debug(&match engine {
        Some(engine) => format!("the Okta org runs {engine:?}"),
        None => "the Okta org does not say which engine it runs".to_string(),
    });
    *kept = engine.map(|engine| EngineSeen {
        engine,
        checked_at: now,
    });
    engine
}

/// `GET /.well-known/okta-organization`, read.
async fn ask(client: &OktaClient) -> Option<Engine> {
    let answer = client.get_api(".well-known/okta-organization").await.ok()?;
    if !answer.is_success() {
        return None;
    }
    pipeline(&answer.body)
}

/// The engine a `/.well-known/okta-organization` answer names.
fn pipeline(body: &str) -> Option<Engine> {
    let json: Value = serde_json::from_str(body).ok()?;
    match json.get("pipeline")?.as_str()? {
        "idx" => Some(Engine::IdentityEngine),
        "v1" => Some(Engine::Classic),
        _ => None,
    }
}

/// Marks an error of the Classic sign-in that the browser sign-in would not meet: a factor
/// only a browser verifies, an app policy a Classic session does not satisfy. On an Identity
/// Engine org without `OKTA_OIDC_CLIENT_ID` it becomes `needs_device_flow`'s error.
#[derive(Debug, Clone, Copy)]
pub struct BrowserNeeded;

impl std::fmt::Display for BrowserNeeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a browser sign-in is needed")
    }
}

/// Whether `error` is one `BrowserNeeded` marks.
pub fn needs_browser(error: &anyhow::Error) -> bool {
    error.downcast_ref::<BrowserNeeded>().is_some()
}

/// What the Okta admin sets up for the browser sign-in (the README's guide, in one line).
pub const ADMIN_SETUP: &str = "ask your Okta admin for a native OIDC app with the Device \
     Authorization and Token Exchange grants and the okta.apps.sso scope, that app as the AWS \
     app's \"Allowed Web SSO Client\", the two apps' authentication policies alike and device \
     state \"Any\"; then set OKTA_OIDC_CLIENT_ID to its client id (README: Okta Identity Engine)";

/// The error for an Identity Engine org whose Classic sign-in failed with `why`, a failure
/// the browser sign-in would not meet.
pub fn needs_device_flow(why: &anyhow::Error) -> anyhow::Error {
    let because = why
        .downcast_ref::<UserError>()
        .map(|e| e.cause.clone())
        .unwrap_or_else(|| format!("{why}"));
    UserError::new(format!(
        "this Okta Identity Engine org needs the browser sign-in, and {OKTA_OIDC_CLIENT_ID} is \
         not set ({because})"
    ))
    .hint(ADMIN_SETUP)
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn the_pipeline_names_the_engine() {
        assert_eq!(
            pipeline(r#"{"pipeline":"idx"}"#),
            Some(Engine::IdentityEngine)
        );
        assert_eq!(
            pipeline(r#"{"id":"x","pipeline":"v1"}"#),
            Some(Engine::Classic)
        );
        for unknown in [
            r#"{"pipeline":"v2"}"#,
            r#"{"pipeline":1}"#,
            "{}",
            "<html>",
            "",
        ] {
            assert_eq!(pipeline(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn a_seen_engine_is_believed_for_a_day_and_not_from_the_future() {
        let seen = EngineSeen {
            engine: Engine::Classic,
            checked_at: 1_000_000,
        };
        assert!(seen.fresh(1_000_000));
        assert!(seen.fresh(1_000_000 + KEEP_FOR_SECS - 1));
        assert!(!seen.fresh(1_000_000 + KEEP_FOR_SECS));
        assert!(!seen.fresh(999_999));
    }

    #[test]
    fn a_marked_failure_becomes_the_setup_error() {
        let failure: anyhow::Result<()> = Err(UserError::new("no usable factor").hint("x").into());
        let marked = failure.context(BrowserNeeded).unwrap_err();
        assert!(needs_browser(&marked));
        assert!(
            marked.downcast_ref::<UserError>().is_some(),
            "still told as before"
        );
        let error = needs_device_flow(&marked);
        let told = error.downcast_ref::<UserError>().unwrap();
        assert!(
            told.cause.contains("OKTA_OIDC_CLIENT_ID") && told.cause.contains("no usable factor")
        );
        let hint = told.hint.as_deref().unwrap();
        for needed in [
            "Device Authorization",
            "Token Exchange",
            "okta.apps.sso",
            "Allowed Web SSO Client",
            "policies",
            "Any",
        ] {
            assert!(hint.contains(needed), "{needed}: {hint}");
        }
        assert!(!needs_browser(&anyhow::anyhow!("other")));
    }
}
