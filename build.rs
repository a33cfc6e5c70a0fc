//! Release binaries on Linux/glibc are linked as position-dependent executables (`-no-pie`).
//!
//! Why: `okta-aws exec` and `awscli` run before every `aws` call, so their start-up is the
//! product's latency. A PIE binary of this size carries ~37,000 relative relocations that
//! the dynamic loader applies at every start, touching hundreds of pages; measured, that is
//! about a third of the cached path's cost. Without PIE there is nothing to relocate. The
//! price is that the executable image itself is not address-randomised (libraries, stack
//! and heap still are); the code is safe Rust. Debug builds (the tests) keep the default.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let release = std::env::var("PROFILE").as_deref() == Ok("release");
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    if release && linux_gnu {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
