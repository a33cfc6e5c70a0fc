//! IAM introspection: which roles the SAML role may go on to assume (cross-account).
//!
//! After AssumeRoleWithSAML we read the role's identity policies (inline and attached
//! managed, all pages) and let `policy.rs` find the concrete role ARNs they allow with
//! `sts:AssumeRole`. None of this is needed to log in, so every failure here is meant to
//! become a one-line warning (`IntrospectionError::to_warning`), never a failed login.

use std::fmt;

use aws_sdk_iam::config::Credentials;
use aws_sdk_iam::config::http::HttpResponse;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use futures_util::future::try_join_all;

use super::AwsCredentials;
use super::policy::{self, PolicyError};
use crate::arn::role_name_in;
use crate::error::one_line;
use crate::server_text::clean;
use crate::settings::keys::{AWS_IAM_KEY, AWS_IAM_SECRET, OKTA_AWS_TARGET_ROLE};

/// What IAM says about the SAML role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRoles {
    /// Role ARNs its policies let it assume, first seen first, without duplicates or itself.
    pub targets: Vec<String>,
    /// The role's MaxSessionDuration in seconds (the ceiling for OKTA_STS_DURATION).
    pub max_session_duration: Option<i32>,
}

/// Why the targets could not be found.
#[derive(Debug)]
pub enum IntrospectionError {
    /// The ARN given is not `arn:…:iam::ACCOUNT:role/…` (nor an assumed-role ARN).
    NotARoleArn(String),
    /// GetRole answered NoSuchEntity.
    RoleNotFound { role_name: String },
    /// IAM answered AccessDenied to `call` (e.g. `iam:ListRolePolicies`).
    AccessDenied { call: &'static str, message: String },
    /// Any other refusal: an unknown key, throttling, a policy gone meanwhile…
    Refused {
        call: &'static str,
        code: String,
        message: String,
    },
    /// No answer at all (network, DNS, timeout).
    Unreachable { call: &'static str, cause: String },
    /// A policy document that is not a JSON object, even once URL-decoded.
    MalformedPolicy { policy: String, error: PolicyError },
}

impl IntrospectionError {
    /// One line for the terminal: what failed, and how to go on without it.
    pub fn to_warning(&self) -> String {
        let remedy = match self {
            // The SAML role may not read IAM: keys of a user that may would do it.
            IntrospectionError::AccessDenied { .. } => format!(
                "set {AWS_IAM_KEY}/{AWS_IAM_SECRET} to keys allowed to read IAM roles, or set \
                 {OKTA_AWS_TARGET_ROLE} to the target role (ARN, name or ACCOUNT/ROLE) by hand"
            ),
            _ => format!(
                "to use a cross-account role, set {OKTA_AWS_TARGET_ROLE} to it \
                 (ARN, name or ACCOUNT/ROLE) by hand"
            ),
        };
        one_line(&format!(
            "cannot look up cross-account roles: {}; {remedy}",
            self.summary()
        ))
    }

    /// What failed, without IAM's (long) message.
    fn summary(&self) -> String {
        match self {
            IntrospectionError::NotARoleArn(arn) => format!("{arn} is not an IAM role ARN"),
            IntrospectionError::RoleNotFound { role_name } => {
                format!("IAM has no role named {role_name}")
            }
            IntrospectionError::AccessDenied { call, .. } => {
                format!("AccessDenied on {call}")
            }
            IntrospectionError::Refused { call, code, .. } => format!("{code} on {call}"),
            IntrospectionError::Unreachable { call, cause } => {
                format!("cannot reach IAM ({call}): {cause}")
            }
            IntrospectionError::MalformedPolicy { policy, error } => {
                format!("{policy} is malformed ({error})")
            }
        }
    }
}

impl fmt::Display for IntrospectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())?;
        match self {
            IntrospectionError::AccessDenied { message, .. }
            | IntrospectionError::Refused { message, .. }
                if !message.is_empty() =>
            {
                write!(f, ": {message}")
            }
            _ => Ok(()),
        }
    }
}

impl std::error::Error for IntrospectionError {}

