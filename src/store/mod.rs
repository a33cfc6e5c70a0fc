//! The store: every file of the cache directory, named here and nowhere else. Commands and
//! the session layer ask it for what they need, by kind:
//!
//! | kind | file | what |
//! | --- | --- | --- |
//! | AWS session | `p-NAME.session.json` (`top.session.json` for the unnamed profile) | `AwsSession` |
//! | written (the ledger) | `p-NAME.written.json` | the ~/.aws/credentials sections and ~/.aws/config keys a login wrote |
//! | granted roles | `p-NAME.roles.json` | the roles of the profile's last assertion, whatever the login path |
//! | target choices | `p-NAME.targets.json` | the cross-account targets IAM offered when it offered several |
//! | login lock | `p-NAME.lock` | held while that profile logs in |
//! | Okta web session | `okta-HOST.okta.json`, one per org | `OktaWebSession` |
//! | account names | `account-names.json` | `AccountNames`, shared by all profiles |
//! | user names | `user-names.json` | the Okta user name last typed at each org, the next default |
//! | accounts asked | `account-names-asked.json` | when the sign-in page last listed each account (named or not) |
//!
//! Reading a session is the hot path of every `aws` call: one small JSON file. Anything
//! unreadable is a miss (with a `-v` note), never an error.

pub mod cache_dir;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::arn::RoleArn;
use crate::aws::signin_page::{AccountNames, FRESH_FOR_SECS};
use crate::okta::web_session::OktaWebSession;
use crate::prompt::Prompter;
use crate::saml::RolePair;
use crate::session::model::AwsSession;
use crate::settings::{Profile, Settings};
use cache_dir::{CacheDir, FORMAT_VERSION, FileLock, Versioned, now_secs};

const AWS_SESSION: &str = "session.json";
const WRITTEN_SECTIONS: &str = "written.json";
const OKTA_WEB_SESSION: &str = "okta.json";
const LOCK: &str = "lock";
const GRANTED_ROLES: &str = "roles.json";
const TARGET_CHOICES: &str = "targets.json";
const ACCOUNT_NAMES: &str = "account-names.json";
const ACCOUNTS_ASKED: &str = "account-names-asked.json";
const USER_NAMES: &str = "user-names.json";

/// Which profiles a forgetting command is about.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    Profile(&'a Profile),
    Every,
}

/// What `login` wrote for a profile into the AWS CLI's files, so that `logout` removes
/// exactly that (kept apart from the session: `login --all-roles` writes many sections).
#[derive(Debug, Default, Serialize, Deserialize)]
struct WrittenSections {
    version: u32,
    sections: Vec<String>,
    /// Keys of ~/.aws/config (a ledger from before these were recorded has none).
    #[serde(default)]
    config: Vec<ConfigKey>,
}

/// One key login wrote into ~/.aws/config: logout removes it, or puts back the value it
/// replaced, but only while it still holds what login wrote (a later edit of the user's
/// stays).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigKey {
    /// The section as written in the file: `profile NAME` or `default`.
    pub section: String,
    pub key: String,
    pub value: String,
    /// What the key held before the first login wrote it.
    pub previous: Option<String>,
}

/// Everything the ledger held for a scope, taken by logout.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Written {
    /// ~/.aws/credentials sections.
    pub sections: Vec<String>,
    /// ~/.aws/config keys.
    pub config: Vec<ConfigKey>,
}

/// When AWS's sign-in page last answered with names for a login that had these accounts:
/// an account it gave no name for has no alias, and is not asked about again for a day.
#[derive(Debug, Default, Serialize, Deserialize)]
struct AccountsAsked {
    version: u32,
    asked_at: BTreeMap<String, u64>,
}

impl Versioned for AccountsAsked {
    fn version(&self) -> u32 {
        self.version
    }
}

/// The Okta user name last typed at each org (by origin).
#[derive(Debug, Default, Serialize, Deserialize)]
struct UserNames {
    version: u32,
    by_org: BTreeMap<String, String>,
}

impl Versioned for UserNames {
    fn version(&self) -> u32 {
        self.version
    }
}

/// The roles the profile's last SAML assertion granted: `roles` and completion read them,
/// after a one-role login, `login --all-roles` or a glob alike.
#[derive(Debug, Default, Serialize, Deserialize)]
struct GrantedRoles {
    version: u32,
    roles: Vec<RolePair>,
}

/// The cross-account targets IAM offered a SAML role at the profile's last introspection
/// that found several. With no terminal, a login that would have to ask among them again
/// fails before MFA, instead of after it.
#[derive(Debug, Serialize, Deserialize)]
pub struct TargetChoices {
    version: u32,
    pub saml_role: RoleArn,
    pub targets: Vec<RoleArn>,
}

