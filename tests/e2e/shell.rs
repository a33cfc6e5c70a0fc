//! Shell integration, run by the real shells: `env` in every syntax, `init` hooks
//! (`withokta`, `okta-aws-use`, the `aws` alias), completion of both binaries, the committed
//! completion scripts, `credential-process` under the real `aws`, `roles` and `profiles`.
//!
//! bash, zsh and fish run for real (`.ci/run` installs them with shellcheck); PowerShell is
//! not available here, its quoting is unit-tested in `src/cli/env.rs`.

use std::path::{Path, PathBuf};

use rexpect::session::{PtySession, spawn_command};

use crate::harness::*;

const TIMEOUT_MS: u64 = 30_000;

/// Quotes, `$`, backticks, backslashes, typographic quotes, spaces, a tab and a newline.
const NASTY: &str = "it's \"$HOME\" `id` $(echo hi) \\ \\n ‘q’ ; x\ty\nline two ";

const VARIABLES: [&str; 6] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
];

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_okta-aws"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Two roles; the top profile assumes Admin, `[work]` Developer. Our binaries are on PATH,
/// and env mode keeps ~/.aws out of the way.
fn sandbox() -> Sandbox {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.write_config("OKTA_AWS_ROLE_TO_ASSUME=Admin\n\n[work]\nOKTA_AWS_ROLE_TO_ASSUME=Developer\n");
    let path = format!("{}:{}", bin_dir().display(), std::env::var("PATH").unwrap());
    s.set("PATH", Some(&path))
        .set("OKTA_ENV_MODE", Some("true"))
        // fish re-encodes inherited non-ASCII variables in the C locale.
        .set("LANG", Some("C.UTF-8"));
    s
}

/// A sandbox whose default and `work` profiles have cached sessions.
fn logged_in() -> Sandbox {
    let s = sandbox();
    s.run("okta-aws", &["login"]).success();
    s.run("okta-aws", &["login", "--profile", "work"]).success();
    s
}

fn session_file(s: &Sandbox, stem: &str) -> PathBuf {
    s.home().join(format!(".okta/cache/{stem}.session.json"))
}

/// Give the cached default session credentials full of shell metacharacters.
fn make_credentials_nasty(s: &Sandbox) {
    let path = session_file(s, "top");
    let mut session: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for key in ["access_key_id", "secret_access_key", "session_token"] {
        session["credentials"][key] = serde_json::Value::String(format!("{key}:{NASTY}"));
    }
    std::fs::write(&path, serde_json::to_string(&session).unwrap()).unwrap();
}

/// Run a script in a real shell with no terminal.
fn shell(s: &Sandbox, shell: &str, script: &str) -> Run {
    let args: &[&str] = match shell {
        "bash" => &["--norc", "--noprofile", "-c", script],
        "zsh" => &["-f", "-c", script],
        "fish" => &["--no-config", "-c", script],
        _ => &["-c", script],
    };
    s.run(shell, args)
}

/// A script that prints the six variables and AWS_PROFILE, each followed by `<END>`.
fn print_variables(shell: &str) -> String {
    let mut names: Vec<&str> = VARIABLES.to_vec();
    names.push("AWS_PROFILE");
    let args: Vec<String> = names
        .iter()
        .map(|n| match shell {
            "fish" => format!("\"${n}\""),
            _ => format!("\"${{{n}-}}\""),
        })
        .collect();
    format!("printf '%s<END>' {}", args.join(" "))
}

fn values(run: &Run) -> Vec<String> {
    let out = run.stdout();
    let mut parts: Vec<String> = out.split("<END>").map(str::to_string).collect();
    assert_eq!(parts.pop().as_deref(), Some(""), "{out}");
    parts
}

