//! `awscli ARGS…` behaves as `okta-aws exec -- aws ARGS…`.
//!
//! On GNU/Linux this binary is glibc's `main` itself (`no_main`): std's start-up, run before
//! a Rust `main`, costs more than all the rest of a cached `awscli` (about 0.2 ms here, most
//! of it reading `/proc/self/maps` to find the main thread's stack guard, for the "stack
//! overflow" message), and `awscli` runs before every `aws` command. std needs none of it:
//! glibc hands it the arguments. `okta_aws::cli::awscli::lean_start` keeps the part that
//! matters (the standard descriptors) and the exit status of a panic.
//! (Not in `cargo test`'s build of this file: its harness brings its own `main`.)
#![cfg_attr(all(target_os = "linux", target_env = "gnu", not(test)), no_main)]

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn main() {
    std::process::exit(okta_aws::cli::awscli::awscli_main());
}

/// The C entry point glibc calls. It never returns: `process::exit` flushes stdout.
#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
#[unsafe(no_mangle)]
extern "C" fn main(
    _argc: std::ffi::c_int,
    _argv: *const *const std::ffi::c_char,
) -> std::ffi::c_int {
    std::process::exit(okta_aws::cli::awscli::lean_start())
}
