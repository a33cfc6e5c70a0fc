//! The Windows build under Wine: okta-aws.exe and awscli.exe against the fake Okta and moto.
//!
//! scripts/test-windows cross-builds the binaries, names their directory in
//! `OKTA_AWS_WINDOWS_BIN`, keeps a wineserver running for the prefix, and runs
//! `cargo test --test e2e windows:: -- --ignored`. In the ordinary
//! run these tests are ignored; run without that variable they fail, saying so.
//!
//! What Wine shows and what it cannot: a Windows program here sees the Windows environment
//! Wine builds — `USERPROFILE` is `C:\users\<unix user>` whatever `HOME` says, `PATH` is the
//! Windows one (plus `WINEPATH`), `PATHEXT` is set — and Windows file semantics (sharing
//! modes, locks, renames). Run with no terminal, the program has no console (questions fail
//! naming the setting); run in a pseudo-terminal (`console` below), Wine's console reads
//! that terminal, so prompts, menus, hidden input and Ctrl-C are typed as at a console. Not
//! shown: Windows' own console (its ReadConsoleW ends on Ctrl-C, Wine's does not).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};

use crate::harness::*;

/// Where scripts/test-windows puts the path of the Windows build's directory.
const WINDOWS_BIN: &str = "OKTA_AWS_WINDOWS_BIN";

/// The Windows build and the Wine prefix it runs in.
struct Wine {
    bin: PathBuf,
    /// The Wine user's profile (`%USERPROFILE%`) as a Unix path.
    profile: PathBuf,
    /// Our stand-in `aws.exe` (tests/windows/aws-stand-in.c), compiled once.
    aws_stand_in: PathBuf,
    /// A command run on the console, then the console's state (tests/windows/console-after.c).
    console_after: PathBuf,
}

fn wine() -> &'static Wine {
    static WINE: OnceLock<Wine> = OnceLock::new();
    WINE.get_or_init(|| {
        let bin = std::env::var_os(WINDOWS_BIN)
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                panic!("{WINDOWS_BIN} is not set: these tests are run by scripts/test-windows")
            });
        assert!(
            bin.join("okta-aws.exe").is_file(),
            "no okta-aws.exe in {WINDOWS_BIN}={}",
            bin.display()
        );
        assert!(
            std::env::var_os("WINEPREFIX").is_some(),
            "WINEPREFIX is not set: scripts/test-windows sets the project's own"
        );
        let profile = windows_output(&["cmd", "/c", "echo %USERPROFILE%"]);
        let profile = PathBuf::from(windows_output(&["winepath", "-u", profile.trim()]).trim());
        Wine {
            bin,
            profile,
            aws_stand_in: compile_windows_program("aws-stand-in"),
            console_after: compile_windows_program("console-after"),
        }
    })
}

/// Run a command of the Wine prefix (`wine ARGS…`) and return its stdout.
fn windows_output(args: &[&str]) -> String {
    let out = Command::new("wine")
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .expect("wine must be installed (scripts/ensure-windows-deps)");
    assert!(out.status.success(), "wine {args:?}: {}", out.status);
    String::from_utf8(out.stdout).unwrap()
}

