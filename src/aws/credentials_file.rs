//! ~/.aws/credentials and ~/.aws/config: where they are, and writing our sections into them
//! without disturbing anything else (see `ini_edit` and `atomic_file`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::AwsCredentials;
use crate::files::atomic_file::update_file;
use crate::files::home::{expand_tilde, home_dir};
use crate::files::ini_edit::IniDocument;

/// The keys this tool writes into a credentials section.
pub const MANAGED_KEYS: [&str; 4] = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "x_security_token_expires",
];

/// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
pub fn credentials_path() -> PathBuf {
    aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials")
}

/// The AWS CLI's config file: `AWS_CONFIG_FILE`, else `~/.aws/config`.
pub fn aws_config_path() -> PathBuf {
    aws_file("AWS_CONFIG_FILE", "config")
}

fn aws_file(variable: &str, name: &str) -> PathBuf {
    match std::env::var(variable) {
        Ok(p) if !p.is_empty() => expand_tilde(&p),
        _ => home_dir().join(".aws").join(name),
    }
}

/// Write (or update) one section's four keys; everything else in the file stays as it was.
pub fn write_credentials(path: &Path, section: &str, credentials: &AwsCredentials) -> Result<()> {
    write_many_credentials(path, &[(section.to_string(), credentials.clone())])
}

/// Write several sections in one locked, atomic update.
pub fn write_many_credentials(path: &Path, sections: &[(String, AwsCredentials)]) -> Result<()> {
    update_file(path, |text| {
        let mut doc = IniDocument::parse(text);
        for (section, credentials) in sections {
            let values = [
                credentials.access_key_id.as_str(),
                credentials.secret_access_key.as_str(),
                credentials.session_token.as_str(),
                &credentials.expiration_rfc3339(),
            ];
            for (key, value) in MANAGED_KEYS.iter().zip(values) {
                doc.set(section, key, value);
            }
        }
        Ok(doc.render())
    })
    .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Remove the keys this tool writes from these sections; a section left with no key goes
/// too. Other sections, comments and keys stay as they were.
pub fn remove_credentials(path: &Path, sections: &[String]) -> Result<bool> {
    if sections.is_empty() || !path.exists() {
        return Ok(false);
    }
    update_file(path, |text| {
        let mut doc = IniDocument::parse(text);
        for section in sections {
            for key in MANAGED_KEYS {
                doc.remove_key(section, key);
            }
            if doc.has_section(section) && doc.keys(section).is_empty() {
                doc.remove_section(section);
            }
        }
        Ok(doc.render())
    })
    .with_context(|| format!("editing {}", path.display()))
}

/// The ~/.aws/config section of a profile: `[default]`, else `[profile NAME]`.
pub fn config_section(profile: &str) -> String {
    if profile == "default" {
        profile.to_string()
    } else {
        format!("profile {profile}")
    }
}

/// Write (or update in place) a cross-account profile in ~/.aws/config: `role_arn` (the
/// target) and `source_profile` (the credentials section), plus `region` when set.
pub fn write_role_profile(
    path: &Path,
    profile: &str,
    role_arn: &str,
    source_profile: &str,
    region: Option<&str>,
) -> Result<()> {
    let section = config_section(profile);
    update_file(path, |text| {
        let mut doc = IniDocument::parse(text);
        doc.set(&section, "role_arn", role_arn);
        doc.set(&section, "source_profile", source_profile);
        if let Some(region) = region {
            doc.set(&section, "region", region);
        }
        Ok(doc.render())
    })
    .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
