//! What every network-bound command needs before its first request: a single-threaded async
//! runtime, and (in the static Linux build) name lookups pinned to glibc's built-in services.
//!
//! The cached path never comes here: it starts no runtime and resolves no names.

/// A current-thread tokio runtime: a login is a short chain of requests (and a bounded fan-out
/// for `--all-roles`), so one thread is enough and starts fastest.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    crate::prompt::log::debug("starting the network runtime");
    pin_name_services();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// In the static glibc build (see `.cargo/config.toml`), restrict host and user lookups to
/// the `files` and `dns` services, which are built into the static libc.
///
/// Why: for any other service named in /etc/nsswitch.conf (`mdns4_minimal`, `resolve`,
/// `myhostname`, `sss`, …) a static glibc would `dlopen` the system's NSS module, which is
/// linked against the system's own libc: undefined behaviour when the versions differ.
/// `__nss_configure_lookup` (declared in glibc's <nss.h>) is glibc's documented way for a
/// static program to choose its services. Hosts still come from /etc/hosts and the
/// nameservers in /etc/resolv.conf, which on systemd machines is resolved's stub resolver.
///
/// Called just before the code that may look names up (`runtime`, and the home directory's
/// password-database fallback), not at start-up, so the cached path does no NSS work.
pub fn pin_name_services() {
    #[cfg(all(target_os = "linux", target_env = "gnu", target_feature = "crt-static"))]
    {
        static PINNED: std::sync::Once = std::sync::Once::new();
        PINNED.call_once(|| {
            unsafe extern "C" {
                fn __nss_configure_lookup(
                    database: *const libc::c_char,
                    services: *const libc::c_char,
                ) -> libc::c_int;
            }
            for (database, services) in [(c"hosts", c"files dns"), (c"passwd", c"files")] {
                // SAFETY: both are NUL-terminated static strings; glibc copies what it keeps.
                // Called once, before any lookup (the Once), as glibc requires.
                unsafe {
                    __nss_configure_lookup(database.as_ptr(), services.as_ptr());
                }
            }
        });
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::ToSocketAddrs;

    /// After pinning, names still resolve through /etc/hosts (the `files` service), which is
    /// what a static build would lose if the pin named a service libc does not carry.
    #[test]
    fn pinned_lookups_still_resolve_localhost() {
        pin_name_services();
        let addrs: Vec<_> = ("localhost", 80)
            .to_socket_addrs()
            .expect("localhost resolves")
            .collect();
        assert!(addrs.iter().any(|a| a.ip().is_loopback()), "{addrs:?}");
    }
}
