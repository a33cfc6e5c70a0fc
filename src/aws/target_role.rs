//! Cross-account roles: the role an Okta (SAML) role may hop into, found through IAM or
//! preset with `OKTA_AWS_TARGET_ROLE`, chosen once per SAML role and remembered.

use anyhow::Result;

use crate::arn::RoleArn;
use crate::aws::AwsCredentials;
use crate::aws::iam::{self, TargetRoles};
use crate::error::fail;
use crate::prompt::{Prompter, log};
use crate::saml::RolePair;
use crate::settings::TargetSettings;
use crate::settings::keys::OKTA_AWS_TARGET_ROLE;

/// What to do about a cross-account target after the SAML role is assumed.
pub enum Decision {
    /// Keep the remembered choice (introspection already ran for this SAML role).
    Keep(Option<RoleArn>),
    /// Use this role (preset), or none.
    Use(Option<RoleArn>),
    /// Ask IAM.
    Introspect,
}

/// Decide without network: a preset wins, then a remembered choice for this SAML role.
pub fn decide(
    settings: &TargetSettings,
    saml_role: &RolePair,
    remembered_for: Option<&RoleArn>,
    remembered: Option<&RoleArn>,
    force: bool,
) -> Result<Decision> {
    if let Some(preset) = &settings.role {
        if let Some(arn) = preset_arn(preset, saml_role)? {
            return Ok(Decision::Use(Some(arn)));
        }
        // A bare role name: IAM must tell which account it lives in.
        return Ok(Decision::Introspect);
    }
    if !force && remembered_for == Some(&saml_role.role_arn) {
        return Ok(Decision::Keep(remembered.cloned()));
    }
    Ok(Decision::Introspect)
}

/// An ARN as given; `ACCOUNT/ROLE` built in the SAML role's partition; a bare name: `None`.
fn preset_arn(preset: &str, saml_role: &RolePair) -> Result<Option<RoleArn>> {
    let preset = preset.trim();
    if preset.starts_with("arn:") {
        return match RoleArn::parse(preset) {
            Some(arn) => Ok(Some(arn)),
            None => fail(
                format!("{OKTA_AWS_TARGET_ROLE}={preset} is not an IAM role ARN"),
                format!(
                    "set {OKTA_AWS_TARGET_ROLE} to arn:aws:iam::ACCOUNT:role/NAME, ACCOUNT/ROLE or a role name"
                ),
            ),
        };
    }
    Ok(RoleArn::from_short(preset, saml_role.role_arn.partition()))
}

/// Ask IAM which roles the SAML role may assume. A failure is a warning and `None`: the
/// login goes on with the SAML role.
pub async fn find_targets(
    settings: &TargetSettings,
    region: &str,
    saml_role: &RolePair,
    credentials: &AwsCredentials,
    prompter: &dyn Prompter,
) -> Option<Vec<RoleArn>> {
    let keys = settings
        .iam_keys
        .as_ref()
        .map(|k| (k.key_id.clone(), k.secret.clone()));
    let config = iam::iam_config(region, keys, credentials).await;
    let found = match iam::find_target_roles(&config, saml_role.role_arn.as_str()).await {
        Ok(TargetRoles { targets, .. }) => targets,
        Err(e) => {
            log::debug(&format!("IAM introspection of {}: {e}", saml_role.role_arn));
            prompter.warn(&e.to_warning());
            return None;
        }
    };
    let found: Vec<RoleArn> = found.iter().filter_map(|t| RoleArn::parse(t)).collect();
    log::debug(&format!(
        "{} may assume: {}",
        saml_role.role_arn,
        listing(&found)
    ));
    Some(found)
}

/// The targets IAM allows the SAML role, and the choice made for it last time: `Some(None)`
/// when that was the SAML role itself.
pub struct TargetMenu<'a> {
    pub targets: &'a [RoleArn],
    pub saml_role: &'a RolePair,
    pub remembered: Option<Option<&'a RoleArn>>,
}

