//! What a release ships, checked: the build's hardening (PIE, full RELRO, the system's libc)
//! and the version the binaries name.
//!
//! No network and no fake Okta: these tests look at the binaries and the tree only.

mod hardening;
mod version;