/// tests/windows/NAME.c, compiled once: NAME.exe.
fn compile_windows_program(name: &str) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/windows/{name}.c"));
    let exe = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.exe"));
    let status = Command::new("x86_64-w64-mingw32-gcc")
        .args(["-O2", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(&exe)
        .arg(&source)
        .status()
        .expect("mingw-w64's gcc must be installed (scripts/ensure-windows-deps)");
    assert!(status.success(), "compiling {}", source.display());
    exe
}

/// The path a Windows program sees for a Unix one: Wine maps `/` to drive `Z:`.
fn windows_path(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

/// Every test works in the one Wine user profile, so they run one at a time, each on a
/// profile emptied of what the last one left.
fn user_profile() -> (MutexGuard<'static, ()>, &'static Path) {
    static PROFILE: Mutex<()> = Mutex::new(());
    let guard = PROFILE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let profile = &wine().profile;
    for dir in [".aws", ".okta"] {
        match std::fs::remove_dir_all(profile.join(dir)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => panic!("{dir}: {e}"),
            _ => {}
        }
    }
    (guard, profile)
}

/// A sandbox whose settings suit a Windows program: the password through cmd.exe's `type`
/// (OKTA_PASSWORD_CMD is a cmd.exe command line on Windows).
fn windows_sandbox(scenario: Scenario) -> Sandbox {
    let mut s = Sandbox::new(scenario);
    let password_file = windows_path(&s.dir.path().join("password.txt"));
    s.set(
        "OKTA_PASSWORD_CMD",
        Some(&format!("type \"{password_file}\"")),
    );
    for name in ["WINEPREFIX", "WINEDEBUG", "WINEDLLOVERRIDES"] {
        s.set(name, std::env::var(name).ok().as_deref());
    }
    s
}

/// A command that runs one of our Windows binaries (or any other Windows program) under Wine.
fn windows_command(s: &Sandbox, program: &Path, args: &[&str]) -> Command {
    let mut command = s.command("wine", &[]);
    command.arg(program).args(args);
    command
}

fn our(binary: &str) -> PathBuf {
    wine().bin.join(format!("{binary}.exe"))
}

fn run_windows(s: &Sandbox, binary: &str, args: &[&str]) -> Run {
    run_detached(windows_command(s, &our(binary), args))
}

/// `NAME=value` lines of the stand-in's output (`env=…`), as pairs.
fn stand_in_environment(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .filter_map(|line| line.trim_end().strip_prefix("env="))
        .filter_map(|pair| pair.split_once('='))
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

fn value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Who moto says these keys belong to (through the real, Linux, aws CLI).
fn caller_arn(keys: &[(String, String)]) -> String {
    let keys: Vec<(&str, &str)> = [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ]
    .iter()
    .map(|name| {
        let v = value(keys, name).unwrap_or_else(|| panic!("{name} missing: {keys:?}"));
        (*name, v)
    })
    .collect();
    let out = aws_on_moto(&["sts", "get-caller-identity", "--output", "json"], &keys);
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    json["Arn"].as_str().unwrap().to_string()
}

fn developer_with_totp() -> Scenario {
    scenario(
        user_with(vec![Factor::totp("GOOGLE", "123456")]),
        two_roles(),
    )
}

const DEVELOPER_ARN: &str = "arn:aws:sts::111111111111:assumed-role/Developer/alice@example.com";
const ADMIN_ARN: &str = "arn:aws:sts::222222222222:assumed-role/Admin/alice@example.com";

#[test]
#[ignore = "runs the Windows build under Wine: scripts/test-windows"]
fn login_writes_credentials_under_the_user_profile() {
    let (_profile_lock, profile) = user_profile();
    let mut s = windows_sandbox(developer_with_totp());
    s.set("OKTA_MFA_CODE", Some("123456"))
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
    let run = run_windows(&s, "okta-aws", &["login"]);
    run.success();
    assert!(run.stdout().is_empty(), "login prints nothing on stdout");
    assert!(
        run.stderr()
            .contains("aws --profile 111111111111/Developer"),
        "{}",
        run.stderr()
    );

    let credentials = profile.join(".aws/credentials");
    let text = std::fs::read_to_string(&credentials)
        .unwrap_or_else(|e| panic!("{}: {e}", credentials.display()));
    assert!(text.contains("[111111111111/Developer]"), "{text}");
    assert!(!text.contains(PASSWORD));
    assert!(
        !s.credentials_file().exists(),
        "HOME is not the home on Windows"
    );

    let out = aws_on_moto(
        &[
            "--profile",
            "111111111111/Developer",
            "sts",
            "get-caller-identity",
            "--output",
            "json",
        ],
        &[("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap())],
    );
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["Arn"], DEVELOPER_ARN);
}

#[test]
#[ignore = "runs the Windows build under Wine: scripts/test-windows"]
fn env_for_powershell_sets_working_keys_and_the_cache_answers_the_second_time() {
    let (_profile_lock, profile) = user_profile();
    let mut s = windows_sandbox(developer_with_totp());
    s.set("OKTA_MFA_CODE", Some("123456"))
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
    let first = run_windows(&s, "okta-aws", &["env", "--shell", "powershell"]);
    first.success();
    let keys = powershell_assignments(&first.stdout());
    assert_eq!(caller_arn(&keys), DEVELOPER_ARN);
    assert!(
        profile.join(".okta/cache").is_dir(),
        "the cache lives in %USERPROFILE%\\.okta\\cache"
    );

    let requests = s.okta.requests().len();
    let second = run_windows(&s, "okta-aws", &["env", "--shell", "powershell"]);
    second.success();
    assert_eq!(s.okta.requests().len(), requests, "served from the cache");
    assert_eq!(powershell_assignments(&second.stdout()), keys);
}

/// `$env:NAME = 'value'` lines, as pairs (our values carry no quotes to undouble).
fn powershell_assignments(stdout: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for line in stdout.lines() {
        if line.starts_with("Remove-Item -Path Env:") {
            continue;
        }
        let (name, quoted) = line
            .strip_prefix("$env:")
            .and_then(|rest| rest.split_once(" = "))
            .unwrap_or_else(|| panic!("not a PowerShell assignment: {line:?}\n{stdout}"));
        let value = quoted
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .unwrap_or_else(|| panic!("not single-quoted: {line:?}"));
        pairs.push((name.to_string(), value.to_string()));
    }
    pairs
}

#[test]
#[ignore = "runs the Windows build under Wine: scripts/test-windows"]
fn awscli_runs_the_aws_cmd_it_finds_through_pathext() {
    let (_profile_lock, _) = user_profile();
    let mut s = windows_sandbox(scenario(user_with(vec![]), two_roles()));
    // The AWS CLI v1 from pip: an aws.cmd (beside an extension-less script Windows cannot
    // start). Batch files run through cmd.exe.
    let bin = s.dir.path().join("Python Scripts");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(
        bin.join("aws"),
        "#!python\nprint('not a Windows program')\n",
    )
    .unwrap();
    std::fs::write(
        bin.join("aws.cmd"),
        "@echo off\r\necho arg=%*\r\nfor /f \"delims=\" %%v in ('set AWS_') do echo env=%%v\r\n",
    )
    .unwrap();
    s.set("WINEPATH", Some(&windows_path(&bin)))
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"))
        .set("AWS_PROFILE", Some("not-there"));
    let run = run_windows(&s, "awscli", &["sts", "get-caller-identity"]);
    run.success();
    let stdout = run.stdout();
    assert!(stdout.contains("arg=sts get-caller-identity"), "{stdout}");
    let environment = stand_in_environment(&stdout);
    assert_eq!(caller_arn(&environment), ADMIN_ARN);
    assert_eq!(value(&environment, "AWS_PROFILE"), None, "{stdout}");
    assert!(
        s.credentials_file().exists() || wine().profile.join(".aws/credentials").exists(),
        "a login by awscli writes the credentials as login does"
    );
}

#[test]
#[ignore = "runs the Windows build under Wine: scripts/test-windows"]
fn awscli_passes_arguments_output_and_exit_status_of_an_aws_exe_under_program_files() {
    let (_profile_lock, _) = user_profile();
    let mut s = windows_sandbox(scenario(user_with(vec![]), two_roles()));
    // Where AWS's installer puts the AWS CLI v2: a path with a space.
    let dir = s.dir.path().join("Program Files/Amazon/AWSCLIV2");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&wine().aws_stand_in, dir.join("aws.exe")).unwrap();
    s.set("OKTA_AWS_CLI", Some(&windows_path(&dir.join("aws.exe"))))
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"));
    let run = run_windows(
        &s,
        "awscli",
        &["s3", "cp", "a file.txt", "s3://bucket/", "--exit-code", "7"],
    );
    assert_eq!(run.code(), 7, "the stand-in's status\n{}", run.stderr());
    // C's text-mode stdout on Windows ends lines with CRLF.
    let stdout = run.stdout().replace("\r\n", "\n");
    assert!(
        stdout.contains("arg=s3\narg=cp\narg=a file.txt\narg=s3://bucket/\n"),
        "{stdout}"
    );
    assert_eq!(caller_arn(&stand_in_environment(&stdout)), ADMIN_ARN);
}

#[test]
#[ignore = "runs the Windows build under Wine: scripts/test-windows"]
fn an_aws_that_is_a_copy_of_awscli_is_stopped() {
    let (_profile_lock, _) = user_profile();
    let mut s = windows_sandbox(scenario(user_with(vec![]), two_roles()));
    // `copy awscli.exe aws.exe`: no link to follow, so the recursion guard must catch it.
    let bin = s.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(our("awscli"), bin.join("aws.exe")).unwrap();
    s.set("WINEPATH", Some(&windows_path(&bin)))
        .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"));
    run_windows(&s, "awscli", &["sts", "get-caller-identity"])
        .fails_with("leads back to this tool");
}

#[test]
#[ignore = "runs the Windows build under Wine: scripts/test-windows"]
fn exec_runs_the_command_as_a_child_and_exits_with_its_status() {
    let (_profile_lock, _) = user_profile();
    let mut s = windows_sandbox(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
    let stand_in = windows_path(&wine().aws_stand_in);
    let run = run_windows(
        &s,
        "okta-aws",
        &["exec", "--", &stand_in, "--exit-code", "3"],
    );
    assert_eq!(run.code(), 3, "the command's status\n{}", run.stderr());
    assert_eq!(
        caller_arn(&stand_in_environment(&run.stdout())),
        DEVELOPER_ARN
    );
}

#[test]
#[ignore = "runs the Windows build under Wine: scripts/test-windows"]
fn exec_names_a_command_that_cannot_be_started() {
    let (_profile_lock, _) = user_profile();
    let mut s = windows_sandbox(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
    run_windows(&s, "okta-aws", &["exec", "--", "no-such-program"])
        .fails_with("cannot run 'no-such-program': command not found");
}

#[test]
#[ignore = "runs the Windows build under Wine: scripts/test-windows"]
fn without_a_console_a_question_fails_at_once_naming_the_setting() {
    let (_profile_lock, profile) = user_profile();
    let mut s = windows_sandbox(developer_with_totp());
    s.set("OKTA_PASSWORD_CMD", None);
    run_windows(&s, "okta-aws", &["login"]).fails_with("OKTA_PASSWORD_CMD");
    assert_eq!(s.okta.requests().len(), 0);
    assert!(!profile.join(".aws").exists());
}

#[test]
#[ignore = "runs the Windows build under Wine: scripts/test-windows"]
fn a_login_killed_while_holding_the_lock_does_not_block_the_next() {
    let (_profile_lock, profile) = user_profile();
    let factors = vec![
        Factor::push(u32::MAX, None, PushOutcome::Approve),
        Factor::totp("GOOGLE", "123456"),
    ];
    let mut s = windows_sandbox(scenario(user_with(factors), two_roles()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"))
        .set("OKTA_MFA_CHOICE", Some("OKTA.push"));
    // A push nobody answers: the login waits inside the profile's lock until it is killed.
    let mut waiting = windows_command(&s, &our("okta-aws"), &["login"]);
    let mut waiting = waiting
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while s.okta.count("POST", "/api/v1/authn/factors/") < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the first login never polled its push"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // The Windows process is this Unix process (Wine's loader runs it in place).
    waiting.kill().unwrap();
    waiting.wait().unwrap();

    s.set("OKTA_MFA_CHOICE", Some("GOOGLE.token:software:totp"))
        .set("OKTA_MFA_CODE", Some("123456"));
    let run = run_windows(&s, "okta-aws", &["login"]);
    run.success();
    assert!(
        !run.stderr().contains("Waiting for another okta-aws"),
        "{}",
        run.stderr()
    );
    assert!(profile.join(".aws/credentials").is_file());
}

/// The Windows defaults of the shell commands, and the Windows store.
mod phase_2 {
    use super::*;

    #[test]
    #[ignore = "runs the Windows build under Wine: scripts/test-windows"]
    fn env_speaks_powershell_by_default_and_cmd_on_request() {
        let (_profile_lock, _) = user_profile();
        let mut s = windows_sandbox(scenario(user_with(vec![]), two_roles()));
        s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
        let default = run_windows(&s, "okta-aws", &["env"]);
        default.success();
        let keys = powershell_assignments(&default.stdout());
        assert_eq!(caller_arn(&keys), DEVELOPER_ARN);

        let cmd = run_windows(&s, "okta-aws", &["env", "--shell", "cmd"]);
        cmd.success();
        let set: Vec<(String, String)> = cmd
            .stdout()
            .lines()
            .filter_map(|line| line.strip_prefix("set "))
            .filter_map(|pair| pair.split_once('='))
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        assert_eq!(caller_arn(&set), DEVELOPER_ARN);
    }

    #[test]
    #[ignore = "runs the Windows build under Wine: scripts/test-windows"]
    fn init_writes_the_powershell_hooks_by_default() {
        let (_profile_lock, _) = user_profile();
        let s = windows_sandbox(scenario(user_with(vec![]), two_roles()));
        let default = run_windows(&s, "okta-aws", &["init"]);
        default.success();
        let powershell = run_windows(&s, "okta-aws", &["init", "powershell"]);
        assert_eq!(default.stdout(), powershell.stdout());
    }

    #[test]
    #[ignore = "runs the Windows build under Wine: scripts/test-windows"]
    fn login_replaces_the_credentials_file_while_a_reader_has_it_open() {
        let (_profile_lock, profile) = user_profile();
        let mut s = windows_sandbox(developer_with_totp());
        s.set("OKTA_MFA_CODE", Some("123456"))
            .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
        run_windows(&s, "okta-aws", &["login"]).success();
        let credentials = profile.join(".aws/credentials");
        let before = std::fs::read_to_string(&credentials).unwrap();

        // A reader (the AWS CLI, an editor) holds it open, sharing reading and writing.
        let mut holder = windows_command(
            &s,
            &wine().aws_stand_in,
            &["--hold", &windows_path(&credentials), "5000"],
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
        let mut holding = String::new();
        let mut out = std::io::BufReader::new(holder.stdout.take().unwrap());
        while !holding.contains("holding") {
            holding.clear();
            let n = std::io::BufRead::read_line(&mut out, &mut holding).unwrap();
            assert!(n > 0, "the stand-in ended without holding the file");
        }

        s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"));
        let run = run_windows(&s, "okta-aws", &["login"]);
        let _ = holder.wait();
        run.success();
        let after = std::fs::read_to_string(&credentials).unwrap();
        assert!(after.contains("[222222222222/Admin]"), "{after}");
        assert!(after.contains(before.trim_end()), "the old section is kept");
    }

    #[test]
    #[ignore = "runs the Windows build under Wine: scripts/test-windows"]
    fn login_writes_where_aws_shared_credentials_file_says() {
        let (_profile_lock, profile) = user_profile();
        let mut s = windows_sandbox(developer_with_totp());
        let elsewhere = s.dir.path().join("elsewhere/creds");
        s.set("OKTA_MFA_CODE", Some("123456"))
            .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"))
            .set(
                "AWS_SHARED_CREDENTIALS_FILE",
                Some(&windows_path(&elsewhere)),
            );
        run_windows(&s, "okta-aws", &["login"]).success();
        let text = std::fs::read_to_string(&elsewhere).unwrap();
        assert!(text.contains("[111111111111/Developer]"), "{text}");
        assert!(!profile.join(".aws/credentials").exists());
    }
}

/// Prompts and menus on the Windows console. Run from a pseudo-terminal, Wine gives the
/// program a console whose input is that terminal (its conhost in Unix-terminal mode), so
/// keys typed there reach ReadConsoleW as at a Windows console: echo, line editing and
/// Ctrl-C are the console's. Wine draws the console's screen on the terminal, so text comes
/// back with cursor codes between characters and spaces drawn as cursor moves: `expect`
/// and `screen_text` see through them.
mod console {
    use rexpect::session::{PtySession, spawn_command};

    use super::*;
    use crate::pty::exit_code;

    const TIMEOUT_MS: u64 = 60_000;

    fn spawn_windows(s: &Sandbox, binary: &str, args: &[&str]) -> PtySession {
        spawn_command(windows_command(s, &our(binary), args), Some(TIMEOUT_MS)).unwrap()
    }

    /// Wait until `text` is drawn; what came before it.
    fn expect(p: &mut PtySession, text: &str) -> String {
        let (before, _) = p
            .exp_regex(&drawn(text))
            .unwrap_or_else(|e| panic!("waiting for {text:?}: {e}"));
        before
    }

    /// A pattern for `text` as Wine's console draws it: any cursor codes between characters,
    /// a run of spaces as spaces or as "erase, move right".
    fn drawn(text: &str) -> String {
        const CURSOR_CODES: &str = r"(?:\x1b\[[0-9;?]*[A-Za-z])*";
        let mut pattern = String::new();
        let mut after_space = false;
        for c in text.chars() {
            if c == ' ' {
                if !after_space {
                    pattern.push_str(r"(?: |\x1b\[K|\x1b\[[0-9]*C)+");
                }
                after_space = true;
                continue;
            }
            after_space = false;
            if c.is_ascii_alphanumeric() {
                pattern.push(c);
            } else {
                pattern.push_str(&format!(r"\x{{{:x}}}", c as u32));
            }
            pattern.push_str(CURSOR_CODES);
        }
        pattern
    }

    /// What the terminal shows of `raw`: cursor moves right as spaces, other codes dropped.
    fn screen_text(raw: &str) -> String {
        let mut text = String::new();
        let mut rest = raw;
        while let Some(start) = rest.find("\x1b[") {
            text.push_str(&rest[..start]);
            let code = &rest[start + 2..];
            let Some(end) = code.find(|c: char| c.is_ascii_alphabetic()) else {
                break;
            };
            if code.as_bytes()[end] == b'C' {
                let count = code[..end].parse().unwrap_or(1);
                text.push_str(&" ".repeat(count));
            }
            rest = &code[end + 1..];
        }
        text.push_str(rest);
        text
    }

    /// Type `line` and Enter (the console takes CR as Enter; LF would be Ctrl-J).
    fn type_line(p: &mut PtySession, line: &str) {
        wait_for_raw_terminal(p);
        p.send(line).unwrap();
        p.send("\r").unwrap();
        p.flush().unwrap();
    }

    /// Wait until Wine's console has put the terminal in raw mode, which it does once a program
    /// reads the console. Until then the kernel's line discipline turns the CR of Enter into
    /// LF (ICRNL), which the console takes as Ctrl-J, not Enter: the line never ends. The
    /// prompt is drawn before the read that sets the terminal up, so under load (seen in CI)
    /// keys typed on seeing the prompt can arrive first.
    fn wait_for_raw_terminal(p: &PtySession) {
        use std::os::fd::AsRawFd;
        let master = p.process().get_file_handle().unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(TIMEOUT_MS);
        loop {
            // SAFETY: tcgetattr fills the zeroed struct; on Linux the master reports the
            // terminal's (the slave's) settings.
            let mut settings: libc::termios = unsafe { std::mem::zeroed() };
            assert_eq!(
                unsafe { libc::tcgetattr(master.as_raw_fd(), &mut settings) },
                0
            );
            if settings.c_iflag & libc::ICRNL == 0 && settings.c_lflag & libc::ICANON == 0 {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the console never put the terminal in raw mode"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    /// Whether `raw` draws `text`, through rexpect's own matcher.
    fn draws(raw: &str, text: &str) -> bool {
        let mut session = rexpect::session::spawn_stream(
            std::io::Cursor::new(raw.as_bytes().to_vec()),
            std::io::sink(),
            Some(1000),
        );
        session.exp_regex(&drawn(text)).is_ok()
    }

    #[test]
    fn drawn_text_is_found_through_cursor_codes() {
        let raw = "\x1b[?25lOkta\x1b[K\x1b[1Cpass\x1b[?25hword for a.b@c:";
        assert!(draws(raw, "Okta password for a.b@c:"), "{raw:?}");
        assert!(!draws(raw, "Okta password for a-b@c:"));
        assert!(!draws("Okta passwor:", "Okta password:"));
        assert_eq!(screen_text(raw), "Okta password for a.b@c:");
        assert_eq!(screen_text("\x1b[?25l  1.\x1b[3Cx"), "  1.   x");
    }

    #[test]
    #[ignore = "runs the Windows build under Wine: scripts/test-windows"]
    fn the_password_typed_at_the_console_is_not_shown_and_a_typo_is_asked_again() {
        let (_profile_lock, profile) = user_profile();
        let mut s = windows_sandbox(scenario(user_with(vec![]), two_roles()));
        s.set("OKTA_PASSWORD_CMD", None)
            .set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"));
        let mut p = spawn_windows(&s, "okta-aws", &["login"]);
        expect(&mut p, "Okta password for alice@example.com:");
        type_line(&mut p, "wrong password");
        let mut shown = expect(&mut p, "authentication failed; try again");
        shown += &expect(&mut p, "Okta password for alice@example.com:");
        type_line(&mut p, PASSWORD);
        shown += &p.exp_eof().unwrap();
        assert_eq!(exit_code(&p), 0, "{shown}");
        let shown = screen_text(&shown);
        assert!(
            !shown.contains("wrong") && !shown.contains(PASSWORD),
            "echo was off: {shown}"
        );
        let text = std::fs::read_to_string(profile.join(".aws/credentials")).unwrap();
        assert!(text.contains("[222222222222/Admin]"), "{text}");
    }

    #[test]
    #[ignore = "runs the Windows build under Wine: scripts/test-windows"]
    fn user_name_factor_menu_code_and_role_menu_at_the_console() {
        let (_profile_lock, profile) = user_profile();
        let factors = vec![
            Factor::push(0, None, PushOutcome::Approve),
            Factor::totp("GOOGLE", "246810"),
        ];
        let mut s = windows_sandbox(scenario(user_with(factors), two_roles()));
        s.set("OKTA_USERNAME", None);
        let mut p = spawn_windows(&s, "okta-aws", &["login"]);
        expect(&mut p, "Okta user name:");
        type_line(&mut p, LOGIN);
        let shown = expect(&mut p, "MFA factor");
        assert!(
            screen_text(&shown).contains(LOGIN),
            "the user name is echoed: {shown:?}"
        );
        expect(&mut p, "Number or part of a name [1]:");
        type_line(&mut p, "google"); // part of a name
        expect(&mut p, "Google Authenticator code:");
        type_line(&mut p, "246810");
        expect(&mut p, "Role to assume:");
        expect(&mut p, "2. 222222222222  Admin");
        expect(&mut p, "Number or part of a name [1]:");
        type_line(&mut p, "7");
        expect(&mut p, "nothing matches '7': type a number from 1 to 2");
        type_line(&mut p, "2");
        let rest = p.exp_eof().unwrap();
        assert_eq!(exit_code(&p), 0, "{rest}");
        let text = std::fs::read_to_string(profile.join(".aws/credentials")).unwrap();
        assert!(text.contains("[222222222222/Admin]"), "{text}");
    }

    #[test]
    #[ignore = "runs the Windows build under Wine: scripts/test-windows"]
    fn ctrl_c_at_the_password_prompt_exits_130_and_the_console_echoes_again() {
        let (_profile_lock, profile) = user_profile();
        let mut s = windows_sandbox(scenario(user_with(vec![]), two_roles()));
        s.set("OKTA_PASSWORD_CMD", None);
        let okta_aws = windows_path(&our("okta-aws"));
        let after = &wine().console_after;
        let command = windows_command(&s, after, &["--", &okta_aws, "login"]);
        let mut p = spawn_command(command, Some(TIMEOUT_MS)).unwrap();
        expect(&mut p, "Okta password for");
        wait_for_raw_terminal(&p);
        p.send_control('c').unwrap();
        // The console outlives okta-aws in console-after, which reads its mode.
        expect(&mut p, "status=130,echo=on");
        p.exp_eof().unwrap();
        assert_eq!(exit_code(&p), 130);
        assert_eq!(s.okta.requests().len(), 0, "no password was sent");
        assert!(!profile.join(".aws").exists());
    }

    #[test]
    #[ignore = "runs the Windows build under Wine: scripts/test-windows"]
    fn ctrl_c_during_a_push_cancels_the_transaction() {
        let (_profile_lock, profile) = user_profile();
        let factor = Factor::push(1000, None, PushOutcome::Approve);
        let mut s = windows_sandbox(scenario(user_with(vec![factor]), two_roles()));
        s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Admin"));
        let mut p = spawn_windows(&s, "okta-aws", &["login"]);
        expect(&mut p, "Waiting");
        // Nothing reads the console during the wait, so the terminal stays cooked: the kernel
        // turns Ctrl-C into SIGINT, which Wine hands to the program as the console's Ctrl-C.
        p.send_control('c').unwrap();
        p.exp_eof().unwrap();
        assert_eq!(exit_code(&p), 130);
        assert_eq!(s.okta.count("POST", "/api/v1/authn/cancel"), 1);
        assert!(!profile.join(".aws/credentials").exists());
    }
}
