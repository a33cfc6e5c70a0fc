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
