//! The process's environment read in one pass, for `awscli`'s hot path: settings look up
//! some 30 names (`values`), each a `getenv` — a scan of the whole environment — and a copy
//! through std; and the real `aws` is started with the environment as it is, a few names
//! changed (cli/direct_exec.rs), where std's `Command` copies all of it.
//!
//! On GNU/Linux the entries are glibc's own `NAME=value` strings, read in place; elsewhere
//! `values` asks std for each name.

/// The value of each of `names` in the environment, as `std::env::var(name).ok()` gives
/// it: the first entry of that name, `None` when there is none or it is not UTF-8.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn values(names: &[&'static str]) -> Vec<(&'static str, Option<String>)> {
    let wanted = Names::new(names.iter().copied());
    let mut found: Vec<(&'static str, Option<String>)> = Vec::new();
    for entry in entries() {
        let entry = entry.to_bytes();
        let name = name_of(entry);
        let Some(at) = wanted.position(name) else {
            continue;
        };
        if found.iter().all(|(n, _)| *n != names[at]) {
            let value = entry.get(name.len() + 1..).unwrap_or_default();
            let text = std::str::from_utf8(value).ok().map(str::to_string);
            found.push((names[at], text));
        }
    }
    found
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
/// A few variable names, to be found among an environment's: most entries are none of
/// them, which their first byte says at once.
pub struct Names<'a> {
    names: Vec<&'a [u8]>,
    first_bytes: [bool; 256],
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
impl<'a> Names<'a> {
    pub fn new(names: impl Iterator<Item = &'a str>) -> Names<'a> {
        let names: Vec<&[u8]> = names.map(str::as_bytes).collect();
        let mut first_bytes = [false; 256];
        for name in &names {
            if let Some(&b) = name.first() {
                first_bytes[usize::from(b)] = true;
            }
        }
        Names { names, first_bytes }
    }

    /// Where `name` is among them.
    pub fn position(&self, name: &[u8]) -> Option<usize> {
        let &first = name.first()?;
        if !self.first_bytes[usize::from(first)] {
            return None;
        }
        self.names.iter().position(|n| *n == name)
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn values(names: &[&'static str]) -> Vec<(&'static str, Option<String>)> {
    names
        .iter()
        .filter_map(|&name| Some((name, Some(std::env::var(name).ok()?))))
        .collect()
}

/// The environment's entries, `NAME=value`, as glibc keeps them.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn entries() -> impl Iterator<Item = &'static std::ffi::CStr> {
    // SAFETY: `environ` is glibc's null-terminated array of NUL-terminated strings (or
    // null, after `clearenv`). Only `set_var` and `remove_var` change it, whose callers
    // must make sure that no other thread reads the environment meanwhile (their safety
    // contract); this crate calls neither.
    let mut next = unsafe { libc::environ }.cast_const();
    std::iter::from_fn(move || {
        // SAFETY: `next` is null or within the array, which ends with a null entry, where
        // this stops.
        let entry = unsafe { next.as_ref() }.copied().filter(|p| !p.is_null())?;
        // SAFETY: as above; each entry is a valid C string, never freed (see above).
        unsafe {
            next = next.add(1);
            Some(std::ffi::CStr::from_ptr(entry))
        }
    })
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
/// `NAME` of `NAME=value`: up to the first `=` after the first byte (a name may begin with
/// `=`, as std reads it); the whole entry when it has none.
pub fn name_of(entry: &[u8]) -> &[u8] {
    let end = entry
        .iter()
        .skip(1)
        .position(|&b| b == b'=')
        .map_or(entry.len(), |i| i + 1);
    &entry[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn a_name_ends_at_its_first_equals_sign_after_the_first_byte() {
        assert_eq!(name_of(b"AWS_PROFILE=dev"), b"AWS_PROFILE");
        assert_eq!(name_of(b"A=b=c"), b"A");
        assert_eq!(name_of(b"A="), b"A");
        assert_eq!(name_of(b"=C:=C:\\"), b"=C:");
        assert_eq!(name_of(b"NOEQUALS"), b"NOEQUALS");
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn names_are_found_by_the_whole_name() {
        let names = Names::new(["AWS_PROFILE", "AWS_REGION", "OKTA_ORG"].into_iter());
        assert_eq!(names.position(b"AWS_REGION"), Some(1));
        assert_eq!(names.position(b"OKTA_ORG"), Some(2));
        assert_eq!(names.position(b"AWS_REGIO"), None);
        assert_eq!(names.position(b"AWS_REGIONS"), None);
        assert_eq!(names.position(b"PATH"), None);
        assert_eq!(names.position(b""), None);
    }

    #[test]
    fn values_are_those_std_reads() {
        let names = ["PATH", "HOME", "OKTA_AWS_SURELY_UNSET_IN_TESTS"];
        let mut read = values(&names);
        read.sort();
        let mut expected: Vec<_> = names
            .iter()
            .filter_map(|&n| Some((n, Some(std::env::var(n).ok()?))))
            .collect();
        expected.sort();
        assert_eq!(read, expected);
    }
}
