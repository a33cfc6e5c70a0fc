//! Cross-account roles: the role an Okta (SAML) role may hop into, found through IAM or
//! preset with `OKTA_AWS_TARGET_ROLE`, chosen once per SAML role and remembered.

use anyhow::Result;

use crate::aws::AwsCredentials;
use crate::aws::iam::{self, TargetRoles};
use crate::config::{AWS_IAM_KEY, AWS_IAM_SECRET, OKTA_AWS_TARGET_ROLE, Settings};
use crate::error::Interrupted;
use crate::saml::RolePair;
use crate::terminal;

/// What to do about a cross-account target after the SAML role is assumed.
pub enum Decision {
    /// Keep the remembered choice (introspection already ran for this SAML role).
    Keep(Option<String>),
    /// Use this role (preset), or none.
    Use(Option<String>),
    /// Ask IAM.
    Introspect,
}

/// Decide without network: a preset wins, then a remembered choice for this SAML role.
pub fn decide(
    settings: &Settings,
    saml_role: &RolePair,
    remembered_for: Option<&str>,
    remembered: Option<&str>,
    force: bool,
) -> Decision {
    if let Some(preset) = settings.get(OKTA_AWS_TARGET_ROLE) {
        if let Some(arn) = preset_arn(preset, saml_role) {
            return Decision::Use(Some(arn));
        }
        // A bare role name: IAM must tell which account it lives in.
        return Decision::Introspect;
    }
    if !force && remembered_for == Some(saml_role.role_arn.as_str()) {
        return Decision::Keep(remembered.map(str::to_string));
    }
    Decision::Introspect
}

/// `arn:…` as given; `ACCOUNT/ROLE` built in the SAML role's partition; a bare name: `None`.
fn preset_arn(preset: &str, saml_role: &RolePair) -> Option<String> {
    let preset = preset.trim();
    if preset.starts_with("arn:") {
        return Some(preset.to_string());
    }
    let (account, name) = preset.split_once('/')?;
    Some(format!(
        "arn:{}:iam::{account}:role/{name}",
        saml_role.partition()
    ))
}

/// Ask IAM which roles the SAML role may assume, and pick one. Every failure is a warning:
/// the login goes on with the SAML role.
pub async fn introspect_and_choose(
    settings: &Settings,
    saml_role: &RolePair,
    credentials: &AwsCredentials,
) -> Result<Option<String>> {
    let keys = match (settings.get(AWS_IAM_KEY), settings.get(AWS_IAM_SECRET)) {
        (Some(k), Some(s)) => Some((k.to_string(), s.to_string())),
        _ => None,
    };
    let config = iam::iam_config(
        &settings.region_for(saml_role.partition()),
        keys,
        credentials,
    )
    .await;
    let found = match iam::find_target_roles(&config, &saml_role.role_arn).await {
        Ok(TargetRoles { targets, .. }) => targets,
        Err(e) => {
            terminal::debug(&format!("IAM introspection of {}: {e}", saml_role.role_arn));
            terminal::warn(&e.to_warning());
            return Ok(None);
        }
    };
    terminal::debug(&format!(
        "{} may assume: {}",
        saml_role.role_arn,
        found.join(", ")
    ));
    choose(settings.get(OKTA_AWS_TARGET_ROLE), &found, saml_role)
}

/// Among the targets IAM allows: the preset (by name), the only one, or a menu. Only Ctrl-C
/// is an error; anything else warns and stays in the SAML role.
fn choose(
    preset: Option<&str>,
    targets: &[String],
    saml_role: &RolePair,
) -> Result<Option<String>> {
    let name_of = |arn: &str| arn.rsplit('/').next().unwrap_or(arn).to_string();
    if let Some(name) = preset {
        let found: Vec<&String> = targets
            .iter()
            .filter(|t| name_of(t) == name.trim())
            .collect();
        if let [one] = found.as_slice() {
            return Ok(Some((*one).clone()));
        }
        terminal::warn(&format!(
            "{OKTA_AWS_TARGET_ROLE}={name} names {} of the roles {} may assume ({}); set it to the role's ARN or ACCOUNT/ROLE",
            if found.is_empty() { "none" } else { "several" },
            saml_role.role_name(),
            targets.join(", ")
        ));
        return Ok(None);
    }
    match targets {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        several => {
            let mut labels: Vec<String> = several.iter().map(|arn| short(arn)).collect();
            labels.push(format!("(none: stay in {})", saml_role.short_name()));
            match terminal::choose("Cross-account role", &labels, 0, OKTA_AWS_TARGET_ROLE) {
                Ok(index) => Ok(several.get(index).cloned()),
                Err(e) if e.downcast_ref::<Interrupted>().is_some() => Err(e),
                Err(e) => {
                    terminal::warn(&format!(
                        "{e}; set {OKTA_AWS_TARGET_ROLE} to one of them; staying in {} for now",
                        saml_role.short_name()
                    ));
                    Ok(None)
                }
            }
        }
    }
}

/// `ACCOUNT/ROLE` of a role ARN.
pub fn short(arn: &str) -> String {
    let account = arn.split(':').nth(4).unwrap_or("");
    format!("{account}/{}", arn.rsplit('/').next().unwrap_or(arn))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saml() -> RolePair {
        RolePair {
            role_arn: "arn:aws-us-gov:iam::111111111111:role/Okta".into(),
            provider_arn: "arn:aws-us-gov:iam::111111111111:saml-provider/Okta".into(),
        }
    }

    #[test]
    fn presets_become_arns_in_the_saml_partition() {
        assert_eq!(
            preset_arn("222222222222/Deploy", &saml()).unwrap(),
            "arn:aws-us-gov:iam::222222222222:role/Deploy"
        );
        assert_eq!(
            preset_arn("arn:aws:iam::3:role/X", &saml()).unwrap(),
            "arn:aws:iam::3:role/X"
        );
        assert!(preset_arn("Deploy", &saml()).is_none());
    }

    #[test]
    fn a_named_preset_picks_among_the_targets() {
        let targets = vec![
            "arn:aws:iam::2:role/Deploy".to_string(),
            "arn:aws:iam::3:role/Audit".to_string(),
        ];
        let pick = |preset, targets: &[String]| choose(preset, targets, &saml()).unwrap();
        assert_eq!(
            pick(Some("Audit"), &targets).as_deref(),
            Some("arn:aws:iam::3:role/Audit")
        );
        assert_eq!(pick(Some("Nope"), &targets), None);
        assert_eq!(
            pick(None, &targets[..1]).as_deref(),
            Some("arn:aws:iam::2:role/Deploy")
        );
        assert_eq!(pick(None, &[]), None);
    }
}
