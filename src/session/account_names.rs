//! Account id → name for the assertion's accounts: cached for a day, else read from AWS's
//! sign-in page (the Okta form's action). Best effort: any failure leaves ids only.

use std::collections::BTreeMap;

use anyhow::Result;

use crate::aws::signin_page;
use crate::prompt::log;
use crate::saml::Assertion;
use crate::store::Store;

/// The names to show with the assertion's roles.
pub async fn for_assertion(
    store: &Store,
    action: Option<&str>,
    assertion: &Assertion,
) -> BTreeMap<String, String> {
    if let Some(fresh) = store.fresh_account_names() {
        return fresh.names;
    }
    match fetch_and_keep(store, action, assertion).await {
        Ok(names) => names,
        Err(e) => {
            log::debug(&format!("account names unavailable: {e:#}"));
            store.account_names().names
        }
    }
}

async fn fetch_and_keep(
    store: &Store,
    action: Option<&str>,
    assertion: &Assertion,
) -> Result<BTreeMap<String, String>> {
    let Some(url) = action.and_then(signin_page::allowed_action) else {
        anyhow::bail!("no AWS sign-in page to read account names from");
    };
    // A client of its own: no cookies, and no following AWS's redirect into the console
    // (its answer for a single-role account).
    let http = signin_page::signin_client()?;
    let fetched = signin_page::fetch_account_names(&http, &url, &assertion.base64).await?;
    Ok(store.add_account_names(fetched)?.names)
}
