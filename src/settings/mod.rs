//! Settings, resolved once per command into typed values: command-line flag > environment >
//! the profile's section of the config file (or the Java tool's `config.P.properties`) > the
//! file's top section.
//!
//! A value that must be checked (a URL, a number) is resolved to its text and source at once
//! and checked the first time a command asks for it (`Checked`): a problem (a missing or
//! malformed value) is then reported only by a command that uses that value — a broken
//! `OKTA_ORG` must not stop `status` or `profiles`, a bad `OKTA_STS_DURATION` must still stop
//! a login before anyone is asked for a password — and the cached path, which uses neither
//! URL, pays for no URL parsing. The protocol layers get the small
//! groups below (`OktaUser`, `MfaPresets`, …), never the whole settings.

mod checked;
pub mod file;
pub mod keys;
mod profile;
pub mod values;

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;
use url::Url;

pub use checked::{Checked, Source};
pub use file::{ConfigFile, config_file_path};
use keys::*;
pub use profile::Profile;
use values::Invalid;

use crate::error::fail;
use crate::files::home::{expand_tilde, home_dir};

/// What STS grants when neither the settings nor the assertion say.
pub const DEFAULT_DURATION_SECS: i32 = 3600;
const DEFAULT_MIN_TTL_SECS: u64 = 300;

/// Values given on the command line, above every other source.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--role`: `OKTA_AWS_ROLE_TO_ASSUME`.
    pub role: Option<String>,
}

