//! `aws::signin_page` called directly against the fake's stand-in for AWS's sign-in page:
//! the library's side of account names, without the binary or moto.

use std::collections::HashMap;

use fake_okta::{FakeOkta, SigninPage};
use okta_aws::aws::signin_page::{allowed_action, fetch_account_names, signin_client};
use okta_aws::okta::{OktaClient, saml_page};
use url::Url;

use crate::harness::*;

fn start(page: SigninPage) -> FakeOkta {
    let mut sc = scenario(user_with(vec![]), two_roles());
    sc.signin_page = page;
    sc.account_names = vec![("222222222222".to_string(), "acme-prod & co".to_string())];
    FakeOkta::start(sc)
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// The sign-in page's URL as the fake's Okta form names it.
fn action(okta: &FakeOkta) -> Url {
    allowed_action(&format!("{}/aws/saml", okta.base_url())).expect("loopback is allowed")
}

/// Post an arbitrary assertion: the fake shows the scenario's roles whatever it says.
fn fetch(okta: &FakeOkta, http: &reqwest::Client) -> Result<HashMap<String, String>, String> {
    block_on(fetch_account_names(
        http,
        &action(okta),
        "PHNhbWxwOlJlc3BvbnNlLz4=",
    ))
    .map_err(|e| e.to_string())
}

fn acme() -> HashMap<String, String> {
    [("222222222222".to_string(), "acme-prod & co".to_string())].into()
}

#[test]
fn both_page_shapes_give_the_aliases() {
    for page in [SigninPage::RolePicker, SigninPage::NextData] {
        let okta = start(page);
        let names = fetch(&okta, &signin_client().unwrap());
        assert_eq!(names, Ok(acme()), "{page:?}");
        assert_eq!(okta.count("POST", "/aws/saml"), 1, "{page:?}");
    }
}

#[test]
fn the_okta_forms_action_and_assertion_are_what_gets_posted() {
    let okta = start(SigninPage::NextData);
    let names = block_on(async {
        let client = OktaClient::new(Url::parse(&okta.base_url()).unwrap()).unwrap();
        let authn: serde_json::Value = reqwest::Client::new()
            .post(format!("{}/api/v1/authn", okta.base_url()))
            .json(&serde_json::json!({"username": LOGIN, "password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = authn["sessionToken"].as_str().expect("sessionToken");
        let app_url = Url::parse(&okta.app_url()).unwrap();
        let form = saml_page::fetch_with_token(&client, &app_url, token)
            .await
            .unwrap();
        // Okta escapes the action (`http&#x3a;&#x2f;&#x2f;…`); the form gives it decoded.
        let action = form.action.as_deref().and_then(allowed_action).unwrap();
        fetch_account_names(&signin_client().unwrap(), &action, &form.saml_response)
            .await
            .map_err(|e| e.to_string())
    });
    assert_eq!(names, Ok(acme()));
}

#[test]
fn a_broken_page_is_an_error_for_the_verbose_note() {
    let okta = start(SigninPage::Broken);
    let error = fetch(&okta, &signin_client().unwrap()).unwrap_err();
    assert!(error.contains("HTTP 500"), "{error}");
}

#[test]
fn a_single_role_redirect_gives_no_names_and_is_not_followed() {
    let okta = start(SigninPage::SingleRole);
    assert_eq!(fetch(&okta, &signin_client().unwrap()), Ok(HashMap::new()));
    assert_eq!(
        okta.count("GET", "/console"),
        0,
        "the console is not visited"
    );
    // A client that follows redirects still gets no names from the console's page.
    assert_eq!(fetch(&okta, &reqwest::Client::new()), Ok(HashMap::new()));
    assert_eq!(okta.count("GET", "/console"), 1);
}

#[test]
fn nothing_listening_is_an_error_not_a_hang() {
    let okta = start(SigninPage::RolePicker);
    let action = action(&okta);
    drop(okta);
    let started = std::time::Instant::now();
    let result = block_on(fetch_account_names(
        &signin_client().unwrap(),
        &action,
        "eA==",
    ));
    assert!(result.is_err(), "{result:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(6));
}
