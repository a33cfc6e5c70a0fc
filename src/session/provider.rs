//! The providers' common ground. Sources of AWS sessions wrap one another, as aws-vault's
//! providers do: the cross-account hop (`target.rs`) wraps the SAML role's source
//! (`login.rs`: the cache's fresh SAML session, or a login), and the cache (`cached.rs`)
//! stands in front of them all, so that they run only when it cannot serve.

use std::future::Future;

use anyhow::Result;

use super::model::AwsSession;
use crate::prompt;
use crate::settings::NetSettings;

/// A source of AWS sessions.
pub(crate) trait Provider {
    async fn provide(&self) -> Result<AwsSession>;
}

/// Run providers' network work: from here on Ctrl-C is handled (exit 130, or a clean
/// cancel where a prompt or a wait is under way), and a runtime is started. The cached path
/// never comes here. Every HTTP client built in `work` has `net`'s deadlines and CAs.
pub fn run_online<T>(net: &NetSettings, work: impl Future<Output = Result<T>>) -> Result<T> {
    crate::net::configure(net)?;
    // The AWS SDK reads ~/.aws/config and credentials: a FIFO there would hang it.
    crate::aws::credentials_file::refuse_non_regular_aws_files()?;
    prompt::interrupt::install_handler();
    crate::net::runtime()?.block_on(work)
}