#[test]
fn env_is_evaluated_exactly_by_bash_zsh_fish_and_sh() {
    let mut s = logged_in();
    make_credentials_nasty(&s);
    s.set("OKTA_AWS_REGION", Some(NASTY))
        .set("AWS_PROFILE", Some("elsewhere"));
    let expected: Vec<String> = ["access_key_id", "secret_access_key", "session_token"]
        .iter()
        .map(|k| format!("{k}:{NASTY}"))
        .collect();
    let cases = [
        ("bash", "eval \"$(okta-aws env --shell bash)\""),
        ("zsh", "eval \"$(okta-aws env --shell zsh)\""),
        ("fish", "okta-aws env --shell fish | source"),
        ("sh", "eval \"$(SHELL=/bin/sh okta-aws env)\""),
    ];
    for (name, load) in cases {
        let run = shell(&s, name, &format!("{load}; {}", print_variables(name)));
        run.success();
        let got = values(&run);
        assert_eq!(&got[..3], &expected[..], "{name}");
        assert!(got[3].ends_with('Z'), "{name}: expiration {:?}", got[3]);
        assert_eq!(got[4], NASTY, "{name}: AWS_REGION");
        assert_eq!(got[5], NASTY, "{name}: AWS_DEFAULT_REGION");
        assert_eq!(got[6], "", "{name}: AWS_PROFILE is removed");
    }
    // With no --shell, $SHELL decides.
    s.set("SHELL", Some("/usr/bin/fish"));
    let run = shell(
        &s,
        "fish",
        &format!("okta-aws env | source; {}", print_variables("fish")),
    );
    assert_eq!(&values(run.success())[..3], &expected[..]);
}

#[test]
fn env_unset_removes_what_env_set() {
    let s = logged_in();
    for (name, set, unset) in [
        (
            "bash",
            "eval \"$(okta-aws env --shell bash)\"",
            "eval \"$(okta-aws env --shell bash --unset)\"",
        ),
        (
            "zsh",
            "eval \"$(okta-aws env --shell zsh)\"",
            "eval \"$(okta-aws env --shell zsh --unset)\"",
        ),
        (
            "fish",
            "okta-aws env --shell fish | source",
            "okta-aws env --shell fish --unset | source",
        ),
    ] {
        let script = format!(
            "{set}; test -n \"$AWS_SESSION_TOKEN\" || exit 3; {unset}; {}",
            print_variables(name)
        );
        let run = shell(&s, name, &script);
        assert!(
            values(run.success()).iter().all(String::is_empty),
            "{name}: {}",
            run.stdout()
        );
    }
}

#[test]
fn env_output_passes_shellcheck_and_other_formats_parse() {
    let mut s = logged_in();
    for (format, dialect) in [("bash", "bash"), ("zsh", "bash"), ("bash", "sh")] {
        let statements = s
            .run("okta-aws", &["env", "--shell", format])
            .success()
            .stdout();
        shellcheck(&s, dialect, &statements, &[]);
    }
    let unset = s.run("okta-aws", &["env", "--unset"]).success().stdout();
    shellcheck(&s, "sh", &unset, &[]);

    make_credentials_nasty(&s);
    s.set("OKTA_AWS_REGION", Some(NASTY));
    let statements = s
        .run("okta-aws", &["env", "--shell", "bash"])
        .success()
        .stdout();
    // Only notes on the values themselves: `$` and a typographic quote, literal on purpose.
    shellcheck(&s, "sh", &statements, &["SC2016", "SC1112"]);

    let json = s
        .run("okta-aws", &["env", "--shell", "json"])
        .success()
        .stdout();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        value["AWS_SECRET_ACCESS_KEY"],
        format!("secret_access_key:{NASTY}")
    );
    assert_eq!(value["AWS_REGION"], NASTY);
    assert!(value["AWS_PROFILE"].is_null() && value["AWS_DEFAULT_PROFILE"].is_null());

    let dotenv = s
        .run("okta-aws", &["env", "--shell", "dotenv"])
        .success()
        .stdout();
    assert!(dotenv.starts_with("AWS_ACCESS_KEY_ID=\""), "{dotenv}");
    assert_eq!(dotenv.lines().count(), 6, "one line a variable: {dotenv}");

    let ps = s
        .run("okta-aws", &["env", "--shell", "powershell"])
        .success()
        .stdout();
    assert!(ps.contains("$env:AWS_REGION = 'it''s"), "{ps}");
    assert!(ps.contains("Remove-Item -Path Env:AWS_PROFILE"), "{ps}");
}

