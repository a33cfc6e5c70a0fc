//! Picking the role to assume: a preset (ARN, name or `ACCOUNT/ROLE`), the only one, or a menu.

use std::collections::BTreeMap;

use anyhow::Result;

use crate::arn::RoleArn;
use crate::error::fail;
use crate::prompt::Prompter;
use crate::saml::RolePair;
use crate::settings::keys::OKTA_AWS_ROLE_TO_ASSUME;

/// Roles matching a user's words: a full ARN, `ACCOUNT/ROLE`, or a bare role name.
pub fn matching<'a>(roles: &'a [RolePair], wanted: &str) -> Vec<&'a RolePair> {
    let wanted = wanted.trim();
    if wanted.starts_with("arn:") {
        return roles.iter().filter(|r| r.role_arn == wanted).collect();
    }
    if let Some((account, name)) = wanted.split_once('/') {
        return roles
            .iter()
            .filter(|r| r.role_arn.account() == account && r.role_arn.name() == name)
            .collect();
    }
    roles
        .iter()
        .filter(|r| r.role_arn.name() == wanted)
        .collect()
}

/// Whether a role matches a `--role` glob: against its ARN, `ACCOUNT/ROLE`, or
/// `ALIAS/ROLE` when the account's name is known.
pub fn matches_pattern(
    pattern: &str,
    role: &RolePair,
    account_names: &BTreeMap<String, String>,
) -> bool {
    let by_alias = account_names
        .get(role.role_arn.account())
        .map(|alias| format!("{alias}/{}", role.role_arn.name()));
    [
        Some(role.role_arn.to_string()),
        Some(role.role_arn.short()),
        by_alias,
    ]
    .into_iter()
    .flatten()
    .any(|candidate| crate::glob::matches(pattern, &candidate))
}

