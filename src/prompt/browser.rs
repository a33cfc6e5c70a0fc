//! Opening a link in the user's browser: the Identity Engine sign-in link, and `console`'s
//! sign-in URL. Whether to open at all is a pure decision (`decide`) over the settings
//! (`OKTA_OPEN_BROWSER`, `OKTA_BROWSER_COMMAND`), the platform and what the environment says
//! of a desktop; opening (`open`) never fails the command: a failure comes back as a
//! one-line message for the caller to warn with, since the link is always shown as well.
//!
//! The opener runs detached: stdin, stdout and stderr are null (stdout stays clean for
//! `eval`, and a browser's chatter never reaches the terminal), it gets its own process group
//! (Ctrl-C at the terminal, which cancels our wait, does not close the browser), and we never
//! wait on a browser: a quick failure is noticed within `FAILURE_WATCH`, after which the
//! process is left running and reaped by a background thread.
//!
//! The platform's opener comes from the `open` crate (xdg-open then gio and the other desktop
//! launchers on Linux and the BSDs, WSL's and Wine's bridges, `open` on macOS, the Windows
//! shell), driven by its detached, deadline-checked launch.

use std::ffi::OsString;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::UserError;
use crate::settings::BrowserPrefs;

/// How long an opener is watched for a quick failure (not found, no handler, a bad command)
/// before it is left to run. Desktop openers hand the URL over and exit well within this; a
/// browser started directly by `OKTA_BROWSER_COMMAND` keeps running and is left alone.
const FAILURE_WATCH: Duration = Duration::from_millis(500);

/// How often a watched opener is checked for an exit.
const WATCH_STEP: Duration = Duration::from_millis(10);

/// The desktop families whose openers and desktop signs differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Linux and the BSDs: a desktop is an X11 or Wayland display (or WSL's Windows one).
    Unix,
    MacOs,
    Windows,
}

impl Platform {
    /// The platform this program was built for.
    pub fn current() -> Platform {
        if cfg!(target_os = "macos") {
            Platform::MacOs
        } else if cfg!(windows) {
            Platform::Windows
        } else {
            Platform::Unix
        }
    }
}

/// What the environment says about a desktop to show a browser on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DesktopSigns {
    /// `DISPLAY` or `WAYLAND_DISPLAY` is set (an X11 or Wayland session, or X forwarding).
    pub display: bool,
    /// `SSH_CONNECTION`, `SSH_CLIENT` or `SSH_TTY` is set: the user sits at another machine.
    pub ssh: bool,
    /// `WSL_DISTRO_NAME` is set: Linux under Windows, whose desktop can show the link.
    pub wsl: bool,
}

impl DesktopSigns {
    /// Read from this process's environment.
    pub fn from_env() -> DesktopSigns {
        DesktopSigns::from_lookup(|name| std::env::var_os(name))
    }

    /// Read through `lookup` (an environment); empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> DesktopSigns {
        let set = |name: &str| lookup(name).is_some_and(|value| !value.is_empty());
        DesktopSigns {
            display: set("DISPLAY") || set("WAYLAND_DISPLAY"),
            ssh: set("SSH_CONNECTION") || set("SSH_CLIENT") || set("SSH_TTY"),
            wsl: set("WSL_DISTRO_NAME"),
        }
    }
}

/// The two settings, as given (`None`: not set).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BrowserSettings<'a> {
    /// `OKTA_OPEN_BROWSER`.
    pub open_browser: Option<bool>,
    /// `OKTA_BROWSER_COMMAND`, unsplit.
    pub command: Option<&'a str>,
}

/// What opens a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opener {
    /// `OKTA_BROWSER_COMMAND`, split into words; the URL is added as the last argument.
    Command { program: String, args: Vec<String> },
    /// The platform's opener.
    Platform,
}

/// Whether, and with what, to open a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Open(Opener),
    /// Not opened, and why (for a `-v` note).
    DontOpen(&'static str),
}

