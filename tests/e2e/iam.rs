//! IAM introspection for cross-account roles (issue 5), through the library against moto.
//!
//! Roles live in moto's default account 123456789012 (any key that moto did not issue maps
//! there). Tests share one moto and run in parallel, so every role and policy name is
//! unique to its test. The access-check test switches moto's auth on server-wide, so it
//! runs against a moto of its own.

use std::future::Future;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_iam::config::Credentials;
use okta_aws::aws::iam::{IntrospectionError, TargetRoles, find_target_roles};
use serde_json::{Value, json};

use crate::harness;

const ACCOUNT: &str = "123456789012";
const PROD: &str = "arn:aws:iam::222222222222:role/Admin";
const PROD_RO: &str = "arn:aws:iam::222222222222:role/ReadOnly";
const STAGE: &str = "arn:aws:iam::333333333333:role/Deployer";
const SANDBOX: &str = "arn:aws:iam::444444444444:role/Sandbox";
const AUDIT: &str = "arn:aws:iam::555555555555:role/Auditor";

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// An SDK configuration that talks to the moto at `url` with the given keys.
async fn moto_config(url: &str, key: &str, secret: &str) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(url)
        .credentials_provider(Credentials::new(key, secret, None, None, "e2e"))
        .load()
        .await
}

async fn shared_moto() -> SdkConfig {
    moto_config(harness::moto_url(), "testing", "testing").await
}

fn iam(config: &SdkConfig) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(config)
}

fn allow(action: Value, resource: Value) -> Value {
    json!({"Version": "2012-10-17",
           "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})
}

/// A role an Okta SAML provider may assume; its ARN.
async fn create_role(
    iam: &aws_sdk_iam::Client,
    name: &str,
    path: &str,
    max_session: Option<i32>,
) -> String {
    let trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": format!("arn:aws:iam::{ACCOUNT}:saml-provider/Okta")},
        "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]});
    let answer = iam
        .create_role()
        .role_name(name)
        .path(path)
        .assume_role_policy_document(trust.to_string())
        .set_max_session_duration(max_session)
        .send()
        .await
        .unwrap();
    answer.role.unwrap().arn
}

async fn put_inline(iam: &aws_sdk_iam::Client, role: &str, name: &str, document: Value) {
    iam.put_role_policy()
        .role_name(role)
        .policy_name(name)
        .policy_document(document.to_string())
        .send()
        .await
        .unwrap();
}

/// A managed policy with one version per document, `default` (0-based) the one in force,
/// attached to `role`.
async fn attach_managed(
    iam: &aws_sdk_iam::Client,
    role: &str,
    name: &str,
    versions: &[Value],
    default: usize,
) {
    let policy = iam
        .create_policy()
        .policy_name(name)
        .policy_document(versions[0].to_string())
        .send()
        .await
        .unwrap();
    let arn = policy.policy.unwrap().arn.unwrap();
    for (i, document) in versions.iter().enumerate().skip(1) {
        iam.create_policy_version()
            .policy_arn(&arn)
            .policy_document(document.to_string())
            .set_as_default(i == default)
            .send()
            .await
            .unwrap();
    }
    iam.attach_role_policy()
        .role_name(role)
        .policy_arn(&arn)
        .send()
        .await
        .unwrap();
}

#[test]
fn inline_and_managed_policies_give_the_targets() {
    block_on(async {
        let config = shared_moto().await;
        let iam = iam(&config);
        let role = "iam-e2e-mixed-Developer";
        let arn = create_role(&iam, role, "/sso/", Some(7200)).await;
        assert_eq!(arn, format!("arn:aws:iam::{ACCOUNT}:role/sso/{role}"));
        // Two inline policies: an array of statements, and a single statement object.
        put_inline(
            &iam,
            role,
            "assume-prod",
            allow(
                json!(["sts:AssumeRole", "sts:TagSession"]),
                json!([PROD, PROD_RO, &arn]),
            ),
        )
        .await;
        put_inline(
            &iam,
            role,
            "assume-stage",
            json!({"Version": "2012-10-17", "Statement": {
                "Effect": "Allow", "Action": "sts:Assume*",
                "Resource": [STAGE, "arn:aws:iam::333333333333:role/*"]}}),
        )
        .await;
        // A managed policy whose default is v2: v1 and v3 are history or drafts.
        let v1 = allow(json!("sts:AssumeRole"), json!(SANDBOX));
        let v2 = json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:*", "Resource": AUDIT},
            {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": PROD_RO}]});
        let v3 = allow(
            json!("sts:AssumeRole"),
            json!("arn:aws:iam::666666666666:role/Draft"),
        );
        attach_managed(&iam, role, "iam-e2e-mixed-cross-account", &[v1, v2, v3], 1).await;
        // Another service's policy, and PassRole on a role ARN: no targets.
        attach_managed(
            &iam,
            role,
            "iam-e2e-mixed-s3",
            &[json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
                {"Effect": "Allow", "Action": "iam:PassRole",
                 "Resource": "arn:aws:iam::777777777777:role/Lambda"}]})],
            0,
        )
        .await;

        let found = find_target_roles(&config, &arn).await.unwrap();
        assert_eq!(
            found,
            TargetRoles {
                targets: vec![PROD.into(), STAGE.into(), AUDIT.into()],
                max_session_duration: Some(7200),
            }
        );
    });
}

