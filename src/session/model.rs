//! An AWS session as cached: the SAML role's credentials, and those of the cross-account role
//! it may hop into, with what the next login needs to remember.

use serde::{Deserialize, Serialize};

use crate::arn::RoleArn;
use crate::aws::AwsCredentials;
use crate::role_choice;
use crate::saml::RolePair;
use crate::store::cache_dir::{Versioned, now_secs};

/// Variables a wrapped command must not see: they would make the AWS CLI pick a profile
/// over the credentials we put in its environment.
pub const REMOVED_VARIABLES: [&str; 2] = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"];

/// The variables a session sets, in the order `environment` gives (and `env` prints) them.
pub const SESSION_VARIABLES: [&str; 6] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
];

/// Temporary credentials for one role, as cached.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AwsSession {
    pub version: u32,
    /// The okta-aws profile (`None`: the unnamed one).
    pub profile: Option<String>,
    pub credentials: AwsCredentials,
    pub role: RolePair,
    pub region: String,
    /// Every role of the last assertion, for menus and completion.
    #[serde(default)]
    pub roles: Vec<RolePair>,
    /// The Okta org that vouched for it (origin), to find its web session.
    pub okta_org: String,
    /// The RoleSessionName for the cross-account hop (the Okta login, cleaned).
    #[serde(default)]
    pub session_name: String,
    /// The SAML role for which the cross-account target was decided (IAM is asked once).
    #[serde(default)]
    pub target_decided_for: Option<RoleArn>,
    /// The cross-account role this profile hops into, with its chained credentials.
    #[serde(default)]
    pub target: Option<TargetCredentials>,
}

/// A cross-account role and its credentials (from AssumeRole with the SAML session).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetCredentials {
    pub role_arn: RoleArn,
    pub credentials: AwsCredentials,
}

impl Versioned for AwsSession {
    fn version(&self) -> u32 {
        self.version
    }
}

impl AwsSession {
    /// The credentials handed to commands: the cross-account target's when there is one.
    pub fn effective_credentials(&self) -> &AwsCredentials {
        self.target
            .as_ref()
            .map_or(&self.credentials, |t| &t.credentials)
    }

    /// The role whose credentials `effective_credentials` are.
    pub fn effective_role_arn(&self) -> &RoleArn {
        self.target
            .as_ref()
            .map_or(&self.role.role_arn, |t| &t.role_arn)
    }

    /// The variables that hand this session to a process.
    pub fn environment(&self) -> Vec<(&'static str, String)> {
        let c = self.effective_credentials();
        let values = [
            c.access_key_id.clone(),
            c.secret_access_key.clone(),
            c.session_token.clone(),
            c.expiration_rfc3339(),
            self.region.clone(),
            self.region.clone(),
        ];
        SESSION_VARIABLES.into_iter().zip(values).collect()
    }

    /// The assertion's roles; a session cached before roles were kept knows only its own.
    pub fn granted_roles(&self) -> Vec<RolePair> {
        if self.roles.is_empty() {
            vec![self.role.clone()]
        } else {
            self.roles.clone()
        }
    }

    /// Whether the SAML session may serve a request: enough time left, and the wanted role.
    pub fn serves(&self, min_ttl_secs: u64, wanted_role: Option<&str>) -> bool {
        let right_role = wanted_role
            .is_none_or(|w| !role_choice::matching(std::slice::from_ref(&self.role), w).is_empty());
        fresh(&self.credentials, min_ttl_secs) && right_role
    }

    /// Whether the cross-account hop is done (or not needed) and fresh.
    pub fn target_ready(&self, min_ttl_secs: u64) -> bool {
        self.target
            .as_ref()
            .is_none_or(|t| fresh(&t.credentials, min_ttl_secs))
    }
}

/// The latest expiry a cached session can honestly have: AWS's longest session (12 h) from
/// now, plus a day for clock changes. Beyond it the cache file was not written by us (or
/// by a sane STS): a miss, never a date to compute with.
const LATEST_PLAUSIBLE_EXPIRY_SECS: u64 = 43_200 + 86_400;

impl AwsSession {
    /// Whether its expiries are ones AWS could have given (see `LATEST_PLAUSIBLE_EXPIRY_SECS`).
    pub fn is_plausible(&self) -> bool {
        let latest = now_secs().saturating_add(LATEST_PLAUSIBLE_EXPIRY_SECS);
        self.credentials.expires_at <= latest
            && self
                .target
                .as_ref()
                .is_none_or(|t| t.credentials.expires_at <= latest)
    }
}

/// More than `min_ttl_secs` left.
pub fn fresh(credentials: &AwsCredentials, min_ttl_secs: u64) -> bool {
    credentials.expires_at > now_secs().saturating_add(min_ttl_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials(expires_at: u64) -> AwsCredentials {
        AwsCredentials {
            access_key_id: "ASIA".into(),
            secret_access_key: "secret".into(),
            session_token: "token".into(),
            expires_at,
        }
    }

    fn session(expires_at: u64) -> AwsSession {
        let role = RolePair::from_attribute_value(
            "arn:aws:iam::1:role/Dev,arn:aws:iam::1:saml-provider/Okta",
        )
        .unwrap();
        AwsSession {
            version: 1,
            profile: None,
            credentials: credentials(expires_at),
            role,
            region: "us-east-1".into(),
            roles: Vec::new(),
            okta_org: "https://acme.okta.com".into(),
            session_name: "alice".into(),
            target_decided_for: None,
            target: None,
        }
    }

    #[test]
    fn a_session_serves_while_fresh_and_for_its_role() {
        let in_an_hour = now_secs() + 3600;
        let s = session(in_an_hour);
        assert!(s.serves(300, None) && s.serves(300, Some("Dev")) && s.serves(300, Some("1/Dev")));
        assert!(!s.serves(300, Some("Admin")));
        assert!(!s.serves(4000, None), "less left than the minimum");
        assert_eq!(s.granted_roles(), std::slice::from_ref(&s.role));
    }

    #[test]
    fn absurd_expiries_are_not_plausible() {
        assert!(session(now_secs() + 43_200).is_plausible());
        for absurd in [253_402_300_799, 253_402_300_800, u64::MAX] {
            let s = session(absurd);
            assert!(!s.is_plausible(), "{absurd}");
            // Shown or used, it still never panics.
            let _ = s.environment();
            let _ = format!("{:?}", s.credentials);
            let _ = s.credentials.time_left();
        }
        let mut s = session(now_secs() + 3600);
        s.target = Some(TargetCredentials {
            role_arn: RoleArn::parse("arn:aws:iam::2:role/Deploy").unwrap(),
            credentials: credentials(u64::MAX),
        });
        assert!(!s.is_plausible());
    }

    #[test]
    fn commands_get_the_targets_credentials_when_there_is_one() {
        let mut s = session(now_secs() + 3600);
        assert!(s.target_ready(300));
        s.target = Some(TargetCredentials {
            role_arn: RoleArn::parse("arn:aws:iam::2:role/Deploy").unwrap(),
            credentials: AwsCredentials {
                access_key_id: "ASIATARGET".into(),
                ..credentials(now_secs() + 100)
            },
        });
        assert!(!s.target_ready(300), "the hop expires sooner");
        assert_eq!(
            s.effective_role_arn().as_str(),
            "arn:aws:iam::2:role/Deploy"
        );
        let env = s.environment();
        assert_eq!(env[0], ("AWS_ACCESS_KEY_ID", "ASIATARGET".to_string()));
        assert_eq!(env[4], ("AWS_REGION", "us-east-1".to_string()));
        assert_eq!(env.len(), SESSION_VARIABLES.len());
    }
}