/// The decision for the user's settings (`OKTA_OPEN_BROWSER`, `OKTA_BROWSER_COMMAND`), on
/// this platform, in this process's environment.
pub fn decide_for(prefs: &BrowserPrefs) -> anyhow::Result<Decision> {
    let settings = BrowserSettings {
        open_browser: *prefs.open.get()?,
        command: prefs.command.as_deref(),
    };
    Ok(decide(
        &settings,
        Platform::current(),
        &DesktopSigns::from_env(),
    )?)
}

/// Decide whether to open a browser. `OKTA_OPEN_BROWSER=false` wins; a browser command is
/// used whenever it is set (it may not need a desktop: a script, a text browser, a command
/// that sends the link to a phone); `OKTA_OPEN_BROWSER=true` opens with the platform's opener;
/// unset, the platform's opener is used only when there is a desktop session.
pub fn decide(
    settings: &BrowserSettings<'_>,
    platform: Platform,
    signs: &DesktopSigns,
) -> Result<Decision, UserError> {
    if settings.open_browser == Some(false) {
        return Ok(Decision::DontOpen("OKTA_OPEN_BROWSER is false"));
    }
    if let Some(command) = settings.command {
        let (program, args) = split_command(command)?;
        return Ok(Decision::Open(Opener::Command { program, args }));
    }
    if settings.open_browser == Some(true) {
        return Ok(Decision::Open(Opener::Platform));
    }
    Ok(match no_desktop(platform, signs) {
        Some(why) => Decision::DontOpen(why),
        None => Decision::Open(Opener::Platform),
    })
}

/// Why there is no desktop to open a browser on, if there is none.
fn no_desktop(platform: Platform, signs: &DesktopSigns) -> Option<&'static str> {
    match platform {
        // X forwarding over SSH sets DISPLAY, and a browser then shows on the user's screen.
        Platform::Unix if signs.display => None,
        Platform::Unix if signs.wsl && !signs.ssh => None,
        Platform::Unix => Some("no desktop session (neither DISPLAY nor WAYLAND_DISPLAY is set)"),
        // A browser opened in an SSH session would show on the remote machine's screen.
        Platform::MacOs | Platform::Windows if signs.ssh => {
            Some("an SSH session (a browser would open on the remote machine)")
        }
        Platform::MacOs | Platform::Windows => None,
    }
}

/// `OKTA_BROWSER_COMMAND` split as a shell would, without running one.
fn split_command(command: &str) -> Result<(String, Vec<String>), UserError> {
    let words = shell_words::split(command).map_err(|e| {
        UserError::new(format!(
            "OKTA_BROWSER_COMMAND cannot be split into words: {e}"
        ))
        .hint("quote it as a shell would, e.g. firefox --new-window or 'my browser' -x")
    })?;
    let mut words = words.into_iter();
    let Some(program) = words.next() else {
        return Err(UserError::new("OKTA_BROWSER_COMMAND is empty").hint(
            "set it to a command that opens the URL given as its last argument, or unset it",
        ));
    };
    Ok((program, words.collect()))
}

/// A browser that could not be opened: one line for a warning. It never holds the URL, which
/// may carry a secret (`console`'s sign-in token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenFailed(pub String);

impl std::fmt::Display for OpenFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Open `url` (http or https only) with `opener`. Returns once the opener has handed the URL
/// over, failed, or run for `FAILURE_WATCH`; it never waits on a browser.
pub fn open(opener: &Opener, url: &str) -> Result<(), OpenFailed> {
    if !is_web_link(url) {
        return Err(OpenFailed(
            "not opening a link that is not an http(s) URL".to_string(),
        ));
    }
    match opener {
        Opener::Command { program, args } => open_with_command(program, args, url),
        Opener::Platform => open_with_platform(url),
    }
}

/// Only web links are opened: a link from an answer (Okta's sign-in link) must not make the
/// opener start a program or open a file.
fn is_web_link(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|url| matches!(url.scheme(), "https" | "http"))
}

