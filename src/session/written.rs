//! What a login writes into ~/.aws/config (a cross-account `[profile NAME]`, the region),
//! recorded in the store's ledger as it is written, so that logout takes out exactly that:
//! an entry whose `source_profile` section is gone would make every `aws --profile NAME`
//! fail ("Infinite loop in credential configuration").

use std::path::Path;

use anyhow::{Context, Result};

use crate::aws::credentials_file::{check_config_entry, config_section};
use crate::files::atomic_file::update_file;
use crate::files::ini_edit::IniDocument;
use crate::settings::Profile;
use crate::store::{ConfigKey, Store};

/// Set `keys` in the AWS CLI profile `aws_profile` of the config file at `path` (one locked,
/// atomic update), and record them in the ledger of the okta-aws `profile`, each with the
/// value it replaced.
pub fn write_config_entry(
    store: &Store,
    profile: &Profile,
    path: &Path,
    aws_profile: &str,
    keys: &[(&str, &str)],
) -> Result<()> {
    check_config_entry(aws_profile, keys)?;
    let section = config_section(aws_profile);
    let mut written = Vec::new();
    update_file(path, |text| {
        let mut doc = IniDocument::parse(text);
        for (key, value) in keys {
            written.push(ConfigKey {
                section: section.clone(),
                key: key.to_string(),
                value: value.to_string(),
                previous: doc.get(&section, key),
            });
            doc.set(&section, key, value)?;
        }
        Ok(doc.render())
    })
    .with_context(|| format!("writing {}", path.display()))?;
    store.record_written_config(profile, &written)
}

/// Take out the keys a login wrote: each one still holding what login wrote goes (or gets
/// back the value it replaced); a section left empty goes too. Whether the file changed.
pub fn remove_config_keys(path: &Path, keys: &[ConfigKey]) -> Result<bool> {
    if keys.is_empty() || !path.exists() {
        return Ok(false);
    }
    update_file(path, |text| {
        let mut doc = IniDocument::parse(text);
        for key in keys.iter().rev() {
            undo(&mut doc, key);
        }
        for key in keys {
            if doc.has_section(&key.section) && doc.keys(&key.section).is_empty() {
                doc.remove_section(&key.section);
            }
        }
        Ok(doc.render())
    })
    .with_context(|| format!("editing {}", path.display()))
}

/// One key back to what it was before login; left alone when someone changed it since.
fn undo(doc: &mut IniDocument, key: &ConfigKey) {
    if doc.get(&key.section, &key.key).as_deref() != Some(key.value.as_str()) {
        return;
    }
    match &key.previous {
        // A value the INI readers would not read back (several lines, say) cannot be set
        // back as it was: the editor refuses it, and ours stays.
        Some(previous) => {
            let _ = doc.set(&key.section, &key.key, previous);
        }
        None => {
            doc.remove_key(&key.section, &key.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Scope;

    fn round_trip(before: &str, keys: &[(&str, &str)], edit: impl Fn(String) -> String) -> String {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join("cache"));
        let path = dir.path().join("config");
        std::fs::write(&path, before).unwrap();
        let profile = Profile::named("team");
        write_config_entry(&store, &profile, &path, "team", keys).unwrap();
        let after_login = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, edit(after_login)).unwrap();
        let written = store.take_written(Scope::Profile(&profile)).unwrap();
        remove_config_keys(&path, &written.config).unwrap();
        std::fs::read_to_string(&path).unwrap()
    }

    const HOP: [(&str, &str); 3] = [
        ("role_arn", "arn:aws:iam::2:role/Deploy"),
        ("source_profile", "team"),
        ("region", "eu-west-2"),
    ];

    #[test]
    fn a_new_entry_goes_whole_and_nothing_else_moves() {
        let before = "# mine\n[profile other]\nregion = x\n";
        assert_eq!(round_trip(before, &HOP, |s| s), before);
    }

    #[test]
    fn the_users_keys_and_replaced_values_come_back() {
        let before = "[profile team]\nregion = us-west-1\noutput = json\n";
        assert_eq!(round_trip(before, &HOP, |s| s), before);
    }

    #[test]
    fn a_key_changed_since_login_stays() {
        let before = "[default]\n";
        let after = round_trip(before, &HOP, |s| s.replace("eu-west-2", "ap-south-1"));
        assert_eq!(after, "[default]\n\n[profile team]\nregion = ap-south-1\n");
    }
}
