//! What every network-bound command needs before its first request: a single-threaded async
//! runtime.
//!
//! The cached path never comes here: it starts no runtime and resolves no names.

/// A current-thread tokio runtime: a login is a short chain of requests (and a bounded fan-out
/// for `--all-roles`), so one thread is enough and starts fastest.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    crate::prompt::log::debug("starting the network runtime");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Whether a URL's host is this machine: `localhost` or a loopback address. Plain http is
/// allowed only there (tests, the demo).
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}
