//! `okta-aws doctor [--json]`: for "why doesn't it work". Each check is a line, ok, warn or
//! fail with a hint: the config file and every setting with where it came from (secrets
//! masked), the org (reachable, its engine, its clock against ours), the app link (a SAML page
//! with the kept Okta session, or what instead; it never logs in), the real `aws`, the modes
//! of our files and directories, and the cache. Exit 1 when anything fails.
//!
//! The report is the command's output, so it goes to stdout.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use anyhow::Result;
use clap::Args;
use serde::Serialize;
use url::Url;

use super::{ProfileArg, RoleArg, load_settings};
use crate::aws::cli_path::find_real_aws;
use crate::error::one_line;
use crate::okta::client::OktaClient;
use crate::okta::saml_page::{self, PageOutcome};
use crate::settings::Settings;
use crate::settings::keys::{OKTA_OIDC_CLIENT_ID, SECRET};
use crate::store::Store;
use crate::store::cache_dir::now_secs;

#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub profile: ProfileArg,
    /// The report as JSON: {"ok", "checks": [{"check", "status", "detail", "hint"}]}.
    #[arg(long)]
    pub json: bool,
}

/// Deadlines of the network checks: doctor must answer even when the network does not.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// How long `aws --version` may take.
const AWS_VERSION_TIMEOUT: Duration = Duration::from_secs(15);
/// Clock skew that SAML assertions (NotBefore/NotOnOrAfter) and STS signatures tolerate
/// badly (warn) or not at all (fail: AWS refuses requests more than 5 minutes off).
const SKEW_WARN_SECS: u64 = 30;
const SKEW_FAIL_SECS: u64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Ok,
    Warn,
    Fail,
}

#[derive(Debug, Serialize)]
struct Check {
    check: &'static str,
    status: Status,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
}

/// The report being built.
#[derive(Default)]
struct Report(Vec<Check>);

impl Report {
    fn add(&mut self, check: &'static str, status: Status, detail: impl Into<String>) {
        self.0.push(Check {
            check,
            status,
            detail: one_line(&detail.into()),
            hint: None,
        });
    }

    fn add_hinted(
        &mut self,
        check: &'static str,
        status: Status,
        detail: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.add(check, status, detail);
        if let Some(last) = self.0.last_mut() {
            last.hint = Some(one_line(&hint.into()));
        }
    }

    /// A failed `Result`'s cause and hint (a `UserError`'s own, when it is one).
    fn add_error(&mut self, check: &'static str, status: Status, error: &anyhow::Error) {
        match error.downcast_ref::<crate::error::UserError>() {
            Some(user_error) => {
                self.add(check, status, user_error.cause.clone());
                if let (Some(hint), Some(last)) = (&user_error.hint, self.0.last_mut()) {
                    last.hint = Some(one_line(hint));
                }
            }
            None => self.add(check, status, format!("{error:#}")),
        }
    }

    fn failed(&self) -> bool {
        self.0.iter().any(|c| c.status == Status::Fail)
    }

    fn print(&self, json: bool) {
        if json {
            let value = serde_json::json!({"ok": !self.failed(), "checks": self.0});
            println!("{value:#}");
            return;
        }
        for check in &self.0 {
            let status = match check.status {
                Status::Ok => "ok",
                Status::Warn => "warn",
                Status::Fail => "FAIL",
            };
            println!("{status:<5} {:<11} {}", check.check, check.detail);
            if let Some(hint) = &check.hint {
                println!("{:<17} hint: {hint}", "");
            }
        }
    }
}

pub fn run(args: &DoctorArgs) -> Result<i32> {
    let mut report = Report::default();
    match load_settings(&args.profile, &RoleArg::default()) {
        Ok(settings) => diagnose(&settings, &mut report),
        Err(e) => report.add_error("config", Status::Fail, &e),
    }
    report.print(args.json);
    Ok(i32::from(report.failed()))
}

fn diagnose(settings: &Settings, report: &mut Report) {
    config_file(settings, report);
    settings_lines(settings, report);
    online_checks(settings, report);
    aws_cli(settings, report);
    file_modes(settings, report);
    cache_state(settings, report);
}