/// The SDK configuration for the IAM calls: the IAM user's long-lived keys
/// (`AWS_IAM_KEY`/`AWS_IAM_SECRET`) when given, else the SAML role's own session. Endpoint
/// variables (`AWS_ENDPOINT_URL_IAM`, `AWS_ENDPOINT_URL`) are honoured, as for STS.
pub async fn iam_config(
    region: &str,
    key: Option<(String, String)>,
    assumed: &AwsCredentials,
) -> aws_config::SdkConfig {
    let credentials = match key {
        Some((id, secret)) => Credentials::new(id, secret, None, None, "okta-aws-iam-user"),
        None => assumed.to_sdk("okta-aws-saml-role"),
    };
    super::sts::sdk_config(region, Some(credentials)).await
}

/// The roles `role_arn` may assume according to its IAM policies, and its
/// MaxSessionDuration. Calls GetRole, ListRolePolicies + GetRolePolicy, and
/// ListAttachedRolePolicies + GetPolicy + GetPolicyVersion (the default version).
pub async fn find_target_roles(
    config: &aws_config::SdkConfig,
    role_arn: &str,
) -> Result<TargetRoles, IntrospectionError> {
    let role_name =
        role_name_in(role_arn).ok_or_else(|| IntrospectionError::NotARoleArn(role_arn.into()))?;
    let client = aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::config::Builder::from(config)
            .interceptor(crate::net::AwsBodyLimit)
            .build(),
    );
    // The three reads at once; their errors taken in this order, so that the warning names
    // what a sequence would have met first (an unknown role: GetRole's NoSuchEntity).
    let (role, inline, managed) = tokio::join!(
        get_role(&client, role_name),
        inline_policies(&client, role_name),
        managed_policies(&client, role_name),
    );
    let role = role?;
    let mut raw = inline?;
    raw.extend(managed?);
    let documents = decode_all(raw)?;
    // GetRole's ARN is canonical (with the role's path); the caller's may differ in case.
    let mut targets = policy::assumable_roles(&documents, role.arn());
    targets.retain(|t| !t.eq_ignore_ascii_case(role_arn));
    Ok(TargetRoles {
        targets,
        max_session_duration: role.max_session_duration(),
    })
}

async fn get_role(
    client: &aws_sdk_iam::Client,
    role_name: &str,
) -> Result<aws_sdk_iam::types::Role, IntrospectionError> {
    let answer = client
        .get_role()
        .role_name(role_name)
        .send()
        .await
        .map_err(|e| match e.as_service_error() {
            Some(s) if s.is_no_such_entity_exception() => IntrospectionError::RoleNotFound {
                role_name: role_name.into(),
            },
            _ => iam_error("iam:GetRole", &e),
        })?;
    answer.role.ok_or_else(|| IntrospectionError::RoleNotFound {
        role_name: role_name.into(),
    })
}

/// (label for messages, raw document) of each inline policy, the documents read at once.
async fn inline_policies(
    client: &aws_sdk_iam::Client,
    role_name: &str,
) -> Result<Vec<(String, String)>, IntrospectionError> {
    let names = client
        .list_role_policies()
        .role_name(role_name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| iam_error("iam:ListRolePolicies", &e))?;
    try_join_all(names.into_iter().map(|name| async move {
        let answer = client
            .get_role_policy()
            .role_name(role_name)
            .policy_name(&name)
            .send()
            .await
            .map_err(|e| iam_error("iam:GetRolePolicy", &e))?;
        Ok((
            format!("inline policy {name}"),
            answer.policy_document().to_string(),
        ))
    }))
    .await
}

/// (label for messages, raw document) of the default version of each attached policy, the
/// policies read at once.
async fn managed_policies(
    client: &aws_sdk_iam::Client,
    role_name: &str,
) -> Result<Vec<(String, String)>, IntrospectionError> {
    let attached = client
        .list_attached_role_policies()
        .role_name(role_name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| iam_error("iam:ListAttachedRolePolicies", &e))?;
    let arns = attached
        .iter()
        .filter_map(|policy| policy.policy_arn())
        .map(str::to_string);
    try_join_all(arns.map(|arn| async move {
        let document = default_version_document(client, &arn).await?;
        Ok((format!("managed policy {arn}"), document))
    }))
    .await
}

