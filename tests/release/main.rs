//! What a release ships, checked: the build's hardening (PIE, full RELRO, the system's libc),
//! the version the binaries name, and the man pages committed under `man/`.
//!
//! No network and no fake Okta: these tests look at the binaries and the tree only.

mod hardening;
mod lean_awscli;
mod man_pages;
mod version;