fn config_file(settings: &Settings, report: &mut Report) {
    let path = &settings.config_file;
    if path.is_file() {
        report.add(
            "config",
            Status::Ok,
            format!("{} ({})", path.display(), settings.profile.describe()),
        );
    } else {
        report.add_hinted(
            "config",
            Status::Warn,
            format!("no config file at {}", path.display()),
            "settings come from the environment alone; `okta-aws configure` writes one",
        );
    }
}

/// Every setting that is set, with its source; secrets masked. Then the ones that are wrong.
fn settings_lines(settings: &Settings, report: &mut Report) {
    for (key, text, source) in &settings.texts {
        let shown = if SECRET.contains(key) {
            "********".to_string()
        } else {
            text.clone()
        };
        report.add(
            "setting",
            Status::Ok,
            format!("{key} = {shown} ({})", source.describe()),
        );
    }
    let checks: [(&'static str, Result<()>); 5] = [
        ("OKTA_ORG", settings.okta.org.get().map(drop)),
        ("OKTA_AWS_APP_URL", settings.okta.app_link.get().map(drop)),
        ("OKTA_STS_DURATION", settings.sts.duration.get().map(drop)),
        (
            "OKTA_AWS_MIN_TTL",
            settings.sts.min_ttl_secs.get().map(drop),
        ),
        ("OKTA_ENV_MODE", settings.files.env_mode.get().map(drop)),
    ];
    for (_, result) in checks {
        if let Err(e) = result {
            report.add_error("setting", Status::Fail, &e);
        }
    }
}

/// The org and the app link, concurrently, under deadlines.
fn online_checks(settings: &Settings, report: &mut Report) {
    let Some(org) = settings.okta.org.ok().cloned() else {
        report.add_hinted(
            "org",
            Status::Fail,
            "not checked: OKTA_ORG is missing or wrong",
            "set OKTA_ORG (see the setting's line above)",
        );
        return;
    };
    let app_link = settings.okta.app_link.ok().cloned();
    let store = Store::for_settings(settings);
    let runtime = match crate::net::runtime() {
        Ok(runtime) => runtime,
        Err(e) => return report.add("org", Status::Fail, format!("no async runtime: {e}")),
    };
    let (org_lines, app_lines) = runtime.block_on(async {
        tokio::join!(
            org_check(&org, settings.text_of(OKTA_OIDC_CLIENT_ID).is_some()),
            app_link_check(&org, app_link.as_ref(), &store),
        )
    });
    report.0.extend(org_lines.0);
    report.0.extend(app_lines.0);
}

/// `GET /.well-known/okta-organization`: reachable, the engine, and the clock's skew against
/// the answer's `Date`.
async fn org_check(org: &Url, has_client_id: bool) -> Report {
    let mut report = Report::default();
    let client = match reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            report.add("org", Status::Fail, format!("no HTTP client: {e}"));
            return report;
        }
    };
    let url = org
        .join(".well-known/okta-organization")
        .expect("a fixed path");
    let sent_at = SystemTime::now();
    let answer = match client
        .get(url)
        .header("Accept", "application/json")
        .send()
        .await
    {
        Ok(answer) => answer,
        Err(e) => {
            report.add_hinted(
                "org",
                Status::Fail,
                format!(
                    "{} does not answer: {}",
                    org.origin().ascii_serialization(),
                    crate::error::root_cause(&e)
                ),
                "check OKTA_ORG, the network and any proxy (HTTPS_PROXY)",
            );
            return report;
        }
    };
    clock_skew(answer.headers().get("date"), sent_at, &mut report);
    let status = answer.status();
    let body = answer.text().await.unwrap_or_default();
    let pipeline = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("pipeline")?.as_str().map(str::to_string));
    let origin = org.origin().ascii_serialization();
    match (status.as_u16(), pipeline.as_deref()) {
        (200, Some("v1")) => report.add(
            "org",
            Status::Ok,
            format!("{origin} answers: Okta Classic (pipeline v1)"),
        ),
        (200, Some("idx")) if has_client_id => report.add(
            "org",
            Status::Ok,
            format!("{origin} answers: Identity Engine (pipeline idx), browser sign-in"),
        ),
        (200, Some("idx")) => report.add_hinted(
            "org",
            Status::Warn,
            format!("{origin} answers: Identity Engine (pipeline idx)"),
            "if the Classic sign-in is refused, set OKTA_OIDC_CLIENT_ID for the browser sign-in",
        ),
        (code, _) => report.add_hinted(
            "org",
            Status::Fail,
            format!("{origin} answers HTTP {code} without an Okta org's description"),
            "check OKTA_ORG: it must be the Okta org's own address (acme.okta.com)",
        ),
    }
    report
}