/// Only the default version is in force; the others are history.
async fn default_version_document(
    client: &aws_sdk_iam::Client,
    policy_arn: &str,
) -> Result<String, IntrospectionError> {
    let answer = client
        .get_policy()
        .policy_arn(policy_arn)
        .send()
        .await
        .map_err(|e| iam_error("iam:GetPolicy", &e))?;
    let Some(version) = answer.policy().and_then(|p| p.default_version_id()) else {
        return Err(incomplete(
            "iam:GetPolicy",
            policy_arn,
            "no default version",
        ));
    };
    let answer = client
        .get_policy_version()
        .policy_arn(policy_arn)
        .version_id(version)
        .send()
        .await
        .map_err(|e| iam_error("iam:GetPolicyVersion", &e))?;
    match answer.policy_version().and_then(|v| v.document()) {
        Some(document) => Ok(document.to_string()),
        None => Err(incomplete(
            "iam:GetPolicyVersion",
            policy_arn,
            "no document",
        )),
    }
}

fn incomplete(call: &'static str, policy_arn: &str, what: &str) -> IntrospectionError {
    IntrospectionError::Refused {
        call,
        code: "IncompleteAnswer".into(),
        message: format!("{what} for {policy_arn}"),
    }
}

fn decode_all(raw: Vec<(String, String)>) -> Result<Vec<serde_json::Value>, IntrospectionError> {
    raw.into_iter()
        .map(|(label, document)| {
            policy::decode_policy_document(&document).map_err(|error| {
                IntrospectionError::MalformedPolicy {
                    policy: label,
                    error,
                }
            })
        })
        .collect()
}

/// An SDK failure of `call`, sorted into what the warning needs to say.
fn iam_error<E>(call: &'static str, err: &SdkError<E, HttpResponse>) -> IntrospectionError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match err {
        SdkError::ServiceError(service) => {
            let (code, message) = error_code_and_message(service.err(), service.raw());
            // IAM's texts are printed: no escapes (server_text).
            let (code, message) = (clean(&code), clean(&message));
            match code.as_str() {
                "AccessDenied" | "AccessDeniedException" => {
                    IntrospectionError::AccessDenied { call, message }
                }
                _ => IntrospectionError::Refused {
                    call,
                    code,
                    message,
                },
            }
        }
        SdkError::TimeoutError(_) => IntrospectionError::Unreachable {
            call,
            cause: format!("no answer within {} s", crate::net::config().timeout_secs()),
        },
        SdkError::DispatchFailure(_) => IntrospectionError::Unreachable {
            call,
            cause: crate::error::root_cause(err),
        },
        other => IntrospectionError::Refused {
            call,
            code: "request failed".into(),
            message: crate::error::root_cause(other),
        },
    }
}

/// The error's code and message. Some AWS-compatible servers (moto's access checks, for
/// one) wrap the error in `<ErrorResponse><Errors><Error>`, which the SDK's parser does not
/// read, so when it found no code we look for `<Code>` in the body ourselves.
fn error_code_and_message(err: &impl ProvideErrorMetadata, raw: &HttpResponse) -> (String, String) {
    let body = raw
        .body()
        .bytes()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    let code = err
        .code()
        .or_else(|| xml_text(&body, "Code"))
        .map(str::to_string)
        .unwrap_or_else(|| format!("HTTP {}", raw.status().as_u16()));
    let message = err.message().or_else(|| xml_text(&body, "Message"));
    (code, message.unwrap_or_default().to_string())
}