/// The resolved settings of one okta-aws profile.
#[derive(Debug, Clone)]
pub struct Settings {
    pub profile: Profile,
    /// The config file they were read from.
    pub config_file: PathBuf,
    pub okta: OktaSettings,
    pub sts: StsSettings,
    pub target: TargetSettings,
    pub files: FileSettings,
    /// The Java tool's settings that are set here but not implemented, and where.
    pub unsupported: Vec<(&'static str, Source)>,
    pub net: NetSettings,
    /// Every setting that is set (`keys::ALL`), as text with its source: for `doctor`, and
    /// for commands' own settings (`console`'s browser and federation endpoint).
    pub texts: Vec<(&'static str, String, Source)>,
}

/// What every HTTP client shares (`net::configure`).
#[derive(Debug, Clone)]
pub struct NetSettings {
    /// `OKTA_AWS_HTTP_TIMEOUT`: seconds any one request (or AWS call, retries included) may
    /// take.
    pub timeout_secs: Checked<u64>,
    /// `AWS_CA_BUNDLE`: extra trusted CA certificates (PEM), as the AWS CLI reads it.
    pub ca_bundle: Option<PathBuf>,
}

/// Who signs in to which Okta org, and how.
#[derive(Debug, Clone)]
pub struct OktaSettings {
    /// `OKTA_ORG`: the org's base URL.
    pub org: Checked<Url>,
    /// `OKTA_AWS_APP_URL`: the AWS app's embed link.
    pub app_link: Checked<Url>,
    /// `OKTA_OIDC_CLIENT_ID`: set for an Identity Engine org's browser sign-in.
    pub oidc_client_id: Option<String>,
    /// Whether and how the sign-in link is opened in a browser.
    pub browser: BrowserPrefs,
    pub user: OktaUser,
    pub mfa: MfaPresets,
}

/// Whether and how a link (the Identity Engine sign-in, `console`) is opened in a browser;
/// `prompt::browser::decide` turns them into a decision.
#[derive(Debug, Clone)]
pub struct BrowserPrefs {
    /// `OKTA_OPEN_BROWSER`: `None` when not set (a desktop session decides).
    pub open: Checked<Option<bool>>,
    /// `OKTA_BROWSER_COMMAND`, unsplit.
    pub command: Option<String>,
}

/// The Classic sign-in's user name and password source (each asked when not set).
#[derive(Debug, Clone, Default)]
pub struct OktaUser {
    /// `OKTA_USERNAME`.
    pub name: Option<String>,
    /// `OKTA_PASSWORD_CMD`: a command whose output is the password.
    pub password_command: Option<String>,
}

/// MFA answers given ahead (each asked when not set).
#[derive(Debug, Clone, Default)]
pub struct MfaPresets {
    /// `OKTA_MFA_CHOICE`: `PROVIDER.factorType` or a factor type.
    pub choice: Option<String>,
    /// `OKTA_MFA_CODE`: a one-time code, used once.
    pub code: Option<String>,
}

/// The SAML role's session from STS.
#[derive(Debug, Clone)]
pub struct StsSettings {
    /// `OKTA_AWS_ROLE_TO_ASSUME` (or `--role`): the user's words for a role.
    pub role: Option<String>,
    /// `OKTA_STS_DURATION`: session seconds.
    pub duration: Checked<Option<i32>>,
    /// `OKTA_AWS_MIN_TTL`: seconds a cached session must still have to be used.
    pub min_ttl_secs: Checked<u64>,
    pub regions: Regions,
}

impl StsSettings {
    /// `OKTA_STS_DURATION`, else `fallback`.
    pub fn duration_or(&self, fallback: i32) -> Result<i32> {
        Ok(self.duration.get()?.unwrap_or(fallback))
    }
}

/// Which region a session is in.
#[derive(Debug, Clone, Default)]
pub struct Regions {
    /// `OKTA_AWS_REGION`.
    configured: Option<String>,
}

impl Regions {
    /// Region for STS and the session of a role in `partition` (`aws`, `aws-us-gov`,
    /// `aws-cn`): `OKTA_AWS_REGION`, else `AWS_REGION` when it is in that partition, else
    /// the partition's usual region (us-east-1, us-gov-west-1, cn-north-1).
    pub fn for_partition(&self, partition: &str) -> String {
        if let Some(region) = &self.configured {
            return region.clone();
        }
        match std::env::var("AWS_REGION") {
            Ok(region)
                if !region.is_empty() && values::partition_of_region(&region) == partition =>
            {
                region
            }
            _ => values::default_region(partition).to_string(),
        }
    }

    /// `OKTA_AWS_REGION` as set.
    pub fn configured(&self) -> Option<&str> {
        self.configured.as_deref()
    }
}

/// The cross-account role a profile hops into.
#[derive(Debug, Clone)]
pub struct TargetSettings {
    /// `OKTA_AWS_TARGET_ROLE`: ARN, `ACCOUNT/ROLE` or a role name.
    pub role: Option<String>,
    /// `AWS_IAM_KEY`/`AWS_IAM_SECRET`: keys that may read IAM, for finding the targets.
    pub iam_keys: Option<IamKeys>,
}

/// An IAM user's long-lived keys. `Debug` never shows the secret.
#[derive(Clone)]
pub struct IamKeys {
    pub key_id: String,
    pub secret: String,
}

impl std::fmt::Debug for IamKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IamKeys")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// Where things are, and whether to write the AWS files.
#[derive(Debug, Clone)]
pub struct FileSettings {
    /// `OKTA_AWS_CACHE_DIR`, else `~/.okta/cache`.
    pub cache_dir: PathBuf,
    /// `OKTA_AWS_CLI`: the real `aws`.
    pub aws_cli: Option<String>,
    /// `OKTA_ENV_MODE`: never write the ~/.aws files.
    pub env_mode: Checked<bool>,
}

impl Settings {
    /// Resolve `profile`'s settings from the config file, with `overrides` on top.
    pub fn load(profile: Profile, overrides: &Overrides) -> Result<Settings> {
        Settings::from_file(&ConfigFile::load(&config_file_path())?, profile, overrides)
    }

    /// Resolve from an already-read config file (callers that looked into it first).
    pub fn from_file(
        file: &ConfigFile,
        profile: Profile,
        overrides: &Overrides,
    ) -> Result<Settings> {
        Settings::resolve(file, profile, overrides, Environment::of_process())
    }

    fn resolve(
        file: &ConfigFile,
        profile: Profile,
        overrides: &Overrides,
        env: Environment,
    ) -> Result<Settings> {
        let java = match profile.name() {
            Some(name) => java_file_of(file, name)?,
            None => None,
        };
        let mut raw = Raw::new(missing_hint_place(file, &profile), env);
        if let Some(role) = &overrides.role {
            raw.flags.push((OKTA_AWS_ROLE_TO_ASSUME, role.clone()));
        }
        if let Some(name) = profile.name() {
            if let Some(section) = file.section(name) {
                raw.layers.push((section, Source::File(file.path.clone())));
            }
            if let Some(java) = &java {
                raw.layers
                    .push((java.top(), Source::File(java.path.clone())));
            }
        }
        raw.layers
            .push((file.top(), Source::File(file.path.clone())));
        Ok(raw.settings(profile, file.path.clone()))
    }

    /// One line for each of the Java tool's settings that is set but not implemented.
    pub fn unsupported_warnings(&self) -> Vec<String> {
        self.unsupported
            .iter()
            .map(|(key, source)| {
                let instead = keys::UNSUPPORTED_JAVA_SETTINGS
                    .iter()
                    .find(|(k, _)| k == key)
                    .map_or("", |(_, instead)| *instead);
                format!(
                    "{key} ({}) is a setting of the Java tool that okta-aws does not implement; ignored: {instead}",
                    source.describe()
                )
            })
            .collect()
    }

    /// `key`'s text when it is set (`key` one of `keys::ALL`).
    pub fn text_of(&self, key: &str) -> Option<&str> {
        self.texts
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, text, _)| text.as_str())
    }

