//! The settings' names: the environment variables' names, which are also the config file's
//! keys (case-insensitive there). They are the original Java tool's names, so its
//! `~/.okta/config.properties` works unchanged.

pub const OKTA_ORG: &str = "OKTA_ORG";
pub const OKTA_AWS_APP_URL: &str = "OKTA_AWS_APP_URL";
pub const OKTA_OIDC_CLIENT_ID: &str = "OKTA_OIDC_CLIENT_ID";
pub const OKTA_OPEN_BROWSER: &str = "OKTA_OPEN_BROWSER";
pub const OKTA_BROWSER_COMMAND: &str = "OKTA_BROWSER_COMMAND";
pub const OKTA_USERNAME: &str = "OKTA_USERNAME";
pub const OKTA_PASSWORD_CMD: &str = "OKTA_PASSWORD_CMD";
pub const OKTA_MFA_CHOICE: &str = "OKTA_MFA_CHOICE";
pub const OKTA_MFA_CODE: &str = "OKTA_MFA_CODE";
pub const OKTA_AWS_ROLE_TO_ASSUME: &str = "OKTA_AWS_ROLE_TO_ASSUME";
pub const OKTA_STS_DURATION: &str = "OKTA_STS_DURATION";
pub const OKTA_AWS_REGION: &str = "OKTA_AWS_REGION";
pub const OKTA_ENV_MODE: &str = "OKTA_ENV_MODE";
pub const AWS_IAM_KEY: &str = "AWS_IAM_KEY";
pub const AWS_IAM_SECRET: &str = "AWS_IAM_SECRET";
pub const OKTA_AWS_TARGET_ROLE: &str = "OKTA_AWS_TARGET_ROLE";
pub const OKTA_AWS_MIN_TTL: &str = "OKTA_AWS_MIN_TTL";
pub const OKTA_AWS_CLI: &str = "OKTA_AWS_CLI";
pub const OKTA_AWS_CONFIG: &str = "OKTA_AWS_CONFIG";
pub const OKTA_AWS_CACHE_DIR: &str = "OKTA_AWS_CACHE_DIR";
pub const OKTA_PROFILE: &str = "OKTA_PROFILE";
