//! `okta-aws exec --server -- CMD ARGS…`: for commands that outlive a session (a long
//! Terraform apply). okta-aws stays CMD's parent and serves it credentials from a local
//! endpoint in the ECS container-credentials format (`aws::credentials_server`), renewed
//! through the session as they near expiry, where `exec`'s static keys would expire mid-run.
//!
//! Threads: the session layer (which may prompt, and starts its own runtime for a login)
//! runs here on the main thread; the endpoint runs on its own thread in a local runtime and
//! asks the main thread for credentials over a channel; a third thread waits for CMD and
//! says when it exits. Nothing is written to any file.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Child, Command, ExitStatus};
use std::sync::mpsc;
use std::thread::JoinHandle;

use anyhow::{Context, Result, anyhow};

use super::exec::ExecArgs;
use super::load_settings;
use crate::aws::AwsCredentials;
use crate::aws::credentials_file::{aws_config_path, credentials_path};
use crate::aws::credentials_server::{self, FULL_URI_VARIABLE, TOKEN_VARIABLE};
use crate::error::UserError;
use crate::files::ini_edit::IniDocument;
use crate::prompt::{Prompter, log};
use crate::session::{self, REMOVED_VARIABLES, SESSION_VARIABLES};
use crate::settings::{Settings, Source};
use crate::store::cache_dir::now_secs;

/// Served credentials have at least this long left: botocore renews container credentials
/// 15 minutes before they expire (10 at the latest), and so do the other SDKs; credentials
/// with less would make every call of the command come back for new ones.
const SERVE_MARGIN_SECS: u64 = 20 * 60;

/// Variables that would hand the command other credentials than the endpoint's, or point
/// the SDKs at another endpoint: static keys beat the container provider in every SDK's
/// chain, and the relative URI and token file are alternatives to our two variables.
const SHADOWING_VARIABLES: [&str; 6] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

pub fn run(args: &ExecArgs, prompter: &dyn Prompter) -> Result<i32> {
    let settings = load_settings(&args.profile, &args.role)?;
    let mut renewer = Renewer::new(settings)?;
    // Any question is asked now, before the command owns the terminal.
    let region = renewer.session(prompter)?.region;
    warn_about_shadowing_profiles(prompter);

    let (events, inbox) = mpsc::channel();
    let endpoint = Endpoint::start(events.clone())?;
    let (program, rest) = args.command.split_first().expect("clap requires a command");
    // Our handlers before the command starts: a signal sent to us as soon as it runs is
    // then held and passed on, never our death with the command orphaned. The prompt's
    // Ctrl-C handler first, so that ours replace it.
    crate::prompt::interrupt::install_handler();
    signals::install();
    let child = match spawn_command(program, rest, &endpoint.variables, &region) {
        Ok(child) => child,
        Err(e) => {
            endpoint.stop();
            return Err(e);
        }
    };
    signals::forward_to(child.id());
    wait_in_background(child, events);

    let status = serve_until_exit(&inbox, &mut renewer, prompter);
    endpoint.stop();
    Ok(exit_code(status?))
}

/// What the main thread hears of: the endpoint's asks and the command's end.
enum Event {
    Ask(tokio::sync::oneshot::Sender<Result<AwsCredentials>>),
    Exited(std::io::Result<ExitStatus>),
}

/// Answer the endpoint's asks from the session until the command exits.
fn serve_until_exit(
    inbox: &mpsc::Receiver<Event>,
    renewer: &mut Renewer,
    prompter: &dyn Prompter,
) -> Result<ExitStatus> {
    loop {
        match inbox.recv().context("the command's watcher stopped")? {
            Event::Ask(reply) => {
                let answer = renewer
                    .session(prompter)
                    .map(|s| s.effective_credentials().clone());
                if let Err(e) = &answer {
                    prompter.warn(&format!("credentials for the command: {e}"));
                }
                let _ = reply.send(answer);
            }
            Event::Exited(status) => return status.context("waiting for the command"),
        }
    }
}

/// The session, renewed before the served credentials get too short.
struct Renewer {
    settings: Settings,
    /// The shortest time served credentials may have left.
    margin_secs: u64,
}

impl Renewer {
    fn new(settings: Settings) -> Result<Renewer> {
        let configured = *settings.sts.min_ttl_secs.get()?;
        Ok(Renewer {
            settings,
            margin_secs: configured.max(SERVE_MARGIN_SECS),
        })
    }