impl Versioned for TargetChoices {
    fn version(&self) -> u32 {
        self.version
    }
}

impl Versioned for GrantedRoles {
    fn version(&self) -> u32 {
        self.version
    }
}

impl Versioned for WrittenSections {
    fn version(&self) -> u32 {
        self.version
    }
}

/// The cache directory of one configuration, by kind of file.
#[derive(Debug, Clone)]
pub struct Store {
    dir: CacheDir,
}

impl Store {
    pub fn new(path: PathBuf) -> Store {
        Store {
            dir: CacheDir::new(path),
        }
    }

    /// The store the settings name (`OKTA_AWS_CACHE_DIR`, else `~/.okta/cache`).
    pub fn for_settings(settings: &Settings) -> Store {
        Store::new(settings.files.cache_dir.clone())
    }

    pub fn path(&self) -> &Path {
        &self.dir.path
    }

    /// `p-NAME` for named profiles, `top` for the unnamed one: never colliding.
    fn profile_file(&self, profile: &Profile, kind: &str) -> PathBuf {
        match profile.name() {
            Some(name) => self.dir.file(&format!("p-{name}"), kind),
            None => self.dir.file("top", kind),
        }
    }

    fn profile_files(&self, scope: Scope, kind: &str) -> Vec<PathBuf> {
        match scope {
            Scope::Profile(profile) => vec![self.profile_file(profile, kind)],
            Scope::Every => self.dir.list(kind),
        }
    }

    /// The profile's cached AWS session, fresh or not; one with absurd expiries is a miss.
    pub fn aws_session(&self, profile: &Profile) -> Option<AwsSession> {
        self.dir
            .read(&self.profile_file(profile, AWS_SESSION))
            .filter(AwsSession::is_plausible)
    }

    pub fn save_aws_session(&self, profile: &Profile, session: &AwsSession) -> Result<()> {
        self.dir
            .write(&self.profile_file(profile, AWS_SESSION), session)
    }

    /// Every readable AWS session, in file-name order.
    pub fn all_aws_sessions(&self) -> Vec<AwsSession> {
        let files = self.dir.list(AWS_SESSION);
        files
            .iter()
            .filter_map(|p| self.dir.read(p))
            .filter(AwsSession::is_plausible)
            .collect()
    }

    /// Remember the roles an assertion granted the profile.
    pub fn save_granted_roles(&self, profile: &Profile, roles: &[RolePair]) -> Result<()> {
        let granted = GrantedRoles {
            version: FORMAT_VERSION,
            roles: roles.to_vec(),
        };
        self.dir
            .write(&self.profile_file(profile, GRANTED_ROLES), &granted)
    }

    /// The roles the profile's last assertion granted: as remembered, else the cached
    /// session's (from before they were kept apart). `None` when nothing is known.
    pub fn granted_roles(&self, profile: &Profile) -> Option<Vec<RolePair>> {
        let path = self.profile_file(profile, GRANTED_ROLES);
        match self.dir.read::<GrantedRoles>(&path) {
            Some(granted) if !granted.roles.is_empty() => Some(granted.roles),
            _ => self.aws_session(profile).map(|s| s.granted_roles()),
        }
    }

    /// Remember the targets IAM offered `saml_role` (when there were several to choose from).
    pub fn save_target_choices(
        &self,
        profile: &Profile,
        saml_role: &RoleArn,
        targets: &[RoleArn],
    ) -> Result<()> {
        let choices = TargetChoices {
            version: FORMAT_VERSION,
            saml_role: saml_role.clone(),
            targets: targets.to_vec(),
        };
        self.dir
            .write(&self.profile_file(profile, TARGET_CHOICES), &choices)
    }

    /// The targets IAM offered at the profile's last introspection that found several.
    pub fn target_choices(&self, profile: &Profile) -> Option<TargetChoices> {
        self.dir.read(&self.profile_file(profile, TARGET_CHOICES))
    }

    /// Forget the AWS sessions of `scope` (and the roles they were granted): how many there
    /// were, and the Okta orgs they came from. Forgetting every one also removes what
    /// interrupted writes left (temporary files holding secrets), however recent.
    pub fn forget_aws_sessions(&self, scope: Scope) -> Result<(usize, BTreeSet<String>)> {
        if matches!(scope, Scope::Every) {
            cache_dir::remove_temporaries(&self.dir.path, std::time::Duration::ZERO);
        }
        for kind in [GRANTED_ROLES, TARGET_CHOICES] {
            for path in self.profile_files(scope, kind) {
                self.dir.remove(&path)?;
            }
        }
        let mut orgs = BTreeSet::new();
        let mut forgotten = 0;
        for path in self.profile_files(scope, AWS_SESSION) {
            if let Some(session) = self.dir.read::<AwsSession>(&path) {
                orgs.insert(session.okta_org);
            }
            if self.dir.remove(&path)? {
                forgotten += 1;
            }
        }
        Ok((forgotten, orgs))
    }

