//! Trust in files (SPEC "Trust"): names and values that the INI format cannot hold are
//! refused, `configure`'s answers read back as typed, files that others can write are not
//! trusted, and nothing a crash leaves behind holds a secret for long.

use rexpect::session::PtySession;

use crate::harness::*;
use crate::pty::{exit_code, spawn};

const BEFORE: &str =
    "# mine\nOKTA_USERNAME=alice@example.com\n\n[other]\nokta_org = other.okta.com\n";

/// A sandbox whose Okta settings come from the config file only.
fn sandbox() -> Sandbox {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    for key in ["OKTA_ORG", "OKTA_AWS_APP_URL", "OKTA_USERNAME"] {
        s.set(key, None);
    }
    s.write_config(BEFORE);
    s
}

// ---------- names we write (issue 11 item 7) ----------

#[test]
fn a_profile_name_that_would_write_a_second_section_is_refused() {
    let s = sandbox();
    for name in ["x]\n[work", "x]", "x\r", " x"] {
        let run = s.run("okta-aws", &["configure", "--profile", name]);
        run.fails_with("cannot be a section of");
        assert_eq!(run.stderr().lines().count(), 2, "{}", run.stderr());
        assert_eq!(std::fs::read_to_string(s.config_file()).unwrap(), BEFORE);
    }
    // refused before any question is asked, on a terminal too
    let mut p = spawn(&s, "okta-aws", &["configure", "--profile", "x]\n[work"]);
    p.exp_string("cannot be a section of").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 1);
    assert_eq!(std::fs::read_to_string(s.config_file()).unwrap(), BEFORE);
}

// ---------- configure's answers (issue 10 item 8) ----------

fn answer(p: &mut PtySession, prompt: &str, typed: &str) {
    p.exp_string(prompt).unwrap();
    p.send_line(typed).unwrap();
}

/// The refusal shown after an answer, up to the question asked again.
fn refusal(p: &mut PtySession, asked_again: &str) -> String {
    let seen = p.exp_string(asked_again).unwrap();
    assert!(!seen.contains("command line"), "{seen}");
    seen
}

#[test]
fn a_profile_inherits_the_top_section_and_answers_read_back_as_typed() {
    let s = sandbox();
    let (org, app) = (s.okta.base_url(), s.okta.app_url());
    let top = format!("OKTA_ORG={org}\nOKTA_AWS_APP_URL={app}\n");
    s.write_config(&top);

    let mut p = spawn(&s, "okta-aws", &["configure", "--profile", "dev"]);
    // org and app link: the top section's, kept by Enter
    answer(&mut p, &format!("[{org}, from the top section]:"), "");
    p.exp_string(&format!("[{app}, from the top section]:"))
        .unwrap();
    p.send_line("acme.okta.com/home").unwrap();
    let seen = refusal(&mut p, "AWS app embed link");
    assert!(seen.contains("in your answer"), "{seen}");
    p.send_line("").unwrap();
    answer(&mut p, "OIDC client id", "");
    // a trailing backslash would join the next line in the file: refused, asked again
    answer(&mut p, "Okta user name", &format!("{LOGIN}\\"));
    let seen = refusal(&mut p, "Okta user name");
    assert!(seen.contains("backslash"), "{seen}");
    p.send_line(LOGIN).unwrap();
    // the factor is checked for form
    answer(&mut p, "MFA factor", "OKTA push");
    let seen = refusal(&mut p, "MFA factor");
    assert!(seen.contains("PROVIDER.type"), "{seen}");
    p.send_line("OKTA.push").unwrap();
    answer(&mut p, "Role:", "Developer");
    answer(&mut p, "AWS region", "");
    p.exp_string("Wrote dev").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    assert_eq!(
        std::fs::read_to_string(s.config_file()).unwrap(),
        format!(
            "{top}\n[dev]\nOKTA_USERNAME = {LOGIN}\nOKTA_MFA_CHOICE = OKTA.push\nOKTA_AWS_ROLE_TO_ASSUME = Developer\n"
        )
    );
    s.run("okta-aws", &["login", "--profile", "dev"]).success();

    // `]`, `[`, `=`, `;` and `#` in a value are stored as typed, starting no section (the
    // config reader reading it back identical: the ini_edit property tests)
    let mut p = spawn(&s, "okta-aws", &["configure", "--profile", "odd"]);
    answer(&mut p, "Okta org", "");
    answer(&mut p, "AWS app embed link", "");
    answer(&mut p, "OIDC client id", "");
    answer(&mut p, "Okta user name", "x]=[y] ;z #w");
    answer(&mut p, "MFA factor", "");
    answer(&mut p, "Role:", "");
    answer(&mut p, "AWS region", "");
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&p), 0);
    let written = std::fs::read_to_string(s.config_file()).unwrap();
    assert!(
        written.ends_with("\n[odd]\nOKTA_USERNAME = x]=[y] ;z #w\n"),
        "{written}"
    );
    assert_eq!(
        s.run("okta-aws", &["profiles"]).success().stdout(),
        "dev\nodd\n"
    );
}

// ---------- files others can write (issue 11 item 3) ----------

const OTHER_UID: u32 = 1000;

fn cache_dir(s: &Sandbox) -> std::path::PathBuf {
    s.home().join(".okta/cache")
}