/// shellcheck a script given on stdin, in `dialect` (sh, bash), minus `excluded` codes.
fn shellcheck(s: &Sandbox, dialect: &str, script: &str, excluded: &[&str]) {
    use std::io::Write;
    let mut command = s.command("shellcheck", &["-s", dialect, "-"]);
    if !excluded.is_empty() {
        command.arg(format!("--exclude={}", excluded.join(",")));
    }
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("shellcheck must be installed (scripts/ensure-deps)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "shellcheck -s {dialect}:\n{}\n---\n{script}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_cold_eval_prompts_on_the_terminal_and_keeps_stdout_clean() {
    let mut s = sandbox();
    s.set("OKTA_PASSWORD_CMD", None);
    let script =
        "eval \"$(okta-aws env --shell bash)\"; echo \"status=$? key=[$AWS_ACCESS_KEY_ID]\"";
    let mut p = spawn(&s, "bash", &["--norc", "--noprofile", "-c", script]);
    p.exp_string("Okta password for alice@example.com:")
        .unwrap();
    p.send_line(PASSWORD).unwrap();
    let (_, key) = p.exp_regex(r"status=0 key=\[[A-Z0-9]{16,}\]").unwrap();
    assert!(key.starts_with("status=0"), "{key}");
    p.exp_eof().unwrap();
}

fn spawn(s: &Sandbox, program: &str, args: &[&str]) -> PtySession {
    spawn_command(s.command(program, args), Some(TIMEOUT_MS)).unwrap()
}

/// The committed scripts under completions/ are what `okta-aws completions` prints.
#[test]
fn committed_completion_scripts_are_up_to_date() {
    let s = sandbox();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let update = std::env::var_os("OKTA_AWS_UPDATE_COMPLETIONS").is_some();
    for (shell, file) in [
        ("bash", "okta-aws.bash"),
        ("zsh", "_okta-aws"),
        ("fish", "okta-aws.fish"),
        ("powershell", "okta-aws.ps1"),
        ("elvish", "okta-aws.elv"),
    ] {
        let generated = s
            .run("okta-aws", &["completions", shell])
            .success()
            .stdout();
        let path = dir.join(file);
        if update {
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "completions/{file} is stale; regenerate with:\n  \
             OKTA_AWS_UPDATE_COMPLETIONS=1 cargo test --test e2e shell::committed_completion_scripts_are_up_to_date"
        );
    }
}

#[test]
fn every_script_passes_its_shells_own_checks() {
    let s = sandbox();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
    let mut bash_scripts = vec![
        read("shell/okta-aws.bash"),
        read("completions/okta-aws.bash"),
    ];
    let mut zsh_scripts = vec![read("shell/okta-aws.zsh"), read("completions/_okta-aws")];
    let mut fish_scripts = vec![
        read("shell/okta-aws.fish"),
        read("completions/okta-aws.fish"),
    ];
    for alias in [&[][..], &["--alias-aws"]] {
        let init = |shell: &str| {
            let mut args = vec!["init", shell];
            args.extend_from_slice(alias);
            s.run("okta-aws", &args).success().stdout()
        };
        bash_scripts.push(init("bash"));
        zsh_scripts.push(init("zsh"));
        fish_scripts.push(init("fish"));
    }
    for script in &bash_scripts {
        syntax_check(&s, &["bash", "-n"], script);
        // clap_complete's generated bash function splits on purpose (IFS is \v) and tests $?.
        shellcheck(&s, "bash", script, &["SC2207", "SC2181"]);
    }
    for script in &zsh_scripts {
        syntax_check(&s, &["zsh", "-n"], script);
    }
    for script in &fish_scripts {
        syntax_check(&s, &["fish", "--no-config", "--no-execute"], script);
    }
    shellcheck(&s, "bash", &read("shell/okta-aws.bash"), &[]);
}

/// Parse a script from a file without running it (`fish -c` would not report its errors).
fn syntax_check(s: &Sandbox, command: &[&str], script: &str) {
    let file = s.dir.path().join("syntax-check");
    std::fs::write(&file, script).unwrap();
    let file = file.display().to_string();
    let mut args = command[1..].to_vec();
    args.push(&file);
    let run = s.run(command[0], &args);
    assert!(
        run.code() == 0,
        "{command:?}: {}\n---\n{script}",
        run.stderr()
    );
}

#[test]
fn withokta_and_okta_aws_use_in_bash_zsh_and_fish() {
    let s = logged_in();
    let cases = [
        ("bash", "eval \"$(okta-aws init bash)\""),
        ("zsh", "eval \"$(okta-aws init zsh)\""),
        ("fish", "okta-aws init fish | source"),
    ];
    for (name, load) in cases {
        let script = format!(
            "{load}\n\
             withokta sh -c 'echo \"with=$AWS_SESSION_TOKEN\"'\n\
             withokta \"sh -c 'echo one=\\$AWS_SESSION_TOKEN'\"\n\
             okta-aws-use work\n\
             echo \"use=$AWS_SESSION_TOKEN\"\n"
        );
        let run = shell(&s, name, &script);
        let out = run.success().stdout();
        let token = |stem| cached_token(&s, stem);
        assert!(
            out.contains(&format!("with={}\n", token("top"))),
            "{name}: {out}"
        );
        assert!(
            out.contains(&format!("one={}\n", token("top"))),
            "{name}: the one quoted command, split: {out}"
        );
        assert!(
            out.contains(&format!("use={}\n", token("p-work"))),
            "{name}: {out}"
        );
        // No alias unless asked for.
        let check = match name {
            "fish" => "functions -q aws; and echo has-aws",
            _ => "type aws 2>/dev/null | grep -q function && echo has-aws",
        };
        let run = shell(&s, name, &format!("{load}\n{check}\ntrue"));
        assert!(!run.success().stdout().contains("has-aws"), "{name}");
    }
}

fn cached_token(s: &Sandbox, stem: &str) -> String {
    let session: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(session_file(s, stem)).unwrap()).unwrap();
    session["credentials"]["session_token"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn alias_aws_runs_awscli_in_bash_zsh_and_fish() {
    let s = logged_in();
    for (name, load) in [
        ("bash", "eval \"$(okta-aws init bash --alias-aws)\""),
        ("zsh", "eval \"$(okta-aws init zsh --alias-aws)\""),
        ("fish", "okta-aws init fish --alias-aws | source"),
    ] {
        let script = format!("{load}\naws --profile work sts get-caller-identity\n");
        let out = shell(&s, name, &script).success().stdout();
        assert!(out.contains("assumed-role/Developer/"), "{name}: {out}");
    }
}

#[test]
fn bash_completion_function_offers_live_roles_and_profiles() {
    let s = logged_in();
    let complete = |words: &[&str]| {
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let script = format!(
            "source <(okta-aws completions bash)\n\
             COMP_WORDS=({})\n\
             COMP_CWORD={}\n\
             COMP_TYPE=9\n\
             _clap_complete_okta_aws okta-aws '{}' '{}'\n\
             printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
            quoted.join(" "),
            words.len() - 1,
            words[words.len() - 1],
            words[words.len() - 2],
        );
        let run = shell(&s, "bash", &script);
        let out = run.success().stdout();
        let mut lines: Vec<String> = out.lines().map(str::to_string).collect();
        lines.sort();
        lines
    };
    assert_eq!(
        complete(&["okta-aws", "env", "--role", ""]),
        [
            "111111111111/Developer",
            "222222222222/Admin",
            DEV_ROLE,
            ADMIN_ROLE
        ]
    );
    assert_eq!(
        complete(&["okta-aws", "exec", "--profile", "work", "--role", "2222"]),
        ["222222222222/Admin"]
    );
    assert_eq!(complete(&["okta-aws", "login", "--profile", "w"]), ["work"]);
    assert_eq!(
        complete(&["okta-aws", "credential-pro"]),
        ["credential-process"]
    );
    assert_eq!(
        s.okta.count("GET", "/home/amazon_aws/"),
        2,
        "completion never logs in"
    );
}

#[test]
fn awscli_completes_profiles_then_hands_over_to_aws_completer() {
    let s = logged_in();
    let complete = |line: &str| {
        let script = format!("COMP_LINE='{line}' COMP_POINT={} awscli awscli", line.len());
        shell(&s, "bash", &script).success().stdout()
    };
    assert_eq!(complete("awscli --profile "), "work\n");
    assert_eq!(complete("awscli s3 --profile=w"), "--profile=work\n");
    assert_eq!(
        complete("awscli --profile work sts get-caller-i"),
        "get-caller-identity\n"
    );
    assert_eq!(complete("aws sts get-caller-i"), "get-caller-identity\n");
}

#[test]
fn fish_completes_roles_profiles_and_awscli() {
    let s = logged_in();
    let complete = |line: &str, alias: bool| {
        let load = if alias {
            "okta-aws init fish --alias-aws | source"
        } else {
            "okta-aws init fish | source"
        };
        let script = format!("{load}; complete --do-complete '{line}'");
        let out = shell(&s, "fish", &script).success().stdout();
        let mut values: Vec<String> = out
            .lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect();
        values.sort();
        values.dedup();
        values
    };
    assert_eq!(
        complete("okta-aws env --profile work --role 1", false),
        ["111111111111/Developer"]
    );
    assert_eq!(complete("okta-aws roles --profile ", false), ["work"]);
    assert_eq!(complete("okta-aws-use w", false), ["work"]);
    assert_eq!(complete("awscli --profile w", false), ["work"]);
    assert_eq!(
        complete("awscli sts get-caller-i", false),
        ["get-caller-identity"]
    );
    assert!(complete("aws sts get-caller-i", true).contains(&"get-caller-identity".to_string()));
}

/// Type a line into an interactive shell in a pty, press Tab, and read what got inserted.
fn tab_completes(p: &mut PtySession, typed: &str, expected: &str) {
    p.send(typed).unwrap();
    p.send("\t").unwrap();
    p.flush().unwrap();
    p.exp_string(expected).unwrap();
    p.send_control('u').unwrap(); // kill the line: nothing runs
}

#[test]
fn bash_and_zsh_complete_on_tab_in_a_terminal() {
    let mut s = logged_in();
    s.set("TERM", Some("xterm")).set("PS1", Some("PROMPT> "));
    // bash
    let mut p = spawn(&s, "bash", &["--norc", "--noprofile", "-i"]);
    // rexpect starts with echo off, and readline then echoes nothing: turn it on.
    p.send_line("stty echo; eval \"$(okta-aws init bash --alias-aws)\"; PS1='READ''Y> '")
        .unwrap();
    p.exp_string("READY> ").unwrap();
    tab_completes(&mut p, "okta-aws env --role 1111", "111111111111/Developer");
    tab_completes(&mut p, "okta-aws-use wo", "work");
    tab_completes(
        &mut p,
        "aws --profile work sts get-caller-i",
        "get-caller-identity",
    );
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
    // zsh
    let mut p = spawn(&s, "zsh", &["-f", "-i"]);
    p.send_line("stty echo; eval \"$(okta-aws init zsh --alias-aws)\"; PS1='READ''Y> '")
        .unwrap();
    p.exp_string("READY> ").unwrap();
    tab_completes(&mut p, "okta-aws env --role 2222", "222222222222/Admin");
    tab_completes(&mut p, "okta-aws-use wo", "work");
    tab_completes(&mut p, "aws sts get-caller-i", "get-caller-identity");
    p.send_line("exit").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn credential_process_serves_the_aws_cli_from_the_cache() {
    let s = sandbox();
    let aws_config = s.home().join(".aws/config");
    std::fs::create_dir_all(aws_config.parent().unwrap()).unwrap();
    std::fs::write(
        &aws_config,
        format!(
            "[profile okta-work]\ncredential_process = {} credential-process --profile work\n",
            env!("CARGO_BIN_EXE_okta-aws")
        ),
    )
    .unwrap();
    let run = s.run("okta-aws", &["credential-process", "--profile", "work"]);
    let json: serde_json::Value = serde_json::from_str(&run.success().stdout()).unwrap();
    assert_eq!(json["Version"], 1);
    for key in ["AccessKeyId", "SecretAccessKey", "SessionToken"] {
        assert!(json[key].as_str().is_some_and(|v| !v.is_empty()), "{key}");
    }
    let expiration = json["Expiration"].as_str().unwrap();
    humantime::parse_rfc3339(expiration).expect("RFC 3339");
    let logins = s.okta.count("GET", "/home/amazon_aws/");
    for _ in 0..2 {
        let run = s.run(
            "aws",
            &["--profile", "okta-work", "sts", "get-caller-identity"],
        );
        assert!(
            run.success().stdout().contains("assumed-role/Developer/"),
            "{}",
            run.stdout()
        );
    }
    assert_eq!(
        s.okta.count("GET", "/home/amazon_aws/"),
        logins,
        "served from the cache"
    );
}

#[test]
fn credential_process_without_a_terminal_fails_at_once_with_the_setting() {
    let mut s = sandbox();
    s.set("OKTA_PASSWORD_CMD", None);
    let started = std::time::Instant::now();
    s.run("okta-aws", &["credential-process"])
        .fails_with("no terminal");
    assert!(started.elapsed().as_secs() < 10);
    // The AWS CLI passes the message on.
    let aws_config = s.home().join(".aws/config");
    std::fs::create_dir_all(aws_config.parent().unwrap()).unwrap();
    std::fs::write(
        &aws_config,
        format!(
            "[profile okta]\ncredential_process = {} credential-process\n",
            env!("CARGO_BIN_EXE_okta-aws")
        ),
    )
    .unwrap();
    let run = s.run("aws", &["--profile", "okta", "sts", "get-caller-identity"]);
    assert_ne!(run.code(), 0);
    assert!(
        run.stderr().contains("OKTA_PASSWORD_CMD"),
        "{}",
        run.stderr()
    );
}

#[test]
fn roles_and_profiles_come_from_the_cache_and_the_config() {
    let s = sandbox();
    s.run("okta-aws", &["roles"])
        .fails_with("no cached session");
    std::fs::write(
        s.home().join(".okta/config.legacy.properties"),
        "OKTA_AWS_ROLE_TO_ASSUME=Admin\n",
    )
    .unwrap();
    let profiles = s.run("okta-aws", &["profiles"]).success().stdout();
    assert_eq!(profiles, "work\nlegacy\n");

    s.run("okta-aws", &["login"]).success();
    let logins = s.okta.count("GET", "/home/amazon_aws/");
    let roles = s.run("okta-aws", &["roles"]).success().stdout();
    assert_eq!(roles, format!("{DEV_ROLE}\n{ADMIN_ROLE}\n"));
    let json = s.run("okta-aws", &["roles", "--json"]).success().stdout();
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json[1]["account_id"], "222222222222");
    assert_eq!(json[1]["role_name"], "Admin");
    assert_eq!(json[1]["role_arn"], ADMIN_ROLE);
    assert_eq!(json[1]["provider_arn"], provider_for(ADMIN_ROLE));
    assert_eq!(s.okta.count("GET", "/home/amazon_aws/"), logins, "no login");
    s.run("okta-aws", &["roles", "--refresh"]).success();
    assert_eq!(s.okta.count("GET", "/home/amazon_aws/"), logins + 1);
}