/// Among the targets IAM allows: the preset (by name), the only one, or a menu. A preset
/// that names none or several warns and stays in the SAML role; a menu nobody can answer
/// is an error naming the setting, as every question is.
pub fn choose_target(
    preset: Option<&str>,
    menu: &TargetMenu<'_>,
    prompter: &dyn Prompter,
) -> Result<Option<RoleArn>> {
    let TargetMenu {
        targets, saml_role, ..
    } = *menu;
    if let Some(name) = preset {
        let found: Vec<&RoleArn> = targets.iter().filter(|t| t.name() == name.trim()).collect();
        if let [one] = found.as_slice() {
            return Ok(Some((*one).clone()));
        }
        prompter.warn(&format!(
            "{OKTA_AWS_TARGET_ROLE}={name} names {} of the roles {} may assume ({}); set it to the role's ARN or ACCOUNT/ROLE",
            if found.is_empty() { "none" } else { "several" },
            saml_role.role_arn.name(),
            listing(targets)
        ));
        return Ok(None);
    }
    match targets {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        several => ask_target(several, menu, prompter),
    }
}

/// The menu of several targets, with a way out (the last item), the choice made before as
/// its default. With no terminal, that choice answers it (a scripted `login --force` keeps
/// the user's target) while IAM still offers it.
fn ask_target(
    several: &[RoleArn],
    menu: &TargetMenu<'_>,
    prompter: &dyn Prompter,
) -> Result<Option<RoleArn>> {
    let still_offered = menu
        .remembered
        .filter(|choice| choice.is_none_or(|r| several.contains(r)));
    if !prompter.is_interactive()
        && let Some(choice) = still_offered
    {
        log::debug("no terminal: the cross-account choice made before");
        return Ok(choice.cloned());
    }
    let mut labels: Vec<String> = several.iter().map(RoleArn::short).collect();
    labels.push(format!(
        "(none: stay in {})",
        menu.saml_role.role_arn.short()
    ));
    let default = match still_offered {
        Some(Some(target)) => several.iter().position(|t| t == target).unwrap_or(0),
        Some(None) => several.len(),
        None => 0,
    };
    let index = prompter.choose("Cross-account role", &labels, default, OKTA_AWS_TARGET_ROLE)?;
    Ok(several.get(index).cloned())
}

