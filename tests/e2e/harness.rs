//! The test harness: one moto server per test binary (through the launcher that fixes its
//! AssumeRoleWithSAML), a fake Okta per test, and a sandbox HOME per test.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};

pub use fake_okta::{
    AfterPassword, AppPage, DeviceFlow, DeviceOutcome, Factor, FakeOkta, OfflineAccess, Pipeline,
    PushOutcome, SamlRole, Scenario, User, WebSso,
};

pub const PASSWORD: &str = "correct horse battery staple";
pub const LOGIN: &str = "alice@example.com";
pub const DEV_ROLE: &str = "arn:aws:iam::111111111111:role/Developer";
pub const ADMIN_ROLE: &str = "arn:aws:iam::222222222222:role/Admin";

pub fn provider_for(role_arn: &str) -> String {
    let account = role_arn.split(':').nth(4).unwrap();
    format!("arn:aws:iam::{account}:saml-provider/Okta")
}

/// moto, started once for the whole test binary; it exits when our stdin pipe closes,
/// i.e. when this test process ends.
pub fn moto_url() -> &'static str {
    static MOTO: OnceLock<(String, Mutex<Child>, Mutex<ChildStdin>)> = OnceLock::new();
    &MOTO.get_or_init(start_moto).0
}

fn start_moto() -> (String, Mutex<Child>, Mutex<ChildStdin>) {
    let (url, mut child) = spawn_moto(&[]);
    let stdin = child.stdin.take().unwrap();
    (url, Mutex::new(child), Mutex::new(stdin))
}

/// A moto of one test's own, for tests that change server-wide settings (such as switching
/// on access checks). Killed when dropped; even if the test process dies, moto sees EOF on
/// its stdin and exits.
pub struct PrivateMoto {
    pub url: String,
    child: Child,
}

pub fn start_private_moto() -> PrivateMoto {
    start_private_moto_with(&[])
}

/// A private moto with extra environment (e.g. `MOTO_LAUNCHER_SAML_DELAY_MS`).
pub fn start_private_moto_with(env: &[(&str, &str)]) -> PrivateMoto {
    let (url, child) = spawn_moto(env);
    PrivateMoto { url, child }
}

impl Drop for PrivateMoto {
    fn drop(&mut self) {
        // Child::kill signals this child's own PID only.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// moto through the launcher, listening on a free loopback port; its stdin pipe stays in
/// the returned `Child`.
fn spawn_moto(env: &[(&str, &str)]) -> (String, Child) {
    let launcher = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/moto_launcher.py");
    let mut child = Command::new("python3")
        .arg(launcher)
        .args(["-H", "127.0.0.1", "-p", "0"])
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 with moto[server] must be installed (see .ci/run)");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let url = loop {
        line.clear();
        if stderr.read_line(&mut line).unwrap() == 0 {
            panic!("moto exited before it said where it listens");
        }
        if let Some(at) = line.find("http://127.0.0.1:") {
            break line[at..].trim().trim_end_matches('/').to_string();
        }
    };
    // Keep draining moto's log so it never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while stderr.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
            sink.clear();
        }
    });
    (url, child)
}

/// A sandbox: its own HOME (so ~/.okta and ~/.aws are private), a fake Okta, moto.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub okta: FakeOkta,
    vars: Vec<(String, String)>,
}

/// Write an executable script (a stand-in `aws`, a test browser).
pub fn write_script(path: &Path, text: impl AsRef<[u8]>) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

pub fn user_with(factors: Vec<Factor>) -> User {
    factors
        .into_iter()
        .fold(User::new(LOGIN, PASSWORD), User::with_factor)
}

pub fn two_roles() -> Vec<SamlRole> {
    vec![
        SamlRole::new(DEV_ROLE, &provider_for(DEV_ROLE)),
        SamlRole::new(ADMIN_ROLE, &provider_for(ADMIN_ROLE)),
    ]
}

pub fn scenario(user: User, roles: Vec<SamlRole>) -> Scenario {
    Scenario {
        users: vec![user],
        roles,
        ..Scenario::default()
    }
}

impl Sandbox {
    /// A sandbox whose settings (in the environment) point at a fresh fake Okta.
    pub fn new(scenario: Scenario) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let password_file = dir.path().join("password.txt");
        std::fs::write(&password_file, format!("{PASSWORD}\n")).unwrap();
        let okta = FakeOkta::start(scenario);
        let vars = vec![
            ("HOME".into(), home.display().to_string()),
            ("PATH".into(), std::env::var("PATH").unwrap()),
            ("OKTA_ORG".into(), okta.base_url()),
            ("OKTA_AWS_APP_URL".into(), okta.app_url()),
            ("OKTA_USERNAME".into(), LOGIN.into()),
            (
                "OKTA_PASSWORD_CMD".into(),
                format!("cat '{}'", password_file.display()),
            ),
            ("AWS_ENDPOINT_URL".into(), moto_url().to_string()),
            ("AWS_DEFAULT_REGION".into(), "us-east-1".into()),
            // moto needs no real keys; the aws CLI reads none from this sandbox's HOME.
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ];
        Sandbox { dir, okta, vars }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// Forget the kept Okta session, as when it has ended: the next login signs in (MFA).
    pub fn end_okta_session(&self) {
        for entry in std::fs::read_dir(self.home().join(".okta/cache")).unwrap() {
            let path = entry.unwrap().path();
            if path.to_string_lossy().ends_with(".okta.json") {
                std::fs::remove_file(path).unwrap();
            }
        }
    }

