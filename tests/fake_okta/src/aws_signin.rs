//! AWS's SAML sign-in page (`https://signin.aws.amazon.com/saml`), where the Okta app page's
//! form posts the assertion. okta-aws posts it here too, only to read the account names the
//! page shows. Two shapes, as AWS has served them:
//! - the older role picker (scraped for years by saml2aws, gimme-aws-creds…):
//!   `fieldset > div.saml-account` with `div.saml-account-name` = "Account: ALIAS (ID)" or
//!   "Account: ID", then per role an `input.saml-radio` and a `label.saml-role-description`;
//! - the current page (since 2023, a static Next.js export): its data is base64 JSON in
//!   `<meta name="data" content="…">` — `roles_accounts` maps `"alias (id)"`, or the bare id of
//!   an account without alias, to role ARNs — while `<script id="__NEXT_DATA__">` carries an
//!   empty `pageProps` and the role list is drawn by JavaScript.
//!
//! Both follow pages recorded from the real AWS (`tests/fixtures/recorded/aws-signin/`); the
//! fake's own tests compare the two.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::extract::{Form, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use crate::objects::html_response;
use crate::scenario::{SamlRole, SigninPage};
use crate::state::Shared;
use crate::util::xml_escape;

/// `POST /aws/saml` (a form, as the Okta page would submit it): the assertion must be
/// there, but its content is not checked; the scenario's roles are shown.
pub async fn signin_page(
    State(app): State<Arc<Shared>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if form.get("SAMLResponse").is_none_or(|v| v.is_empty()) {
        // No assertion, no page: a client that forgets it must see it fail here.
        return html_response(
            StatusCode::BAD_REQUEST,
            "<html><body><h1>Missing SAMLResponse</h1></body></html>".to_string(),
        );
    }
    let inner = app.lock();
    let scenario = &inner.scenario;
    let names: BTreeMap<&str, &str> = scenario
        .account_names
        .iter()
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .collect();
    let accounts = by_account(&scenario.roles);
    match scenario.signin_page {
        SigninPage::RolePicker => html_response(StatusCode::OK, role_picker(&accounts, &names)),
        SigninPage::NextData => {
            html_response(StatusCode::OK, meta_data_page(&accounts, &names, &form))
        }
        SigninPage::Broken => html_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            "<html><body>We encountered an internal error. Please try again.".to_string(),
        ),
        SigninPage::SingleRole => (
            StatusCode::FOUND,
            [(header::LOCATION, format!("{}/console/home", app.base_url))],
        )
            .into_response(),
    }
}

/// Role ARNs grouped by account id, in first-seen order.
fn by_account(roles: &[SamlRole]) -> Vec<(String, Vec<String>)> {
    let mut accounts: Vec<(String, Vec<String>)> = Vec::new();
    for role in roles {
        let account = role
            .role_arn
            .split(':')
            .nth(4)
            .unwrap_or_default()
            .to_string();
        match accounts.iter_mut().find(|(id, _)| *id == account) {
            Some((_, arns)) => arns.push(role.role_arn.clone()),
            None => accounts.push((account, vec![role.role_arn.clone()])),
        }
    }
    accounts
}

fn role_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn role_picker(accounts: &[(String, Vec<String>)], names: &BTreeMap<&str, &str>) -> String {
    let mut fieldset = String::new();
    for (account, arns) in accounts {
        let label = match names.get(account.as_str()) {
            Some(name) => format!("Account: {} ({account})", xml_escape(name)),
            None => format!("Account: {account}"),
        };
        fieldset.push_str(&format!(
            "<div class=\"saml-account\"> <div onClick=\"expandCollapse(0);\">\n\
             <img id=\"image0\" src=\"/static/image/down.png\" valign=\"middle\"></img>\n\
             <div class=\"saml-account-name\">{label}</div>\n</div>\n<hr style=\"border: 1px solid #ddd;\">\n\
             <div id=\"0\" class=\"saml-account\" >\n"
        ));
        for arn in arns {
            fieldset.push_str(&format!(
                "<div class=\"saml-role\" onClick=\"checkRadio(this);\">\n\
                 <input type=\"radio\" name=\"roleIndex\" value=\"{arn}\" class=\"saml-radio\" id=\"{arn}\" />\n\
                 <label for=\"{arn}\" class=\"saml-role-description\">{}</label>\n\
                 <span style=\"clear: both;\"></span>\n</div>\n",
                role_name(arn)
            ));
        }
        fieldset.push_str("</div></div>\n");
    }
    format!(
        "<!DOCTYPE html>\n<html><head><title>Amazon Web Services Sign-In</title></head><body>\n\
         <div id=\"container\"><h1 class=\"background\">Amazon Web Services Login</h1>\n\
         <form id=\"saml_form\" name=\"saml_form\" action=\"/saml\" method=\"post\">\n\
         <input type=\"hidden\" name=\"RelayState\" value=\"\" />\n\
         <input type=\"hidden\" name=\"SAMLResponse\" value=\"PHNhbWxwOlJlc3BvbnNlLz4=\" />\n\
         <input type=\"hidden\" name=\"name\" value=\"\" />\n\
         <p style=\"font-size: 16px; padding-left: 20px;\">Select a role:</p>\n\
         <fieldset>\n{fieldset}</fieldset>\n\
         <input id=\"signin_button\" type=\"submit\" value=\"Sign In\" />\n</form></div></body></html>\n"
    )
}

/// The key of an account in `roles_accounts`: `alias (id)`, or the bare id.
fn roles_accounts_key(account: &str, names: &BTreeMap<&str, &str>) -> String {
    match names.get(account) {
        Some(name) => format!("{name} ({account})"),
        None => account.to_string(),
    }
}

/// The current page: everything the browser needs is in `<meta name="data">`, the same keys
/// as the real page (the posted SAMLResponse and RelayState echoed back).
fn meta_data_page(
    accounts: &[(String, Vec<String>)],
    names: &BTreeMap<&str, &str>,
    form: &HashMap<String, String>,
) -> String {
    let roles_accounts: serde_json::Map<String, serde_json::Value> = accounts
        .iter()
        .map(|(account, arns)| (roles_accounts_key(account, names), json!(arns)))
        .collect();
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let data = json!({
        "invalid_accounts": {},
        "RelayState": field("RelayState"),
        "name": null,
        "roles_accounts": roles_accounts,
        "foreign_accounts": {},
        "region": "IAD",
        "portal": null,
        "SAMLResponse": field("SAMLResponse"),
        "problems": "{}",
        "policy": null,
    });
    let content = STANDARD.encode(format!("{data}\n"));
    let next_data = json!({
        "props": {"pageProps": {}},
        "page": "/saml",
        "query": {},
        "buildId": "fake-build",
        "assetPrefix": "/v2/assets",
        "nextExport": true,
        "autoExport": true,
        "isFallback": false,
        "scriptLoader": [],
    });
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width\">\n\
         <meta name=\"data\"\n    content=\"{content}\">\n  <meta name=\"panorama\" content=\"IAD\">\n\
         <script src=\"/v2/assets/_next/static/chunks/pages/saml.js\" defer=\"\"></script>\n\
         <title>Amazon Web Services Sign-In</title>\n</head>\n<body>\n  <div id=\"root\">\n\
         <div id=\"__next\"></div>\n    <script id=\"__NEXT_DATA__\"\n      type=\"application/json\">{next_data}</script>\n\
         </div>\n</body>\n</html>\n"
    )
}