/// The text of the first `<name>…</name>` in `xml` (error bodies are flat and unescaped
/// enough for this; it only feeds a message).
fn xml_text<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let start = xml.find(&format!("<{name}>"))? + name.len() + 2;
    let len = xml[start..].find(&format!("</{name}>"))?;
    Some(xml[start..start + len].trim()).filter(|text| !text.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_iam::config::ProvideCredentials;

    #[test]
    fn xml_text_finds_codes_in_any_error_shape() {
        let moto = "<?xml version=\"1.0\"?><ErrorResponse><Errors><Error><Code>AccessDenied</Code>\
                    <Message>User: x is not authorized</Message><Type>Sender</Type></Error>\
                    </Errors></ErrorResponse>";
        assert_eq!(xml_text(moto, "Code"), Some("AccessDenied"));
        assert_eq!(xml_text(moto, "Message"), Some("User: x is not authorized"));
        assert_eq!(xml_text(moto, "RequestId"), None);
        assert_eq!(xml_text("<Code></Code>", "Code"), None);
        assert_eq!(xml_text("<Code>Open", "Code"), None);
        assert_eq!(xml_text("", "Code"), None);
    }

    fn all_errors() -> Vec<IntrospectionError> {
        vec![
            IntrospectionError::NotARoleArn("Developer".into()),
            IntrospectionError::RoleNotFound {
                role_name: "Developer".into(),
            },
            IntrospectionError::AccessDenied {
                call: "iam:ListRolePolicies",
                message: "User: arn:aws:sts::1:assumed-role/Developer/alice\nis not authorized"
                    .into(),
            },
            IntrospectionError::Refused {
                call: "iam:GetRole",
                code: "InvalidClientTokenId".into(),
                message: "The security token included in the request is invalid.".into(),
            },
            IntrospectionError::Unreachable {
                call: "iam:GetRole",
                cause: "connection refused\n(os error 111)".into(),
            },
            decode_all(vec![(
                "inline policy Broken".into(),
                "{\"Version\":".into(),
            )])
            .unwrap_err(),
        ]
    }

    #[test]
    fn warnings_are_one_line_and_say_what_to_do() {
        let wants = [
            "Developer is not an IAM role ARN",
            "IAM has no role named Developer",
            "AccessDenied on iam:ListRolePolicies",
            "InvalidClientTokenId on iam:GetRole",
            "cannot reach IAM (iam:GetRole): connection refused (os error 111)",
            "inline policy Broken is malformed (not valid JSON",
        ];
        for (err, want) in all_errors().iter().zip(wants) {
            let warning = err.to_warning();
            assert!(!warning.contains('\n'), "{warning:?}");
            assert!(warning.contains(want), "{warning:?} lacks {want:?}");
            assert!(warning.contains("OKTA_AWS_TARGET_ROLE"), "{warning:?}");
            // IAM's own long message stays out of the warning (it is in Display, for -v).
            assert!(!warning.contains("not authorized"), "{warning:?}");
        }
        assert!(all_errors()[2].to_warning().contains("AWS_IAM_KEY"));
        assert!(all_errors()[2].to_string().contains("is not authorized"));
    }

    #[test]
    fn decode_all_keeps_order_and_names_the_bad_policy() {
        let good = "%7B%22Statement%22%3A%5B%5D%7D".to_string();
        let docs = decode_all(vec![
            ("inline policy A".into(), good.clone()),
            ("managed policy B".into(), "{\"Statement\":{}}".into()),
        ])
        .unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0]["Statement"], serde_json::json!([]));
        let err = decode_all(vec![
            ("inline policy A".into(), good),
            (
                "managed policy arn:aws:iam::1:policy/B".into(),
                "%7B%7".into(),
            ),
        ])
        .unwrap_err();
        assert!(
            matches!(&err, IntrospectionError::MalformedPolicy { policy, .. }
                if policy == "managed policy arn:aws:iam::1:policy/B"),
            "{err:?}"
        );
    }

    fn session() -> AwsCredentials {
        AwsCredentials {
            access_key_id: "ASIASESSION".into(),
            secret_access_key: "session-secret".into(),
            session_token: "session-token".into(),
            expires_at: 4_000_000_000,
        }
    }

    async fn keys_of(config: &aws_config::SdkConfig) -> Credentials {
        let provider = config.credentials_provider().expect("a provider");
        provider.provide_credentials().await.unwrap()
    }

    #[tokio::test]
    async fn iam_config_prefers_the_iam_user_keys() {
        let config = iam_config(
            "eu-west-1",
            Some(("AKIAUSER".into(), "user-secret".into())),
            &session(),
        )
        .await;
        let keys = keys_of(&config).await;
        assert_eq!(keys.access_key_id(), "AKIAUSER");
        assert_eq!(keys.secret_access_key(), "user-secret");
        assert_eq!(keys.session_token(), None);
        assert_eq!(config.region().map(|r| r.as_ref()), Some("eu-west-1"));
    }

    #[tokio::test]
    async fn iam_config_falls_back_to_the_saml_session() {
        let config = iam_config("us-east-1", None, &session()).await;
        let keys = keys_of(&config).await;
        assert_eq!(keys.access_key_id(), "ASIASESSION");
        assert_eq!(keys.secret_access_key(), "session-secret");
        assert_eq!(keys.session_token(), Some("session-token"));
        assert_eq!(keys.expiry(), Some(session().expiration()));
    }
}
