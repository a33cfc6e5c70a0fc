//! General file tools, for the user's AWS files and okta-aws's own config alike: where the
//! home directory is, a line-preserving INI editor, locked atomic replacement, and whose
//! files we trust and hand over (`trust`, Unix), and Windows' own rules for replacing and
//! restricting files (`windows`).

pub mod atomic_file;
pub mod home;
pub mod ini_edit;
pub mod trust;
#[cfg(windows)]
pub mod windows;
