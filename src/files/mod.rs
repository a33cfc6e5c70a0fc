//! General file tools, for the user's AWS files and okta-aws's own config alike: where the
//! home directory is, a line-preserving INI editor, and locked atomic replacement
//! (with Windows' own rules in `windows`).

pub mod atomic_file;
pub mod home;
pub mod ini_edit;
#[cfg(windows)]
pub mod windows;
