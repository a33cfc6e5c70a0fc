//! The version `--version` shows, as a compile-time constant (`OKTA_AWS_VERSION`):
//! `0.1.0 (28c5460 2026-11-28)` — the commit and its date — in a build from a git checkout,
//! the plain `0.1.0` otherwise (a crate tarball, no `git` installed).
//!
//! And one link change for `awscli` on GNU/Linux (`static_unwinder_for_awscli`); otherwise
//! the binaries keep rustc's defaults on Linux (a dynamic PIE with full RELRO, linked against
//! the system's libc), which `tests/release/hardening.rs` checks.
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let package_version = std::env::var("CARGO_PKG_VERSION").unwrap();
    let version = match git_commit(&manifest_dir) {
        Some(commit) => format!("{package_version} ({commit})"),
        None => package_version,
    };
    println!("cargo:rustc-env=OKTA_AWS_VERSION={version}");
    static_unwinder_for_awscli();
}

/// `awscli` (run before every `aws` command) gets GCC's unwinder linked in, from
/// `libgcc_eh.a`, instead of loading `libgcc_s.so.1` at each start: that shared library is
/// only std's unwinder (panics, backtraces), and opening, mapping and relocating it — and
/// its constructor's CPU probe, slow in a VM — cost about 0.1 ms of a cached `awscli`
/// (`scripts/bench`). This is what `gcc -static-libgcc` does; libc stays the system's.
///
/// rustc links the unwinder as `-lgcc_s`, and the linker takes the first `libgcc_s.*` on its
/// search path: a directory named first that holds a `libgcc_s.a` linker script pointing at
/// `libgcc_eh.a` makes it that. Only for a native GNU/Linux build whose C compiler has
/// `libgcc_eh.a`; anything else keeps the default.
fn static_unwinder_for_awscli() {
    let target = std::env::var("TARGET").unwrap_or_default();
    let native = std::env::var("HOST").is_ok_and(|host| host == target);
    if !native || !target.ends_with("-linux-gnu") {
        return;
    }
    let Some(libgcc_eh) = c_compiler_file("libgcc_eh.a") else {
        return;
    };
    let dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("static-libgcc");
    std::fs::create_dir_all(&dir).unwrap();
    let script = format!("INPUT(\"{}\")\n", libgcc_eh.display());
    std::fs::write(dir.join("libgcc_s.a"), script).unwrap();
    println!("cargo:rustc-link-arg-bin=awscli=-L{}", dir.display());
}

/// The absolute path of one of the C compiler's own files (`cc -print-file-name`), when it
/// has it: the compiler prints the bare name back otherwise.
fn c_compiler_file(name: &str) -> Option<PathBuf> {
    println!("cargo:rerun-if-env-changed=CC");
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_string());
    let output = Command::new(cc)
        .arg(format!("-print-file-name={name}"))
        .output()
        .ok()?;
    let path = PathBuf::from(String::from_utf8(output.stdout).ok()?.trim());
    (output.status.success() && path.is_absolute() && path.is_file()).then_some(path)
}

/// `28c5460 2026-11-28`: the checked-out commit, abbreviated, and its commit date — when
/// `dir` is the top of a git work tree.
fn git_commit(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != dir.canonicalize().ok()? {
        // A crate unpacked inside some other repository: a packager's tree, or cargo
        // package's verification under target/. Not that repository's commit, so none.
        // The verification also shares target/ — and this script's output — with the
        // checkout it came from, which would then keep this plain version; naming a file
        // that never exists makes cargo run the script again at every build, the
        // checkout's next one included.
        let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
        println!(
            "cargo:rerun-if-changed={}",
            out_dir.join("not-a-checkout").display()
        );
        return None;
    }
    watch_head(dir);
    git(dir, &["log", "-1", "--abbrev=7", "--format=%h %cs"])
}

/// Build again when HEAD moves: a commit (the branch's ref, loose or packed) or a checkout
/// (HEAD itself). Only files that exist are named: cargo reruns a script at every build
/// while a named file is missing.
fn watch_head(dir: &Path) {
    let mut paths = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        paths.push(branch);
    }
    for path in paths {
        if let Some(file) = git(dir, &["rev-parse", "--git-path", &path]) {
            let file = dir.join(file);
            if file.exists() {
                println!("cargo:rerun-if-changed={}", file.display());
            }
        }
    }
}

/// One line of `git`'s output in `dir`; `None` when git is missing or fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let line = text.trim();
    (output.status.success() && !line.is_empty()).then(|| line.to_string())
}
