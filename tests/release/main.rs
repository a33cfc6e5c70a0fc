//! What a release ships, checked: the build's hardening (PIE, full RELRO, the system's libc).
//!
//! No network and no fake Okta: these tests look at the binaries only.

mod hardening;
