//! The cross-account hop, wrapping the SAML role's source: decide the target role (a
//! preset, the choice remembered for this SAML role, or IAM's answer) and hop into it with
//! AssumeRole, keeping chained credentials that are still fresh.

use anyhow::Result;

use super::model::{AwsSession, TargetCredentials, fresh};
use super::provider::Provider;
use crate::arn::RoleArn;
use crate::aws::sts;
use crate::aws::target_role::{self, Decision, TargetMenu};
use crate::prompt::{Prompter, log};
use crate::settings::Settings;
use crate::store::Store;

/// The hop on top of the SAML role's session that `inner` provides.
pub struct CrossAccountHop<'a, P> {
    pub inner: P,
    pub settings: &'a Settings,
    pub prompter: &'a dyn Prompter,
    pub store: &'a Store,
    /// The cached session, fresh or not: the target chosen last time.
    pub previous: Option<&'a AwsSession>,
    /// Decide again and get new credentials even if the kept ones are fresh.
    pub force: bool,
}

impl<P: Provider> Provider for CrossAccountHop<'_, P> {
    async fn provide(&self) -> Result<AwsSession> {
        let mut session = self.inner.provide().await?;
        let target = self.decide(&session).await?;
        session.target_decided_for = Some(session.role.role_arn.clone());
        match target {
            Some(role_arn) => self.hop(&mut session, role_arn).await?,
            None => session.target = None,
        }
        Ok(session)
    }
}

impl<P> CrossAccountHop<'_, P> {
    /// The target role, if any: a preset wins, then a remembered choice for this SAML role,
    /// else IAM is asked (and the remembered choice answers its menu when no terminal can).
    async fn decide(&self, session: &AwsSession) -> Result<Option<RoleArn>> {
        let remembered = self.previous.filter(|p| p.target_decided_for.is_some());
        let remembered_for = remembered.and_then(|p| p.target_decided_for.as_ref());
        let remembered_target = remembered.and_then(|p| p.target.as_ref().map(|t| &t.role_arn));
        let decision = target_role::decide(
            &self.settings.target,
            &session.role,
            remembered_for,
            remembered_target,
            self.force,
        )?;
        match decision {
            Decision::Keep(arn) | Decision::Use(arn) => Ok(arn),
            Decision::Introspect => {
                let remembered =
                    (remembered_for == Some(&session.role.role_arn)).then_some(remembered_target);
                self.introspect(session, remembered).await
            }
        }
    }

    /// Ask IAM, remember what it offered when there is a choice to make, and choose.
    async fn introspect(
        &self,
        session: &AwsSession,
        remembered: Option<Option<&RoleArn>>,
    ) -> Result<Option<RoleArn>> {
        let partition = session.role.role_arn.partition();
        let region = self.settings.sts.regions.for_partition(partition);
        let Some(targets) = target_role::find_targets(
            &self.settings.target,
            &region,
            &session.role,
            &session.credentials,
            self.prompter,
        )
        .await
        else {
            return Ok(None);
        };
        if targets.len() > 1 {
            let profile = &self.settings.profile;
            let saved = self
                .store
                .save_target_choices(profile, &session.role.role_arn, &targets);
            // Only a hint for the next login without a terminal: not worth failing this one.
            if let Err(e) = saved {
                log::debug(&format!("the targets offered not kept: {e:#}"));
            }
        }
        let menu = TargetMenu {
            targets: &targets,
            saml_role: &session.role,
            remembered,
        };
        target_role::choose_target(self.settings.target.role.as_deref(), &menu, self.prompter)
    }

    /// AssumeRole into `role_arn` with the SAML session, unless fresh chained credentials for
    /// it are kept.
    async fn hop(&self, session: &mut AwsSession, role_arn: RoleArn) -> Result<()> {
        let min_ttl = *self.settings.sts.min_ttl_secs.get()?;
        if let Some(kept) = &session.target
            && kept.role_arn == role_arn
            && fresh(&kept.credentials, min_ttl)
            && !self.force
        {
            return Ok(());
        }
        let duration = self.settings.sts.duration_or(sts::ROLE_CHAINING_MAX_SECS)?;
        let credentials = sts::assume_role(
            &session.region,
            &session.credentials,
            &role_arn,
            &session.session_name,
            duration,
        )
        .await?;
        // Said without -v: the credentials handed out are not the SAML role's.
        self.prompter.say(&format!(
            "Using cross-account role {role_arn} (through {}).",
            session.role.role_arn
        ));
        session.target = Some(TargetCredentials {
            role_arn,
            credentials,
        });
        Ok(())
    }
}
