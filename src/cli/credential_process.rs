//! `okta-aws credential-process`: the AWS CLI and SDKs' `credential_process` protocol
//! (`credential_process = okta-aws credential-process --profile P` in ~/.aws/config).
//!
//! The AWS CLI hides the process's stderr, so a login on the way asks on /dev/tty (the
//! terminal prompter, `prompt/tty.rs`); with no terminal and a question to ask it fails at once, naming the
//! setting, and the AWS CLI shows that message.

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use super::{ProfileArg, RoleArg, load_settings};
use crate::prompt::Prompter;
use crate::session::{self, AwsSession};

#[derive(Debug, Args)]
pub struct CredentialProcessArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
    #[command(flatten)]
    pub role: RoleArg,
}

/// AWS's credential_process output, version 1.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProcessCredentials {
    pub version: u32,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    /// RFC 3339; the SDKs call the process again shortly before it.
    pub expiration: String,
}

impl ProcessCredentials {
    /// The credentials a command gets: the cross-account target's when there is one.
    pub fn of(session: &AwsSession) -> ProcessCredentials {
        let c = session.effective_credentials();
        ProcessCredentials {
            version: 1,
            access_key_id: c.access_key_id.clone(),
            secret_access_key: c.secret_access_key.clone(),
            session_token: c.session_token.clone(),
            expiration: c.expiration_rfc3339(),
        }
    }
}

pub fn run(args: &CredentialProcessArgs, prompter: &dyn Prompter) -> Result<()> {
    let settings = load_settings(&args.profile, &args.role)?;
    let session = session::obtain(&settings, prompter, session::Request::default())?;
    println!(
        "{}",
        serde_json::to_string(&ProcessCredentials::of(&session))?
    );
    Ok(())
}
