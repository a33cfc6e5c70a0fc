//! The lean `awscli`: its hot path (a cached session → exec the real `aws`) links no HTTP,
//! TLS, async runtime or AWS SDK code; a cache miss is handed to `okta-aws`. The linker drops
//! whatever `awscli`'s entry point cannot reach, so a call into the login from that path
//! would pull these crates back in, and this test would name them.

#![cfg(all(target_os = "linux", target_env = "gnu"))]

use goblin::elf::Elf;
use goblin::elf::sym::STT_FILE;

/// Crates only a login needs (symbol names carry their crate's name, mangled or not).
const LOGIN_ONLY_CRATES: [&str; 8] = [
    "reqwest",
    "hyper",
    "rustls",
    "tokio",
    "aws_sdk_sts",
    "aws_smithy",
    "aws_config",
    "scraper",
];

/// The crates of `LOGIN_ONLY_CRATES` that the binary's symbol table names.
fn login_crates_linked(binary: &str) -> Vec<&'static str> {
    let bytes = std::fs::read(binary).unwrap();
    let elf = Elf::parse(&bytes).unwrap();
    let names: Vec<&str> = elf
        .syms
        .iter()
        // Code and data, not the names of the object files the linker read.
        .filter(|sym| sym.st_type() != STT_FILE)
        .filter_map(|sym| elf.strtab.get_at(sym.st_name))
        .collect();
    assert!(
        names.len() > 1000,
        "{binary} has no symbol table to check (a stripped build?)"
    );
    LOGIN_ONLY_CRATES
        .into_iter()
        .filter(|krate| names.iter().any(|name| name.contains(krate)))
        .collect()
}

#[test]
fn awscli_links_no_network_code() {
    assert_eq!(
        login_crates_linked(env!("CARGO_BIN_EXE_awscli")),
        Vec::<&str>::new()
    );
    // The check sees them where they are: okta-aws, which logs in.
    let in_okta_aws = login_crates_linked(env!("CARGO_BIN_EXE_okta-aws"));
    assert!(
        in_okta_aws.contains(&"reqwest") && in_okta_aws.contains(&"aws_sdk_sts"),
        "{in_okta_aws:?}"
    );
}

/// `awscli` loads no shared library but libc (and the loader): std's unwinder is linked in
/// from GCC's `libgcc_eh.a` (build.rs), not loaded from `libgcc_s.so.1` at each start. Where
/// the C compiler has no `libgcc_eh.a`, build.rs keeps the default, and so does this test.
#[test]
fn awscli_loads_only_libc() {
    let has_libgcc_eh = std::process::Command::new("cc")
        .arg("-print-file-name=libgcc_eh.a")
        .output()
        .is_ok_and(|out| {
            std::path::Path::new(String::from_utf8_lossy(&out.stdout).trim()).is_absolute()
        });
    if !has_libgcc_eh {
        eprintln!("skipped: the C compiler has no libgcc_eh.a");
        return;
    }
    let bytes = std::fs::read(env!("CARGO_BIN_EXE_awscli")).unwrap();
    let elf = Elf::parse(&bytes).unwrap();
    let libraries: Vec<&str> = elf
        .libraries
        .iter()
        .copied()
        .filter(|name| !name.starts_with("ld-linux"))
        .collect();
    assert_eq!(libraries, ["libc.so.6"]);
}
