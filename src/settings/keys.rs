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
pub const OKTA_AWS_HTTP_TIMEOUT: &str = "OKTA_AWS_HTTP_TIMEOUT";
pub const AWS_CA_BUNDLE: &str = "AWS_CA_BUNDLE";

/// Settings of the Java tool that okta-aws does not implement, each with what to do
/// instead: set, they are ignored with a one-line warning at login.
pub const UNSUPPORTED_JAVA_SETTINGS: [(&str, &str); 3] = [
    (
        "OKTA_BROWSER_AUTH",
        "Identity Engine orgs sign in in the browser with OKTA_OIDC_CLIENT_ID",
    ),
    (
        "OKTA_COOKIES_PATH",
        "the Okta session is kept in the cache directory (OKTA_AWS_CACHE_DIR)",
    ),
    (
        "OKTA_IGNORE_SAML_REQ_CONTAIN",
        "the SAML assertion is read from the app link's form whatever the page says",
    ),
];

pub const OKTA_AWS_FEDERATION_URL: &str = "OKTA_AWS_FEDERATION_URL";

/// Every setting a profile resolves, in the README's order (`doctor` lists them).
pub const ALL: [&str; 25] = [
    OKTA_ORG,
    OKTA_AWS_APP_URL,
    OKTA_USERNAME,
    OKTA_PASSWORD_CMD,
    OKTA_MFA_CHOICE,
    OKTA_MFA_CODE,
    OKTA_AWS_ROLE_TO_ASSUME,
    OKTA_STS_DURATION,
    OKTA_AWS_REGION,
    OKTA_ENV_MODE,
    AWS_IAM_KEY,
    AWS_IAM_SECRET,
    OKTA_AWS_TARGET_ROLE,
    OKTA_AWS_MIN_TTL,
    OKTA_AWS_CLI,
    OKTA_AWS_CONFIG,
    OKTA_AWS_CACHE_DIR,
    OKTA_PROFILE,
    OKTA_OIDC_CLIENT_ID,
    OKTA_OPEN_BROWSER,
    OKTA_BROWSER_COMMAND,
    OKTA_AWS_FEDERATION_URL,
    OKTA_AWS_HTTP_TIMEOUT,
    AWS_CA_BUNDLE,
    "AWS_REGION",
];

/// Settings whose values are secrets (shown masked).
pub const SECRET: [&str; 2] = [AWS_IAM_SECRET, OKTA_MFA_CODE];