fn open_with_platform(url: &str) -> Result<(), OpenFailed> {
    open::that_detached_with_timeout(url, FAILURE_WATCH).map_err(|e| {
        // The crate's messages name the launcher's whole command line, URL included: say
        // only what kind of failure it was.
        let what = match e.kind() {
            std::io::ErrorKind::NotFound => "no program to open links was found",
            _ => "the system's link opener failed",
        };
        OpenFailed(format!(
            "could not open a browser: {what} (set OKTA_BROWSER_COMMAND to choose one)"
        ))
    })
}

fn open_with_command(program: &str, args: &[String], url: &str) -> Result<(), OpenFailed> {
    let mut command = Command::new(program);
    command
        .args(args)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    detach_from_terminal_signals(&mut command);
    let child = command.spawn().map_err(|e| {
        OpenFailed(format!(
            "could not open a browser: OKTA_BROWSER_COMMAND cannot run '{program}': {}",
            crate::error::root_cause(&e)
        ))
    })?;
    match watch(child, FAILURE_WATCH) {
        Watched::Succeeded | Watched::StillRunning => Ok(()),
        Watched::Failed(status) => Err(OpenFailed(format!(
            "could not open a browser: OKTA_BROWSER_COMMAND '{program}' failed ({status})"
        ))),
    }
}

/// Its own process group: the terminal's Ctrl-C goes to our foreground group only.
fn detach_from_terminal_signals(command: &mut Command) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        const CREATE_NEW_PROCESS_GROUP: u32 = 0x0000_0200;
        const CREATE_NO_WINDOW: u32 = 0x0800_0000;
        command.creation_flags(CREATE_NEW_PROCESS_GROUP | CREATE_NO_WINDOW);
    }
}

/// How a watched opener ended the watch.
#[derive(Debug, PartialEq, Eq)]
enum Watched {
    Succeeded,
    Failed(std::process::ExitStatus),
    StillRunning,
}