fn listing(roles: &[&RolePair]) -> String {
    roles
        .iter()
        .map(|r| r.role_arn.short())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What makes the role menu friendlier: account names, and the last choice as default.
#[derive(Debug, Clone, Default)]
pub struct MenuHints {
    /// Account id → name (alias), as far as known.
    pub account_names: BTreeMap<String, String>,
    /// The role ARN chosen last time for this profile.
    pub last_choice: Option<RoleArn>,
}

impl MenuHints {
    /// `alias (123456789012)`, or the bare id when no name is known.
    pub fn account_label(&self, account_id: &str) -> String {
        crate::aws::signin_page::label(&self.account_names, account_id)
    }
}

/// Choose one role: the preset, else the only one, else ask.
pub fn choose_role(
    roles: &[RolePair],
    preset: Option<&str>,
    hints: &MenuHints,
    prompter: &dyn Prompter,
) -> Result<RolePair> {
    if let Some(wanted) = preset {
        return preset_role(roles, wanted);
    }
    if let [only] = roles {
        return Ok(only.clone());
    }
    let ordered = menu_order(roles, hints);
    let default = hints
        .last_choice
        .as_ref()
        .and_then(|last| ordered.iter().position(|r| r.role_arn == *last))
        .unwrap_or(0);
    let labels = menu_labels(&ordered, hints);
    let index = prompter.choose("Role to assume", &labels, default, OKTA_AWS_ROLE_TO_ASSUME)?;
    Ok(ordered[index].clone())
}

/// The one role the user's words name.
fn preset_role(roles: &[RolePair], wanted: &str) -> Result<RolePair> {
    match matching(roles, wanted).as_slice() {
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
    }
}

/// `ACCOUNT  ROLE` lines, the accounts' labels padded to one width.
fn menu_labels(ordered: &[RolePair], hints: &MenuHints) -> Vec<String> {
    let account = |r: &RolePair| hints.account_label(r.role_arn.account());
    let width = ordered
        .iter()
        .map(|r| account(r).chars().count())
        .max()
        .unwrap_or(0);
    ordered
        .iter()
        .map(|r| format!("{:<width$}  {}", account(r), r.role_arn.name()))
        .collect()
}

/// Roles grouped by account — named accounts first, by name, then the others by id — and
/// by role name within an account.
fn menu_order(roles: &[RolePair], hints: &MenuHints) -> Vec<RolePair> {
    let mut ordered = roles.to_vec();
    ordered.sort_by_key(|r| {
        let unnamed = !hints.account_names.contains_key(r.role_arn.account());
        (
            unnamed,
            hints.account_label(r.role_arn.account()).to_lowercase(),
            r.role_arn.name().to_lowercase(),
        )
    });
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::none::NoTerminal;
    use crate::prompt::script::ScriptedPrompter;

    fn pair(account: &str, name: &str) -> RolePair {
        RolePair {
            role_arn: RoleArn::parse(&format!("arn:aws:iam::{account}:role/{name}")).unwrap(),
            provider_arn: format!("arn:aws:iam::{account}:saml-provider/Okta"),
        }
    }

    #[test]
    fn presets_match_arn_short_form_and_unique_name() {
        let roles = vec![pair("111", "Dev"), pair("222", "Dev"), pair("222", "Admin")];
        let pick = |preset| choose_role(&roles, Some(preset), &MenuHints::default(), &NoTerminal);
        assert_eq!(pick("Admin").unwrap(), roles[2]);
        assert_eq!(pick("222/Dev").unwrap(), roles[1]);
        assert_eq!(pick("arn:aws:iam::111:role/Dev").unwrap(), roles[0]);
        let ambiguous = pick("Dev").unwrap_err().to_string();
        assert!(ambiguous.contains("several"), "{ambiguous}");
        let missing = pick("Nope").unwrap_err().to_string();
        assert!(missing.contains("111/Dev, 222/Dev, 222/Admin"), "{missing}");
    }

    #[test]
    fn patterns_match_arn_short_form_and_alias() {
        let names: BTreeMap<String, String> = [("222".to_string(), "prod-eu".to_string())].into();
        assert!(matches_pattern(
            "prod-*/Admin",
            &pair("222", "Admin"),
            &names
        ));
        assert!(matches_pattern("222/*", &pair("222", "Admin"), &names));
        assert!(matches_pattern(
            "arn:aws:iam::111:role/*",
            &pair("111", "Dev"),
            &names
        ));
        assert!(!matches_pattern(
            "prod-*/Admin",
            &pair("111", "Admin"),
            &names
        ));
    }

    #[test]
    fn a_single_role_is_chosen_without_asking() {
        let roles = vec![pair("111", "Dev")];
        assert_eq!(
            choose_role(&roles, None, &MenuHints::default(), &NoTerminal).unwrap(),
            roles[0]
        );
    }

    #[test]
    fn the_menu_groups_by_account_name_then_role() {
        let roles = vec![
            pair("222", "Dev"),
            pair("111", "Ops"),
            pair("111", "Admin"),
            pair("333", "Dev"),
            pair("444", "Z"),
        ];
        let hints = MenuHints {
            account_names: [
                ("333".to_string(), "prod".to_string()),
                ("444".to_string(), "dev".to_string()),
            ]
            .into(),
            last_choice: None,
        };
        let order: Vec<String> = menu_order(&roles, &hints)
            .iter()
            .map(|r| r.role_arn.short())
            .collect();
        assert_eq!(
            order,
            ["444/Z", "333/Dev", "111/Admin", "111/Ops", "222/Dev"]
        );
        assert_eq!(hints.account_label("333"), "prod (333)");
        assert_eq!(hints.account_label("111"), "111");
    }

    #[test]
    fn the_role_menu_shows_accounts_and_starts_on_the_last_choice() {
        let roles = vec![pair("111", "Ops"), pair("222", "Admin"), pair("111", "Dev")];
        let hints = MenuHints {
            account_names: [("222".to_string(), "prod".to_string())].into(),
            last_choice: Some(roles[2].role_arn.clone()),
        };
        let prompter = ScriptedPrompter::new().pick(2);
        let chosen = choose_role(&roles, None, &hints, &prompter).unwrap();
        assert_eq!(chosen, roles[0], "the menu is in its own order");
        let menu = &prompter.menus()[0];
        assert_eq!(menu.prompt, "Role to assume");
        assert_eq!(
            menu.items,
            ["prod (222)  Admin", "111         Dev", "111         Ops"]
        );
        assert_eq!(menu.default, 1, "the last choice, 111/Dev");
    }
}
