//! `okta-aws console`: the AWS console in the browser, signed in as the session (the
//! cross-account target's role when the profile hops), through AWS's federation endpoint
//! (`aws::federation`). The URL holds a sign-in token good for 15 minutes, so it goes to the
//! browser, or to stdout only when `--print` asks for it; never to the terminal or a log.

use std::time::Duration;

use anyhow::Result;
use clap::Args;

use super::{ProfileArg, RoleArg, load_settings};
use crate::aws::federation::{self, ConsoleSignin, FederationEndpoint, Partition};
use crate::error::UserError;
use crate::prompt::browser::{self, BrowserSettings, Decision, DesktopSigns, Platform};
use crate::prompt::{Prompter, log};
use crate::session::{self, AwsSession};
use crate::settings::keys::{OKTA_AWS_FEDERATION_URL, OKTA_BROWSER_COMMAND, OKTA_OPEN_BROWSER};
use crate::settings::{Settings, values};
use crate::store::cache_dir::now_secs;

#[derive(Debug, Args)]
pub struct ConsoleArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
    #[command(flatten)]
    pub role: RoleArg,
    /// Print the sign-in URL (a secret for 15 minutes) instead of opening a browser.
    #[arg(long)]
    pub print: bool,
    /// Where the console opens: a service (s3, ec2, iam, cloudformation, lambda, …) or an
    /// https URL on the partition's console.
    #[arg(long, short = 'd', value_name = "SERVICE|URL")]
    pub destination: Option<String>,
}

pub fn run(args: &ConsoleArgs, prompter: &dyn Prompter) -> Result<()> {
    let settings = load_settings(&args.profile, &args.role)?;
    // Bad settings fail before any login.
    let opener = if args.print {
        None
    } else {
        Some(browser_opener(&settings)?)
    };
    let session = session::obtain(&settings, prompter, session::Request::default())?;
    let partition = Partition::from_name(session.effective_role_arn().partition())?;
    let endpoint = FederationEndpoint::configured_or_default(
        settings.text_of(OKTA_AWS_FEDERATION_URL),
        partition,
    )?;
    let destination =
        federation::destination(partition, args.destination.as_deref(), &session.region)?;
    let url = signin_url(&session, &endpoint, &destination)?;
    match opener {
        None => println!("{url}"),
        Some(opener) => {
            browser::open(&opener, url.as_str()).map_err(|failed| {
                UserError::new(format!("cannot open the browser: {failed}"))
                    .hint("set OKTA_BROWSER_COMMAND, or use --print and open the URL yourself")
            })?;
            prompter.say(&format!(
                "Opened the AWS console as {}.",
                session.effective_role_arn()
            ));
        }
    }
    Ok(())
}

/// The sign-in URL: getSigninToken with the session's (or target's) credentials.
fn signin_url(
    session: &AwsSession,
    endpoint: &FederationEndpoint,
    destination: &url::Url,
) -> Result<url::Url> {
    let credentials = session.effective_credentials();
    let left = Duration::from_secs(credentials.expires_at.saturating_sub(now_secs()));
    let signin = ConsoleSignin {
        endpoint,
        credentials,
        session_duration: federation::session_duration(session.target.is_some(), left),
        destination,
    };
    crate::prompt::interrupt::install_handler();
    crate::net::runtime()?.block_on(federation::signin_url(&signin))
}

/// What opens the browser, or why none can: `OKTA_OPEN_BROWSER`, `OKTA_BROWSER_COMMAND`, a
/// desktop session.
fn browser_opener(settings: &Settings) -> Result<browser::Opener> {
    let open_browser = settings
        .text_of(OKTA_OPEN_BROWSER)
        .map(|text| {
            values::switch(text).map_err(|_| {
                UserError::new(format!("OKTA_OPEN_BROWSER is not true or false: {text}"))
                    .hint("set OKTA_OPEN_BROWSER to true or false")
            })
        })
        .transpose()?;
    let decided = browser::decide(
        &BrowserSettings {
            open_browser,
            command: settings.text_of(OKTA_BROWSER_COMMAND),
        },
        Platform::current(),
        &DesktopSigns::from_env(),
    )?;
    match decided {
        Decision::Open(opener) => Ok(opener),
        Decision::DontOpen(why) => {
            log::debug(&format!("not opening a browser: {why}"));
            Err(
                UserError::new(format!("no browser to open the console in: {why}"))
                    .hint("use --print to get the sign-in URL, or set OKTA_BROWSER_COMMAND")
                    .into(),
            )
        }
    }
}
