//! The cache in front of every login: a valid cached session is returned at once — one small
//! file read, no runtime, no network — and a login's session is kept for the next command.

use anyhow::Result;

use super::model::AwsSession;
use crate::prompt::{Prompter, log};
use crate::settings::Settings;
use crate::store::Store;
use crate::store::cache_dir::FileLock;

/// One profile's cached session, judged by the settings.
pub struct SessionCache<'a> {
    settings: &'a Settings,
    store: Store,
    min_ttl_secs: u64,
}

impl<'a> SessionCache<'a> {
    pub fn new(settings: &'a Settings) -> Result<SessionCache<'a>> {
        Ok(SessionCache {
            settings,
            store: Store::for_settings(settings),
            min_ttl_secs: *settings.sts.min_ttl_secs.get()?,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn settings(&self) -> &'a Settings {
        self.settings
    }

    /// The cached session when it serves as it is: the SAML role fresh and the one wanted,
    /// the cross-account hop done and fresh, and the one a preset names. Its region follows
    /// the current settings.
    pub fn ready(&self) -> Option<AwsSession> {
        let session = self.fresh_saml()?;
        self.is_ready(&session)
            .then(|| self.with_current_region(session))
    }

    /// `ready` for a session whose SAML role is already known to be fresh.
    pub fn is_ready(&self, session: &AwsSession) -> bool {
        session.target_ready(self.min_ttl_secs) && self.target_matches(session)
    }

    /// The cached session when its SAML role is fresh and the one wanted (its cross-account
    /// hop may still need work).
    pub fn fresh_saml(&self) -> Option<AwsSession> {
        let session = self.previous()?;
        let wanted_role = self.settings.sts.role.as_deref();
        if session.serves(self.min_ttl_secs, wanted_role) {
            log::debug(&format!(
                "using the cached session for {}",
                session.role.role_arn
            ));
            Some(session)
        } else {
            log::debug("the cached session is expired, too close to expiry, or for another role");
            None
        }
    }

    /// Whatever is cached, fresh or not: the choices a login remembers.
    pub fn previous(&self) -> Option<AwsSession> {
        self.store.aws_session(&self.settings.profile)
    }

    /// The profile's login lock.
    pub fn lock(&self, prompter: &dyn Prompter) -> Result<FileLock> {
        self.store.lock_profile(&self.settings.profile, prompter)
    }

    pub fn save(&self, session: &AwsSession) -> Result<()> {
        self.store.save_aws_session(&self.settings.profile, session)
    }

    pub fn with_current_region(&self, mut session: AwsSession) -> AwsSession {
        let partition = session.role.role_arn.partition();
        session.region = self.settings.sts.regions.for_partition(partition);
        session
    }

    /// A preset `OKTA_AWS_TARGET_ROLE` must agree with the cached target.
    fn target_matches(&self, session: &AwsSession) -> bool {
        match (&self.settings.target.role, &session.target) {
            (None, _) => true,
            (Some(preset), Some(target)) => target.role_arn.is_named_by(preset),
            // The preset found no target last time: try again (and warn again).
            (Some(_), None) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arn::RoleArn;
    use crate::aws::AwsCredentials;
    use crate::saml::RolePair;
    use crate::session::model::TargetCredentials;
    use crate::settings::from_text_for_tests;
    use crate::store::cache_dir::now_secs;

    fn credentials(left_secs: u64) -> AwsCredentials {
        AwsCredentials {
            access_key_id: "ASIA".into(),
            secret_access_key: "secret".into(),
            session_token: "token".into(),
            expires_at: now_secs() + left_secs,
        }
    }

    fn cached_session(target: Option<&str>) -> AwsSession {
        AwsSession {
            version: 1,
            profile: None,
            credentials: credentials(3600),
            role: RolePair::from_attribute_value(
                "arn:aws-us-gov:iam::1:role/Dev,arn:aws-us-gov:iam::1:saml-provider/Okta",
            )
            .unwrap(),
            region: "us-gov-east-1".into(),
            roles: Vec::new(),
            okta_org: "https://acme.okta.com".into(),
            session_name: "alice".into(),
            target_decided_for: None,
            target: target.map(|arn| TargetCredentials {
                role_arn: RoleArn::parse(arn).unwrap(),
                credentials: credentials(3600),
            }),
        }
    }

    /// A cache in a fresh directory holding `session`, judged by `settings`.
    fn judge(settings: &str, session: &AwsSession) -> Option<AwsSession> {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("OKTA_AWS_CACHE_DIR={}\n{settings}", dir.path().display());
        let settings = from_text_for_tests(&text);
        let cache = SessionCache::new(&settings).unwrap();
        cache.save(session).unwrap();
        cache.ready()
    }

    #[test]
    fn a_fresh_session_serves_in_the_regions_of_the_current_settings() {
        let ready = judge("", &cached_session(None)).expect("fresh");
        assert_eq!(
            ready.region, "us-gov-west-1",
            "the partition's usual region"
        );
        let ready = judge("OKTA_AWS_REGION=us-gov-east-1", &cached_session(None)).unwrap();
        assert_eq!(ready.region, "us-gov-east-1");
        assert!(judge("OKTA_AWS_ROLE_TO_ASSUME=Admin", &cached_session(None)).is_none());
        assert!(judge("OKTA_AWS_MIN_TTL=4000", &cached_session(None)).is_none());
    }

    #[test]
    fn a_target_preset_must_name_the_cached_target() {
        let hopped = cached_session(Some("arn:aws-us-gov:iam::2:role/ops/Deploy"));
        for preset in ["Deploy", "ops/Deploy", "2/Deploy"] {
            let settings = format!("OKTA_AWS_TARGET_ROLE={preset}");
            assert!(judge(&settings, &hopped).is_some(), "{preset}");
        }
        assert!(judge("OKTA_AWS_TARGET_ROLE=Audit", &hopped).is_none());
        let not_hopped = cached_session(None);
        assert!(
            judge("OKTA_AWS_TARGET_ROLE=Deploy", &not_hopped).is_none(),
            "a preset that found no target last time tries again"
        );
    }
}
