//! Loading the recordings.

use std::path::PathBuf;

pub fn dir(kind: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/recorded")
        .join(kind)
}

/// Every recording of one kind, as (file name, content), sorted by name.
pub fn all(kind: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir(kind))
        .unwrap_or_else(|e| panic!("{}: {e}", dir(kind).display()))
        .map(|entry| {
            let path = entry.expect("directory entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (name, text)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no recordings of {kind}");
    files
}

pub fn one(kind: &str, name: &str) -> String {
    let path = dir(kind).join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every recording has an expectation and every expectation a recording: a file added
/// without saying what it should give fails here.
pub fn assert_covered(kind: &str, expected: &[&str]) {
    let names: Vec<String> = all(kind).into_iter().map(|(name, _)| name).collect();
    let mut wanted: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    wanted.sort();
    assert_eq!(names, wanted, "recordings of {kind} vs the test's table");
}
