//! Signing in to Okta for the AWS app's SAML form. Two ways, behind one interface: the
//! Classic authentication API (user name, password, MFA) and, for an Identity Engine org, the
//! browser sign-in of the device flow. The Okta web session kept between runs wraps both: while
//! Okta still knows it, neither runs.

use anyhow::Result;
use url::Url;

use super::client::OktaClient;
use super::device_flow::BrowserSignIn;
use super::engine::{self, Engine};
use super::saml_page::{self, SamlForm, StepUp};
use super::web_session::{self, OktaWebSession};
use super::{authn, device_flow};
use crate::prompt::{Prompter, log};
use crate::settings::OktaSettings;
use crate::store::cache_dir::now_secs;

/// How the user proves who they are to Okta, from the settings and the org's engine.
#[derive(Debug, Clone, Copy)]
pub struct SignIn<'a> {
    okta: &'a OktaSettings,
}

/// The way chosen for one sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way<'a> {
    /// The Classic authentication API: user name, password, then MFA.
    Classic,
    /// Classic on an Identity Engine org without an OIDC client: many allow it, and when Okta
    /// refuses it for a reason the browser sign-in solves, the error says what to set up.
    ClassicOnIdentityEngine,
    /// The device flow of the org's OIDC app: the user signs in in a browser.
    Browser { client_id: &'a str },
}

/// Classic orgs sign in the Classic way whatever the settings; any other (Identity Engine,
/// or an org that does not say) in the browser when an OIDC client is set.
fn way(engine: Option<Engine>, client_id: Option<&str>) -> Way<'_> {
    match (engine, client_id) {
        (Some(Engine::Classic), _) => Way::Classic,
        (_, Some(client_id)) => Way::Browser { client_id },
        (Some(Engine::IdentityEngine), None) => Way::ClassicOnIdentityEngine,
        (None, None) => Way::Classic,
    }
}

impl<'a> SignIn<'a> {
    pub fn for_settings(okta: &'a OktaSettings) -> SignIn<'a> {
        SignIn { okta }
    }

    /// Sign in, and get the AWS app's SAML form with the new Okta session. The org's engine
    /// and any refresh token granted are kept in `kept`.
    async fn saml_form(
        &self,
        client: &OktaClient,
        prompter: &dyn Prompter,
        app_link: &Url,
        kept: &mut OktaWebSession,
    ) -> Result<SamlForm> {
        let Some(client_id) = self.okta.oidc_client_id.as_deref() else {
            // Without an OIDC client the way is Classic whatever the engine: the engine is
            // asked only when Okta refuses, to name the setup the browser sign-in needs (so a
            // cold Classic login stays three round trips).
            let signed_in = self.classic(client, prompter, app_link).await;
            return match signed_in {
                Err(e) if engine::needs_browser(&e) => {
                    let engine = engine::of_org(client, &mut kept.engine, now_secs()).await;
                    match way(engine, None) {
                        Way::ClassicOnIdentityEngine => Err(engine::needs_device_flow(&e)),
                        _ => Err(e),
                    }
                }
                other => other,
            };
        };
        let engine = engine::of_org(client, &mut kept.engine, now_secs()).await;
        match way(engine, Some(client_id)) {
            Way::Classic | Way::ClassicOnIdentityEngine => {
                self.classic(client, prompter, app_link).await
            }
            Way::Browser { client_id } => {
                let how = BrowserSignIn {
                    client_id,
                    browser: &self.okta.browser,
                };
                let refresh = kept.refresh.take();
                let (form, refresh) =
                    device_flow::saml_form(client, prompter, &how, app_link, refresh).await?;
                kept.refresh = refresh;
                Ok(form)
            }
        }
    }

    async fn classic(
        &self,
        client: &OktaClient,
        prompter: &dyn Prompter,
        app_link: &Url,
    ) -> Result<SamlForm> {
        let session_token =
            authn::authenticate(client, prompter, &self.okta.user, &self.okta.mfa).await?;
        let page = web_session::establish(client, &session_token, app_link).await;
        self.stepped_up(client, prompter, app_link, page).await
    }

    /// The app link's answer, with its step-up done when it asks for one: the transaction
    /// of its page continued (MFA as at sign-in), then the app link fetched again.
    async fn stepped_up<T: From<SamlForm>>(
        &self,
        client: &OktaClient,
        prompter: &dyn Prompter,
        app_link: &Url,
        page: Result<T>,
    ) -> Result<T> {
        let step_up = match &page {
            Err(e) => match e.downcast_ref::<StepUp>() {
                Some(step_up) => step_up.clone(),
                None => return page,
            },
            Ok(_) => return page,
        };
        saml_page::step_up(client, prompter, &self.okta.mfa, &step_up).await?;
        let form = saml_page::fetch(client, app_link.clone())
            .await?
            .into_form()?;
        Ok(T::from(form))
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
            Some(_) => {
                let page = web_session::reuse(client, app_link).await;
                self.stepped_up(client, prompter, app_link, page).await?
            }
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
                let form = self
                    .saml_form(client, prompter, app_link, &mut kept)
                    .await?;
                // Learned concurrently with STS (session::login), not here: no round trip.
                kept.expires_at = None;
                form
            }
        };
        Ok((form, kept.read_back(client)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_engine_and_the_client_id_choose_the_way() {
        let id = Some("0oaclient");
        assert_eq!(way(Some(Engine::Classic), id), Way::Classic);
        assert_eq!(way(Some(Engine::Classic), None), Way::Classic);
        let browser = Way::Browser {
            client_id: "0oaclient",
        };
        assert_eq!(way(Some(Engine::IdentityEngine), id), browser);
        assert_eq!(way(None, id), browser);
        assert_eq!(
            way(Some(Engine::IdentityEngine), None),
            Way::ClassicOnIdentityEngine
        );
        assert_eq!(way(None, None), Way::Classic);
    }
}
