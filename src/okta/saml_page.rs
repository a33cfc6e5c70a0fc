//! The AWS app's embed link: with a one-time session token Okta answers its app launch page,
//! a form that would POST the SAMLResponse to AWS. We read the form instead of submitting it.

use anyhow::Result;
use scraper::{Html, Selector};
use serde_json::json;
use url::Url;

use super::client::OktaClient;
use super::factors;
use super::transaction::{self, AuthnApi};
use crate::error::{UserError, fail, one_line};
use crate::prompt::{Prompter, log};
use crate::settings::MfaPresets;
use crate::settings::keys::OKTA_AWS_APP_URL;

/// The app launch form's content.
#[derive(Debug, Clone)]
pub struct SamlForm {
    /// Base64 SAMLResponse, entity-decoded.
    pub saml_response: String,
    /// Where the form posts: AWS's sign-in page for the partition.
    pub action: Option<String>,
}

/// What the app link answered.
pub enum PageOutcome {
    Saml(SamlForm),
    /// Okta's sign-in page: no (valid) session.
    SignIn,
    /// Anything else, explained.
    Other(anyhow::Error),
}

impl PageOutcome {
    /// The form, or an error; after a fresh login the sign-in page means a wrong app link.
    pub fn into_form(self) -> Result<SamlForm> {
        match self {
            PageOutcome::Saml(form) => Ok(form),
            PageOutcome::SignIn => fail(
                "Okta answered its sign-in page instead of the AWS app",
                format!(
                    "check {OKTA_AWS_APP_URL}: it must be the AWS app's embed link (https://ORG/home/amazon_aws/APP_ID/272) of this org"
                ),
            ),
            PageOutcome::Other(explained) => Err(explained),
        }
    }
}

/// `GET <app link>?onetimetoken=<sessionToken>` and read the form.
pub async fn fetch_with_token(
    client: &OktaClient,
    app_url: &Url,
    session_token: &str,
) -> Result<SamlForm> {
    let mut url = app_url.clone();
    url.query_pairs_mut()
        .append_pair("onetimetoken", session_token);
    fetch(client, url).await?.into_form()
}

/// GET a page that should be the app launch form (following redirects); errors only for
/// the network.
pub async fn fetch(client: &OktaClient, url: Url) -> Result<PageOutcome> {
    let answer = client.get_page(url).await?;
    Ok(read_page(answer.status, &answer.landed_on, &answer.body))
}

/// Find the SAMLResponse with a real HTML parser (which decodes `&#x2b;` and friends), or
/// tell what the page is instead.
pub fn read_page(status: u16, landed_on: &str, body: &str) -> PageOutcome {
    let html = Html::parse_document(body);
    let saml_input = Selector::parse(r#"input[name="SAMLResponse"]"#).expect("valid selector");
    if let Some(value) = html
        .select(&saml_input)
        .find_map(|e| e.value().attr("value"))
    {
        let form = Selector::parse("form").expect("valid selector");
        let action = html
            .select(&form)
            .find(|f| f.select(&saml_input).next().is_some())
            .and_then(|f| f.value().attr("action"))
            .map(str::to_string);
        return PageOutcome::Saml(SamlForm {
            saml_response: value.trim().to_string(),
            action,
        });
    }
    let title = page_title(&html);
    if is_sign_in_page(&html, landed_on, &title) {
        return PageOutcome::SignIn;
    }
    if body.contains("stateToken") || title.to_ascii_lowercase().contains("extra verification") {
        let told = UserError::new("the AWS app asks for extra verification (app-level MFA)");
        return PageOutcome::Other(match page_state_token(body) {
            // The Classic sign-in continues it (`step_up`); elsewhere it stays this error.
            Some(state_token) => anyhow::Error::from(
                told.hint("sign in with the Classic sign-in (user name and password) to verify it"),
            )
            .context(StepUp { state_token }),
            None => told
                .hint("Okta's page holds no transaction to continue; sign in to the AWS app in a browser")
                .into(),
        });
    }
    let shown = if title.is_empty() {
        "no title".to_string()
    } else {
        format!("'{title}'")
    };
    PageOutcome::Other(
        UserError::new(format!(
            "Okta answered HTTP {status} ({shown}) without a SAML assertion"
        ))
        .hint(format!(
            "check {OKTA_AWS_APP_URL}, and that you are assigned to the AWS app"
        ))
        .into(),
    )
}

/// The app's step-up page: its transaction's state token, which the Classic authentication
/// API continues (factor verification), after which the app link answers the SAML form.
/// Carried as the context of the page's error, so that callers that cannot continue it
/// report the error as it is.
#[derive(Debug, Clone)]
pub struct StepUp {
    pub state_token: String,
}

impl std::fmt::Display for StepUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the AWS app asks for extra verification")
    }
}

/// The state token of the page's script: `var stateToken = '…';`, JavaScript's `\xHH`
/// escapes decoded (Okta writes `-` as `\x2D`). Hand-written: the value is one quoted
/// literal in a script, which no HTML parser reads; anything but a token's characters is
/// refused.
fn page_state_token(body: &str) -> Option<String> {
    let start = body.find("var stateToken")?;
    let rest = &body[start..];
    let quote_at = rest.find(['\'', '"'])?;
    let quote = rest[quote_at..].chars().next()?;
    let literal = &rest[quote_at + 1..];
    let literal = &literal[..literal.find(quote)?];
    let mut token = String::new();
    let mut chars = literal.chars();
    while let Some(c) = chars.next() {
        let c = match c {
            '\\' => {
                if chars.next()? != 'x' {
                    return None;
                }
                let hex: String = chars.by_ref().take(2).collect();
                char::from(u8::from_str_radix(&hex, 16).ok()?)
            }
            c => c,
        };
        if !(c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return None;
        }
        token.push(c);
    }
    (!token.is_empty() && token.len() <= 512).then_some(token)
}

