//! `login --all-roles`: every role of one assertion (or those a glob names), assumed
//! concurrently with one sign-in. Failures are per role.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use anyhow::Result;

use super::account_names;
use super::login::{self, LoginContext};
use super::provider::run_online;
use crate::aws::sts;
use crate::error::fail;
use crate::prompt::Prompter;
use crate::role_choice;
use crate::saml::{Assertion, RolePair};
use crate::settings::{Regions, Settings};
use crate::store::Store;

/// How many roles are assumed at once.
const ALL_ROLES_WIDTH: usize = 16;

/// One role of an all-roles login: its credentials, or why not.
pub struct RoleOutcome {
    pub role: RolePair,
    pub credentials: Result<sts::SamlGrant>,
}

/// Every role of one assertion whose ARN, `ACCOUNT/ROLE` or `ALIAS/ROLE` matches `pattern`
/// (all when `None`), assumed concurrently.
pub fn obtain_all(
    settings: &Settings,
    prompter: &dyn Prompter,
    pattern: Option<&str>,
) -> Result<Vec<RoleOutcome>> {
    settings.check_for_login()?;
    super::warn_unsupported(settings, prompter);
    let store = Store::for_settings(settings);
    let _lock = store.lock_profile(&settings.profile, prompter)?;
    run_online(&settings.net, async {
        let context = LoginContext {
            settings,
            prompter,
            store: &store,
        };
        let client = login::okta_client(settings)?;
        let (assertion, action) = login::saml_assertion(&context, &client).await?;
        // Globs may name accounts by alias.
        let names = account_names::for_assertion(&store, action.as_deref(), &assertion).await;
        let chosen = matching_roles(&assertion, pattern, &names)?;
        let duration = login::saml_duration(settings, &assertion)?;
        let regions = &settings.sts.regions;
        Ok(assume_concurrently(regions, chosen, assertion.base64, duration).await)
    })
}

/// The assertion's roles that `pattern` matches; none is an error listing them all.
fn matching_roles(
    assertion: &Assertion,
    pattern: Option<&str>,
    names: &BTreeMap<String, String>,
) -> Result<Vec<RolePair>> {
    let chosen: Vec<RolePair> = assertion
        .roles
        .iter()
        .filter(|r| pattern.is_none_or(|p| role_choice::matches_pattern(p, r, names)))
        .cloned()
        .collect();
    if chosen.is_empty() {
        let all: Vec<String> = assertion.roles.iter().map(|r| r.role_arn.short()).collect();
        return fail(
            format!(
                "no role matches '{}': your roles are {}",
                pattern.unwrap_or("*"),
                all.join(", ")
            ),
            "a pattern matches the role ARN, ACCOUNT/ROLE or ALIAS/ROLE; * and ? are wildcards",
        );
    }
    Ok(chosen)
}

/// AssumeRoleWithSAML for each role, at most `ALL_ROLES_WIDTH` at a time; results in the
/// roles' order.
async fn assume_concurrently(
    regions: &Regions,
    roles: Vec<RolePair>,
    assertion: String,
    duration: i32,
) -> Vec<RoleOutcome> {
    let region_of = |role: &RolePair| regions.for_partition(role.role_arn.partition());
    // One SDK configuration per region (loading one reads the AWS config files).
    let mut configs = BTreeMap::new();
    for region in roles.iter().map(region_of).collect::<BTreeSet<_>>() {
        let config = sts::sdk_config(&region, None).await;
        configs.insert(region, config);
    }
    let permits = Arc::new(tokio::sync::Semaphore::new(ALL_ROLES_WIDTH));
    let assertion: Arc<str> = assertion.into();
    let mut tasks = tokio::task::JoinSet::new();
    for (index, role) in roles.into_iter().enumerate() {
        let config = configs[&region_of(&role)].clone();
        let (permits, assertion) = (permits.clone(), assertion.clone());
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            let credentials =
                sts::assume_role_with_saml(&config, &role, &assertion, duration).await;
            (index, RoleOutcome { role, credentials })
        });
    }
    let mut outcomes: Vec<(usize, RoleOutcome)> = tasks.join_all().await;
    outcomes.sort_by_key(|(index, _)| *index);
    outcomes.into_iter().map(|(_, outcome)| outcome).collect()
}