fn clock_skew(
    date: Option<&reqwest::header::HeaderValue>,
    sent_at: SystemTime,
    report: &mut Report,
) {
    let Some(theirs) = date
        .and_then(|d| d.to_str().ok())
        .and_then(|d| httpdate::parse_http_date(d).ok())
    else {
        report.add(
            "clock",
            Status::Warn,
            "Okta's answer has no Date header to compare",
        );
        return;
    };
    let ours = sent_at;
    let (skew, ahead) = match ours.duration_since(theirs) {
        Ok(ahead) => (ahead.as_secs(), true),
        Err(behind) => (behind.duration().as_secs(), false),
    };
    let direction = if ahead { "ahead of" } else { "behind" };
    let detail = format!("this clock is {skew} s {direction} Okta's");
    let hint = "set the clock (NTP): SAML assertions and AWS requests fail when it is minutes off";
    match skew {
        s if s <= SKEW_WARN_SECS => report.add("clock", Status::Ok, detail),
        s if s <= SKEW_FAIL_SECS => report.add_hinted("clock", Status::Warn, detail, hint),
        _ => report.add_hinted("clock", Status::Fail, detail, hint),
    }
}

/// The app link with the kept Okta session (if any): a SAML page, Okta's sign-in page, or
/// what else. Never logs in.
async fn app_link_check(org: &Url, app_link: Option<&Url>, store: &Store) -> Report {
    let mut report = Report::default();
    let Some(app_link) = app_link else {
        report.add_hinted(
            "app link",
            Status::Fail,
            "not checked: OKTA_AWS_APP_URL is missing or wrong",
            "set OKTA_AWS_APP_URL to the AWS app's embed link",
        );
        return report;
    };
    let client = match OktaClient::new(org.clone()) {
        Ok(client) => client,
        Err(e) => {
            report.add_error("app link", Status::Fail, &e);
            return report;
        }
    };
    let kept = store
        .okta_web_session(&client.origin())
        .filter(|s| s.alive(now_secs()));
    if let Some(kept) = &kept {
        kept.load_into(&client);
    }
    match saml_page::fetch(&client, app_link.clone()).await {
        Ok(PageOutcome::Saml(_)) => report.add(
            "app link",
            Status::Ok,
            "answers a SAML page for AWS with the kept Okta session",
        ),
        Ok(PageOutcome::SignIn) if kept.is_some() => report.add_hinted(
            "app link",
            Status::Warn,
            "answers Okta's sign-in page: the kept Okta session has ended",
            "the next login signs in again (doctor does not log in)",
        ),
        Ok(PageOutcome::SignIn) => report.add(
            "app link",
            Status::Ok,
            "answers Okta's sign-in page: no Okta session is kept, and doctor does not log in",
        ),
        Ok(PageOutcome::Other(explained)) => {
            report.add_error("app link", Status::Fail, &explained);
        }
        Err(e) => report.add_error("app link", Status::Fail, &e),
    }
    report
}

/// The real `aws` and its version.
fn aws_cli(settings: &Settings, report: &mut Report) {
    let path = match find_real_aws(settings.files.aws_cli.as_deref()) {
        Ok(path) => path,
        Err(e) => return report.add_error("aws cli", Status::Warn, &e),
    };
    match aws_version(&path) {
        Some(version) => report.add(
            "aws cli",
            Status::Ok,
            format!("{}: {version}", path.display()),
        ),
        None => report.add_hinted(
            "aws cli",
            Status::Warn,
            format!("{} does not tell its version", path.display()),
            "check that `aws --version` runs (set OKTA_AWS_CLI to the real AWS CLI)",
        ),
    }
}

