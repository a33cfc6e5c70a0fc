//! Picking the role to assume: a preset (ARN, name or `ACCOUNT/ROLE`), the only one, or a menu.

use anyhow::Result;

use crate::config::OKTA_AWS_ROLE_TO_ASSUME;
use crate::error::fail;
use crate::saml::RolePair;
use crate::terminal;

/// Roles matching a user's words: a full ARN, `ACCOUNT/ROLE`, or a bare role name.
pub fn matching<'a>(roles: &'a [RolePair], wanted: &str) -> Vec<&'a RolePair> {
    let wanted = wanted.trim();
    if wanted.starts_with("arn:") {
        return roles.iter().filter(|r| r.role_arn == wanted).collect();
    }
    if let Some((account, name)) = wanted.split_once('/') {
        return roles
            .iter()
            .filter(|r| r.account_id() == account && r.role_name() == name)
            .collect();
    }
    roles.iter().filter(|r| r.role_name() == wanted).collect()
}

fn listing(roles: &[&RolePair]) -> String {
    roles
        .iter()
        .map(|r| r.short_name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Choose one role: the preset, else the only one, else ask.
pub fn choose(roles: &[RolePair], preset: Option<&str>) -> Result<RolePair> {
    if let Some(wanted) = preset {
        let found = matching(roles, wanted);
        return match found.as_slice() {
            [one] => Ok((*one).clone()),
            [] => fail(
                format!(
                    "role '{wanted}' is not among your roles: {}",
                    listing(&roles.iter().collect::<Vec<_>>())
                ),
                format!(
                    "set --role or {OKTA_AWS_ROLE_TO_ASSUME} to one of them (ARN, name, or ACCOUNT/ROLE)"
                ),
            ),
            several => fail(
                format!(
                    "role name '{wanted}' matches several roles: {}",
                    listing(several)
                ),
                "give ACCOUNT/ROLE or the full role ARN",
            ),
        };
    }
    if let [only] = roles {
        return Ok(only.clone());
    }
    let labels: Vec<String> = roles
        .iter()
        .map(|r| format!("{:<14} {}", r.account_id(), r.role_name()))
        .collect();
    let index = terminal::choose("Role to assume", &labels, 0, OKTA_AWS_ROLE_TO_ASSUME)?;
    Ok(roles[index].clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(account: &str, name: &str) -> RolePair {
        RolePair {
            role_arn: format!("arn:aws:iam::{account}:role/{name}"),
            provider_arn: format!("arn:aws:iam::{account}:saml-provider/Okta"),
        }
    }

    #[test]
    fn presets_match_arn_short_form_and_unique_name() {
        let roles = vec![pair("111", "Dev"), pair("222", "Dev"), pair("222", "Admin")];
        assert_eq!(choose(&roles, Some("Admin")).unwrap(), roles[2]);
        assert_eq!(choose(&roles, Some("222/Dev")).unwrap(), roles[1]);
        assert_eq!(
            choose(&roles, Some("arn:aws:iam::111:role/Dev")).unwrap(),
            roles[0]
        );
        let ambiguous = choose(&roles, Some("Dev")).unwrap_err().to_string();
        assert!(ambiguous.contains("several"), "{ambiguous}");
        let missing = choose(&roles, Some("Nope")).unwrap_err().to_string();
        assert!(missing.contains("111/Dev, 222/Dev, 222/Admin"), "{missing}");
    }

    #[test]
    fn a_single_role_is_chosen_without_asking() {
        let roles = vec![pair("111", "Dev")];
        assert_eq!(choose(&roles, None).unwrap(), roles[0]);
    }
}
