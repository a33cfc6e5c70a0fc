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
///
/// Work started `beside` the providers runs while they go on, and is waited for after
/// `work` (it keeps things in the cache for later commands; each request has its deadline).
pub fn run_online<T>(net: &NetSettings, work: impl Future<Output = Result<T>>) -> Result<T> {
    crate::net::configure(net)?;
    // The AWS SDK reads ~/.aws/config and credentials: a FIFO there would hang it.
    crate::aws::credentials_file::refuse_non_regular_aws_files()?;
    prompt::interrupt::install_handler();
    let runtime = crate::net::runtime()?;
    let beside_work = tokio::task::LocalSet::new();
    let result = beside_work.block_on(&runtime, work);
    runtime.block_on(beside_work);
    result
}

/// Start `work` beside the providers' critical path (only inside `run_online`): a login's
/// best-effort requests whose answers only later commands need, such as the Okta session's
/// expiry, so that neither STS nor the cross-account hop waits for them.
pub fn beside(work: impl Future<Output = ()> + 'static) {
    tokio::task::spawn_local(work);
}
