//! Release binaries on Linux/glibc that are not already static (see `.cargo/config.toml`,
//! which makes them static and position-dependent) are linked as position-dependent
//! executables (`-no-pie`): a build from outside this directory (`cargo install okta-aws`)
//! does not read that config.
//!
//! Why: `okta-aws exec` and `awscli` run before every `aws` call, so their start-up is the
//! product's latency. A PIE binary of this size carries ~37,000 relative relocations that
//! the dynamic loader applies at every start, touching hundreds of pages; measured, that is
//! about a third of the cached path's cost. Without PIE there is nothing to relocate. The
//! price is that the executable image itself is not address-randomised (libraries, stack
//! and heap still are); the code is safe Rust. Debug builds keep the default.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let release = std::env::var("PROFILE").as_deref() == Ok("release");
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    // A static build chose its own relocation model; `-no-pie` would contradict a static-pie.
    let static_crt = std::env::var("CARGO_CFG_TARGET_FEATURE")
        .is_ok_and(|features| features.split(',').any(|f| f == "crt-static"));
    if release && linux_gnu && !static_crt {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
