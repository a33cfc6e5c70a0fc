//! GNU/Linux: become a program with a few environment variables changed, without std's
//! `Command`. With any variable changed, `Command::exec` copies the whole environment into
//! a map of owned strings and then into new C strings — two allocations and copies per
//! variable, on `awscli`'s hot path (it runs before every `aws` command). The environment
//! built here is a list of pointers instead: this process's own `NAME=value` strings, less
//! the names set or removed, then the few set, as C strings of their own.
//!
//! Otherwise as `Command::exec` does it: `argv[0]` is the program as given, a name without
//! `/` is looked up on PATH (this process's, which no caller changes) and a file the kernel
//! cannot run is run by `/bin/sh` (`execvpe` does both as `execvp` does), and SIGPIPE is
//! back at its default (std ignores it in `okta-aws`). Unlike it, the environment keeps its
//! order, and an entry without `=` or a name given twice passes on as it came.

use std::ffi::{CStr, CString, OsStr, OsString, c_char};
use std::os::unix::ffi::OsStrExt;

use crate::environ;

/// Replace this process with `program ARGS…`, with the variables `remove` names unset and
/// those of `set` set. Returns only with the reason it could not.
pub fn exec(
    program: &OsStr,
    args: &[OsString],
    remove: &[&str],
    set: &[(&str, &str)],
) -> std::io::Error {
    let argv_strings = match std::iter::once(program)
        .chain(args.iter().map(OsString::as_os_str))
        .map(|arg| c_string(arg.as_bytes()))
        .collect::<std::io::Result<Vec<_>>>()
    {
        Ok(strings) => strings,
        Err(e) => return e,
    };
    let set_strings = match set
        .iter()
        .map(|(name, value)| c_string(&[name.as_bytes(), b"=", value.as_bytes()].concat()))
        .collect::<std::io::Result<Vec<_>>>()
    {
        Ok(strings) => strings,
        Err(e) => return e,
    };
    let argv = null_terminated(argv_strings.iter().map(|s| s.as_ptr()));
    let changed = environ::Names::new(remove.iter().chain(set.iter().map(|(n, _)| n)).copied());
    let kept = environ::entries().filter(|entry| {
        changed
            .position(environ::name_of(entry.to_bytes()))
            .is_none()
    });
    let envp = null_terminated(
        kept.map(CStr::as_ptr)
            .chain(set_strings.iter().map(|s| s.as_ptr())),
    );
    // SAFETY: `signal` with a valid signal number and handler. `argv` and `envp` are
    // null-terminated arrays of pointers to NUL-terminated strings that outlive the call:
    // ours above, and the environment's own, which nothing changes meanwhile (see
    // `environ::entries`).
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        libc::execvpe(argv[0], argv.as_ptr(), envp.as_ptr());
    }
    std::io::Error::last_os_error()
}

/// An argument or variable as a C string: a NUL inside cannot be passed on (std's `Command`
/// refuses it the same way).
fn c_string(bytes: &[u8]) -> std::io::Result<CString> {
    CString::new(bytes).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "nul byte found in provided data",
        )
    })
}

fn null_terminated(pointers: impl Iterator<Item = *const c_char>) -> Vec<*const c_char> {
    pointers.chain(std::iter::once(std::ptr::null())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_inside_is_refused() {
        let error = exec(OsStr::new("/bin/true"), &[], &[], &[("A", "b\0c")]);
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    }
}