    /// A session whose credentials have the margin left: the cached one, else one renewed
    /// through the Okta session (asking only when Okta must), cross-account hop included.
    fn session(&mut self, prompter: &dyn Prompter) -> Result<session::AwsSession> {
        let mut settings = self.settings.clone();
        settings.sts.min_ttl_secs = settings
            .sts
            .min_ttl_secs
            .replaced(self.margin_secs.to_string(), Source::Flag);
        let session = session::obtain(&settings, prompter, session::Request::default())?;
        let left = time_left(&session);
        if left <= self.margin_secs {
            // Only a new session comes back with less than the margin: sessions are
            // shorter than it, so renew at half their life instead of at every ask.
            self.margin_secs = left / 2;
            log::debug(&format!(
                "sessions last {left} s: renewing with {} s left",
                self.margin_secs
            ));
        }
        Ok(session)
    }
}

/// How long the session serves as it is: until the served credentials or, with a
/// cross-account hop, the SAML role's near their end. The cache renews the session when
/// either is short, even when the target's credentials would last longer (AWS does not tie
/// them to the SAML session's end): judged by the served ones alone, a SAML session shorter
/// than the margin would be renewed at every ask.
fn time_left(session: &session::AwsSession) -> u64 {
    let served = session.effective_credentials().expires_at;
    served
        .min(session.credentials.expires_at)
        .saturating_sub(now_secs())
}

