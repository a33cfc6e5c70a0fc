//! AWS: STS calls, the real `aws` CLI, and the ~/.aws files.

pub mod cli_path;
pub mod credentials_file;
pub mod credentials_server;
pub mod federation;
pub mod iam;
pub mod policy;
pub mod signin_page;
pub mod sts;
pub mod target_role;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// Temporary AWS credentials. `Debug` never shows the secrets.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AwsCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    /// Seconds since the Unix epoch.
    pub expires_at: u64,
}

impl std::fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("expires_at", &self.expiration_rfc3339())
            .finish_non_exhaustive()
    }
}

/// The last second humantime can show (9999-12-31T23:59:59Z; it panics beyond), far below
/// where `UNIX_EPOCH + secs` overflows: expiries are capped there, so a hostile number in a
/// cache file or an STS answer never panics.
const LAST_SHOWABLE_EPOCH_SECS: u64 = 253_402_300_799;

impl AwsCredentials {
    pub fn expiration(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(self.expires_at.min(LAST_SHOWABLE_EPOCH_SECS))
    }

    /// `2026-11-28T13:00:00Z`, as AWS writes expirations.
    pub fn expiration_rfc3339(&self) -> String {
        humantime::format_rfc3339_seconds(self.expiration()).to_string()
    }

    /// For the SDK's credentials provider.
    pub fn to_sdk(&self, source: &'static str) -> aws_sdk_sts::config::Credentials {
        aws_sdk_sts::config::Credentials::new(
            &self.access_key_id,
            &self.secret_access_key,
            Some(self.session_token.clone()),
            Some(self.expiration()),
            source,
        )
    }

    /// Time left before expiry (zero once expired).
    pub fn time_left(&self) -> Duration {
        self.expiration()
            .duration_since(SystemTime::now())
            .unwrap_or_default()
    }
}

/// `3 h 20 min`, `12 min`, `40 s`: for messages.
pub fn human_duration(d: Duration) -> String {
    let secs = d.as_secs();
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs / 60),
        _ => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
    }
}
