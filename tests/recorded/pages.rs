//! HTML pages: Okta's app launch and step-up pages, AWS's sign-in page in both shapes.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use okta_aws::aws::signin_page::{allowed_action, parse_account_names};
use okta_aws::okta::saml_page::{PageOutcome, read_page};
use okta_aws::saml::Assertion;

use crate::recordings;

const APP_LINK_PATH: &str = "/home/amazon_aws/0oa1exampleapp/272";

#[test]
fn okta_pages_are_all_covered() {
    recordings::assert_covered(
        "okta-pages",
        &[
            "app-launch-aws-saml-form.html",
            "step-up-extra-verification.html",
        ],
    );
}

#[test]
fn the_recorded_app_launch_page_gives_the_entity_decoded_form() {
    let page = recordings::one("okta-pages", "app-launch-aws-saml-form.html");
    let PageOutcome::Saml(form) = read_page(200, APP_LINK_PATH, &page) else {
        panic!("no SAML form found");
    };
    let action = form.action.expect("the form's action");
    assert_eq!(action, "https://signin.aws.amazon.com/saml");
    assert!(allowed_action(&action).is_some());
    // The value was OWASP-encoded (`&#x2b;`, `&#x3d;`, `&#x2f;`): decoded, it is the
    // recorded assertion's base64 exactly.
    let xml = recordings::one("saml", "okta-one-role-28800.xml");
    assert_eq!(form.saml_response, STANDARD.encode(&xml));
    let assertion = Assertion::parse(&form.saml_response).expect("assertion");
    assert_eq!(assertion.session_duration, Some(28800));
    assert_eq!(assertion.name_id.as_deref(), Some("user@example.com"));
}

#[test]
fn the_recorded_step_up_page_is_told_apart() {
    let page = recordings::one("okta-pages", "step-up-extra-verification.html");
    let outcome = read_page(200, APP_LINK_PATH, &page);
    let PageOutcome::Other(err) = outcome else {
        panic!("the step-up page was taken for a form or the sign-in page");
    };
    assert!(err.to_string().contains("extra verification"), "{err}");
}

fn expected_names(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(id, name)| (id.to_string(), name.to_string()))
        .collect()
}

#[test]
fn every_recorded_aws_sign_in_page_gives_its_aliases() {
    let expected = [
        // The current page: `roles_accounts` in `<meta name="data">`; 987654321987 has no
        // alias (a bare id), and `__NEXT_DATA__` carries nothing.
        (
            "gimme-nextjs-meta-data.html",
            expected_names(&[("012345678901", "testaccount1")]),
        ),
        // The older role picker: "Account: alias (id)" and "Account: id".
        (
            "saml2aws-role-picker.html",
            expected_names(&[("000000000001", "account-alias")]),
        ),
    ];
    let files: Vec<&str> = expected.iter().map(|(file, _)| *file).collect();
    recordings::assert_covered("aws-signin", &files);
    for (file, names) in expected {
        let page = recordings::one("aws-signin", file);
        assert_eq!(parse_account_names(&page), names, "{file}");
    }
}

#[test]
fn the_current_aws_page_without_its_meta_data_gives_nothing() {
    // What an HTML scraper of the rendered list or of `__NEXT_DATA__` would see: the names
    // come from the meta data alone.
    let page = recordings::one("aws-signin", "gimme-nextjs-meta-data.html");
    let start = page.find(r#"<meta name="data""#).expect("meta data");
    let end = start + page[start..].find('>').expect("end of meta") + 1;
    let without = format!("{}{}", &page[..start], &page[end..]);
    assert!(parse_account_names(&without).is_empty());
}
