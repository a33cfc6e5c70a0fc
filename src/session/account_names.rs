//! Account id → name for the assertion's accounts: cached for a day, else read from AWS's
//! sign-in page (the Okta form's action). Best effort: any failure leaves ids only.
//!
//! The page is read whenever an account of the assertion has no fresh name and was not
//! asked about within the day (an account without an alias is named by no page), so that
//! `status`, `roles --json` and completion show names after any login. A login that needs
//! no menu reads it at the same time as its STS call (`refresh_beside`), adding no wait.
//! An answer with no name at all is not kept: the next login asks again.

use std::collections::BTreeMap;

use anyhow::Result;

use crate::aws::signin_page;
use crate::prompt::log;
use crate::saml::Assertion;
use crate::store::Store;

/// The names to show with the assertion's roles, read from the page first when needed.
pub async fn for_assertion(
    store: &Store,
    action: Option<&str>,
    assertion: &Assertion,
) -> BTreeMap<String, String> {
    if !needs_fetch(store, assertion) {
        return store.account_names().names;
    }
    match fetch_and_keep(store, action, assertion).await {
        Ok(names) => names,
        Err(e) => {
            log::debug(&format!("account names unavailable: {e:#}"));
            store.account_names().names
        }
    }
}

/// Read the page when needed, for later commands only (run beside the STS call).
pub async fn refresh_beside(store: &Store, action: Option<&str>, assertion: &Assertion) {
    for_assertion(store, action, assertion).await;
}

/// Whether some account of the assertion lacks a fresh name and was not asked about today.
fn needs_fetch(store: &Store, assertion: &Assertion) -> bool {
    let fresh = store.fresh_account_names().map(|n| n.names);
    assertion.roles.iter().any(|role| {
        let account = role.role_arn.account();
        let named = fresh.as_ref().is_some_and(|n| n.contains_key(account));
        !named && !store.account_recently_asked(account)
    })
}

async fn fetch_and_keep(
    store: &Store,
    action: Option<&str>,
    assertion: &Assertion,
) -> Result<BTreeMap<String, String>> {
    let Some(url) = action.and_then(signin_page::allowed_action) else {
        anyhow::bail!("no AWS sign-in page to read account names from");
    };
    // A client of its own, built only when a name is missing: no cookies, and no following
    // AWS's redirect into the console (its answer for a single-role account). Cheap: the
    // process's TLS configuration is shared (`tls`).
    let http = signin_page::signin_client()?;
    let fetched = signin_page::fetch_account_names(&http, &url, &assertion.base64).await?;
    if fetched.is_empty() {
        // Not an answer to keep as fresh (a changed page, a redirect): ask again next time.
        anyhow::bail!("the AWS sign-in page named no account");
    }
    let names = store.add_account_names(fetched)?.names;
    store.record_accounts_asked(assertion.roles.iter().map(|r| r.role_arn.account()))?;
    Ok(names)
}