    /// Remember that `login` wrote these credentials sections for the profile.
    pub fn record_written_sections(&self, profile: &Profile, sections: &[String]) -> Result<()> {
        let path = self.profile_file(profile, WRITTEN_SECTIONS);
        let mut ledger: WrittenSections = self.dir.read(&path).unwrap_or_default();
        let before = ledger.sections.len();
        for section in sections {
            if !ledger.sections.contains(section) {
                ledger.sections.push(section.clone());
            }
        }
        if ledger.sections.len() == before && ledger.version == FORMAT_VERSION {
            return Ok(());
        }
        ledger.version = FORMAT_VERSION;
        self.dir.write(&path, &ledger)
    }

    /// Remember that `login` wrote these ~/.aws/config keys for the profile. A key written
    /// before keeps its first `previous` (the user's value, not our own earlier one).
    pub fn record_written_config(&self, profile: &Profile, keys: &[ConfigKey]) -> Result<()> {
        let path = self.profile_file(profile, WRITTEN_SECTIONS);
        let mut ledger: WrittenSections = self.dir.read(&path).unwrap_or_default();
        for key in keys {
            let known = ledger
                .config
                .iter_mut()
                .find(|k| k.section == key.section && k.key == key.key);
            match known {
                Some(known) => known.value.clone_from(&key.value),
                None => ledger.config.push(key.clone()),
            }
        }
        ledger.version = FORMAT_VERSION;
        self.dir.write(&path, &ledger)
    }

    /// What was written for `scope`, forgetting the record of it.
    pub fn take_written(&self, scope: Scope) -> Result<Written> {
        let mut written = Written::default();
        for path in self.profile_files(scope, WRITTEN_SECTIONS) {
            if let Some(ledger) = self.dir.read::<WrittenSections>(&path) {
                written.sections.extend(ledger.sections);
                written.config.extend(ledger.config);
            }
            self.dir.remove(&path)?;
        }
        Ok(written)
    }

    /// Take the profile's login lock, waiting (bounded) for another process's login.
    pub fn lock_profile(&self, profile: &Profile, prompter: &dyn Prompter) -> Result<FileLock> {
        let path = self.profile_file(profile, LOCK);
        self.dir.lock(&path, &profile.describe(), prompter)
    }

    /// `okta-HOST.okta.json` for the org at `origin` (`https://acme.okta.com`).
    fn okta_web_session_file(&self, origin: &str) -> PathBuf {
        let host = origin.split("://").nth(1).unwrap_or(origin);
        self.dir.file(&format!("okta-{host}"), OKTA_WEB_SESSION)
    }

    /// The Okta web session kept for the org at `origin`.
    pub fn okta_web_session(&self, origin: &str) -> Option<OktaWebSession> {
        self.dir.read(&self.okta_web_session_file(origin))
    }

    pub fn save_okta_web_session(&self, web_session: &OktaWebSession) -> Result<()> {
        let path = self.okta_web_session_file(&web_session.org);
        self.dir.write(&path, web_session)
    }

    /// Every readable Okta web session (one per org).
    pub fn all_okta_web_sessions(&self) -> Vec<OktaWebSession> {
        let files = self.dir.list(OKTA_WEB_SESSION);
        files.iter().filter_map(|p| self.dir.read(p)).collect()
    }

    fn account_names_file(&self) -> PathBuf {
        self.dir.path.join(ACCOUNT_NAMES)
    }

    /// The account names known, whatever their age (for display).
    pub fn account_names(&self) -> AccountNames {
        self.dir
            .read(&self.account_names_file())
            .unwrap_or_default()
    }

    /// The account names, when fetched recently enough to skip fetching them again.
    pub fn fresh_account_names(&self) -> Option<AccountNames> {
        let names = self.dir.read::<AccountNames>(&self.account_names_file())?;
        names.is_fresh(now_secs()).then_some(names)
    }

    /// The user name last typed at the org at `origin`.
    pub fn remembered_user_name(&self, origin: &str) -> Option<String> {
        let names: UserNames = self.dir.read(&self.dir.path.join(USER_NAMES))?;
        names.by_org.get(origin).cloned()
    }