/// The endpoint, on its own thread with a local runtime (its tasks are not `Send`).
struct Endpoint {
    variables: [(&'static str, String); 2],
    stop: tokio::sync::oneshot::Sender<()>,
    thread: JoinHandle<()>,
}

impl Endpoint {
    fn start(events: mpsc::Sender<Event>) -> Result<Endpoint> {
        let (ready, started) = mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("credentials-endpoint".into())
            .spawn(move || serve(events, ready, stopped))
            .context("starting the credentials endpoint's thread")?;
        let variables = started
            .recv()
            .map_err(|_| anyhow!("the credentials endpoint did not start"))??;
        Ok(Endpoint {
            variables,
            stop,
            thread,
        })
    }

    /// Close the port and wait until it is closed.
    fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.thread.join();
    }
}

type Started = Result<[(&'static str, String); 2]>;

/// The endpoint thread: serve until told to stop; each ask goes to the main thread.
fn serve(
    events: mpsc::Sender<Event>,
    ready: mpsc::Sender<Started>,
    stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let runtime = match crate::net::runtime() {
        Ok(runtime) => runtime,
        Err(e) => {
            let _ = ready.send(Err(e.into()));
            return;
        }
    };
    let source = move || {
        let events = events.clone();
        async move {
            let (reply, answer) = tokio::sync::oneshot::channel();
            events
                .send(Event::Ask(reply))
                .map_err(|_| anyhow!("the command has exited"))?;
            answer
                .await
                .map_err(|_| anyhow!("the command has exited"))?
        }
    };
    tokio::task::LocalSet::new().block_on(&runtime, async move {
        match credentials_server::start(source).await {
            Ok(server) => {
                let _ = ready.send(Ok(server.environment()));
                let _ = stopped.await;
                server.shutdown().await;
            }
            Err(e) => {
                let _ = ready.send(Err(e));
            }
        }
    });
}

/// Start the command with the endpoint's two variables and the session's region, and
/// without anything that would take precedence over the endpoint.
fn spawn_command(
    program: &std::ffi::OsStr,
    args: &[OsString],
    endpoint: &[(&'static str, String); 2],
    region: &str,
) -> Result<Child> {
    let mut command = Command::new(program);
    command.args(args);
    for name in REMOVED_VARIABLES.iter().chain(&SHADOWING_VARIABLES) {
        command.env_remove(name);
    }
    for name in &SESSION_VARIABLES[4..] {
        command.env(name, region);
    }
    command.envs(endpoint.iter().map(|(k, v)| (k, v)));
    debug_assert!(endpoint.iter().any(|(k, _)| *k == FULL_URI_VARIABLE));
    debug_assert!(endpoint.iter().any(|(k, _)| *k == TOKEN_VARIABLE));
    command.spawn().map_err(|error| {
        let name = program.to_string_lossy();
        let cause = match error.kind() {
            std::io::ErrorKind::NotFound => format!("cannot run '{name}': command not found"),
            std::io::ErrorKind::PermissionDenied => {
                format!("cannot run '{name}': permission denied")
            }
            _ => format!("cannot run '{name}': {error}"),
        };
        UserError::new(cause)
            .hint("check the command's name and PATH")
            .into()
    })
}

fn wait_in_background(mut child: Child, events: mpsc::Sender<Event>) {
    std::thread::spawn(move || {
        let status = child.wait();
        let _ = events.send(Event::Exited(status));
    });
}

/// The SDKs read the profile's credentials before the container endpoint: with
/// `AWS_PROFILE` removed that is the `default` profile, whose own keys or credential source
/// would win over the endpoint. Say so (the files are the user's; we change nothing).
fn warn_about_shadowing_profiles(prompter: &dyn Prompter) {
    const CREDENTIAL_KEYS: [&str; 5] = [
        "aws_access_key_id",
        "credential_process",
        "role_arn",
        "sso_start_url",
        "sso_session",
    ];
    for path in [credentials_path(), aws_config_path()] {
        let Some(document) = read_ini(&path) else {
            continue;
        };
        let shadowing = ["default", "profile default"]
            .into_iter()
            .find_map(|section| {
                CREDENTIAL_KEYS
                    .into_iter()
                    .find(|key| document.get(section, key).is_some())
            });
        if let Some(key) = shadowing {
            prompter.warn(&format!(
                "the default profile in {} has {key}: the command's AWS SDKs will use it \
                 before the credentials endpoint (remove it, or have the command name no profile \
                 and run without it)",
                path.display()
            ));
        }
    }
}

fn read_ini(path: &Path) -> Option<IniDocument> {
    std::fs::read_to_string(path)
        .ok()
        .map(|text| IniDocument::parse(&text))
}

/// The command's exit status as ours. A command ended by a signal ends us by the same
/// signal (as a shell's parent expects), else 128 + the signal.
fn exit_code(status: ExitStatus) -> i32 {
    if let Some(code) = status.code() {
        return code;
    }
    signals::die_like(status)
}

#[cfg(unix)]
mod signals {
    //! While the command runs, Ctrl-C and Ctrl-\ from the terminal reach it directly (it is
    //! in our process group); we only must not die of them. Signals sent to us alone
    //! (`kill`, a CI runner's SIGTERM, a closed terminal's SIGHUP) are passed on to it.
    use std::process::ExitStatus;
    use std::sync::atomic::{AtomicI32, Ordering};

    static CHILD: AtomicI32 = AtomicI32::new(0);
    /// A signal that came before the command's pid was known, passed on once it is.
    static PENDING: AtomicI32 = AtomicI32::new(0);
    const FORWARDED: [libc::c_int; 4] = [libc::SIGINT, libc::SIGQUIT, libc::SIGTERM, libc::SIGHUP];

    /// From now on the signals reach the command (`forward_to`), or wait for it.
    pub fn install() {
        for signal in FORWARDED {
            // SAFETY: the handler only calls kill(2), which is async-signal-safe, with
            // values it reads from an atomic and its arguments. A handler (not SIG_IGN) is
            // reset to the default in the command at exec, so the command is unaffected.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = pass_on as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    }

    /// The command is the process `pid`: pass it what came while it started, and the rest.
    pub fn forward_to(pid: u32) {
        CHILD.store(pid as i32, Ordering::SeqCst);
        let pending = PENDING.swap(0, Ordering::SeqCst);
        if pending != 0 {
            // SAFETY: kill(2) with our own child's pid.
            unsafe {
                libc::kill(pid as i32, pending);
            }
        }
    }

    extern "C" fn pass_on(signal: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
        // The terminal's signals (si_code SI_KERNEL, > 0) went to the command already.
        // SAFETY: the kernel hands a valid siginfo to an SA_SIGINFO handler.
        let from_a_process = info.is_null() || unsafe { (*info).si_code } <= 0;
        let child = CHILD.load(Ordering::SeqCst);
        if !from_a_process {
            return;
        }
        if child > 0 {
            // SAFETY: kill(2) is async-signal-safe.
            unsafe {
                libc::kill(child, signal);
            }
        } else {
            PENDING.store(signal, Ordering::SeqCst);
        }
    }

    /// End this process by the signal that ended the command.
    pub fn die_like(status: ExitStatus) -> i32 {
        use std::os::unix::process::ExitStatusExt;
        let Some(signal) = status.signal() else {
            return 1;
        };
        // SAFETY: restoring the default action and raising the signal on ourselves.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
        128 + signal
    }
}

#[cfg(not(unix))]
mod signals {
    //! Off Unix, the console's Ctrl-C reaches every process attached to it, the command's
    //! included; we wait for it to exit.
    use std::process::ExitStatus;

    pub fn install() {}

    pub fn forward_to(_pid: u32) {}

    pub fn die_like(_status: ExitStatus) -> i32 {
        1
    }
}