/// Continue an app's step-up with its page's state token: `POST /api/v1/authn
/// {"stateToken"}`, the factor verified as at sign-in (`OKTA_MFA_CHOICE`, `OKTA_MFA_CODE`),
/// then the transaction's `next` link (GET, with the session's cookie) that marks the session
/// stepped up. The caller then fetches the app link again.
pub async fn step_up(
    client: &OktaClient,
    prompter: &dyn Prompter,
    mfa: &MfaPresets,
    step_up: &StepUp,
) -> Result<()> {
    prompter.say("The AWS app asks for extra verification.");
    let api = AuthnApi { client, prompter };
    let body = json!({ "stateToken": step_up.state_token });
    let mut transaction = api.post(client.url("api/v1/authn"), &body).await?;
    while transaction.status == "MFA_REQUIRED" {
        transaction = factors::verify(&api, mfa, &transaction).await?;
    }
    if transaction.status != "SUCCESS" {
        return fail(
            format!(
                "the AWS app's extra verification stopped at: {}",
                one_line(&transaction.status)
            ),
            "sign in to the AWS app once in a browser, then run again",
        );
    }
    let Some(next) = transaction::link(&transaction.links, "next") else {
        return fail(
            "Okta ended the extra verification without a way back to the AWS app",
            "run again",
        );
    };
    let answer = client.get_page(client.checked_link(&next.href)?).await?;
    log::debug(&format!(
        "the extra verification is done (HTTP {})",
        answer.status
    ));
    Ok(())
}

fn page_title(html: &Html) -> String {
    let title = Selector::parse("title").expect("valid selector");
    html.select(&title)
        .next()
        .map(|t| one_line(&crate::server_text::clean(&t.text().collect::<String>())))
        .unwrap_or_default()
}

fn is_sign_in_page(html: &Html, landed_on: &str, title: &str) -> bool {
    let password_input = Selector::parse(r#"input[type="password"], input[name="password"]"#)
        .expect("valid selector");
    landed_on.starts_with("/login/")
        || landed_on.starts_with("/signin")
        || title.to_ascii_lowercase().contains("sign in")
        || html.select(&password_input).next().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_escaped_saml_response_is_decoded() {
        let page = r#"<!DOCTYPE html><html><head><title>Acme - Signing in...</title></head><body>
            <form id="appForm" action="https&#x3a;&#x2f;&#x2f;signin.aws.amazon.com&#x2f;saml" method="POST">
            <input name="SAMLResponse" type="hidden" value="PHNhbWw&#x2b;YWJj&#x2f;ZA&#x3d;&#x3d;"/>
            <input name="RelayState" type="hidden" value=""/></form></body></html>"#;
        let form = read_page(200, "/home/amazon_aws/x/272", page)
            .into_form()
            .unwrap();
        assert_eq!(form.saml_response, "PHNhbWw+YWJj/ZA==");
        assert_eq!(
            form.action.as_deref(),
            Some("https://signin.aws.amazon.com/saml")
        );
    }

    #[test]
    fn sign_in_step_up_and_other_pages_are_told_apart() {
        let sign_in = "<html><head><title>Acme - Sign In</title></head><body><form><input name=\"password\" type=\"password\"></form></body></html>";
        let err = read_page(200, "/login/login.htm", sign_in)
            .into_form()
            .unwrap_err()
            .to_string();
        assert!(err.contains("sign-in page"), "{err}");
        let step_up = "<html><head><title>Acme - Extra Verification</title></head><body><script>var stateToken = '00abc';</script></body></html>";
        let err = read_page(200, "/home/amazon_aws/x/272", step_up)
            .into_form()
            .unwrap_err()
            .to_string();
        assert!(err.contains("extra verification"), "{err}");
        let PageOutcome::Other(error) = read_page(200, "/home/amazon_aws/x/272", step_up) else {
            panic!("not an error");
        };
        assert_eq!(error.downcast_ref::<StepUp>().unwrap().state_token, "00abc");
        assert!(error.downcast_ref::<UserError>().is_some());
        let broken = "<html><head><title>Acme - Error</title></head><body>oops</body></html>";
        let err = read_page(500, "/home/amazon_aws/x/272", broken)
            .into_form()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("HTTP 500") && err.contains("Acme - Error"),
            "{err}"
        );
    }

    #[test]
    fn the_state_token_is_read_from_the_script_escapes_decoded() {
        let recorded = include_str!("../../tests/fixtures/recorded/classic/step-up-page.html");
        assert_eq!(
            page_state_token(recorded).as_deref(),
            Some("00Xg1Ci6KEli1338pWmP2gHUuYe0c_F4Nwd3fmoK9")
        );
        let token = |script: &str| page_state_token(script);
        assert_eq!(
            token(r"var stateToken = '00a\x2Db';").as_deref(),
            Some("00a-b")
        );
        assert_eq!(
            token(r#"var stateToken = "00ab";"#).as_deref(),
            Some("00ab")
        );
        for hostile in [
            r"var stateToken = '';",
            r"var stateToken = '00 ab';",
            r"var stateToken = '00\x27ab';",
            r"var stateToken = '00\u0041';",
            r"var stateToken = '00\x4';",
            r"var stateToken = '00ab",
            "var stateToken",
        ] {
            assert_eq!(token(hostile), None, "{hostile}");
        }
    }
}