#[test]
fn wildcards_and_denies_across_policies() {
    block_on(async {
        let config = shared_moto().await;
        let iam = iam(&config);
        let role = "iam-e2e-wild-Developer";
        let arn = create_role(&iam, role, "/", None).await;
        put_inline(
            &iam,
            role,
            "admin-ish",
            json!({"Version": "2012-10-17", "Statement": [
                {"Sid": "Everything", "Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Sid": "AnyOrgRole", "Effect": "Allow", "Action": "sts:AssumeRole",
                 "Resource": "arn:aws:iam::*:role/OrganizationAccountAccessRole"},
                {"Sid": "Named", "Effect": "Allow", "Action": "STS:ASSUMEROLE",
                 "Resource": [PROD, PROD_RO, STAGE, SANDBOX]}]}),
        )
        .await;
        // A Deny in another (managed) policy, by account-wide wildcard.
        attach_managed(
            &iam,
            role,
            "iam-e2e-wild-guardrail",
            &[json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Deny", "Action": "sts:Assume*",
                 "Resource": "arn:aws:iam::222222222222:role/*"},
                // A conditional Deny cannot be evaluated here, so it removes nothing.
                {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": SANDBOX,
                 "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}]})],
            0,
        )
        .await;

        let found = find_target_roles(&config, &arn).await.unwrap();
        assert_eq!(found.targets, vec![STAGE.to_string(), SANDBOX.to_string()]);
        // moto's default, as AWS's: one hour.
        assert_eq!(found.max_session_duration, Some(3600));
    });
}

#[test]
fn a_role_without_policies_has_no_targets() {
    block_on(async {
        let config = shared_moto().await;
        let arn = create_role(&iam(&config), "iam-e2e-bare-Developer", "/", Some(43200)).await;
        let found = find_target_roles(&config, &arn).await.unwrap();
        assert_eq!(
            found,
            TargetRoles {
                targets: vec![],
                max_session_duration: Some(43200),
            }
        );
    });
}

#[test]
fn every_page_of_attached_policies_is_read() {
    block_on(async {
        let config = shared_moto().await;
        let iam = iam(&config);
        let role = "iam-e2e-pages-Developer";
        let arn = create_role(&iam, role, "/", None).await;
        // moto (like AWS) lists 100 attached policies a page, sorted by name: the policy
        // granting the target comes last, on the second page.
        let filler = allow(json!("s3:GetObject"), json!("arn:aws:s3:::bucket/*"));
        for i in 0..100 {
            let name = format!("iam-e2e-pages-{i:03}");
            attach_managed(&iam, role, &name, std::slice::from_ref(&filler), 0).await;
        }
        let grant = allow(json!("sts:AssumeRole"), json!(STAGE));
        attach_managed(&iam, role, "iam-e2e-pages-zz-last", &[grant], 0).await;

        let found = find_target_roles(&config, &arn).await.unwrap();
        assert_eq!(found.targets, vec![STAGE.to_string()]);
    });
}

#[test]
fn a_missing_role_is_a_warning() {
    block_on(async {
        let config = shared_moto().await;
        let arn = format!("arn:aws:iam::{ACCOUNT}:role/iam-e2e-NoSuchRole");
        let err = find_target_roles(&config, &arn).await.unwrap_err();
        assert!(
            matches!(&err, IntrospectionError::RoleNotFound { role_name }
                if role_name == "iam-e2e-NoSuchRole"),
            "{err:?}"
        );
        let warning = err.to_warning();
        assert!(warning.contains("iam-e2e-NoSuchRole"), "{warning}");
        assert!(warning.contains("OKTA_AWS_TARGET_ROLE"), "{warning}");
    });
}

#[test]
fn an_unreachable_iam_is_a_warning() {
    // A loopback port nobody listens on any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    block_on(async {
        let config = moto_config(&format!("http://127.0.0.1:{port}"), "k", "s").await;
        let err = find_target_roles(&config, PROD).await.unwrap_err();
        assert!(
            matches!(
                &err,
                IntrospectionError::Unreachable {
                    call: "iam:GetRole",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(!err.to_warning().contains('\n'));
    });
}

/// An IAM user with keys, allowed `actions` (none: no policy at all); its keys.
async fn user_with_keys(
    iam: &aws_sdk_iam::Client,
    name: &str,
    actions: &[&str],
) -> (String, String) {
    iam.create_user().user_name(name).send().await.unwrap();
    if !actions.is_empty() {
        iam.put_user_policy()
            .user_name(name)
            .policy_name("read-roles")
            .policy_document(allow(json!(actions), json!("*")).to_string())
            .send()
            .await
            .unwrap();
    }
    let key = iam
        .create_access_key()
        .user_name(name)
        .send()
        .await
        .unwrap()
        .access_key
        .unwrap();
    (key.access_key_id, key.secret_access_key)
}

/// Switch on moto's access checks, for the whole server (hence a private moto).
async fn enable_auth(url: &str) {
    let answer = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{url}/moto-api/reset-auth"))
        .header("Content-Type", "text/plain")
        .body("0")
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "{answer:?}");
}

#[test]
fn access_denied_names_the_call_and_is_a_warning() {
    let moto = harness::start_private_moto();
    block_on(async {
        let admin = moto_config(&moto.url, "testing", "testing").await;
        let iam = iam(&admin);
        let role = "Developer";
        let arn = create_role(&iam, role, "/", None).await;
        put_inline(
            &iam,
            role,
            "assume",
            allow(json!("sts:AssumeRole"), json!(PROD)),
        )
        .await;
        let managed = allow(json!("sts:AssumeRole"), json!(STAGE));
        attach_managed(&iam, role, "cross-account", &[managed], 0).await;
        let inline_reads = ["iam:GetRole", "iam:ListRolePolicies", "iam:GetRolePolicy"];
        let all_reads = [&inline_reads[..], &["iam:ListAttached*", "iam:GetPolicy*"]].concat();
        let reader = user_with_keys(&iam, "reader", &all_reads).await;
        let inline_only = user_with_keys(&iam, "inline-only", &inline_reads).await;
        let get_only = user_with_keys(&iam, "get-only", &["iam:GetRole"]).await;
        let nobody = user_with_keys(&iam, "nobody", &[]).await;
        enable_auth(&moto.url).await;

        let find_as = |(key, secret): (String, String)| {
            let (url, arn) = (moto.url.clone(), arn.clone());
            async move {
                let config = moto_config(&url, &key, &secret).await;
                find_target_roles(&config, &arn).await
            }
        };
        // Allowed to read everything: auth is on and the user's keys are the ones used.
        let found = find_as(reader).await.unwrap();
        assert_eq!(found.targets, vec![PROD.to_string(), STAGE.to_string()]);

        for (keys, call) in [
            (nobody, "iam:GetRole"),
            (get_only, "iam:ListRolePolicies"),
            (inline_only, "iam:ListAttachedRolePolicies"),
        ] {
            let err = find_as(keys).await.unwrap_err();
            assert!(
                matches!(&err, IntrospectionError::AccessDenied { call: c, .. } if *c == call),
                "{call}: {err:?}"
            );
            let warning = err.to_warning();
            assert!(
                warning.contains(&format!("AccessDenied on {call}")),
                "{warning}"
            );
            assert!(warning.contains("OKTA_AWS_TARGET_ROLE"), "{warning}");
            assert!(!warning.contains('\n'), "{warning}");
        }

        // Keys IAM never issued.
        let unknown = ("AKIAUNKNOWNKEY000000".to_string(), "nope".to_string());
        let err = find_as(unknown).await.unwrap_err();
        assert!(
            matches!(&err, IntrospectionError::Refused { call: "iam:GetRole", code, .. }
                if code == "InvalidClientTokenId"),
            "{err:?}"
        );
    });
    drop(moto);
}
