//! What every network-bound command needs before its first request: a single-threaded async
//! runtime.
//!
//! The cached path never comes here: it starts no runtime and resolves no names.

/// A current-thread tokio runtime: a login is a short chain of requests (and a bounded fan-out
/// for `--all-roles`), so one thread is enough and starts fastest.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    crate::terminal::debug("starting the network runtime");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}
