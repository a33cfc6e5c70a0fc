//! Settings resolution: command-line flag > environment > the profile's section of the
//! config file (or the Java tool's `config.P.properties`) > the file's top section.
//!
//! Keys are the environment variables' names (the original Java tool's names, so its
//! `~/.okta/config.properties` works unchanged); in the file they are case-insensitive.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use url::Url;

use crate::error::{UserError, fail};

pub const OKTA_ORG: &str = "OKTA_ORG";
pub const OKTA_AWS_APP_URL: &str = "OKTA_AWS_APP_URL";
pub const OKTA_OIDC_CLIENT_ID: &str = "OKTA_OIDC_CLIENT_ID";
pub const OKTA_USERNAME: &str = "OKTA_USERNAME";
pub const OKTA_PASSWORD_CMD: &str = "OKTA_PASSWORD_CMD";
pub const OKTA_MFA_CHOICE: &str = "OKTA_MFA_CHOICE";
pub const OKTA_MFA_CODE: &str = "OKTA_MFA_CODE";
pub const OKTA_AWS_ROLE_TO_ASSUME: &str = "OKTA_AWS_ROLE_TO_ASSUME";
pub const OKTA_STS_DURATION: &str = "OKTA_STS_DURATION";
pub const OKTA_AWS_REGION: &str = "OKTA_AWS_REGION";
pub const OKTA_ENV_MODE: &str = "OKTA_ENV_MODE";
pub const AWS_IAM_KEY: &str = "AWS_IAM_KEY";
pub const AWS_IAM_SECRET: &str = "AWS_IAM_SECRET";
pub const OKTA_AWS_TARGET_ROLE: &str = "OKTA_AWS_TARGET_ROLE";
pub const OKTA_AWS_MIN_TTL: &str = "OKTA_AWS_MIN_TTL";
pub const OKTA_AWS_CLI: &str = "OKTA_AWS_CLI";
pub const OKTA_AWS_CONFIG: &str = "OKTA_AWS_CONFIG";
pub const OKTA_AWS_CACHE_DIR: &str = "OKTA_AWS_CACHE_DIR";
pub const OKTA_PROFILE: &str = "OKTA_PROFILE";

/// Every setting, in the order the README documents them.
pub const SETTINGS: &[&str] = &[
    OKTA_ORG,
    OKTA_AWS_APP_URL,
    OKTA_OIDC_CLIENT_ID,
    OKTA_USERNAME,
    OKTA_PASSWORD_CMD,
    OKTA_MFA_CHOICE,
    OKTA_MFA_CODE,
    OKTA_AWS_ROLE_TO_ASSUME,
    OKTA_STS_DURATION,
    OKTA_AWS_REGION,
    OKTA_ENV_MODE,
    AWS_IAM_KEY,
    AWS_IAM_SECRET,
    OKTA_AWS_TARGET_ROLE,
    OKTA_AWS_MIN_TTL,
    OKTA_AWS_CLI,
    OKTA_AWS_CACHE_DIR,
];

const DEFAULT_MIN_TTL_SECS: u64 = 300;
const DEFAULT_REGION: &str = "us-east-1";

/// Where a value came from, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Flag,
    Environment,
    File(PathBuf),
}

/// The resolved settings of one okta-aws profile.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `None` is the unnamed (top-level) profile.
    pub profile: Option<String>,
    pub config_path: PathBuf,
    values: HashMap<&'static str, (String, Source)>,
}

/// The user's home directory (`$HOME` first, as shells and the AWS CLI do).
pub fn home_dir() -> PathBuf {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .or_else(std::env::home_dir)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Expand a leading `~/` the way the AWS CLI does for its file variables.
pub fn expand_tilde(path: &str) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => home_dir().join(rest),
        None if path == "~" => home_dir(),
        None => PathBuf::from(path),
    }
}

/// The config file: `OKTA_AWS_CONFIG`, else `~/.okta/config.properties`.
pub fn config_path() -> PathBuf {
    match std::env::var(OKTA_AWS_CONFIG) {
        Ok(p) if !p.is_empty() => expand_tilde(&p),
        _ => home_dir().join(".okta").join("config.properties"),
    }
}

