//! `fake-okta`: runs the fake Okta org for a demo or a script.
//!
//! Prints `OKTA_ORG=…`, `OKTA_AWS_APP_URL=…` and `OKTA_AWS_FEDERATION_URL=…` (the AWS
//! federation endpoint it also plays), then serves until killed or, when stdin is a pipe,
//! until the pipe is closed.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use fake_okta::{
    AppPage, Approval, DeviceFlow, Factor, FakeOkta, OfflineAccess, Pipeline, PushOutcome,
    SamlRole, Scenario, User,
};

const USAGE: &str = "usage: fake-okta [--port N] [--delay-ms N] [--log] [--user LOGIN --password PW] \
[--factor push|totp:CODE|sms:CODE|call:CODE|email:CODE|question:ANSWER|none]... [--role ROLE_ARN,PROVIDER_ARN]... [--step-up] \
[--pipeline v1|idx] [--identity-engine OIDC_CLIENT_ID [--approve-in-browser] \
[--refresh-tokens rotate|keep]]";

struct Options {
    port: u16,
    delay_ms: u64,
    log: bool,
    login: String,
    password: String,
    /// The user's factors: a push unless `--factor` is given (repeatable, for a menu).
    factors: Option<Vec<Factor>>,
    roles: Vec<SamlRole>,
    /// Also play an Identity Engine org whose native OIDC app has this client id (the
    /// browser sign-in is approved after one pending poll).
    oidc_client_id: Option<String>,
    /// The browser sign-in is approved when its link is opened, not after a poll.
    approve_in_browser: bool,
    /// The app grants refresh tokens (`offline_access`).
    refresh_tokens: Option<OfflineAccess>,
    /// The AWS app asks for its own MFA (Classic step-up).
    step_up: bool,
    pipeline: Pipeline,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            port: 0,
            delay_ms: 0,
            log: false,
            login: "demo@example.com".to_string(),
            password: "demo-password".to_string(),
            factors: None,
            roles: Vec::new(),
            oidc_client_id: None,
            approve_in_browser: false,
            refresh_tokens: None,
            step_up: false,
            pipeline: Pipeline::Auto,
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let options = match parse_args(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("fake-okta: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let port = options.port;
    let okta = match FakeOkta::start_on(scenario(options), port) {
        Ok(okta) => okta,
        Err(err) => {
            eprintln!("fake-okta: cannot listen on 127.0.0.1:{port}: {err}");
            return ExitCode::FAILURE;
        }
    };
    // One write, so that a reader waiting for the lines sees them all at once.
    let lines = format!(
        "OKTA_ORG={}\nOKTA_AWS_APP_URL={}\nOKTA_AWS_FEDERATION_URL={}\n",
        okta.base_url(),
        okta.app_url(),
        okta.federation_url()
    );
    let mut stdout = std::io::stdout().lock();
    let printed = stdout
        .write_all(lines.as_bytes())
        .and_then(|_| stdout.flush());
    if printed.is_err() {
        return ExitCode::FAILURE;
    }
    drop(stdout);
    wait_for_end();
    drop(okta);
    ExitCode::SUCCESS
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options::default();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--port" => options.port = number(flag, &value()?)?,
            "--delay-ms" => options.delay_ms = number(flag, &value()?)?,
            "--log" => options.log = true,
            "--user" => options.login = value()?,
            "--password" => options.password = value()?,
            "--factor" => {
                let factor = parse_factor(&value()?)?;
                options.factors.get_or_insert_with(Vec::new).extend(factor);
            }
            "--role" => options.roles.push(parse_role(&value()?)?),
            "--identity-engine" => options.oidc_client_id = Some(value()?),
            "--approve-in-browser" => options.approve_in_browser = true,
            "--refresh-tokens" => options.refresh_tokens = Some(parse_refresh(&value()?)?),
            "--step-up" => options.step_up = true,
            "--pipeline" => options.pipeline = parse_pipeline(&value()?)?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let needs_client = options.approve_in_browser || options.refresh_tokens.is_some();
    if needs_client && options.oidc_client_id.is_none() {
        return Err("--approve-in-browser and --refresh-tokens need --identity-engine".into());
    }
    Ok(options)
}

fn parse_refresh(spec: &str) -> Result<OfflineAccess, String> {
    match spec {
        "rotate" => Ok(OfflineAccess::Granted { rotate: true }),
        "keep" => Ok(OfflineAccess::Granted { rotate: false }),
        _ => Err(format!(
            "--refresh-tokens wants rotate or keep, not {spec:?}"
        )),
    }
}

fn parse_pipeline(spec: &str) -> Result<Pipeline, String> {
    match spec {
        "v1" => Ok(Pipeline::Classic),
        "idx" => Ok(Pipeline::IdentityEngine),
        _ => Err(format!("--pipeline wants v1 or idx, not {spec:?}")),
    }
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} wants a number, not {value:?}"))
}

fn parse_factor(spec: &str) -> Result<Option<Factor>, String> {
    match spec.split_once(':') {
        None if spec == "none" => Ok(None),
        None if spec == "push" => Ok(Some(Factor::push(2, Some(42), PushOutcome::Approve))),
        Some(("totp", code)) => Ok(Some(Factor::totp("OKTA", code))),
        Some(("sms", code)) => Ok(Some(Factor::sms(code))),
        Some(("call", code)) => Ok(Some(Factor::call(code))),
        Some(("email", code)) => Ok(Some(Factor::email(code))),
        Some(("question", answer)) => Ok(Some(Factor::question(
            "What is the demo's favourite colour?",
            answer,
        ))),
        _ => Err(format!("unknown factor {spec:?}")),
    }
}

/// `ROLE_ARN,PROVIDER_ARN`; the reverse order is kept as written.
fn parse_role(spec: &str) -> Result<SamlRole, String> {
    let (first, second) = spec
        .split_once(',')
        .ok_or_else(|| format!("--role wants ROLE_ARN,PROVIDER_ARN, not {spec:?}"))?;
    if first.contains(":saml-provider/") {
        let mut role = SamlRole::new(second, first);
        role.provider_first = true;
        Ok(role)
    } else {
        Ok(SamlRole::new(first, second))
    }
}

fn default_roles() -> Vec<SamlRole> {
    [("111111111111", "Developer"), ("222222222222", "Admin")]
        .iter()
        .map(|(account, name)| {
            SamlRole::new(
                &format!("arn:aws:iam::{account}:role/{name}"),
                &format!("arn:aws:iam::{account}:saml-provider/Okta"),
            )
        })
        .collect()
}

fn scenario(options: Options) -> Scenario {
    let mut user = User::new(&options.login, &options.password);
    let factors = options
        .factors
        .unwrap_or_else(|| vec![Factor::push(2, Some(42), PushOutcome::Approve)]);
    for factor in factors {
        user = user.with_factor(factor);
    }
    let roles = if options.roles.is_empty() {
        default_roles()
    } else {
        options.roles
    };
    let device_flow = options.oidc_client_id.as_deref().map(|client_id| {
        let mut flow = DeviceFlow::approved(client_id);
        if options.approve_in_browser {
            flow.approval = Approval::InBrowser;
        }
        if let Some(offline_access) = options.refresh_tokens {
            flow.offline_access = offline_access;
        }
        flow
    });
    Scenario {
        users: vec![user],
        roles,
        session_duration: Some(3600),
        delay: Duration::from_millis(options.delay_ms),
        log_to_stderr: options.log,
        device_flow,
        pipeline: options.pipeline,
        app_page: if options.step_up {
            AppPage::StepUp
        } else {
            AppPage::Saml
        },
        ..Scenario::default()
    }
}

/// Returns when stdin, if it is a pipe or socket, reaches EOF; otherwise
/// (a terminal, /dev/null) never returns: the process runs until killed.
fn wait_for_end() {
    if stdin_is_pipe() {
        // Reads (and discards) until EOF; a read error also ends the wait.
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        return;
    }
    loop {
        std::thread::park();
    }
}

#[cfg(unix)]
fn stdin_is_pipe() -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;
    let Ok(fd) = std::io::stdin().as_fd().try_clone_to_owned() else {
        return false;
    };
    let file = std::fs::File::from(fd);
    file.metadata()
        .map(|meta| meta.file_type().is_fifo() || meta.file_type().is_socket())
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn stdin_is_pipe() -> bool {
    false
}