/// Watch `child` for up to `deadline`; one still running then is reaped by a background
/// thread whenever it ends (dropping a `Child` would leave a zombie behind).
fn watch(mut child: Child, deadline: Duration) -> Watched {
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Watched::Succeeded,
            Ok(Some(status)) => return Watched::Failed(status),
            // It started; not being able to watch it is no reason to call it a failure.
            Err(_) => break,
            Ok(None) if started.elapsed() >= deadline => break,
            Ok(None) => std::thread::sleep(WATCH_STEP),
        }
    }
    let reaper = std::thread::Builder::new()
        .name("browser-reaper".into())
        .stack_size(64 * 1024)
        .spawn(move || {
            let _ = child.wait();
        });
    // Without a thread the child becomes a zombie until we exit: harmless for a short-lived
    // command, and no reason to report the browser as failed.
    drop(reaper);
    Watched::StillRunning
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(open_browser: Option<bool>, command: Option<&str>) -> BrowserSettings<'_> {
        BrowserSettings {
            open_browser,
            command,
        }
    }

    const DESKTOP: DesktopSigns = DesktopSigns {
        display: true,
        ssh: false,
        wsl: false,
    };
    const HEADLESS: DesktopSigns = DesktopSigns {
        display: false,
        ssh: false,
        wsl: false,
    };

    fn opens_with_platform(decision: Result<Decision, UserError>) -> bool {
        decision.unwrap() == Decision::Open(Opener::Platform)
    }

    #[test]
    fn unset_opens_only_on_a_desktop() {
        let unset = settings(None, None);
        assert!(opens_with_platform(decide(
            &unset,
            Platform::Unix,
            &DESKTOP
        )));
        let headless = decide(&unset, Platform::Unix, &HEADLESS).unwrap();
        assert!(matches!(headless, Decision::DontOpen(why) if why.contains("DISPLAY")));
    }

    #[test]
    fn ssh_without_a_display_does_not_open_but_x_forwarding_does() {
        let unset = settings(None, None);
        let ssh = DesktopSigns {
            ssh: true,
            ..HEADLESS
        };
        let forwarded = DesktopSigns {
            ssh: true,
            ..DESKTOP
        };
        assert!(matches!(
            decide(&unset, Platform::Unix, &ssh).unwrap(),
            Decision::DontOpen(_)
        ));
        assert!(opens_with_platform(decide(
            &unset,
            Platform::Unix,
            &forwarded
        )));
    }

    #[test]
    fn macos_and_windows_have_a_desktop_unless_over_ssh() {
        let unset = settings(None, None);
        let ssh = DesktopSigns {
            ssh: true,
            ..HEADLESS
        };
        for platform in [Platform::MacOs, Platform::Windows] {
            assert!(opens_with_platform(decide(&unset, platform, &HEADLESS)));
            let over_ssh = decide(&unset, platform, &ssh).unwrap();
            assert!(matches!(over_ssh, Decision::DontOpen(why) if why.contains("SSH")));
        }
    }

    #[test]
    fn wsl_opens_on_the_windows_desktop_unless_over_ssh() {
        let unset = settings(None, None);
        let wsl = DesktopSigns {
            wsl: true,
            ..HEADLESS
        };
        let wsl_over_ssh = DesktopSigns { ssh: true, ..wsl };
        assert!(opens_with_platform(decide(&unset, Platform::Unix, &wsl)));
        assert!(matches!(
            decide(&unset, Platform::Unix, &wsl_over_ssh).unwrap(),
            Decision::DontOpen(_)
        ));
    }

    #[test]
    fn false_wins_over_a_command_and_a_desktop() {
        let off = settings(Some(false), Some("firefox"));
        for platform in [Platform::Unix, Platform::MacOs, Platform::Windows] {
            let decision = decide(&off, platform, &DESKTOP).unwrap();
            assert_eq!(decision, Decision::DontOpen("OKTA_OPEN_BROWSER is false"));
        }
        // Turned off, a command that cannot be split is not an error: it is never used.
        let off_and_broken = settings(Some(false), Some("firefox 'unclosed"));
        assert!(decide(&off_and_broken, Platform::Unix, &DESKTOP).is_ok());
    }

    #[test]
    fn true_opens_without_a_desktop() {
        let on = settings(Some(true), None);
        assert!(opens_with_platform(decide(&on, Platform::Unix, &HEADLESS)));
    }

    #[test]
    fn a_command_is_split_like_a_shell_and_needs_no_desktop() {
        let command = settings(None, Some(r#"'/opt/my browser/run' --new-window "a b""#));
        let decision = decide(&command, Platform::Unix, &HEADLESS).unwrap();
        assert_eq!(
            decision,
            Decision::Open(Opener::Command {
                program: "/opt/my browser/run".to_string(),
                args: vec!["--new-window".to_string(), "a b".to_string()],
            })
        );
    }

    #[test]
    fn a_broken_or_empty_command_is_a_user_error_naming_the_setting() {
        for broken in ["firefox 'unclosed", "", "   "] {
            let error =
                decide(&settings(None, Some(broken)), Platform::Unix, &DESKTOP).expect_err(broken);
            assert!(error.cause.contains("OKTA_BROWSER_COMMAND"), "{error}");
            assert!(error.hint.is_some());
        }
    }

    #[test]
    fn desktop_signs_read_the_environment_and_ignore_empty_values() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            DesktopSigns::from_lookup(move |name| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| OsString::from(value))
            })
        };
        assert_eq!(env(&[]), DesktopSigns::default());
        assert!(env(&[("WAYLAND_DISPLAY", "wayland-0")]).display);
        assert!(env(&[("DISPLAY", ":0")]).display);
        assert!(!env(&[("DISPLAY", "")]).display);
        assert!(env(&[("SSH_CONNECTION", "10.0.0.1 5 10.0.0.2 22")]).ssh);
        assert!(env(&[("SSH_TTY", "/dev/pts/1")]).ssh);
        assert!(env(&[("WSL_DISTRO_NAME", "Ubuntu")]).wsl);
    }

    #[cfg(unix)]
    mod opening {
        use super::*;

        fn script(dir: &tempfile::TempDir, body: &str) -> String {
            use std::os::unix::fs::PermissionsExt;
            let path = dir.path().join("browser");
            std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            path.to_str().unwrap().to_string()
        }

        fn command(program: String, args: &[&str]) -> Opener {
            Opener::Command {
                program,
                args: args.iter().map(|a| a.to_string()).collect(),
            }
        }

        /// Wait (bounded) for a file the detached command writes whole (with a rename).
        fn read_when_written(path: &std::path::Path) -> String {
            for _ in 0..500 {
                if let Ok(text) = std::fs::read_to_string(path) {
                    return text;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            panic!("{} was never written", path.display());
        }

        #[test]
        fn the_command_gets_its_arguments_then_the_url_and_no_terminal() {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("out");
            // Its arguments one a line, then which of stdin, stdout and stderr are null;
            // written whole (a rename), so the test never reads half of it.
            let program = script(
                &dir,
                &format!(
                    "nulls=''
                     for fd in stdin stdout stderr; do
                       [ /dev/$fd -ef /dev/null ] && nulls=\"$nulls$fd:null \"
                     done
                     {{ for a in \"$@\"; do echo \"arg:$a\"; done; echo \"$nulls\"; }} > '{out}.tmp'
                     mv '{out}.tmp' '{out}'",
                    out = out.display()
                ),
            );
            let url = "https://acme.okta.com/activate?user_code=ABCD-EFGH&x=1";
            open(&command(program, &["--new-window", "a b"]), url).unwrap();
            assert_eq!(
                read_when_written(&out),
                format!(
                    "arg:--new-window\narg:a b\narg:{url}\nstdin:null stdout:null stderr:null \n"
                )
            );
        }

        #[test]
        fn a_command_that_fails_at_once_is_a_one_line_failure_without_the_url() {
            let dir = tempfile::tempdir().unwrap();
            let program = script(&dir, "exit 3");
            let url = "https://signin.aws.amazon.com/federation?SigninToken=SECRET";
            let failed = open(&command(program, &[]), url).unwrap_err();
            assert!(failed.0.contains("failed"), "{failed}");
            assert!(failed.0.contains("exit status: 3"), "{failed}");
            assert!(!failed.0.contains("SECRET"), "{failed}");
            assert!(!failed.0.contains('\n'));
        }

        #[test]
        fn a_missing_program_is_a_failure_naming_it() {
            let failed = open(
                &command("/nonexistent/okta-aws-browser".to_string(), &[]),
                "https://example.com/",
            )
            .unwrap_err();
            assert!(
                failed.0.contains("/nonexistent/okta-aws-browser"),
                "{failed}"
            );
        }

        #[test]
        fn a_browser_that_keeps_running_is_not_waited_for() {
            let dir = tempfile::tempdir().unwrap();
            let pid_file = dir.path().join("pid");
            // Writes its pid, then runs far longer than any test: open must return anyway.
            let program = script(
                &dir,
                &format!(
                    "echo $$ > '{pid}.tmp'; mv '{pid}.tmp' '{pid}'; exec sleep 600",
                    pid = pid_file.display()
                ),
            );
            open(&command(program, &[]), "https://example.com/").unwrap();
            let pid: i32 = read_when_written(&pid_file).trim().parse().unwrap();
            // Still running after open returned (signal 0 only checks), and in its own
            // process group, away from the terminal's Ctrl-C.
            unsafe {
                assert_eq!(libc::kill(pid, 0), 0, "the browser was not left running");
                assert_eq!(libc::getpgid(pid), pid, "not in its own process group");
                libc::kill(pid, libc::SIGTERM);
            }
        }

        #[test]
        fn only_web_links_are_opened() {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path().join("out");
            let program = script(&dir, &format!("echo ran > '{}'", out.display()));
            for link in [
                "file:///etc/passwd",
                "-e",
                "javascript:alert(1)",
                "not a url",
            ] {
                assert!(
                    open(&command(program.clone(), &[]), link).is_err(),
                    "{link}"
                );
            }
            assert!(
                !out.exists(),
                "the command ran for a link that is not http(s)"
            );
        }
    }
}
