//! A login with no terminal: the questions that come after MFA — the role, the
//! cross-account target — checked before a sign-in sends a push, so that no push is
//! approved only for the login to fail at a menu nobody can answer. What the profile's last
//! login learnt (the roles granted, the targets IAM offered) tells whether a question is
//! coming; a first login cannot know (README: set the presets for unattended use).

use anyhow::Result;

use super::model::AwsSession;
use crate::arn::RoleArn;
use crate::error::fail;
use crate::prompt::Prompter;
use crate::role_choice;
use crate::settings::Settings;
use crate::settings::keys::{OKTA_AWS_ROLE_TO_ASSUME, OKTA_AWS_TARGET_ROLE};
use crate::store::cache_dir::now_secs;
use crate::store::{Store, TargetChoices};

/// Fail now when a question the login will ask after MFA has nobody to answer it. Not with
/// a terminal, and not when the kept Okta session will likely serve (no factor fires): then
/// the menus' own errors say it.
pub fn questions_answerable(
    settings: &Settings,
    prompter: &dyn Prompter,
    store: &Store,
    org: &str,
    previous: Option<&AwsSession>,
) -> Result<()> {
    let kept_alive = store
        .okta_web_session(org)
        .is_some_and(|kept| kept.alive(now_secs()));
    if prompter.is_interactive() || kept_alive {
        return Ok(());
    }
    role_answerable(settings, store)?;
    target_answerable(settings, store, previous)
}

/// The role question comes when the profile's last assertion granted several roles and
/// none is preset.
fn role_answerable(settings: &Settings, store: &Store) -> Result<()> {
    if settings.sts.role.is_some() {
        return Ok(());
    }
    let roles = store.granted_roles(&settings.profile).unwrap_or_default();
    if roles.len() < 2 {
        return Ok(());
    }
    let listed: Vec<String> = roles.iter().map(|r| r.role_arn.short()).collect();
    fail(
        format!(
            "no terminal to ask which role to assume (your last login granted {}), and signing in would first ask for MFA",
            listed.join(", ")
        ),
        format!("set {OKTA_AWS_ROLE_TO_ASSUME} (in the environment or the config file)"),
    )
}

/// The cross-account question comes when IAM offered the role this login will assume
/// several targets last time, none is preset, and no choice made before answers it.
fn target_answerable(
    settings: &Settings,
    store: &Store,
    previous: Option<&AwsSession>,
) -> Result<()> {
    if settings.target.role.is_some() {
        return Ok(());
    }
    let Some(choices) = store.target_choices(&settings.profile) else {
        return Ok(());
    };
    let asked = choices.targets.len() > 1
        && will_assume(settings, store, &choices.saml_role)
        && !choice_remembered(previous, &choices);
    if !asked {
        return Ok(());
    }
    let listed: Vec<String> = choices.targets.iter().map(RoleArn::short).collect();
    fail(
        format!(
            "no terminal to ask which cross-account role {} should assume (it may assume {}), and signing in would first ask for MFA",
            choices.saml_role.short(),
            listed.join(", ")
        ),
        format!("set {OKTA_AWS_TARGET_ROLE} (in the environment or the config file)"),
    )
}

/// Whether the login will assume `role`: the one role the preset picks among those granted
/// last time (as the role choice would), or, with no preset, the only one granted.
fn will_assume(settings: &Settings, store: &Store, role: &RoleArn) -> bool {
    let granted = store.granted_roles(&settings.profile).unwrap_or_default();
    let picked = match &settings.sts.role {
        Some(preset) => role_choice::matching(&granted, preset),
        None => granted.iter().collect(),
    };
    matches!(picked.as_slice(), [only] if only.role_arn == *role)
}

/// A choice made before for the SAML role (a target still offered, or none) answers.
fn choice_remembered(previous: Option<&AwsSession>, choices: &TargetChoices) -> bool {
    previous
        .filter(|p| p.target_decided_for.as_ref() == Some(&choices.saml_role))
        .is_some_and(|p| {
            p.target
                .as_ref()
                .is_none_or(|t| choices.targets.contains(&t.role_arn))
        })
}