    /// Remember the user name typed at the org (after a sign-in that worked).
    pub fn remember_user_name(&self, origin: &str, name: &str) -> Result<()> {
        let path = self.dir.path.join(USER_NAMES);
        let mut names: UserNames = self.dir.read(&path).unwrap_or_default();
        if names.by_org.get(origin).map(String::as_str) == Some(name) {
            return Ok(());
        }
        names.version = FORMAT_VERSION;
        names.by_org.insert(origin.to_string(), name.to_string());
        self.dir.write(&path, &names)
    }

    /// Whether the sign-in page was asked about `account` within the last day.
    pub fn account_recently_asked(&self, account: &str) -> bool {
        let asked: Option<AccountsAsked> = self.dir.read(&self.dir.path.join(ACCOUNTS_ASKED));
        asked
            .and_then(|a| a.asked_at.get(account).copied())
            .is_some_and(|at| now_secs().saturating_sub(at) < FRESH_FOR_SECS)
    }

    /// Remember that the sign-in page answered for these accounts (named or not).
    pub fn record_accounts_asked<'a>(
        &self,
        accounts: impl IntoIterator<Item = &'a str>,
    ) -> Result<()> {
        let path = self.dir.path.join(ACCOUNTS_ASKED);
        let mut asked: AccountsAsked = self.dir.read(&path).unwrap_or_default();
        asked.version = FORMAT_VERSION;
        let now = now_secs();
        asked
            .asked_at
            .extend(accounts.into_iter().map(|a| (a.to_string(), now)));
        self.dir.write(&path, &asked)
    }

    /// Merge newly fetched names in (accounts of other Okta apps keep theirs).
    pub fn add_account_names(&self, fetched: HashMap<String, String>) -> Result<AccountNames> {
        let mut names = self.account_names();
        names.version = FORMAT_VERSION;
        names.fetched_at = now_secs();
        names.names.extend(fetched);
        self.dir.write(&self.account_names_file(), &names)?;
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cached_merged_and_age() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf());
        assert!(store.fresh_account_names().is_none());
        store
            .add_account_names([("111111111111".to_string(), "a".to_string())].into())
            .unwrap();
        store
            .add_account_names([("222222222222".to_string(), "b".to_string())].into())
            .unwrap();
        let fresh = store.fresh_account_names().unwrap();
        assert_eq!(fresh.names.len(), 2);
        let mut old = fresh.clone();
        old.fetched_at = now_secs() - FRESH_FOR_SECS - 1;
        store.dir.write(&store.account_names_file(), &old).unwrap();
        assert!(store.fresh_account_names().is_none());
        assert_eq!(store.account_names().names.len(), 2);
    }

    #[test]
    fn profiles_have_files_of_their_own() {
        let store = Store::new(PathBuf::from("/cache"));
        let named = store.profile_file(&Profile::named("top"), AWS_SESSION);
        let unnamed = store.profile_file(&Profile::unnamed(), AWS_SESSION);
        assert_eq!(named, PathBuf::from("/cache/p-top.session.json"));
        assert_eq!(unnamed, PathBuf::from("/cache/top.session.json"));
        assert_eq!(
            store.okta_web_session_file("https://acme.okta.com:8443"),
            PathBuf::from("/cache/okta-acme.okta.com%3A8443.okta.json")
        );
    }

    #[test]
    fn the_ledger_records_each_section_once_and_is_taken_whole() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().to_path_buf());
        let work = Profile::named("work");
        let sections = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        store
            .record_written_sections(&work, &sections(&["work", "1/A"]))
            .unwrap();
        store
            .record_written_sections(&work, &sections(&["1/A", "2/B"]))
            .unwrap();
        store
            .record_written_sections(&Profile::unnamed(), &sections(&["3/C"]))
            .unwrap();
        let key = |value: &str, previous: Option<&str>| ConfigKey {
            section: "profile work".to_string(),
            key: "region".to_string(),
            value: value.to_string(),
            previous: previous.map(str::to_string),
        };
        store
            .record_written_config(&work, &[key("eu-west-1", Some("mine"))])
            .unwrap();
        store
            .record_written_config(&work, &[key("eu-west-2", Some("eu-west-1"))])
            .unwrap();
        let taken = store.take_written(Scope::Profile(&work)).unwrap();
        assert_eq!(taken.sections, sections(&["work", "1/A", "2/B"]));
        assert_eq!(taken.config, vec![key("eu-west-2", Some("mine"))]);
        assert_eq!(
            store.take_written(Scope::Profile(&work)).unwrap(),
            Written::default()
        );
        assert_eq!(
            store.take_written(Scope::Every).unwrap().sections,
            sections(&["3/C"])
        );
    }
}
