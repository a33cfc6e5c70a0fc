//! ~/.aws/credentials and ~/.aws/config: where they are, and writing our sections into them
//! without disturbing anything else (see `ini_edit` and `atomic_file`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::AwsCredentials;
use crate::error::UserError;
use crate::files::atomic_file::update_file;
use crate::files::home::{expand_tilde, home_dir};
use crate::files::ini_edit::{IniDocument, Unwritable};

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

/// The AWS CLI's files, when they exist, must be regular files (through symlinks): the AWS
/// SDK reads them before any STS call, and reading a FIFO there would hang for ever.
pub fn refuse_non_regular_aws_files() -> Result<()> {
    for path in [credentials_path(), aws_config_path()] {
        match std::fs::metadata(&path) {
            Ok(meta) if !meta.is_file() => {
                return Err(UserError::new(format!(
                    "{} is not a regular file; not touching it",
                    path.display()
                ))
                .hint("point AWS_SHARED_CREDENTIALS_FILE (or AWS_CONFIG_FILE) at a regular file")
                .into());
            }
            _ => {}
        }
    }
    Ok(())
}

/// Write (or update) one section's four keys; everything else in the file stays as it was.
pub fn write_credentials(path: &Path, section: &str, credentials: &AwsCredentials) -> Result<()> {
    write_many_credentials(path, &[(section.to_string(), credentials.clone())])
}

/// Write several sections in one locked, atomic update.
pub fn write_many_credentials(path: &Path, sections: &[(String, AwsCredentials)]) -> Result<()> {
    let set_all = |doc: &mut IniDocument| -> Result<()> {
        for (section, credentials) in sections {
            let values = [
                credentials.access_key_id.as_str(),
                credentials.secret_access_key.as_str(),
                credentials.session_token.as_str(),
                &credentials.expiration_rfc3339(),
            ];
            for (key, value) in MANAGED_KEYS.iter().zip(values) {
                doc.set(section, key, value)
                    .map_err(|e| unwritable(e, "the credentials section", section))?;
            }
        }
        Ok(())
    };
    // Refused before the file (or its lock) is touched.
    set_all(&mut IniDocument::default())?;
    warn_about_others_access(path);
    update_file(path, |text| {
        let mut doc = IniDocument::parse(text);
        set_all(&mut doc)?;
        Ok(doc.render())
    })
    .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// The credentials are the user's file: others being able to read or write it (or its
/// directory, or the file a symlink leads to) is worth a warning before secrets go in.
fn warn_about_others_access(path: &Path) {
    #[cfg(unix)]
    for warning in crate::files::trust::secret_file_warnings(path) {
        crate::prompt::log::warn(&warning);
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// A name or value the AWS CLI would not read back as written (a newline in a role name
/// from the assertion would start a section of its own): refused, and nothing is written.
fn unwritable(refused: Unwritable, what: &str, name: &str) -> anyhow::Error {
    UserError::new(format!(
        "cannot write {what} '{}': its {} {}",
        name.escape_debug(),
        refused.what,
        refused.reason
    ))
    .hint("profile and role names must hold no newline, control character or bracket; nothing was written")
    .into()
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

/// Whether `keys` can be written to the AWS CLI profile `profile` of ~/.aws/config so that
/// they read back as written: checked before the file (or its lock) is touched.
pub fn check_config_entry(profile: &str, keys: &[(&str, &str)]) -> Result<()> {
    let section = config_section(profile);
    let doc = IniDocument::default();
    for (key, value) in keys {
        doc.check_writable(&section, key, value)
            .map_err(|e| unwritable(e, "the AWS CLI profile", profile))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::UserError;

    fn credentials(token: &str) -> AwsCredentials {
        AwsCredentials {
            access_key_id: "ASIAEXAMPLE".to_string(),
            secret_access_key: "secret".to_string(),
            session_token: token.to_string(),
            expires_at: 1_900_000_000,
        }
    }

    const BEFORE: &str = "[default]\naws_access_key_id = MINE\n";

    /// A role name from a hostile assertion must not start a section of its own.
    #[test]
    fn names_and_values_that_would_not_read_back_are_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        std::fs::write(&path, BEFORE).unwrap();
        for (section, token) in [
            ("123456789012/x\n[default]", "t"),
            ("123456789012/x]", "t"),
            ("123456789012/x", "t\r\n[default]"),
        ] {
            let err = write_credentials(&path, section, &credentials(token)).unwrap_err();
            let user = err.downcast_ref::<UserError>().expect("a UserError");
            assert!(!user.cause.contains('\n'), "{}", user.cause);
            assert!(user.cause.starts_with("cannot write"), "{}", user.cause);
            assert_eq!(std::fs::read_to_string(&path).unwrap(), BEFORE);
        }
        assert!(check_config_entry("x\n[default]", &[("role_arn", "arn")]).is_err());
        assert!(check_config_entry("x", &[("region", "eu-west-1\n[default]")]).is_err());
        assert!(check_config_entry("x", &[("region", "eu-west-1")]).is_ok());
        // no lock file either: refused before the directory is touched
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn ordinary_names_are_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        write_credentials(&path, "123456789012/path/Role+=,.@-", &credentials("t")).unwrap();
        let doc = IniDocument::parse(&std::fs::read_to_string(&path).unwrap());
        let section = "123456789012/path/Role+=,.@-";
        assert_eq!(doc.get(section, "aws_session_token").as_deref(), Some("t"));
    }
}