    /// What can be checked before anyone is asked for a password: the org, the app link
    /// and the duration.
    pub fn check_for_login(&self) -> Result<()> {
        self.okta.org.get()?;
        self.okta.app_link.get()?;
        self.sts.duration.get()?;
        Ok(())
    }
}

/// The Java tool's `config.NAME.properties`, read when it exists; an error when the profile
/// is neither there nor a section of the file.
fn java_file_of(file: &ConfigFile, name: &str) -> Result<Option<ConfigFile>> {
    let path = file::java_profile_file(&file.path, name);
    let java = if path.exists() {
        Some(ConfigFile::load(&path)?)
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
            format!("profile '{name}' is not in {}", file.path.display()),
            format!(
                "add a [{name}] section to it ({listing}), or run `okta-aws configure --profile {name}`"
            ),
        );
    }
    Ok(java)
}

/// Settings from `text` as the top section of a config file, with no environment: for unit
/// tests elsewhere, whatever the environment they run in.
#[cfg(test)]
pub fn from_text_for_tests(text: &str) -> Settings {
    let path = PathBuf::from("/nowhere/config.properties");
    let file = ConfigFile::parse(text, &path).expect("a valid config file");
    Settings::resolve(
        &file,
        Profile::unnamed(),
        &Overrides::default(),
        Environment::None,
    )
    .expect("the unnamed profile resolves")
}

/// Where a missing setting would go: the profile's section, or the file.
fn missing_hint_place(file: &ConfigFile, profile: &Profile) -> String {
    match profile.name() {
        Some(p) => format!("the [{p}] section of {}", file.path.display()),
        None => format!("{}", file.path.display()),
    }
}

/// Whether `text` is acceptable for `key` (`configure` checks answers as a login would).
pub fn check_value(key: &'static str, text: &str) -> Result<()> {
    // The answer is the only source (no environment), and messages say it was typed.
    let answer = BTreeMap::from([(key.to_string(), text.to_string())]);
    let mut raw = Raw::new(String::new(), Environment::None);
    raw.layers.push((&answer, Source::Answer));
    match key {
        OKTA_ORG => raw.checked(key, read_org).get().map(drop),
        OKTA_AWS_APP_URL => raw.checked(key, read_app_link).get().map(drop),
        _ => Ok(()),
    }
}

/// The environment, as settings read it (tests give none).
enum Environment {
    /// The process's: the settings' names read in one pass (`environ::values`).
    Process {
        names: Vec<&'static str>,
        values: Vec<(&'static str, Option<String>)>,
    },
    None,
}

impl Environment {
    fn of_process() -> Environment {
        let names: Vec<&'static str> = keys::ALL
            .into_iter()
            .chain(keys::UNSUPPORTED_JAVA_SETTINGS.map(|(key, _)| key))
            .collect();
        let values = crate::environ::values(&names);
        Environment::Process { names, values }
    }

