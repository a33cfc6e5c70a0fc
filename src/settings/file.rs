//! okta-aws's config file: a top section of `KEY=value` lines (the Java tool's properties
//! format) and `[P]` sections, plus the Java tool's per-profile `config.P.properties` files
//! beside it. Keys are upper-cased here, so the file's are case-insensitive.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::keys::OKTA_AWS_CONFIG;
use crate::error::{UserError, fail};
use crate::files::home::{expand_tilde, home_dir};

/// okta-aws's config file: `OKTA_AWS_CONFIG`, else `~/.okta/config.properties`.
pub fn config_file_path() -> PathBuf {
    match std::env::var(OKTA_AWS_CONFIG) {
        Ok(p) if !p.is_empty() => expand_tilde(&p),
        _ => home_dir().join(".okta").join("config.properties"),
    }
}

/// The parsed config file: top section plus named sections, keys upper-cased.
#[derive(Debug, Default)]
pub struct ConfigFile {
    pub path: PathBuf,
    top: BTreeMap<String, String>,
    sections: Vec<(String, BTreeMap<String, String>)>,
}

impl ConfigFile {
    /// Read the file; a missing file is an empty one.
    pub fn load(path: &Path) -> Result<ConfigFile> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return fail(
                    format!("cannot read the config file {}: {e}", path.display()),
                    "check its permissions, or point OKTA_AWS_CONFIG at another file",
                );
            }
        };
        ConfigFile::parse(&text, path)
    }

    /// Parse the text of the config file found at `path`.
    pub fn parse(text: &str, path: &Path) -> Result<ConfigFile> {
        let mut file = ConfigFile {
            path: path.to_path_buf(),
            ..ConfigFile::default()
        };
        let ini = parse_ini(text, path)?;
        for (name, props) in ini.iter() {
            let values = props
                .iter()
                .map(|(k, v)| (k.trim().to_ascii_uppercase(), v.trim().to_string()))
                .collect();
            match name {
                None => file.top = values,
                Some(name) => file.sections.push((name.trim().to_string(), values)),
            }
        }
        Ok(file)
    }

    /// Names of the `[P]` sections, plus the Java tool's `config.P.properties` files.
    pub fn profile_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.sections.iter().map(|(n, _)| n.clone()).collect();
        for name in java_profile_files(&self.path) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    /// Whether `name` is an okta-aws profile: a `[name]` section or a `config.name.properties`.
    pub fn has_profile(&self, name: &str) -> bool {
        self.section(name).is_some() || java_profile_file(&self.path, name).exists()
    }

    /// The top (unnamed) section's values, keys upper-cased.
    pub fn top(&self) -> &BTreeMap<String, String> {
        &self.top
    }

    /// The `[name]` section's values (the first such section), keys upper-cased.
    pub fn section(&self, name: &str) -> Option<&BTreeMap<String, String>> {
        self.sections
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

fn parse_ini(text: &str, path: &Path) -> Result<ini::Ini> {
    // Properties files carry backslashes (Windows paths) and quotes literally.
    let options = ini::ParseOption {
        enabled_quote: false,
        enabled_escape: false,
        ..ini::ParseOption::default()
    };
    ini::Ini::load_from_str_opt(text, options).map_err(|e| {
        UserError::new(format!(
            "the config file {} cannot be parsed: {e}",
            path.display()
        ))
        .hint("it holds KEY=value lines and [profile] sections")
        .into()
    })
}

/// The Java tool's per-profile files beside the config file: `config.P.properties`.
pub fn java_profile_file(config: &Path, profile: &str) -> PathBuf {
    config.with_file_name(format!("config.{profile}.properties"))
}

fn java_profile_files(config: &Path) -> Vec<String> {
    let Some(dir) = config.parent() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let profile = name.strip_prefix("config.")?.strip_suffix(".properties")?;
            (!profile.is_empty()).then(|| profile.to_string())
        })
        .collect();
    names.sort();
    names
}