    pub fn credentials_file(&self) -> PathBuf {
        self.home().join(".aws/credentials")
    }

    pub fn config_file(&self) -> PathBuf {
        self.home().join(".okta/config.properties")
    }

    /// Set (or with `None` remove) a variable for every command of this sandbox.
    pub fn set(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        self.vars.retain(|(k, _)| k != key);
        if let Some(v) = value {
            self.vars.push((key.into(), v.into()));
        }
        self
    }

    pub fn write_config(&self, text: &str) {
        let path = self.config_file();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A command for one of our binaries, with a clean environment and no terminal.
    pub fn command(&self, binary: &str, args: &[&str]) -> Command {
        let path = match binary {
            "okta-aws" => env!("CARGO_BIN_EXE_okta-aws"),
            "awscli" => env!("CARGO_BIN_EXE_awscli"),
            other => other,
        };
        let mut command = Command::new(path);
        command
            .args(args)
            .env_clear()
            .envs(self.vars.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Run with no controlling terminal (a new session), stdin closed.
    pub fn run(&self, binary: &str, args: &[&str]) -> Run {
        run_detached(self.command(binary, args))
    }
}

/// Run `command` with no controlling terminal (a new session), stdin closed.
pub fn run_detached(mut command: Command) -> Run {
    command.stdin(Stdio::null());
    // SAFETY: setsid is async-signal-safe; it detaches the child from our terminal, so
    // /dev/tty cannot be opened and prompts must fail as they would in CI or cron.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    Run(command.output().unwrap())
}

/// A finished command.
pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    #[track_caller]
    pub fn success(&self) -> &Self {
        assert_eq!(
            self.code(),
            0,
            "expected success\nstdout: {}\nstderr: {}",
            self.stdout(),
            self.stderr()
        );
        self
    }
    /// Exit 1, a one-line cause containing `needle`, a hint, no panic.
    #[track_caller]
    pub fn fails_with(&self, needle: &str) -> &Self {
        let err = self.stderr();
        assert_eq!(
            self.code(),
            1,
            "expected exit 1\nstdout: {}\nstderr: {err}",
            self.stdout()
        );
        assert!(err.contains(needle), "stderr lacks {needle:?}:\n{err}");
        assert!(!err.contains("panicked"), "panic:\n{err}");
        assert!(err.contains("hint:"), "no hint:\n{err}");
        assert!(
            self.0.stdout.is_empty(),
            "stdout not empty: {}",
            self.stdout()
        );
        self
    }
}

/// Run the real aws CLI against moto with these keys; its stdout, or a panic with its stderr.
pub fn aws_on_moto(args: &[&str], keys: &[(&str, &str)]) -> Vec<u8> {
    let out = std::process::Command::new("aws")
        .args(args)
        .envs(moto_env(keys))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "aws {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Run the aws CLI against moto as a principal of `account` (moto maps the keys of an
/// assumed role to the role's account).
pub struct Seeder {
    keys: [(String, String); 3],
}

impl Seeder {
    pub fn for_account(account: &str) -> Seeder {
        let role_arn = format!("arn:aws:iam::{account}:role/seeder");
        let out = aws_on_moto(
            &[
                "sts",
                "assume-role",
                "--role-arn",
                &role_arn,
                "--role-session-name",
                "seed",
                "--output",
                "json",
            ],
            &[
                ("AWS_ACCESS_KEY_ID", "testing"),
                ("AWS_SECRET_ACCESS_KEY", "testing"),
            ],
        );
        let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let c = &json["Credentials"];
        let key = |k: &str| c[k].as_str().unwrap().to_string();
        Seeder {
            keys: [
                ("AWS_ACCESS_KEY_ID".into(), key("AccessKeyId")),
                ("AWS_SECRET_ACCESS_KEY".into(), key("SecretAccessKey")),
                ("AWS_SESSION_TOKEN".into(), key("SessionToken")),
            ],
        }
    }

    pub fn aws(&self, args: &[&str]) {
        let keys: Vec<(&str, &str)> = self
            .keys
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        aws_on_moto(args, &keys);
    }

    /// A role (trusting anyone) with an inline policy.
    pub fn role_with_policy(&self, name: &str, policy: &str) {
        let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#;
        self.aws(&[
            "iam",
            "create-role",
            "--role-name",
            name,
            "--assume-role-policy-document",
            trust,
        ]);
        self.aws(&[
            "iam",
            "put-role-policy",
            "--role-name",
            name,
            "--policy-name",
            "hop",
            "--policy-document",
            policy,
        ]);
    }
}

pub fn moto_env(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = vec![
        ("AWS_ENDPOINT_URL".to_string(), moto_url().to_string()),
        ("AWS_DEFAULT_REGION".to_string(), "us-east-1".to_string()),
        ("AWS_CONFIG_FILE".to_string(), "/dev/null".to_string()),
        (
            "AWS_SHARED_CREDENTIALS_FILE".to_string(),
            "/dev/null".to_string(),
        ),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}