    /// `key`'s value, as `std::env::var` gives it.
    fn get(&self, key: &str) -> Option<String> {
        match self {
            Environment::Process { names, values } if names.contains(&key) => values
                .iter()
                .find(|(name, _)| *name == key)
                .and_then(|(_, value)| value.clone()),
            // A name not read ahead (none today: then add it to keys::ALL).
            Environment::Process { .. } => std::env::var(key).ok(),
            Environment::None => None,
        }
    }
}

/// The texts behind the settings, by key, highest source first.
struct Raw<'a> {
    flags: Vec<(&'static str, String)>,
    env: Environment,
    layers: Vec<(&'a BTreeMap<String, String>, Source)>,
    /// Where to set a missing value, for its hint.
    missing_hint_place: String,
}

impl<'a> Raw<'a> {
    fn new(missing_hint_place: String, env: Environment) -> Raw<'a> {
        Raw {
            flags: Vec::new(),
            env,
            layers: Vec::new(),
            missing_hint_place,
        }
    }

    /// The text of `key` (never empty) and its source.
    fn get(&self, key: &'static str) -> Option<(String, Source)> {
        if let Some((_, value)) = self.flags.iter().find(|(k, _)| *k == key) {
            return Some((value.clone(), Source::Flag));
        }
        if let Some(value) = self.env.get(key).filter(|v| !v.is_empty()) {
            return Some((value, Source::Environment));
        }
        self.layers.iter().find_map(|(layer, source)| {
            let value = layer.get(key).filter(|v| !v.is_empty())?;
            Some((value.clone(), source.clone()))
        })
    }

    fn text(&self, key: &'static str) -> Option<String> {
        self.get(key).map(|(text, _)| text)
    }

    /// `key`'s text, to be checked by `read` when first asked for.
    fn checked<T>(
        &self,
        key: &'static str,
        read: fn(Option<&str>) -> std::result::Result<T, Invalid>,
    ) -> Checked<T> {
        Checked::new(key, self.get(key), self.missing_hint_place.clone(), read)
    }

    fn settings(&self, profile: Profile, config_file: PathBuf) -> Settings {
        Settings {
            profile,
            config_file,
            okta: self.okta(),
            sts: self.sts(),
            target: self.target(),
            files: self.files(),
            unsupported: keys::UNSUPPORTED_JAVA_SETTINGS
                .iter()
                .filter_map(|(key, _)| Some((*key, self.get(key)?.1)))
                .collect(),
            net: self.net(),
            texts: keys::ALL
                .into_iter()
                .filter_map(|key| self.get(key).map(|(text, source)| (key, text, source)))
                .collect(),
        }
    }

    fn net(&self) -> NetSettings {
        NetSettings {
            timeout_secs: self.checked(OKTA_AWS_HTTP_TIMEOUT, |text| {
                Ok(text
                    .map(values::timeout_secs)
                    .transpose()?
                    .unwrap_or(crate::net::DEFAULT_TIMEOUT_SECS))
            }),
            ca_bundle: self.get(AWS_CA_BUNDLE).map(|(path, _)| expand_tilde(&path)),
        }
    }

    fn okta(&self) -> OktaSettings {
        OktaSettings {
            org: self.checked(OKTA_ORG, read_org),
            app_link: self.checked(OKTA_AWS_APP_URL, read_app_link),
            oidc_client_id: self.text(OKTA_OIDC_CLIENT_ID),
            browser: BrowserPrefs {
                open: self.checked(OKTA_OPEN_BROWSER, |text| {
                    text.map(values::switch).transpose()
                }),
                command: self.text(OKTA_BROWSER_COMMAND),
            },
            user: OktaUser {
                name: self.text(OKTA_USERNAME),
                password_command: self.text(OKTA_PASSWORD_CMD),
            },
            mfa: MfaPresets {
                choice: self.text(OKTA_MFA_CHOICE),
                code: self.text(OKTA_MFA_CODE),
            },
        }
    }

    fn sts(&self) -> StsSettings {
        StsSettings {
            role: self.text(OKTA_AWS_ROLE_TO_ASSUME),
            duration: self.checked(OKTA_STS_DURATION, |text| {
                text.map(values::sts_duration).transpose()
            }),
            min_ttl_secs: self.checked(OKTA_AWS_MIN_TTL, |text| {
                Ok(text
                    .map(values::seconds)
                    .transpose()?
                    .unwrap_or(DEFAULT_MIN_TTL_SECS))
            }),
            regions: Regions {
                configured: self.text(OKTA_AWS_REGION),
            },
        }
    }

    fn target(&self) -> TargetSettings {
        let iam_keys = match (self.text(AWS_IAM_KEY), self.text(AWS_IAM_SECRET)) {
            (Some(key_id), Some(secret)) => Some(IamKeys { key_id, secret }),
            _ => None,
        };
        TargetSettings {
            role: self.text(OKTA_AWS_TARGET_ROLE),
            iam_keys,
        }
    }

    fn files(&self) -> FileSettings {
        FileSettings {
            cache_dir: match self.get(OKTA_AWS_CACHE_DIR) {
                Some((dir, _)) => expand_tilde(&dir),
                None => home_dir().join(".okta").join("cache"),
            },
            aws_cli: self.text(OKTA_AWS_CLI),
            env_mode: self.checked(OKTA_ENV_MODE, |text| {
                Ok(text.map(values::switch).transpose()?.unwrap_or(false))
            }),
        }
    }
}

fn read_org(text: Option<&str>) -> std::result::Result<Url, Invalid> {
    values::org(text.ok_or(Invalid::Missing)?)
}

fn read_app_link(text: Option<&str>) -> std::result::Result<Url, Invalid> {
    values::app_link(text.ok_or(Invalid::Missing)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::UserError;

    /// Settings from the top section of a config file at a path that does not exist.
    fn settings(pairs: &[(&'static str, &str)]) -> Settings {
        let text: String = pairs.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
        from_text_for_tests(&text)
    }

    #[test]
    fn org_accepts_host_names_and_urls() {
        let s = settings(&[(OKTA_ORG, "acme.okta.com")]);
        assert_eq!(s.okta.org.get().unwrap().as_str(), "https://acme.okta.com/");
        let s = settings(&[(OKTA_ORG, "https://acme.okta.com/some/path?x=1")]);
        assert_eq!(s.okta.org.get().unwrap().as_str(), "https://acme.okta.com/");
        let s = settings(&[(OKTA_ORG, "http://127.0.0.1:8080")]);
        assert_eq!(s.okta.org.get().unwrap().as_str(), "http://127.0.0.1:8080/");
    }

    #[test]
    fn plain_http_is_refused_off_loopback() {
        let s = settings(&[(OKTA_ORG, "http://acme.okta.com")]);
        let err = s.okta.org.get().unwrap_err().to_string();
        assert!(err.contains("not safe"), "{err}");
        let s = settings(&[(OKTA_AWS_APP_URL, "http://10.0.0.1/home/amazon_aws/x/272")]);
        assert!(s.okta.app_link.get().is_err());
        let s = settings(&[(OKTA_AWS_APP_URL, "http://localhost:9/home/amazon_aws/x/272")]);
        assert!(s.okta.app_link.get().is_ok());
    }

    #[test]
    fn missing_required_setting_names_key_and_file() {
        let err = settings(&[]).okta.org.get().unwrap_err();
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
            *settings(&[(OKTA_STS_DURATION, "7200")])
                .sts
                .duration
                .get()
                .unwrap(),
            Some(7200)
        );
        assert!(
            settings(&[(OKTA_STS_DURATION, "10")])
                .sts
                .duration
                .get()
                .is_err()
        );
        assert!(
            settings(&[(OKTA_STS_DURATION, "soon")])
                .sts
                .duration
                .get()
                .is_err()
        );
        assert!(
            *settings(&[(OKTA_ENV_MODE, "TRUE")])
                .files
                .env_mode
                .get()
                .unwrap()
        );
        assert!(!*settings(&[]).files.env_mode.get().unwrap());
        assert!(
            settings(&[(OKTA_ENV_MODE, "maybe")])
                .files
                .env_mode
                .get()
                .is_err()
        );
        assert_eq!(*settings(&[]).sts.min_ttl_secs.get().unwrap(), 300);
    }

    #[test]
    fn a_bad_value_names_its_key_value_and_file() {
        let err = settings(&[(OKTA_STS_DURATION, "10")])
            .sts
            .duration
            .get()
            .unwrap_err();
        let user = err.downcast_ref::<UserError>().unwrap();
        assert_eq!(
            user.cause,
            "OKTA_STS_DURATION=10 in /nowhere/config.properties is not valid"
        );
        assert_eq!(
            user.hint.as_deref(),
            Some("OKTA_STS_DURATION must be between 900 and 43200 seconds")
        );
    }

    #[test]
    fn a_bad_value_stays_quiet_until_it_is_used() {
        let s = settings(&[(OKTA_ORG, "http://acme.okta.com"), (OKTA_AWS_MIN_TTL, "x")]);
        assert!(s.okta.org.ok().is_none() && s.sts.min_ttl_secs.ok().is_none());
        assert_eq!(s.profile.label(), "default");
    }

    #[test]
    fn regions_follow_the_partition_unless_set() {
        let unset = Regions::default();
        assert_eq!(unset.for_partition("aws-us-gov"), "us-gov-west-1");
        assert_eq!(unset.for_partition("aws-cn"), "cn-north-1");
        let set = settings(&[(OKTA_AWS_REGION, "us-gov-east-1")]).sts.regions;
        assert_eq!(set.for_partition("aws-us-gov"), "us-gov-east-1");
        assert_eq!(values::partition_of_region("cn-northwest-1"), "aws-cn");
        assert_eq!(values::partition_of_region("eu-west-1"), "aws");
    }

    #[test]
    fn configure_checks_answers_as_a_login_would() {
        assert!(check_value(OKTA_ORG, "acme.okta.com").is_ok());
        let err = check_value(OKTA_ORG, "http://acme.okta.com").unwrap_err();
        assert!(err.to_string().contains("not safe"), "{err}");
        assert!(check_value(OKTA_USERNAME, "anything").is_ok());
    }
}
