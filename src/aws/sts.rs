//! AWS STS: trading the SAML assertion for temporary credentials.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Result;
use aws_sdk_sts::error::ProvideErrorMetadata;

use super::AwsCredentials;
use crate::arn::RoleArn;
use crate::error::UserError;
use crate::saml::RolePair;
use crate::server_text::clean;
use crate::settings::keys::{OKTA_AWS_HTTP_TIMEOUT, OKTA_STS_DURATION};

/// An SDK configuration for `region`; the SDK's endpoint variables (`AWS_ENDPOINT_URL`,
/// `AWS_ENDPOINT_URL_STS`, …) and profile `endpoint_url` are honoured by aws-config, and
/// so are `HTTPS_PROXY`/`NO_PROXY`. Every call has the deadlines of `net`, and trusts
/// `AWS_CA_BUNDLE` too.
pub async fn sdk_config(
    region: &str,
    credentials: Option<aws_sdk_sts::config::Credentials>,
) -> aws_config::SdkConfig {
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region.to_string()))
        .timeout_config(crate::net::aws_timeouts())
        .http_client(crate::net::aws_http_client());
    let loader = match credentials {
        Some(c) => loader.credentials_provider(c),
        None => loader.no_credentials(),
    };
    loader.load().await
}

/// An STS client whose answers are capped in size.
fn sts_client(config: &aws_config::SdkConfig) -> aws_sdk_sts::Client {
    let config = aws_sdk_sts::config::Builder::from(config)
        .interceptor(crate::net::AwsBodyLimit)
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

/// What AssumeRoleWithSAML granted.
#[derive(Debug)]
pub struct SamlGrant {
    pub credentials: AwsCredentials,
    /// A warning for the user when the role allowed less than the duration asked.
    pub shortened: Option<String>,
}

/// AssumeRoleWithSAML (an unsigned call: the assertion is the proof).
pub async fn assume_role_with_saml(
    config: &aws_config::SdkConfig,
    role: &RolePair,
    assertion: &str,
    duration_secs: i32,
) -> Result<SamlGrant> {
    let client = sts_client(config);
    let call = |duration: i32| {
        client
            .assume_role_with_saml()
            .role_arn(role.role_arn.as_str())
            .principal_arn(&role.provider_arn)
            .saml_assertion(assertion)
            .duration_seconds(duration)
            .send()
    };
    let mut shortened = None;
    let answer = match call(duration_secs).await {
        // The role's MaxSessionDuration is lower than asked: AWS does not say how low, but
        // every role allows an hour. Retry once with that rather than fail the login.
        Err(e) if duration_too_long(&e) && duration_secs > DEFAULT_MAX_SESSION_SECS => {
            shortened = Some(format!(
                "{} allows no {duration_secs} s session; asking for {DEFAULT_MAX_SESSION_SECS} s instead (set OKTA_STS_DURATION to avoid this)",
                role.role_arn.name()
            ));
            call(DEFAULT_MAX_SESSION_SECS).await
        }
        other => other,
    }
    .map_err(|e| sts_error(&e, role.role_arn.as_str()))?;
    Ok(SamlGrant {
        credentials: credentials_of(answer.credentials)?,
        shortened,
    })
}

/// The session length every role allows (its MaxSessionDuration is at least an hour).
pub const DEFAULT_MAX_SESSION_SECS: i32 = 3600;

fn duration_too_long<E: ProvideErrorMetadata, R>(err: &aws_sdk_sts::error::SdkError<E, R>) -> bool {
    match err {
        aws_sdk_sts::error::SdkError::ServiceError(service) => {
            service.err().code() == Some("ValidationError")
                && service
                    .err()
                    .message()
                    .is_some_and(|m| m.contains("DurationSeconds"))
        }
        _ => false,
    }
}

fn credentials_of(credentials: Option<aws_sdk_sts::types::Credentials>) -> Result<AwsCredentials> {
    let Some(c) = credentials else {
        return Err(UserError::new("STS answered without credentials")
            .hint("try again")
            .into());
    };
    Ok(AwsCredentials {
        access_key_id: c.access_key_id,
        secret_access_key: c.secret_access_key,
        session_token: c.session_token,
        expires_at: epoch_secs(c.expiration),
    })
}

/// Role chaining (a role assuming another) is capped at one hour by AWS.
pub const ROLE_CHAINING_MAX_SECS: i32 = 3600;

/// AssumeRole with `source` credentials: the cross-account hop from the SAML role.
pub async fn assume_role(
    region: &str,
    source: &AwsCredentials,
    role_arn: &RoleArn,
    session_name: &str,
    duration_secs: i32,
) -> Result<AwsCredentials> {
    let config = sdk_config(region, Some(source.to_sdk("okta-aws-saml-session"))).await;
    let answer = sts_client(&config)
        .assume_role()
        .role_arn(role_arn.as_str())
        .role_session_name(session_name)
        .duration_seconds(duration_secs.min(ROLE_CHAINING_MAX_SECS))
        .send()
        .await
        .map_err(|e| sts_error(&e, role_arn.as_str()))?;
    credentials_of(answer.credentials)
}

/// A RoleSessionName AWS accepts (`[\w+=,.@-]{2,64}`), from the Okta login.
pub fn session_name(login: Option<&str>) -> String {
    let cleaned: String = login
        .unwrap_or("okta-aws")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    if cleaned.len() < 2 {
        "okta-aws".to_string()
    } else {
        cleaned
    }
}

fn epoch_secs(t: aws_sdk_sts::primitives::DateTime) -> u64 {
    u64::try_from(t.secs()).unwrap_or_else(|_| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs()
    })
}

