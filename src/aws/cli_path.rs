//! Finding the real `aws` program, never this tool's own `awscli` (which users alias as `aws`).

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::error::fail;
use crate::settings::keys::OKTA_AWS_CLI;

/// This tool's binaries, canonicalised: the running one and its siblings.
fn own_binaries() -> Vec<PathBuf> {
    let Ok(me) = std::env::current_exe() else {
        return Vec::new();
    };
    let mut own = vec![canonical(&me)];
    if let Some(dir) = me.parent() {
        for name in ["awscli", "okta-aws"] {
            own.push(canonical(&dir.join(name)));
        }
    }
    own
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `OKTA_AWS_CLI` when set, else the first `aws` on PATH that is not this tool.
pub fn find_real_aws(configured: Option<&str>) -> Result<PathBuf> {
    if let Some(path) = configured {
        let found = which::which(path).ok().filter(|p| p.is_file());
        return match found {
            Some(p) => Ok(p),
            None => fail(
                format!("{OKTA_AWS_CLI}={path} is not an executable file"),
                format!("set {OKTA_AWS_CLI} to the path of the AWS CLI (see `which -a aws`)"),
            ),
        };
    }
    let own = own_binaries();
    let candidates = which::which_all("aws")
        .map(|it| it.collect::<Vec<_>>())
        .unwrap_or_default();
    for candidate in candidates {
        if !own.contains(&canonical(&candidate)) {
            return Ok(candidate);
        }
    }
    fail(
        "the AWS CLI (`aws`) was not found on PATH",
        format!(
            "install it (pip install awscli, or AWS's installer), or set {OKTA_AWS_CLI} to its path"
        ),
    )
}
