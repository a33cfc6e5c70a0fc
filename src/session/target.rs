//! The cross-account hop, wrapping the SAML role's source: decide the target role (a
//! preset, the choice remembered for this SAML role, or IAM's answer) and hop into it with
//! AssumeRole, keeping chained credentials that are still fresh.

use anyhow::Result;

use super::model::{AwsSession, TargetCredentials, fresh};
use super::provider::Provider;
use crate::arn::RoleArn;
use crate::aws::sts;
use crate::aws::target_role::{self, Chosen, Decision};
use crate::prompt::Prompter;
use crate::settings::Settings;

/// The hop on top of the SAML role's session that `inner` provides.
pub struct CrossAccountHop<'a, P> {
    pub inner: P,
    pub settings: &'a Settings,
    pub prompter: &'a dyn Prompter,
    /// The cached session, fresh or not: the target chosen last time.
    pub previous: Option<&'a AwsSession>,
    /// Decide again and get new credentials even if the kept ones are fresh.
    pub force: bool,
}

impl<P: Provider> Provider for CrossAccountHop<'_, P> {
    async fn provide(&self) -> Result<AwsSession> {
        let mut session = self.inner.provide().await?;
        let target = match self.decide(&session).await? {
            Chosen::Decided(target) => {
                session.target_decided_for = Some(session.role.role_arn.clone());
                target
            }
            Chosen::Unanswered => {
                session.target_decided_for = None;
                None
            }
        };
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
    async fn decide(&self, session: &AwsSession) -> Result<Chosen> {
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
            Decision::Keep(arn) | Decision::Use(arn) => Ok(Chosen::Decided(arn)),
            Decision::Introspect => {
                let partition = session.role.role_arn.partition();
                let region = self.settings.sts.regions.for_partition(partition);
                target_role::introspect_and_choose(
                    &self.settings.target,
                    &region,
                    &session.role,
                    &session.credentials,
                    remembered_target.filter(|_| remembered_for == Some(&session.role.role_arn)),
                    self.prompter,
                )
                .await
            }
        }
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