/// `aws --version`'s first line, within a deadline.
fn aws_version(path: &Path) -> Option<String> {
    let mut child = Command::new(path)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + AWS_VERSION_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
    let output = child.wait_with_output().ok()?;
    let text = [output.stdout, output.stderr].concat();
    String::from_utf8_lossy(&text)
        .lines()
        .find(|l| !l.trim().is_empty())
        .map(|l| one_line(l.trim()))
}

/// Our files: the cache directory and its files (refused by every command when others may
/// write them), the config file, ~/.aws/credentials (holds secrets).
fn file_modes(settings: &Settings, report: &mut Report) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // SAFETY: getuid has no preconditions.
        let uid = unsafe { libc::getuid() };
        let cache = &settings.files.cache_dir;
        match std::fs::metadata(cache) {
            Err(_) => report.add(
                "files",
                Status::Ok,
                format!("{} does not exist yet", cache.display()),
            ),
            Ok(meta) if meta.uid() != uid || meta.mode() & 0o077 != 0 => report.add_hinted(
                "files",
                Status::Fail,
                format!(
                    "{} is mode {:o}, owner uid {}: others may read or write it",
                    cache.display(),
                    meta.mode() & 0o7777,
                    meta.uid()
                ),
                format!("chmod 700 {} (and own it)", cache.display()),
            ),
            Ok(_) => report.add(
                "files",
                Status::Ok,
                format!("{} is private (0700)", cache.display()),
            ),
        }
        let loose: Vec<String> = std::fs::read_dir(cache)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let meta = entry.metadata().ok()?;
                (meta.is_file() && (meta.uid() != uid || meta.mode() & 0o077 != 0))
                    .then(|| entry.file_name().to_string_lossy().into_owned())
            })
            .collect();
        if !loose.is_empty() {
            report.add_hinted(
                "files",
                Status::Fail,
                format!("cache files others may read or write: {}", loose.join(", ")),
                format!("chmod 600 the files in {}", cache.display()),
            );
        }
        for (path, writable_only) in [
            (settings.config_file.clone(), true),
            (crate::aws::credentials_file::credentials_path(), false),
        ] {
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            let mask = if writable_only { 0o022 } else { 0o077 };
            if meta.mode() & mask != 0 {
                let what = if writable_only { "write" } else { "read" };
                report.add_hinted(
                    "files",
                    if writable_only {
                        Status::Fail
                    } else {
                        Status::Warn
                    },
                    format!(
                        "{} is mode {:o}: others may {what} it",
                        path.display(),
                        meta.mode() & 0o7777
                    ),
                    format!("chmod 600 {}", path.display()),
                );
            } else {
                report.add(
                    "files",
                    Status::Ok,
                    format!("{} is mode {:o}", path.display(), meta.mode() & 0o7777),
                );
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (settings, report);
}

/// The profile's cached AWS session and the org's kept Okta session.
fn cache_state(settings: &Settings, report: &mut Report) {
    let store = Store::for_settings(settings);
    let now = now_secs();
    match store.aws_session(&settings.profile) {
        Some(session) => {
            let credentials = session.effective_credentials();
            let left = credentials.expires_at.saturating_sub(now);
            let state = if left == 0 {
                "expired".to_string()
            } else {
                format!("{} min left", left / 60)
            };
            report.add(
                "cache",
                Status::Ok,
                format!("AWS session for {}: {state}", session.effective_role_arn()),
            );
        }
        None => report.add(
            "cache",
            Status::Ok,
            "no AWS session cached for this profile: the next command logs in",
        ),
    }
    let Some(org) = settings.okta.org.ok() else {
        return;
    };
    match store.okta_web_session(&org.origin().ascii_serialization()) {
        Some(kept) if kept.alive(now) => report.add(
            "cache",
            Status::Ok,
            match kept.expires_at {
                Some(at) => format!(
                    "Okta session kept, {} min left",
                    at.saturating_sub(now) / 60
                ),
                None => "Okta session kept".to_string(),
            },
        ),
        _ => report.add(
            "cache",
            Status::Ok,
            "no Okta session kept: the next login signs in",
        ),
    }
}