/// The profile asked for: the flag, else `OKTA_PROFILE`, else the unnamed one.
pub fn requested_profile(flag: Option<&str>) -> Option<String> {
    flag.map(str::to_string)
        .or_else(|| std::env::var(OKTA_PROFILE).ok())
        .filter(|p| !p.trim().is_empty())
}

/// The parsed config file: top section plus named sections, keys upper-cased.
#[derive(Debug, Default)]
pub struct ConfigFile {
    pub path: PathBuf,
    top: HashMap<String, String>,
    sections: Vec<(String, HashMap<String, String>)>,
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
    pub fn top(&self) -> &HashMap<String, String> {
        &self.top
    }

    /// The `[name]` section's values (the first such section), keys upper-cased.
    pub fn section(&self, name: &str) -> Option<&HashMap<String, String>> {
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

impl Settings {
    /// Resolve every setting for `profile` (`None`: the unnamed one) with `flags` on top.
    pub fn load(
        profile: Option<String>,
        flags: &[(&'static str, Option<String>)],
    ) -> Result<Settings> {
        Settings::from_file(&ConfigFile::load(&config_path())?, profile, flags)
    }

    /// Resolve from an already-read config file (callers that looked into it first).
    pub fn from_file(
        file: &ConfigFile,
        profile: Option<String>,
        flags: &[(&'static str, Option<String>)],
    ) -> Result<Settings> {
        let config_path = file.path.clone();
        let mut layers: Vec<(HashMap<String, String>, Source)> = Vec::new();
        if let Some(name) = &profile {
            let java_file = java_profile_file(&config_path, name);
            let java = if java_file.exists() {
                Some(ConfigFile::load(&java_file)?)
            } else {
                None
            };
            if file.section(name).is_none() && java.is_none() {
                let known = file.profile_names();
                let listing = if known.is_empty() {
                    "it defines none".to_string()
                } else {
                    format!("it defines: {}", known.join(", "))
                };
                return fail(
                    format!("profile '{name}' is not in {}", config_path.display()),
                    format!(
                        "add a [{name}] section to it ({listing}), or run `okta-aws configure --profile {name}`"
                    ),
                );
            }
            if let Some(section) = file.section(name) {
                layers.push((section.clone(), Source::File(config_path.clone())));
            }
            if let Some(java) = java {
                layers.push((java.top, Source::File(java_file)));
            }
        }
        layers.push((file.top.clone(), Source::File(config_path.clone())));

        let mut values = HashMap::new();
        for &key in SETTINGS {
            if let Some((_, Some(v))) = flags.iter().find(|(k, _)| *k == key) {
                values.insert(key, (v.clone(), Source::Flag));
                continue;
            }
            if let Ok(v) = std::env::var(key)
                && !v.is_empty()
            {
                values.insert(key, (v, Source::Environment));
                continue;
            }
            if let Some((v, source)) = layers.iter().find_map(|(layer, source)| {
                layer
                    .get(key)
                    .filter(|v| !v.is_empty())
                    .map(|v| (v, source))
            }) {
                values.insert(key, (v.clone(), source.clone()));
            }
        }
        Ok(Settings {
            profile,
            config_path,
            values,
        })
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(|(v, _)| v.as_str())
    }

    /// A required setting, or an error naming the key and the file.
    pub fn require(&self, key: &str) -> Result<&str> {
        self.get(key).ok_or_else(|| {
            let section = match &self.profile {
                Some(p) => format!("the [{p}] section of {}", self.config_path.display()),
                None => format!("{}", self.config_path.display()),
            };
            UserError::new(format!("{key} is not set"))
                .hint(format!("set {key} in the environment or in {section}"))
                .into()
        })
    }

    fn invalid(&self, key: &str, value: &str, expected: &str) -> anyhow::Error {
        let origin = match self.values.get(key).map(|(_, s)| s) {
            Some(Source::Flag) => "on the command line".to_string(),
            Some(Source::Environment) => "in the environment".to_string(),
            Some(Source::File(p)) => format!("in {}", p.display()),
            None => String::new(),
        };
        UserError::new(format!("{key}={value} {origin} is not valid"))
            .hint(format!("{key} must be {expected}"))
            .into()
    }

    fn parse_number<T: std::str::FromStr>(&self, key: &str, expected: &str) -> Result<Option<T>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<T>()
                .map(Some)
                .map_err(|_| self.invalid(key, v, expected)),
        }
    }

    fn flag(&self, key: &str) -> Result<bool> {
        match self.get(key).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(false),
            Some(v) if ["true", "1", "yes", "on"].contains(&v.as_str()) => Ok(true),
            Some(v) if ["false", "0", "no", "off", ""].contains(&v.as_str()) => Ok(false),
            Some(v) => Err(self.invalid(key, &v, "true or false")),
        }
    }

    /// The Okta org's base URL (`https://acme.okta.com`), from a host name or a URL.
    pub fn okta_org(&self) -> Result<Url> {
        let raw = self.require(OKTA_ORG)?.trim();
        let with_scheme = if raw.contains("://") {
            raw.to_string()
        } else {
            format!("https://{raw}")
        };
        let mut url = Url::parse(&with_scheme)
            .map_err(|_| self.invalid(OKTA_ORG, raw, "a host name (acme.okta.com) or a URL"))?;
        if url.host_str().is_none() {
            return Err(self.invalid(OKTA_ORG, raw, "a host name (acme.okta.com) or a URL"));
        }
        check_secure(&url, OKTA_ORG)?;
        url.set_path("/");
        url.set_query(None);
        url.set_fragment(None);
        Ok(url)
    }

    /// The AWS app's embed link.
    pub fn app_url(&self) -> Result<Url> {
        let raw = self.require(OKTA_AWS_APP_URL)?.trim();
        let expected = "the AWS app's embed link, https://ORG/home/amazon_aws/APP_ID/272";
        let url = Url::parse(raw).map_err(|_| self.invalid(OKTA_AWS_APP_URL, raw, expected))?;
        if url.host_str().is_none() || !matches!(url.scheme(), "https" | "http") {
            return Err(self.invalid(OKTA_AWS_APP_URL, raw, expected));
        }
        check_secure(&url, OKTA_AWS_APP_URL)?;
        Ok(url)
    }

    pub fn sts_duration(&self) -> Result<Option<i32>> {
        let d =
            self.parse_number::<i32>(OKTA_STS_DURATION, "a number of seconds (900 to 43200)")?;
        if let Some(secs) = d
            && !(900..=43200).contains(&secs)
        {
            return Err(self.invalid(
                OKTA_STS_DURATION,
                &secs.to_string(),
                "between 900 and 43200 seconds",
            ));
        }
        Ok(d)
    }

    pub fn min_ttl_secs(&self) -> Result<u64> {
        Ok(self
            .parse_number::<u64>(OKTA_AWS_MIN_TTL, "a number of seconds")?
            .unwrap_or(DEFAULT_MIN_TTL_SECS))
    }

    /// Region for STS and the session of a role in `partition` (`aws`, `aws-us-gov`,
    /// `aws-cn`): `OKTA_AWS_REGION`, else `AWS_REGION` when it is in that partition, else
    /// the partition's usual region (us-east-1, us-gov-west-1, cn-north-1).
    pub fn region_for(&self, partition: &str) -> String {
        if let Some(region) = self.get(OKTA_AWS_REGION) {
            return region.to_string();
        }
        match std::env::var("AWS_REGION") {
            Ok(region) if !region.is_empty() && partition_of_region(&region) == partition => region,
            _ => default_region(partition).to_string(),
        }
    }

    pub fn env_mode(&self) -> Result<bool> {
        self.flag(OKTA_ENV_MODE)
    }

    /// The cache directory: `OKTA_AWS_CACHE_DIR`, else `~/.okta/cache`.
    pub fn cache_dir(&self) -> PathBuf {
        match self.get(OKTA_AWS_CACHE_DIR) {
            Some(dir) => expand_tilde(dir),
            None => home_dir().join(".okta").join("cache"),
        }
    }

    /// The name used for files and sections: the profile name, `default` for the unnamed one.
    pub fn profile_label(&self) -> &str {
        self.profile.as_deref().unwrap_or("default")
    }
}

/// The partition a region belongs to.
pub fn partition_of_region(region: &str) -> &'static str {
    if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("cn-") {
        "aws-cn"
    } else {
        "aws"
    }
}

fn default_region(partition: &str) -> &'static str {
    match partition {
        "aws-us-gov" => "us-gov-west-1",
        "aws-cn" => "cn-north-1",
        _ => DEFAULT_REGION,
    }
}

/// Plain http is only for loopback (tests, the demo): never send a password over it.
fn check_secure(url: &Url, key: &str) -> Result<()> {
    if url.scheme() == "https" {
        return Ok(());
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if url.scheme() == "http" && loopback {
        return Ok(());
    }
    fail(
        format!(
            "{key} uses {}:// ({url}), which is not safe for a password",
            url.scheme()
        ),
        format!("use an https:// URL for {key}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&'static str, &str)]) -> Settings {
        Settings {
            profile: None,
            config_path: PathBuf::from("/nowhere/config.properties"),
            values: pairs
                .iter()
                .map(|(k, v)| (*k, (v.to_string(), Source::Environment)))
                .collect(),
        }
    }

    #[test]
    fn org_accepts_host_names_and_urls() {
        let s = settings(&[(OKTA_ORG, "acme.okta.com")]);
        assert_eq!(s.okta_org().unwrap().as_str(), "https://acme.okta.com/");
        let s = settings(&[(OKTA_ORG, "https://acme.okta.com/some/path?x=1")]);
        assert_eq!(s.okta_org().unwrap().as_str(), "https://acme.okta.com/");
        let s = settings(&[(OKTA_ORG, "http://127.0.0.1:8080")]);
        assert_eq!(s.okta_org().unwrap().as_str(), "http://127.0.0.1:8080/");
    }

    #[test]
    fn plain_http_is_refused_off_loopback() {
        let s = settings(&[(OKTA_ORG, "http://acme.okta.com")]);
        let err = s.okta_org().unwrap_err().to_string();
        assert!(err.contains("not safe"), "{err}");
        let s = settings(&[(OKTA_AWS_APP_URL, "http://10.0.0.1/home/amazon_aws/x/272")]);
        assert!(s.app_url().is_err());
        let s = settings(&[(OKTA_AWS_APP_URL, "http://localhost:9/home/amazon_aws/x/272")]);
        assert!(s.app_url().is_ok());
    }

    #[test]
    fn missing_required_setting_names_key_and_file() {
        let err = settings(&[]).okta_org().unwrap_err();
        let user = err.downcast_ref::<UserError>().unwrap();
        assert_eq!(user.cause, "OKTA_ORG is not set");
        assert!(
            user.hint
                .as_deref()
                .unwrap()
                .contains("/nowhere/config.properties")
        );
    }

    #[test]
    fn numbers_and_flags_are_checked() {
        assert_eq!(
            settings(&[(OKTA_STS_DURATION, "7200")])
                .sts_duration()
                .unwrap(),
            Some(7200)
        );
        assert!(
            settings(&[(OKTA_STS_DURATION, "10")])
                .sts_duration()
                .is_err()
        );
        assert!(
            settings(&[(OKTA_STS_DURATION, "soon")])
                .sts_duration()
                .is_err()
        );
        assert!(settings(&[(OKTA_ENV_MODE, "TRUE")]).env_mode().unwrap());
        assert!(!settings(&[]).env_mode().unwrap());
        assert!(settings(&[(OKTA_ENV_MODE, "maybe")]).env_mode().is_err());
        assert_eq!(settings(&[]).min_ttl_secs().unwrap(), 300);
    }

    #[test]
    fn regions_follow_the_partition_unless_set() {
        assert_eq!(settings(&[]).region_for("aws-us-gov"), "us-gov-west-1");
        assert_eq!(settings(&[]).region_for("aws-cn"), "cn-north-1");
        let set = settings(&[(OKTA_AWS_REGION, "us-gov-east-1")]);
        assert_eq!(set.region_for("aws-us-gov"), "us-gov-east-1");
        assert_eq!(partition_of_region("cn-northwest-1"), "aws-cn");
        assert_eq!(partition_of_region("eu-west-1"), "aws");
    }
}
