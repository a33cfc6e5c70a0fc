//! The container-credentials endpoint (`exec --server`'s) with the real `aws` CLI: given only
//! `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN`, the CLI takes
//! its credentials from our server and moto sees the session they belong to.

use std::cell::Cell;
use std::process::{Command, Output};
use std::rc::Rc;
use std::time::{SystemTime, UNIX_EPOCH};

use okta_aws::aws::AwsCredentials;
use okta_aws::aws::credentials_server;

use crate::harness::*;

/// Credentials of an assumed role in `account`, from moto's STS.
fn moto_credentials(account: &str, role: &str, session: &str) -> AwsCredentials {
    let out = Command::new("aws")
        .args([
            "sts",
            "assume-role",
            "--role-arn",
            &format!("arn:aws:iam::{account}:role/{role}"),
            "--role-session-name",
            session,
            "--output",
            "json",
        ])
        .envs(moto_env(&[
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
        ]))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let part = |key: &str| json["Credentials"][key].as_str().unwrap().to_string();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    AwsCredentials {
        access_key_id: part("AccessKeyId"),
        secret_access_key: part("SecretAccessKey"),
        session_token: part("SessionToken"),
        expires_at: now + 3600,
    }
}

/// `aws sts get-caller-identity` with no credentials but the endpoint's two variables.
fn caller_identity_through(url: &str, token: &str) -> Output {
    let mut aws = Command::new("aws");
    aws.args(["sts", "get-caller-identity", "--output", "json"])
        .envs(moto_env(&[]))
        .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", url)
        .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", token);
    for variable in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    ] {
        aws.env_remove(variable);
    }
    aws.output().unwrap()
}

/// Serve `credentials` (counting the asks) while `client` runs on a blocking thread with the
/// endpoint's URL and token, as `exec --server` will serve its command.
fn serve_while<T: Send + 'static>(
    credentials: AwsCredentials,
    client: impl FnOnce(&str, &str) -> T + Send + 'static,
) -> (T, u32) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tokio::task::LocalSet::new().block_on(&runtime, async move {
        let asks = Rc::new(Cell::new(0));
        let counter = asks.clone();
        let source = move || {
            counter.set(counter.get() + 1);
            let credentials = credentials.clone();
            async move { Ok(credentials) }
        };
        let server = credentials_server::start(source).await.unwrap();
        let (url, token) = (server.url().to_string(), server.token().to_string());
        let result = tokio::task::spawn_blocking(move || client(&url, &token))
            .await
            .unwrap();
        server.shutdown().await;
        (result, asks.get())
    })
}

#[test]
fn the_aws_cli_takes_its_credentials_from_the_endpoint() {
    let credentials = moto_credentials("700000000001", "Builder", "served");
    let (out, asks) = serve_while(credentials, caller_identity_through);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let identity: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        identity["Arn"],
        "arn:aws:sts::700000000001:assumed-role/Builder/served"
    );
    assert!(asks >= 1);
}

#[test]
fn with_a_wrong_token_the_aws_cli_fails_and_gets_nothing() {
    let credentials = moto_credentials("700000000002", "Builder", "refused");
    let (out, asks) = serve_while(credentials, |url, _| {
        caller_identity_through(url, "not-the-token")
    });
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("403"), "{stderr}");
    assert_eq!(asks, 0);
}