/// An STS failure as "code: message" with a hint for the common ones.
pub fn sts_error<E, R>(err: &aws_sdk_sts::error::SdkError<E, R>, role_arn: &str) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    use aws_sdk_sts::error::SdkError;
    let (code, message) = match err {
        // AWS's texts are printed: no escapes (server_text).
        SdkError::ServiceError(service) => (
            clean(service.err().code().unwrap_or("unknown error")),
            clean(service.err().message().unwrap_or("")),
        ),
        SdkError::TimeoutError(_) => {
            return UserError::new(format!(
                "AWS STS did not answer within {} s",
                crate::net::config().timeout_secs()
            ))
            .hint(format!(
                "check your network and AWS_ENDPOINT_URL_STS if you set it; {OKTA_AWS_HTTP_TIMEOUT} sets the deadline"
            ))
            .into();
        }
        other if crate::net::is_too_big(other) => {
            return UserError::new(format!(
                "AWS STS's answer is larger than {} MiB; not read",
                crate::net::MAX_BODY_BYTES >> 20
            ))
            .hint("check AWS_ENDPOINT_URL_STS if you set it: no answer of STS is that large")
            .into();
        }
        SdkError::DispatchFailure(_) => {
            return UserError::new(format!(
                "cannot reach AWS STS: {}",
                crate::error::root_cause(err)
            ))
            .hint("check your network, OKTA_AWS_REGION, and AWS_ENDPOINT_URL_STS if you set it")
            .into();
        }
        other => (
            "request failed".to_string(),
            crate::error::root_cause(other),
        ),
    };
    let hint = match code.as_str() {
        "AccessDenied" => format!(
            "{role_arn}'s trust policy must allow sts:AssumeRoleWithSAML from this SAML provider"
        ),
        "InvalidIdentityToken" => {
            "AWS refused the assertion: check the SAML provider in IAM matches Okta's metadata"
                .to_string()
        }
        "ExpiredTokenException" => {
            "the SAML assertion expired before it reached AWS; run again".to_string()
        }
        "ValidationError" if message.contains("Duration") => {
            format!("lower {OKTA_STS_DURATION}, or raise the role's maximum session duration")
        }
        _ => "see the AWS STS documentation for this error code".to_string(),
    };
    UserError::new(format!("AWS STS refused: {code}: {message}"))
        .hint(hint)
        .into()
}