fn listing(arns: &[RoleArn]) -> String {
    arns.iter()
        .map(RoleArn::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompt::none::NoTerminal;
    use crate::prompt::script::ScriptedPrompter;

    fn saml() -> RolePair {
        RolePair {
            role_arn: arn("arn:aws-us-gov:iam::111111111111:role/Okta"),
            provider_arn: "arn:aws-us-gov:iam::111111111111:saml-provider/Okta".into(),
        }
    }

    fn arn(text: &str) -> RoleArn {
        RoleArn::parse(text).unwrap()
    }

    fn deploy_and_audit() -> Vec<RoleArn> {
        vec![
            arn("arn:aws:iam::2:role/Deploy"),
            arn("arn:aws:iam::3:role/Audit"),
        ]
    }

    fn menu<'a>(
        targets: &'a [RoleArn],
        remembered: Option<Option<&'a RoleArn>>,
        saml_role: &'a RolePair,
    ) -> TargetMenu<'a> {
        TargetMenu {
            targets,
            saml_role,
            remembered,
        }
    }

    #[test]
    fn presets_become_arns_in_the_saml_partition() {
        assert_eq!(
            preset_arn("222222222222/Deploy", &saml()).unwrap().unwrap(),
            "arn:aws-us-gov:iam::222222222222:role/Deploy"
        );
        assert_eq!(
            preset_arn("arn:aws:iam::3:role/X", &saml())
                .unwrap()
                .unwrap(),
            "arn:aws:iam::3:role/X"
        );
        assert!(preset_arn("Deploy", &saml()).unwrap().is_none());
        let bad = preset_arn("arn:aws:iam::3:user/X", &saml()).unwrap_err();
        assert!(bad.to_string().contains("not an IAM role ARN"), "{bad}");
    }

    #[test]
    fn a_named_preset_picks_among_the_targets() {
        let saml = saml();
        let targets = deploy_and_audit();
        let prompter = ScriptedPrompter::new();
        let pick = |preset, targets: &[RoleArn]| {
            choose_target(preset, &menu(targets, None, &saml), &prompter).unwrap()
        };
        assert_eq!(
            pick(Some("Audit"), &targets),
            Some(arn("arn:aws:iam::3:role/Audit"))
        );
        assert_eq!(pick(Some("Nope"), &targets), None);
        assert_eq!(
            pick(None, &targets[..1]),
            Some(arn("arn:aws:iam::2:role/Deploy"))
        );
        assert_eq!(pick(None, &[]), None);
    }

    #[test]
    fn several_targets_make_a_menu_with_a_way_out() {
        let saml = saml();
        let targets = vec![
            arn("arn:aws:iam::2:role/Deploy"),
            arn("arn:aws:iam::3:role/ops/Audit"),
        ];
        let prompter = ScriptedPrompter::new().pick(1).pick(2);
        let first = choose_target(None, &menu(&targets, None, &saml), &prompter).unwrap();
        assert_eq!(first, Some(targets[1].clone()));
        let stay = choose_target(None, &menu(&targets, None, &saml), &prompter).unwrap();
        assert_eq!(stay, None, "the last item stays in the SAML role");
        let menu = &prompter.menus()[0];
        assert_eq!(menu.prompt, "Cross-account role");
        assert_eq!(
            menu.items,
            ["2/Deploy", "3/Audit", "(none: stay in 111111111111/Okta)"]
        );
    }

    #[test]
    fn without_a_terminal_the_menu_fails_naming_the_setting_and_a_bad_preset_warns() {
        let saml = saml();
        let targets = deploy_and_audit();
        let unanswered = choose_target(None, &menu(&targets, None, &saml), &NoTerminal);
        let error = unanswered.unwrap_err().to_string();
        assert!(
            error.contains("Cross-account role (2/Deploy, 3/Audit"),
            "{error}"
        );
        let prompter = ScriptedPrompter::new();
        assert_eq!(
            choose_target(Some("Nope"), &menu(&targets, None, &saml), &prompter).unwrap(),
            None
        );
        let said = prompter.said();
        assert!(
            said[0].starts_with("warning: OKTA_AWS_TARGET_ROLE=Nope names none"),
            "{said:?}"
        );
    }

    #[test]
    fn without_a_terminal_the_choice_made_before_answers_the_menu() {
        let saml = saml();
        let targets = deploy_and_audit();
        let chosen = choose_target(
            None,
            &menu(&targets, Some(Some(&targets[1])), &saml),
            &NoTerminal,
        );
        assert_eq!(chosen.unwrap(), Some(targets[1].clone()));
        // A remembered role IAM no longer allows does not answer.
        let gone = arn("arn:aws:iam::4:role/Gone");
        let chosen = choose_target(None, &menu(&targets, Some(Some(&gone)), &saml), &NoTerminal);
        assert!(chosen.is_err());
        // Staying in the SAML role was a choice too.
        let chosen = choose_target(None, &menu(&targets, Some(None), &saml), &NoTerminal);
        assert_eq!(chosen.unwrap(), None);
    }

    #[test]
    fn on_a_terminal_the_choice_made_before_is_the_menus_default() {
        let saml = saml();
        let targets = deploy_and_audit();
        let prompter = ScriptedPrompter::new().pick(0);
        choose_target(
            None,
            &menu(&targets, Some(Some(&targets[1])), &saml),
            &prompter,
        )
        .unwrap();
        assert_eq!(prompter.menus()[0].default, 1);
        let prompter = ScriptedPrompter::new().pick(0);
        choose_target(None, &menu(&targets, Some(None), &saml), &prompter).unwrap();
        assert_eq!(prompter.menus()[0].default, 2, "(none: stay in …)");
    }
}