fn key_of(s: &Sandbox) -> String {
    let run = s.run(
        "okta-aws",
        &["exec", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"],
    );
    run.success();
    run.stdout().trim().to_string()
}

fn chmod(path: &std::path::Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_cache_directory_others_can_write_is_refused_and_a_foreign_file_is_not_used() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
    s.run("okta-aws", &["login"]).success();
    let cache = cache_dir(&s);

    chmod(&cache, 0o777);
    let run = s.run("okta-aws", &["login", "--force"]);
    run.fails_with("writable by others (mode 0777)");
    assert!(
        run.stderr().contains(cache.to_str().unwrap()),
        "{}",
        run.stderr()
    );
    chmod(&cache, 0o700);

    // ~/.aws/credentials that others can read: a warning before secrets go in
    chmod(&s.credentials_file(), 0o644);
    let run = s.run("okta-aws", &["login", "--force"]);
    run.success();
    assert!(
        run.stderr().contains("is readable by others (mode 0644)"),
        "{}",
        run.stderr()
    );

    // A session file of another user is not used (a planted session): warned, logged in anew.
    let first = key_of(&s);
    let session = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(".session.json"))
        .expect("a cached session");
    std::os::unix::fs::chown(&session, Some(OTHER_UID), Some(OTHER_UID)).unwrap();
    let run = s.run(
        "okta-aws",
        &["exec", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"],
    );
    run.success();
    assert!(
        run.stderr()
            .contains(&format!("belongs to another user (uid {OTHER_UID})")),
        "{}",
        run.stderr()
    );
    let warned = format!("uid {OTHER_UID}");
    assert_eq!(run.stderr().matches(&warned).count(), 1, "{}", run.stderr());
    assert_ne!(run.stdout().trim(), first);
}

/// `sudo` keeping HOME: root's login leaves nothing in the user's HOME that the user cannot
/// use, and the user (a second uid, through `setpriv`) goes on from there.
#[test]
fn root_with_a_users_home_leaves_the_files_to_that_user() {
    use std::os::unix::fs::MetadataExt;
    let s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    chmod(s.dir.path(), 0o755);
    chmod(&s.dir.path().join("password.txt"), 0o644);
    let home = s.home();
    std::os::unix::fs::chown(&home, Some(OTHER_UID), Some(OTHER_UID)).unwrap();

    s.run("okta-aws", &["login", "--role", "Developer"])
        .success();
    let mut seen = 0;
    for entry in walk(&home) {
        let meta = std::fs::symlink_metadata(&entry).unwrap();
        assert_eq!(meta.uid(), OTHER_UID, "{} belongs to root", entry.display());
        seen += 1;
    }
    assert!(seen >= 5, "{seen} files");

    // the user's own runs: the cached session, then a new login writing the same files
    let as_user = |args: &[&str]| {
        let command = s.command("okta-aws", args);
        let mut setpriv = std::process::Command::new("setpriv");
        setpriv
            .args([
                &format!("--reuid={OTHER_UID}"),
                &format!("--regid={OTHER_UID}"),
                "--clear-groups",
            ])
            .arg(command.get_program())
            .args(command.get_args())
            .env_clear()
            .envs(command.get_envs().filter_map(|(k, v)| Some((k, v?))));
        run_detached(setpriv)
    };
    as_user(&["status"]).success();
    as_user(&["login", "--role", "Developer", "--force"]).success();
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            all.extend(walk(&path));
        }
        all.push(path);
    }
    all
}

// ---------- leftovers (issue 11 item 9) ----------

/// What a writer SIGKILLed between writing its temporary file and renaming it leaves.
fn leftover(dir: &std::path::Path, name: &str, age_secs: u64) -> std::path::PathBuf {
    let path = dir.join(name);
    let file = std::fs::File::create(&path).unwrap();
    std::io::Write::write_all(&mut &file, b"{\"secret_access_key\":\"LEFTOVER\"}").unwrap();
    let when = std::time::SystemTime::now() - std::time::Duration::from_secs(age_secs);
    file.set_modified(when).unwrap();
    path
}

#[test]
fn temporaries_left_by_a_killed_write_are_removed() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
    s.run("okta-aws", &["login"]).success();
    let cache = cache_dir(&s);
    // stale ones go at the next write; a fresh one may be another writer's, mid-write
    let stale = leftover(&cache, ".tmpK1ll3d", 3600);
    let fresh = leftover(&cache, ".tmpFr3sh0", 0);
    s.run("okta-aws", &["login", "--force"]).success();
    assert!(!stale.exists());
    assert!(fresh.exists());
    // logout --all removes every one
    s.run("okta-aws", &["logout", "--all"]).success();
    assert!(!fresh.exists());
    let names: Vec<_> = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn a_fifo_as_the_credentials_file_or_a_cache_file_is_refused_at_once() {
    let mut s = Sandbox::new(scenario(user_with(vec![]), two_roles()));
    s.set("OKTA_AWS_ROLE_TO_ASSUME", Some("Developer"));
    let fifo = |path: &std::path::Path| {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    };
    // a cache file: ignored (a miss), never waited on
    let session = cache_dir(&s).join("top.session.json");
    fifo(&session);
    std::fs::set_permissions(
        cache_dir(&s),
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    let run = s.run("okta-aws", &["status"]);
    assert!(
        run.stderr().contains("is not a regular file"),
        "{}",
        run.stderr()
    );
    // the credentials file: refused, left as it is
    let credentials = s.credentials_file();
    fifo(&credentials);
    let run = s.run("okta-aws", &["login"]);
    run.fails_with("is not a regular file");
    assert!(
        run.stderr().contains(credentials.to_str().unwrap()),
        "{}",
        run.stderr()
    );
    let kind = std::fs::symlink_metadata(&credentials).unwrap().file_type();
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&kind));
}
