//! Signing in to Okta for the AWS app's SAML form. Two ways, behind one interface: the
//! Classic authentication API (user name, password, MFA) and, for an Identity Engine org, the
//! browser sign-in of the device flow. The Okta web session kept between runs wraps both: while
//! Okta still knows it, neither runs.

use anyhow::Result;
use url::Url;

use super::client::OktaClient;
use super::saml_page::SamlForm;
use super::web_session::{self, OktaWebSession};
use super::{authn, device_flow};
use crate::prompt::{Prompter, log};
use crate::settings::{MfaPresets, OktaSettings, OktaUser};

/// How the user proves who they are to Okta.
#[derive(Debug, Clone, Copy)]
pub enum SignIn<'a> {
    /// The Classic authentication API: user name, password, then MFA.
    Classic {
        user: &'a OktaUser,
        mfa: &'a MfaPresets,
    },
    /// The device flow of the org's OIDC app: the user signs in in a browser.
    Browser { client_id: &'a str },
}

impl<'a> SignIn<'a> {
    /// The browser when an OIDC client is set (an Identity Engine org), else Classic.
    pub fn for_settings(okta: &'a OktaSettings) -> SignIn<'a> {
        match &okta.oidc_client_id {
            Some(client_id) => SignIn::Browser { client_id },
            None => SignIn::Classic {
                user: &okta.user,
                mfa: &okta.mfa,
            },
        }
    }

    /// Sign in, and get the AWS app's SAML form with the new Okta session.
    pub async fn saml_form(
        &self,
        client: &OktaClient,
        prompter: &dyn Prompter,
        app_link: &Url,
    ) -> Result<SamlForm> {
        match *self {
            SignIn::Classic { user, mfa } => {
                let session_token = authn::authenticate(client, prompter, user, mfa).await?;
                web_session::establish(client, &session_token, app_link).await
            }
            SignIn::Browser { client_id } => {
                device_flow::saml_form(client, prompter, client_id, app_link).await
            }
        }
    }

    /// The SAML form through the `kept` web session while Okta still knows it (no password,
    /// no MFA), else through a sign-in. Returns the web session to keep: Okta may have set or
    /// refreshed its cookies.
    pub async fn saml_form_reusing(
        &self,
        client: &OktaClient,
        prompter: &dyn Prompter,
        app_link: &Url,
        mut kept: OktaWebSession,
    ) -> Result<(SamlForm, OktaWebSession)> {
        kept.load_into(client);
        let reused = match kept.sid {
            Some(_) => web_session::reuse(client, app_link).await?,
            None => None,
        };
        let form = match reused {
            Some(form) => {
                log::debug("the Okta session is still valid: no password needed");
                form
            }
            None => {
                if kept.sid.take().is_some() {
                    prompter.say("The Okta session has ended; logging in again.");
                }
                let form = self.saml_form(client, prompter, app_link).await?;
                // Learned concurrently with STS (session::login), not here: no round trip.
                kept.expires_at = None;
                form
            }
        };
        Ok((form, kept.read_back(client)))
    }
}
